package card

import (
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

func TestFindTicketsOfCards(t *testing.T) {
	e := newEnv(t)
	nav, school := e.agency("NAV"), e.agency("Skolen")
	p := e.programme([]*Agency{nav, school})
	cwNAV, cwSchool := e.caseworker(nav), e.caseworker(school)
	org := e.organisation("kino")
	o := e.tkOffer(org, []*Programme{p}, 10, func(in *OfferInput) { in.PerCardLimit = 3 })
	navCard, schoolCard := e.family(p, cwNAV).card, e.family(p, cwSchool).card
	for _, c := range []struct {
		card *Card
		n    int
	}{{navCard, 2}, {schoolCard, 1}} {
		for range c.n {
			if _, err := e.svc.AllocateTicket(e.coord, c.card.ID, o.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	ids := []uuid.UUID{navCard.ID, schoolCard.ID}
	all, err := e.svc.FindTicketsOfCards(e.coord, ids)
	if err != nil || len(all[navCard.ID]) != 2 || len(all[schoolCard.ID]) != 1 || all[navCard.ID][0].Payload == "" {
		t.Fatalf("coordinator: %v %v", all, err)
	}
	// A caseworker sees their own agency's cards' tickets; the other agency's card is left out.
	mine, err := e.svc.FindTicketsOfCards(cwNAV, ids)
	if err != nil || len(mine[navCard.ID]) != 2 || len(mine[schoolCard.ID]) != 0 {
		t.Errorf("caseworker: %v %v", mine, err)
	}
	_, err = e.svc.FindTicketsOfCards(e.admin, ids)
	wantCode(t, err, apperr.Forbidden)
	_, err = e.svc.FindTicketsOfCards(anonymous(e.larvik), ids)
	wantCode(t, err, apperr.Unauthenticated)
}
