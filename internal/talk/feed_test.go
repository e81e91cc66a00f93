package talk

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/resident"
)

// TestNoticeInFeed: a notice shown now is in the feed "for you" of residents who chose its
// neighbourhood, and NewInFeed (the live feed's check) says so; not for others, nor once
// withdrawn.
func TestNoticeInFeed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	editor, _ := e.as(e.larvik, auth.RoleEditor)
	near, far := e.device(e.larvik), e.device(e.larvik)
	for _, x := range []struct {
		ctx context.Context
		nb  uuid.UUID
	}{{near, e.sentrum}, {far, e.torget}} {
		if _, err := e.residents.SetNeighbourhood(x.ctx, ptr(gid("Neighbourhood", x.nb))); err != nil {
			t.Fatal(err)
		}
	}
	n, err := e.svc.PostNotice(e.committee(e.larvik, e.sentrum), gid("Neighbourhood", e.sentrum), notice("Dugnad"))
	if err != nil {
		t.Fatal(err)
	}
	feed := func(ctx context.Context) []*resident.FeedEdge {
		t.Helper()
		f, err := e.residents.ForYou(ctx, resident.FeedWindow{}, relay.Page{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		return f.Edges
	}
	if f := feed(near); len(f) != 1 || f[0].Node.Kind != resident.KindNotice || f[0].Node.Title != "Dugnad" ||
		f[0].Node.GlobalID() != n.GlobalID() || f[0].Node.Summary != "Dugnad **lørdag**." {
		t.Fatalf("near: %+v", f)
	}
	if f := feed(far); len(f) != 0 {
		t.Errorf("far: %+v", f)
	}
	if item, ok, err := e.residents.NewInFeed(near, n.ID); err != nil || !ok || item.Title != "Dugnad" {
		t.Errorf("NewInFeed near: %+v %v %v", item, ok, err)
	}
	if _, ok, err := e.residents.NewInFeed(far, n.ID); err != nil || ok {
		t.Errorf("NewInFeed far: %v %v", ok, err)
	}
	if _, ok, err := e.residents.NewInFeed(e.device(e.porsgrunn), n.ID); err != nil || ok {
		t.Errorf("NewInFeed in another municipality: %v %v", ok, err)
	}
	if _, err := e.svc.WithdrawNotice(editor, n.GlobalID()); err != nil {
		t.Fatal(err)
	}
	// Reads of an announced item are shared for a few seconds: later, it is read afresh.
	e.residents.Now = func() time.Time { return time.Now().Add(time.Minute) }
	if f := feed(near); len(f) != 0 {
		t.Errorf("withdrawn, still in the feed: %+v", f)
	}
	if _, ok, _ := e.residents.NewInFeed(near, n.ID); ok {
		t.Error("withdrawn, still new")
	}
	if err := e.residents.ForgetDevice(near); err != nil {
		t.Fatal(err)
	}
	_, _, err = e.residents.NewInFeed(near, n.ID)
	wantCode(t, err, apperr.Unauthenticated, "", "")
}
