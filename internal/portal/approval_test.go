package portal_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// TestDecideOnlyOnPending: only an administrator decides, only on a PENDING organisation of
// the municipality, and only once.
func TestDecideOnlyOnPending(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	tn, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		t.Fatal(err)
	}
	var adminID uuid.UUID
	if err := db.QueryRowContext(ctx, `INSERT INTO users (id, municipality_id, email) VALUES (gen_random_uuid(), ?, 'admin@larvik.no') RETURNING id`,
		tn.ID()).Scan(&adminID); err != nil {
		t.Fatal(err)
	}
	other, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "sandefjord", Name: "Sandefjord kommune"})
	if err != nil {
		t.Fatal(err)
	}
	orgIn := func(mid uuid.UUID, status string) uuid.UUID {
		var id uuid.UUID
		if err := db.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
			VALUES (?, 'lag-' || substr(md5(random()::text), 1, 8), 'Lag', 'OTHER', ?) RETURNING id`, mid, status).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	org := func(status string) uuid.UUID { return orgIn(tn.ID(), status) }
	inTenant := tenant.WithTenant(ctx, tn)
	admin := auth.WithViewer(inTenant, &auth.Viewer{User: &auth.User{ID: adminID, MunicipalityID: tn.ID()}, Roles: []auth.MunicipalRole{auth.RoleAdmin}})
	editor := auth.WithViewer(inTenant, &auth.Viewer{User: &auth.User{ID: adminID, MunicipalityID: tn.ID()}, Roles: []auth.MunicipalRole{auth.RoleEditor}})
	svc := portal.NewService(db)
	tests := []struct {
		name string
		ctx  context.Context
		id   uuid.UUID
		want apperr.Code
	}{
		{"Pending", admin, org("PENDING"), ""},
		{"ErrPublished", admin, org("PUBLISHED"), apperr.Conflict},
		{"ErrHidden", admin, org("HIDDEN"), apperr.Conflict},
		{"ErrRejected", admin, org("REJECTED"), apperr.Conflict},
		{"ErrUnknown", admin, uuid.New(), apperr.NotFound},
		{"ErrOtherMunicipality", admin, orgIn(other.ID(), "PENDING"), apperr.NotFound},
		{"ErrNotAdministrator", editor, org("PENDING"), apperr.Forbidden},
		{"ErrAnonymous", inTenant, org("PENDING"), apperr.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, decide := range []func() (*portal.Organisation, error){
				func() (*portal.Organisation, error) { return svc.ApproveOrganisation(tt.ctx, tt.id) },
				func() (*portal.Organisation, error) {
					return svc.RejectOrganisation(tt.ctx, tt.id, "Mangler opplysninger")
				},
			} {
				o, err := decide()
				if apperr.CodeOf(err) != tt.want {
					t.Errorf("got %v, want %q", err, tt.want)
				}
				if tt.want == "" {
					if o.Status != portal.OrganisationPublished {
						t.Errorf("status %s after approval", o.Status)
					}
					tt.want = apperr.Conflict // the second decision on the same one
				}
			}
		})
	}
}
