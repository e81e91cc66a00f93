package card

import (
	"testing"

	"github.com/fritid/fritid/internal/platform/apperr"
)

func TestClaimableOffers(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	other := e.programme([]*Agency{nav})
	f := e.family(p, e.caseworker(nav)) // a ten-year-old
	org := e.organisation("fritidsklubben")
	pool := e.tkOffer(org, []*Programme{p}, 10)
	e.tkOffer(org, []*Programme{p}, 10, func(in *OfferInput) { teen := 13; in.MinAge = &teen })
	e.tkOffer(org, []*Programme{p}, 0)
	e.tkOffer(org, []*Programme{other}, 10)
	paused := e.tkOffer(org, []*Programme{p}, 10)
	if _, err := e.svc.SetOfferStatus(e.coord, paused.ID, OfferPaused); err != nil {
		t.Fatal(err)
	}
	ids := func() []string {
		t.Helper()
		list, err := e.svc.ClaimableOffers(resident(e.larvik, f.mother), f.card.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range list {
			out = append(out, o.ID.String())
		}
		return out
	}
	// Not the teenagers' offer, not the sold-out, other programme's or paused one.
	if got := ids(); len(got) != 1 || got[0] != pool.ID.String() {
		t.Fatalf("claimable %v, want only %s", got, pool.ID)
	}
	if _, err := e.svc.ClaimTicket(resident(e.larvik, f.child), f.card.ID, pool.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got := ids(); len(got) != 0 {
		t.Errorf("claimable after reaching the per-card limit: %v", got)
	}
	a := e.anonCards(p, 1)[0]
	if list, err := e.svc.ClaimableOffers(anonymous(e.larvik), a.Card.ID, access(a)); err != nil || len(list) != 2 {
		t.Errorf("an anonymous card (no age) may claim the pool and the teenagers' offer: %d, %v", len(list), err)
	}
	_, err := e.svc.ClaimableOffers(resident(e.larvik, e.guardian()), f.card.ID, nil)
	wantCode(t, err, apperr.NotFound)
}
