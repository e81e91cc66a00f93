package card

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/tenant"
)

// offerIDs returns the IDs of offers, in order.
func offerIDs(list []*Offer) []uuid.UUID {
	out := make([]uuid.UUID, len(list))
	for i, o := range list {
		out[i] = o.ID
	}
	return out
}

// otherCaseworker returns the context of a caseworker of an agency of municipality t.
func (e *env) otherCaseworker(t *tenant.Tenant) context.Context {
	e.t.Helper()
	coord, _ := e.as(t, auth.RoleCardCoordinator)
	admin, _ := e.as(t, auth.RoleAdmin)
	ag, err := e.svc.SaveAgency(coord, AgencyInput{Name: "NAV " + t.Municipality.Slug, Kind: AgencyNAV})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, u := e.as(t, auth.RoleCaseworker)
	if err := e.svc.SetCaseworkerAgency(admin, u.ID, &ag.ID); err != nil {
		e.t.Fatal(err)
	}
	return ctx
}

// TestClaimableOffersForStaff: those who allocate tickets to a card see what it may
// claim, the same list its holder sees; every other caller is refused with its code.
func TestClaimableOffersForStaff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav, school := e.agency("NAV Larvik"), e.agency("Skolehelsetjenesten")
	p := e.programme([]*Agency{nav, school})
	cw := e.caseworker(nav)
	f := e.family(p, cw) // a ten-year-old
	org := e.organisation("bowling")
	pool := e.tkOffer(org, []*Programme{p}, 10)
	teens := e.tkOffer(org, []*Programme{p}, 10, func(in *OfferInput) { teen := 13; in.MinAge = &teen })
	anon := e.anonCards(p, 1)[0]
	sf := e.municipality("sandefjord")
	sfCoord, _ := e.as(sf, auth.RoleCardCoordinator)
	noAgency, _ := e.as(e.larvik, auth.RoleCaseworker)

	tests := []struct {
		name   string
		ctx    context.Context
		card   uuid.UUID
		access *CardAccess
		code   apperr.Code // "" when allowed
		want   []uuid.UUID
	}{
		{"CaseworkerOfTheIssuingAgency", cw, f.card.ID, nil, "", []uuid.UUID{pool.ID}},
		{"CardCoordinator", e.coord, f.card.ID, nil, "", []uuid.UUID{pool.ID}},
		{"CardCoordinatorAnonymousCard", e.coord, anon.Card.ID, nil, "", []uuid.UUID{pool.ID, teens.ID}},
		{"TheHoldersGuardian", resident(e.larvik, f.mother), f.card.ID, nil, "", []uuid.UUID{pool.ID}},
		{"NumberAndPIN", anonymous(e.larvik), anon.Card.ID, access(anon), "", []uuid.UUID{pool.ID, teens.ID}},
		{"CaseworkerOfAnotherAgency", e.caseworker(school), f.card.ID, nil, apperr.Forbidden, nil},
		{"CaseworkerAnonymousCard", cw, anon.Card.ID, nil, apperr.Forbidden, nil},
		{"CaseworkerWithoutAgency", noAgency, f.card.ID, nil, apperr.Forbidden, nil},
		{"CaseworkerOfAnotherMunicipality", e.otherCaseworker(sf), f.card.ID, nil, apperr.Forbidden, nil},
		{"CardCoordinatorOfAnotherMunicipality", sfCoord, f.card.ID, nil, apperr.Forbidden, nil},
		{"CaseworkerUnknownCard", cw, newID(), nil, apperr.Forbidden, nil},
		{"Administrator", e.admin, f.card.ID, nil, apperr.Forbidden, nil},
		{"AnotherResident", resident(e.larvik, e.guardian()), f.card.ID, nil, apperr.NotFound, nil},
		{"Anonymous", anonymous(e.larvik), f.card.ID, nil, apperr.Unauthenticated, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.ClaimableOffers(tt.ctx, tt.card, tt.access)
			if tt.code != "" {
				wantCode(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ids := offerIDs(got); !slices.Equal(ids, tt.want) {
				t.Errorf("claimable %v, want %v", ids, tt.want)
			}
		})
	}
}

// TestClaimableOffersOfCards: the batch gives each card the list ClaimableOffers gives it,
// only for cards the caller manages, and refuses everyone else.
func TestClaimableOffersOfCards(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav, school := e.agency("NAV Larvik"), e.agency("Skolehelsetjenesten")
	p, other := e.programme([]*Agency{nav, school}), e.programme([]*Agency{nav})
	cw := e.caseworker(nav)
	a, b := e.family(p, cw), e.family(other, cw)
	c := e.family(p, e.caseworker(school))
	org := e.organisation("kino")
	pool := e.tkOffer(org, []*Programme{p}, 10)
	e.tkOffer(org, []*Programme{other}, 10, func(in *OfferInput) { in.PerCardLimit = 2 })
	if _, err := e.svc.AllocateTicket(cw, a.card.ID, pool.ID); err != nil { // a reaches the per-card limit
		t.Fatal(err)
	}
	cards := []uuid.UUID{a.card.ID, b.card.ID, c.card.ID}

	t.Run("SameAsOneByOne", func(t *testing.T) {
		for _, ctx := range []context.Context{cw, e.coord} {
			m, err := e.svc.ClaimableOffersOfCards(ctx, cards)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range cards {
				got, ok := m[id]
				if !ok {
					continue
				}
				one, err := e.svc.ClaimableOffers(ctx, id, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(offerIDs(got), offerIDs(one)) {
					t.Errorf("card %s: batch %v, alone %v", id, offerIDs(got), offerIDs(one))
				}
			}
			if len(m[a.card.ID]) != 0 || len(m[b.card.ID]) != 1 {
				t.Errorf("a at its limit %v, b in the other programme %v", offerIDs(m[a.card.ID]), offerIDs(m[b.card.ID]))
			}
		}
	})
	t.Run("OnlyCardsTheCallerManages", func(t *testing.T) {
		m, err := e.svc.ClaimableOffersOfCards(cw, cards)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := m[c.card.ID]; ok || len(m) != 2 {
			t.Errorf("the caseworker got %d cards, another agency's among them: %v", len(m), m[c.card.ID] != nil)
		}
		if m, err := e.svc.ClaimableOffersOfCards(e.coord, cards); err != nil || len(m) != 3 {
			t.Errorf("the coordinator got %d cards, %v", len(m), err)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		noAgency, _ := e.as(e.larvik, auth.RoleCaseworker)
		tests := []struct {
			name string
			ctx  context.Context
			code apperr.Code
		}{
			{"Administrator", e.admin, apperr.Forbidden},
			{"CaseworkerWithoutAgency", noAgency, apperr.Forbidden},
			{"Resident", resident(e.larvik, a.mother), apperr.Unauthenticated},
			{"Anonymous", anonymous(e.larvik), apperr.Unauthenticated},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.ClaimableOffersOfCards(tt.ctx, cards)
				wantCode(t, err, tt.code)
			})
		}
	})
}
