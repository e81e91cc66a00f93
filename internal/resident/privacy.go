package resident

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// requireAdmin returns the municipality and the signed-in ADMIN. Errors: UNAUTHENTICATED,
// FORBIDDEN.
func requireAdmin(ctx context.Context) (*tenant.Tenant, *auth.Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, err
	}
	v, err := auth.RequireAdmin(ctx)
	if err != nil {
		return nil, nil, err
	}
	return t, v, nil
}

// PersonalData returns what a person signed in with ID-porten keeps (favourites, even those
// no longer public, neighbourhood and interests), found by their identity number, for a
// data-subject access request; nil when they keep nothing. Administrators only; audited
// without the number. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming
// "identityNumber".
func (s *Service) PersonalData(ctx context.Context, identityNumber string) (*Things, error) {
	// SECURITY: only an administrator answers data-subject requests.
	t, v, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.personByNumber(ctx, t, identityNumber)
	if err != nil {
		return nil, err
	}
	e := &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: "resident_data_report"}
	if err := audit.Append(ctx, s.db, e); err != nil {
		return nil, err
	}
	if o.ID == uuid.Nil {
		return nil, nil
	}
	th, err := s.things(ctx, o)
	if err != nil {
		return nil, err
	}
	// Everything kept, not only what is public now.
	th.Favourites = []*Favourite{}
	err = s.db.NewSelect().
		Table("resident_favourites").
		Column("kind", "item_id", "notify_new_dates", "created_at").
		Where("owner_id = ?", o.ID).
		OrderExpr("created_at DESC, item_id").
		Scan(ctx, &th.Favourites)
	if err != nil {
		return nil, database.MapError(err, "find favourites", "favourites")
	}
	return th, nil
}

// ErasePersonalData erases everything a person signed in with ID-porten keeps, found by
// their identity number, and returns whether there was anything. Administrators only;
// audited without the number. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming
// "identityNumber".
func (s *Service) ErasePersonalData(ctx context.Context, identityNumber string) (bool, error) {
	// SECURITY: only an administrator erases a person's data.
	t, v, err := requireAdmin(ctx)
	if err != nil {
		return false, err
	}
	o, err := s.personByNumber(ctx, t, identityNumber)
	if err != nil {
		return false, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if o.ID != uuid.Nil {
			if err := s.deleteOwner(ctx, tx, o.ID); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "resident_data_erased"})
	})
	return err == nil && o.ID != uuid.Nil, err
}

// personByNumber returns the owner of identityNumber in t (ID nil when none).
func (s *Service) personByNumber(ctx context.Context, t *tenant.Tenant, number string) (*owner, error) {
	n, err := identity.Parse(number, "identityNumber")
	if err != nil {
		return nil, err
	}
	if n.IsZero() {
		return nil, apperr.Invalid("identityNumber", "", nil)
	}
	return s.person(ctx, t.ID(), identity.Key(identity.MunicipalKey(s.secret, t.ID()), n))
}
