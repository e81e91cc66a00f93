package portal

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// ApproveOrganisation publishes an organisation and tells its owners by e-mail. Errors:
// UNAUTHENTICATED, FORBIDDEN (not an administrator), NOT_FOUND.
func (s *Service) ApproveOrganisation(ctx context.Context, id uuid.UUID) (*Organisation, error) {
	return s.decide(ctx, id, OrganisationPublished, "approve_organisation", "OrganisationApproved", "")
}

// RejectOrganisation hides an organisation and tells its owners why by e-mail. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming "reason" when it is empty.
func (s *Service) RejectOrganisation(ctx context.Context, id uuid.UUID, reason string) (*Organisation, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return nil, apperr.Invalid("reason", "ReasonRequired", nil)
	}
	return s.decide(ctx, id, OrganisationHidden, "reject_organisation", "OrganisationRejected", reason)
}

func (s *Service) decide(ctx context.Context, id uuid.UUID, status OrganisationStatus, action, template, reason string) (*Organisation, error) {
	// SECURITY: only an administrator of the request's municipality approves or rejects.
	v, t, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	o := new(Organisation)
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewUpdate().Model(o).Set("status = ?, updated_at = now()", status).
			Where("o.id = ? AND o.municipality_id = ?", id, t.ID()).Returning("*").Scan(ctx)
		if err != nil {
			return database.MapError(err, action, "organisation")
		}
		if err := s.tellOwners(ctx, tx, t, o, template, reason); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: action, ItemType: "Organisation", ItemID: &o.ID, Fields: []string{"status"}})
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// tellOwners queues an e-mail to each owner of o.
func (s *Service) tellOwners(ctx context.Context, tx bun.IDB, t *tenant.Tenant, o *Organisation, template, reason string) error {
	var emails []string
	err := tx.NewSelect().TableExpr("organisation_members m").Join("JOIN users u ON u.id = m.user_id").ColumnExpr("u.email").
		Where("m.organisation_id = ? AND m.role = 'OWNER'", o.ID).Scan(ctx, &emails)
	if err != nil {
		return database.MapError(err, "find owners", "organisation")
	}
	for _, e := range emails {
		m := &mail.Message{MunicipalityID: t.ID(), Template: template, To: e, Locale: i18n.FromContext(ctx).Code,
			Data: map[string]any{"Name": o.Name, "Municipality": t.Municipality.Name, "Reason": reason}}
		if err := mail.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// requireAdmin returns the viewer and the request's municipality when the viewer
// administers it. Errors: UNAUTHENTICATED, FORBIDDEN, TENANT_NOT_FOUND.
func requireAdmin(ctx context.Context) (*auth.Viewer, *tenant.Tenant, error) {
	// SECURITY: an administrator of the request's municipality.
	v, err := auth.RequireAdmin(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := tenant.Current(ctx)
	return v, t, err
}
