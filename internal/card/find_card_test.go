package card

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// TestFindCardByID: a card is shown to those who see what it may claim, without its
// holder; every other caller is refused with its code.
func TestFindCardByID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav, school := e.agency("NAV Larvik"), e.agency("Skolehelsetjenesten")
	p := e.programme([]*Agency{nav, school})
	cw := e.caseworker(nav)
	f := e.family(p, cw)
	anon := e.anonCards(p, 1)[0]
	sf := e.municipality("sandefjord")
	sfCoord, _ := e.as(sf, auth.RoleCardCoordinator)

	tests := []struct {
		name   string
		ctx    context.Context
		card   uuid.UUID
		access *CardAccess
		code   apperr.Code // "" when allowed
	}{
		{"CaseworkerOfTheIssuingAgency", cw, f.card.ID, nil, ""},
		{"CardCoordinator", e.coord, f.card.ID, nil, ""},
		{"TheHoldersGuardian", resident(e.larvik, f.mother), f.card.ID, nil, ""},
		{"NumberAndPIN", anonymous(e.larvik), anon.Card.ID, access(anon), ""},
		{"NumberAndPINOfAnotherCard", anonymous(e.larvik), f.card.ID, access(anon), apperr.NotFound},
		{"CaseworkerOfAnotherAgency", e.caseworker(school), f.card.ID, nil, apperr.Forbidden},
		{"CardCoordinatorOfAnotherMunicipality", sfCoord, f.card.ID, nil, apperr.Forbidden},
		{"Administrator", e.admin, f.card.ID, nil, apperr.Forbidden},
		{"AnotherResident", resident(e.larvik, e.guardian()), f.card.ID, nil, apperr.NotFound},
		{"Anonymous", anonymous(e.larvik), f.card.ID, nil, apperr.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.svc.FindCardByID(tt.ctx, tt.card, tt.access)
			if tt.code != "" {
				wantCode(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != tt.card || got.Holder != nil {
				t.Errorf("card %s with holder %+v, want %s without", got.ID, got.Holder, tt.card)
			}
		})
	}
}
