// Package live carries small change announcements between fritid instances through
// PostgreSQL LISTEN/NOTIFY and fans them out to the subscriptions open on this instance.
//
// A writer calls Notify inside the transaction of the change, so an announcement is sent
// only when the change commits. Each server process runs one Hub: one dedicated
// connection LISTENs on Channel, reconnecting with backoff when it drops, and every
// announcement goes to the subscribers of its Topic. Each subscriber has a bounded buffer;
// one that falls behind is dropped (its channel closed with Dropped set), never waited
// for. Announcements carry a kind, the municipality and IDs, never personal data.
package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/database"
)

// Channel is the PostgreSQL notification channel of every announcement.
const Channel = "fritid_live"

// Kind says what changed.
type Kind string

// The kinds of change announced.
const (
	// TicketChanged: a ticket's status changed (claimed, redeemed, cancelled, expired);
	// ID is the ticket.
	TicketChanged Kind = "ticket"
	// StockChanged: an offer's stock changed (a claim, a cancellation, a release); ID is
	// the offer.
	StockChanged Kind = "stock"
	// DoorScanned: a ticket was checked in at the door; ID is the offer, Ref the ticket.
	DoorScanned Kind = "scan"
	// FeedItemNew: an item became public that may enter residents' feeds "for you" (a
	// neighbourhood notice, an activity, event or article published for the first time).
	// Its topic is the whole municipality (ID nil); Ref is the item.
	FeedItemNew Kind = "feed"
	// Resync is not sent by writers: the hub gives it to every subscriber after it has
	// reconnected, since announcements made meanwhile are lost; subscribers read afresh.
	Resync Kind = "resync"
)

// Adding a kind (the resident's "for you" feed, say: new items for a device or an
// account): a Kind here, with the ID it keys on (the feed's owner); Notify in the
// transaction that makes the item; a Watch method in the domain service that authorises
// the reader (and again per event); and a Subscription field whose resolver runs graph's
// stream with a feed (graph/live.go), with coalesce false since each item counts, as
// doorScans does.

// Event is one announcement: what changed, in which municipality, and its IDs.
type Event struct {
	Kind           Kind      `json:"k"`
	MunicipalityID uuid.UUID `json:"m"`
	ID             uuid.UUID `json:"i"`
	// Ref is a second ID where the kind has one (the ticket of a door scan).
	Ref uuid.UUID `json:"r,omitzero"`
	// At is when the notifying transaction ran, for latency measurements.
	At time.Time `json:"t,omitzero"`
}

// Topic is what a subscriber listens to: one kind of change of one thing.
type Topic struct {
	Kind           Kind
	MunicipalityID uuid.UUID
	ID             uuid.UUID
}

// Topic returns the topic the event belongs to.
func (e Event) Topic() Topic { return Topic{Kind: e.Kind, MunicipalityID: e.MunicipalityID, ID: e.ID} }

// Announcements are sent after the change's transaction commits, not in it: a transaction
// that notifies takes a lock that makes every notifying commit in the cluster take turns,
// WAL flush included, which would cap claims on a busy offer at the disk's pace. So
// Notify, inside a transaction of database.RunInTx, hands its announcements over when that
// commits (database.AfterCommit), and a sender per database sends them in batches, each in
// a transaction of its own without waiting for the flush (synchronous_commit off: an
// announcement is no record to keep). Only committed changes are announced; one committed
// just before a crash may go unheard, which a subscriber's next read makes good. Outside
// such a transaction Notify notifies in the caller's transaction, as PostgreSQL holds a
// notification until COMMIT and drops it on ROLLBACK.

// notifySQL sends announcements, the payloads $2.
const notifySQL = "SELECT pg_notify(?, p) FROM unnest(?::text[]) AS p"

// Notify announces e on db once the transaction it is part of commits. Errors: those of
// the database.
func Notify(ctx context.Context, db bun.IDB, e Event) error { return NotifyAll(ctx, db, []Event{e}) }

// NotifyAll announces events as Notify does each; none is a no-op.
func NotifyAll(ctx context.Context, db bun.IDB, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	payloads := make([]string, len(events))
	now := time.Now()
	for i, e := range events {
		if e.At.IsZero() {
			e.At = now
		}
		b, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("live: encode: %w", err)
		}
		payloads[i] = string(b)
	}
	if owner := db.NewSelect().DB(); owner != nil && database.AfterCommit(ctx, func() { send(owner, payloads) }) {
		return nil
	}
	if _, err := db.ExecContext(ctx, notifySQL, Channel, pgdialect.Array(payloads)); err != nil {
		return fmt.Errorf("live: notify: %w", err)
	}
	return nil
}

// senders holds the sender of each database announcements were sent on.
var senders sync.Map // *bun.DB -> *sender

// sender sends a database's announcements in batches, one goroutine while there are any.
type sender struct {
	db      *bun.DB
	mu      sync.Mutex
	queue   []string
	running bool
}

// send queues payloads to be announced on db, and starts its sender when it is idle.
func send(db *bun.DB, payloads []string) {
	v, _ := senders.LoadOrStore(db, &sender{db: db})
	s := v.(*sender)
	s.mu.Lock()
	s.queue = append(s.queue, payloads...)
	start := !s.running
	s.running = true
	s.mu.Unlock()
	if start {
		go s.run()
	}
}

// run sends what is queued, batch by batch, until nothing is.
func (s *sender) run() {
	for {
		s.mu.Lock()
		batch := s.queue
		s.queue = nil
		if len(batch) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		if err := s.notify(batch); err != nil {
			slog.Default().Warn("live: announcements not sent", "count", len(batch), "err", err)
		}
	}
}

// notify sends a batch in a transaction that does not wait for the WAL flush.
func (s *sender) notify(batch []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, notifySQL, Channel, pgdialect.Array(batch))
		return err
	})
}

// DefaultBuffer is how many announcements a subscriber may have waiting before it is dropped.
const DefaultBuffer = 16

// Subscription receives the events of one topic on C until Close, or until the hub drops
// it for falling behind (C is closed and Dropped reports true) or stops.
type Subscription struct {
	C       <-chan Event
	c       chan Event
	topic   Topic
	hub     *Hub
	dropped atomic.Bool
	once    sync.Once
}

// Dropped reports whether the hub dropped the subscription because its buffer was full.
func (s *Subscription) Dropped() bool { return s.dropped.Load() }

// Close ends the subscription; it is safe to call more than once.
func (s *Subscription) Close() { s.hub.remove(s) }

// Hub fans the announcements of Channel out to this process's subscriptions.
type Hub struct {
	url    string
	log    *slog.Logger
	buffer int

	mu     sync.Mutex
	topics map[Topic]map[*Subscription]struct{}
	count  int

	ready     chan struct{}
	readyOnce sync.Once
	startOnce sync.Once
	stop      context.CancelFunc
	stopped   chan struct{}
	// connects counts established LISTEN connections (for tests of reconnection).
	connects atomic.Int64
}

// NewHub returns a hub that listens with its own connection to the database at url, from
// its first subscription (or Start) until Close.
func NewHub(url string, log *slog.Logger) *Hub {
	if log == nil {
		log = slog.Default()
	}
	return &Hub{url: url, log: log, buffer: DefaultBuffer, topics: map[Topic]map[*Subscription]struct{}{},
		ready: make(chan struct{}), stop: func() {}, stopped: make(chan struct{})}
}

// Start makes the hub listen (in the background, until Close), once.
func (h *Hub) Start() {
	h.startOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		h.mu.Lock()
		h.stop = cancel
		h.mu.Unlock()
		go func() {
			defer close(h.stopped)
			_ = h.Run(ctx)
		}()
	})
}

// Close stops listening and waits for the listener to end, if it was started; a hub never
// started will not start after it. It may be called more than once.
func (h *Hub) Close() {
	h.startOnce.Do(func() { close(h.stopped) })
	h.mu.Lock()
	stop := h.stop
	h.mu.Unlock()
	stop()
	<-h.stopped
}

// WaitReady starts the hub and waits until it listens (so nothing committed from now on
// is missed), or until ctx ends. Errors: ctx's.
func (h *Hub) WaitReady(ctx context.Context) error {
	h.Start()
	select {
	case <-h.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Subscribers returns how many subscriptions are open.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}

// Subscribe opens a subscription to topic, starting the hub if need be; see WaitReady.
func (h *Hub) Subscribe(topic Topic) *Subscription {
	h.Start()
	c := make(chan Event, h.buffer)
	s := &Subscription{C: c, c: c, topic: topic, hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.topics[topic]
	if m == nil {
		m = map[*Subscription]struct{}{}
		h.topics[topic] = m
	}
	m[s] = struct{}{}
	h.count++
	return s
}

// remove takes s out of the hub and closes its channel, once.
func (h *Hub) remove(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s)
}

func (h *Hub) removeLocked(s *Subscription) {
	s.once.Do(func() {
		m := h.topics[s.topic]
		delete(m, s)
		if len(m) == 0 {
			delete(h.topics, s.topic)
		}
		h.count--
		close(s.c)
	})
}

// Publish delivers e to the subscribers of its topic on this instance, dropping any whose
// buffer is full. Run calls it for each notification; tests may call it directly.
func (h *Hub) Publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e.Kind == Resync {
		for _, m := range h.topics {
			h.deliver(m, e)
		}
		return
	}
	h.deliver(h.topics[e.Topic()], e)
}

func (h *Hub) deliver(m map[*Subscription]struct{}, e Event) {
	for s := range m {
		select {
		case s.c <- e:
		default:
			s.dropped.Store(true)
			h.removeLocked(s)
		}
	}
}

// Backoff bounds the waits between reconnection attempts.
var (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 30 * time.Second
)

// Run listens until ctx ends, reconnecting with exponential backoff (logged) when the
// connection drops; after a reconnection every subscriber gets a Resync event. It returns
// nil when ctx ends; subscriptions stay open (their owners close them).
func (h *Hub) Run(ctx context.Context) error {
	wait := minBackoff
	for {
		listened, err := h.listen(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if listened {
			wait = minBackoff
		}
		h.log.Warn("live updates: listen connection lost; reconnecting", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(wait*2, maxBackoff)
	}
}

// listen holds one LISTEN connection until it fails or ctx ends; listened reports whether
// it got as far as listening.
func (h *Hub) listen(ctx context.Context) (listened bool, err error) {
	conn, err := pgx.Connect(ctx, h.url)
	if err != nil {
		return false, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return false, err
	}
	if h.connects.Add(1) > 1 {
		h.log.Info("live updates: listening again")
		h.Publish(Event{Kind: Resync})
	}
	h.readyOnce.Do(func() { close(h.ready) })
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		var e Event
		if err := json.Unmarshal([]byte(n.Payload), &e); err != nil || e.Kind == Resync {
			h.log.Warn("live updates: unreadable notification ignored")
			continue
		}
		h.Publish(e)
	}
}
