package portal_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

func TestValidOrgNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"974760673":  true,  // Brønnøysundregistrene
		"923609016":  true,  // Equinor
		"974760674":  false, // wrong check digit
		"97476067":   false,
		"9747606730": false,
		"97476067a":  false,
		"":           false,
	} {
		if got := portal.ValidOrgNumber(s); got != want {
			t.Errorf("ValidOrgNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestImporterRejectsBadInput: bad areas and organisation numbers are BAD_USER_INPUT naming
// the field, and nothing is written.
func TestImporterRejectsBadInput(t *testing.T) {
	db := testdb.New(t)
	tenants := tenant.NewService(db, portal.SeedCategories)
	bad := "123456789"
	tests := []struct {
		name  string
		run   func(ctx context.Context, im *portal.Importer) error
		field string
	}{
		{"SelfIntersectingArea", func(ctx context.Context, im *portal.Importer) error {
			_, err := im.AddNeighbourhood(ctx, portal.NeighbourhoodInput{Slug: "x", Name: portal.Texts{"nb": "X"},
				Area: json.RawMessage(`{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`)})
			return err
		}, "area"},
		{"OpenRing", func(ctx context.Context, im *portal.Importer) error {
			_, err := im.AddNeighbourhood(ctx, portal.NeighbourhoodInput{Slug: "x", Name: portal.Texts{"nb": "X"},
				Area: json.RawMessage(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`)})
			return err
		}, "area"},
		{"OrgNumber", func(ctx context.Context, im *portal.Importer) error {
			return im.AddOrganisations(ctx, []portal.OrganisationInput{{Slug: "x", Name: "X", Kind: portal.KindOther, OrgNumber: &bad}})
		}, "orgNumber"},
		{"UnknownCategory", func(ctx context.Context, im *portal.Importer) error {
			return im.AddOrganisations(ctx, []portal.OrganisationInput{{Slug: "x", Name: "X", Kind: portal.KindOther, Categories: []string{"nope"}}})
		}, "categories"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tenants.CreateMunicipality(context.Background(), tenant.CreateMunicipalityInput{Slug: "m" + string(rune('a'+i)), Name: "M"},
				func(ctx context.Context, tx bun.IDB, m *tenant.Municipality) error {
					im, err := portal.NewImporter(ctx, tx, m.ID)
					if err != nil {
						return err
					}
					return tt.run(ctx, im)
				})
			if e := apperr.As(err); e == nil || e.Code != apperr.BadUserInput || e.Field != tt.field {
				t.Fatalf("err = %v, want BAD_USER_INPUT on %s", err, tt.field)
			}
			n, _ := db.NewSelect().Table("municipalities").Count(context.Background())
			if n != 0 {
				t.Errorf("a failed import left %d municipalities behind", n)
			}
		})
	}
}
