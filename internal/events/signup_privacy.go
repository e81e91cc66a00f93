package events

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// Sign-ups name no identity number, so the card's personalDataReport and
// erasePersonalData (keyed by the number) cannot find them: a person asking for their
// data, or its erasure, is found by the contact e-mail they signed up with instead.

// SignupDataReport returns every sign-up of the municipality made with contactEmail,
// with its participants (administrators only). Audit-logged, without the address.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "contactEmail".
func (s *Service) SignupDataReport(ctx context.Context, contactEmail string) ([]*Signup, error) {
	t, v, email, err := s.beginPrivacy(ctx, contactEmail)
	if err != nil {
		return nil, err
	}
	var sus []*Signup
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Model(&sus).
			Where("su.municipality_id = ? AND lower(su.contact_email) = ?", t.ID(), email).
			Order("su.seq").Scan(ctx)
		if err != nil {
			return database.MapError(err, "find sign-ups", "signup")
		}
		if err := withParticipants(ctx, tx, t.ID(), sus); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "report_signup_data", ItemType: "EventSignup"})
	})
	return sus, err
}

// EraseSignupData cancels and erases every sign-up of the municipality made with
// contactEmail (administrators only), the freed places going to the waiting lists, and
// returns how many. Audit-logged, without the address. Errors: UNAUTHENTICATED,
// FORBIDDEN, BAD_USER_INPUT naming "contactEmail".
func (s *Service) EraseSignupData(ctx context.Context, contactEmail string) (int, error) {
	t, v, email, err := s.beginPrivacy(ctx, contactEmail)
	if err != nil {
		return 0, err
	}
	var sus []*Signup
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Model(&sus).Column("su.id", "su.event_id").
			Where("su.municipality_id = ? AND lower(su.contact_email) = ?", t.ID(), email).
			Order("su.event_id").Scan(ctx) // events in one order: no deadlock with another erasure
		if err != nil {
			return database.MapError(err, "find sign-ups", "signup")
		}
		for _, su := range sus {
			if err := s.cancel(ctx, tx, t, su.EventID, su.ID); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "erase_signup_data", ItemType: "EventSignup"})
	})
	return len(sus), err
}

// beginPrivacy returns the tenant, the administrator and the normalised address.
func (s *Service) beginPrivacy(ctx context.Context, contactEmail string) (*tenant.Tenant, *auth.Viewer, string,
	error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	// SECURITY: personal data of sign-ups is reported and erased by ADMIN only.
	v, err := auth.RequireAdmin(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	email, err := auth.NormaliseEmail(contactEmail, "contactEmail")
	return t, v, email, err
}
