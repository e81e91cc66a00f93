package live_test

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/platform/live"
)

const wait = 30 * time.Second

// receive returns the next event of s, failing after a generous wait.
func receive(t testing.TB, s *live.Subscription) live.Event {
	t.Helper()
	select {
	case e, ok := <-s.C:
		if !ok {
			t.Fatal("the subscription ended")
		}
		return e
	case <-time.After(wait):
		t.Fatalf("no event in %s", wait)
	}
	return live.Event{}
}

func newHub(t testing.TB) (*bun.DB, *live.Hub) {
	t.Helper()
	db, url := testdb.NewWithURL(t)
	h := live.NewHub(url, nil)
	t.Cleanup(h.Close)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := h.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return db, h
}

// TestHubDeliversOnlyCommitted: an announcement made in a transaction that rolls back is
// never delivered; the one that commits is, to its topic's subscribers only.
func TestHubDeliversOnlyCommitted(t *testing.T) {
	t.Parallel()
	db, h := newHub(t)
	ctx := context.Background()
	mid, ticket, other := uuid.New(), uuid.New(), uuid.New()
	sub := h.Subscribe(live.Topic{Kind: live.TicketChanged, MunicipalityID: mid, ID: ticket})
	defer sub.Close()
	elsewhere := h.Subscribe(live.Topic{Kind: live.TicketChanged, MunicipalityID: uuid.New(), ID: ticket})
	defer elsewhere.Close()
	rollback := errors.New("roll back")
	err := database.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		e := live.Event{Kind: live.TicketChanged, MunicipalityID: mid, ID: ticket, Ref: other}
		if err := live.Notify(ctx, tx, e); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	err = database.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		return live.NotifyAll(ctx, tx, []live.Event{{Kind: live.TicketChanged, MunicipalityID: mid, ID: ticket}})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Notifications arrive in commit order: the committed one is the first.
	if e := receive(t, sub); e.Ref != uuid.Nil || e.ID != ticket || e.MunicipalityID != mid {
		t.Errorf("delivered %+v, want the committed announcement", e)
	}
	select {
	case e := <-elsewhere.C:
		t.Errorf("another municipality's subscriber got %+v", e)
	default:
	}
}

// TestHubDropsASlowSubscriber: a subscriber that reads nothing is dropped once its buffer
// is full, and the others still get every event.
func TestHubDropsASlowSubscriber(t *testing.T) {
	t.Parallel()
	h := live.NewHub("postgres://127.0.0.1:1/unused", slog.New(slog.DiscardHandler))
	t.Cleanup(h.Close)
	topic := live.Topic{Kind: live.StockChanged, MunicipalityID: uuid.New(), ID: uuid.New()}
	slow, fast := h.Subscribe(topic), h.Subscribe(topic)
	defer fast.Close()
	got := 0
	for range live.DefaultBuffer + 1 {
		h.Publish(live.Event{Kind: live.StockChanged, MunicipalityID: topic.MunicipalityID, ID: topic.ID})
		receive(t, fast)
		got++
	}
	if !slow.Dropped() || got != live.DefaultBuffer+1 {
		t.Fatalf("dropped %v, fast got %d", slow.Dropped(), got)
	}
	n := 0
	for range slow.C {
		n++
	}
	if n != live.DefaultBuffer || h.Subscribers() != 1 {
		t.Errorf("slow kept %d events, %d subscribers left", n, h.Subscribers())
	}
}

// TestHubReconnects: when the listening connection is killed, the hub reconnects, tells
// its subscribers to read afresh (Resync), and delivers what is announced afterwards.
func TestHubReconnects(t *testing.T) {
	t.Parallel()
	db, h := newHub(t)
	ctx := context.Background()
	topic := live.Topic{Kind: live.TicketChanged, MunicipalityID: uuid.New(), ID: uuid.New()}
	sub := h.Subscribe(topic)
	defer sub.Close()
	if _, err := db.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+live.Channel+`' AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	if e := receive(t, sub); e.Kind != live.Resync {
		t.Fatalf("after the connection was killed: %+v, want a resync", e)
	}
	e := live.Event{Kind: topic.Kind, MunicipalityID: topic.MunicipalityID, ID: topic.ID}
	if err := live.Notify(ctx, db, e); err != nil {
		t.Fatal(err)
	}
	if e := receive(t, sub); e.Kind != live.TicketChanged || e.ID != topic.ID {
		t.Errorf("after reconnecting: %+v", e)
	}
}

// BenchmarkCommitToDelivery: one announcement committed in its own transaction and
// received by a subscriber of this hub; ns/delivered is from the COMMIT's return to the
// subscriber's receipt.
func BenchmarkCommitToDelivery(b *testing.B) {
	db, h := newHub(b)
	ctx := context.Background()
	topic := live.Topic{Kind: live.TicketChanged, MunicipalityID: uuid.New(), ID: uuid.New()}
	sub := h.Subscribe(topic)
	defer sub.Close()
	var after time.Duration
	for b.Loop() {
		err := database.RunInTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
			return live.Notify(ctx, tx, live.Event{Kind: topic.Kind, MunicipalityID: topic.MunicipalityID, ID: topic.ID})
		})
		if err != nil {
			b.Fatal(err)
		}
		committed := time.Now()
		receive(b, sub)
		after += time.Since(committed)
	}
	b.ReportMetric(float64(after.Nanoseconds())/float64(b.N), "ns/delivered")
}

// BenchmarkHubSubscriptionMemory: the hub's own cost of 10,000 open subscriptions.
func BenchmarkHubSubscriptionMemory(b *testing.B) {
	const n = 10_000
	h := live.NewHub("postgres://127.0.0.1:1/unused", slog.New(slog.DiscardHandler))
	b.Cleanup(h.Close)
	mid := uuid.New()
	for b.Loop() {
		before := heapInUse()
		subs := make([]*live.Subscription, n)
		for i := range subs {
			subs[i] = h.Subscribe(live.Topic{Kind: live.StockChanged, MunicipalityID: mid, ID: uuid.New()})
		}
		b.ReportMetric(float64(heapInUse()-before)/n, "bytes/subscription")
		for _, s := range subs {
			s.Close()
		}
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// TestHubClosesTwice closes hubs more than once, as an application's shutdown and a test's
// cleanup may: a hub never started, and one listening. Neither blocks, and a hub closed
// before it started does not start after.
func TestHubClosesTwice(t *testing.T) {
	t.Parallel()
	_, url := testdb.NewWithURL(t)
	idle := live.NewHub(url, nil)
	idle.Close()
	idle.Close()
	idle.Start()
	idle.Close()

	listening := live.NewHub(url, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := listening.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	listening.Close()
	listening.Close()
}
