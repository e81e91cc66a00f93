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
	"github.com/fritid/fritid/internal/tenant"
)

// ApproveOrganisation publishes a PENDING organisation and tells its owners by e-mail.
// Errors: UNAUTHENTICATED, FORBIDDEN (not an administrator), NOT_FOUND, CONFLICT when it is
// not PENDING (approved or rejected already).
func (s *Service) ApproveOrganisation(ctx context.Context, id uuid.UUID) (*Organisation, error) {
	return s.decide(ctx, id, decision{OrganisationPublished, "approve_organisation", "OrganisationApproved", ""})
}

// RejectOrganisation turns down a PENDING organisation (REJECTED, never shown) and tells its
// owners why by e-mail. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming
// "reason" when it is empty, CONFLICT when it is not PENDING.
func (s *Service) RejectOrganisation(ctx context.Context, id uuid.UUID, reason string) (*Organisation, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return nil, apperr.Invalid("reason", "ReasonRequired", nil)
	}
	return s.decide(ctx, id, decision{OrganisationRejected, "reject_organisation", "OrganisationRejected", reason})
}

// decision is the outcome of a registration: the new status, the audit action, the e-mail
// template for the owners and the reason to tell them.
type decision struct {
	status           OrganisationStatus
	action, template string
	reason           string
}

func (s *Service) decide(ctx context.Context, id uuid.UUID, d decision) (*Organisation, error) {
	// SECURITY: only an administrator of the request's municipality approves or rejects.
	v, t, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	o := new(Organisation)
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := lockPending(ctx, tx, t.ID(), id, o); err != nil {
			return err
		}
		err := tx.NewUpdate().Model(o).Set("status = ?, updated_at = now()", d.status).
			WherePK().Returning("*").Scan(ctx)
		if err != nil {
			return database.MapError(err, d.action, "organisation")
		}
		if err := s.tellOwners(ctx, tx, t, o, d.template, d.reason); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: d.action,
			ItemType: "Organisation", ItemID: &o.ID, Fields: []string{"status"}})
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// lockPending reads the organisation id of municipality mid into o and locks it for the
// decision. Errors: NOT_FOUND, CONFLICT when it is not PENDING.
func lockPending(ctx context.Context, tx bun.IDB, mid, id uuid.UUID, o *Organisation) error {
	// SECURITY: the request's municipality only.
	err := tx.NewSelect().Model(o).Where("o.id = ? AND o.municipality_id = ?", id, mid).For("UPDATE").Scan(ctx)
	if err != nil {
		return database.MapError(err, "find organisation", "organisation")
	}
	if o.Status != OrganisationPending {
		return &apperr.Error{Code: apperr.Conflict, MessageID: "OrganisationNotPending", Data: map[string]any{"Status": string(o.Status)}}
	}
	return nil
}

// tellOwners queues an e-mail to each owner of o, in the municipality's language (the
// administrator's request language need not be the owners').
func (s *Service) tellOwners(ctx context.Context, tx bun.IDB, t *tenant.Tenant, o *Organisation, template, reason string) error {
	var emails []string
	err := tx.NewSelect().
		TableExpr("organisation_members m").
		Join("JOIN users u ON u.id = m.user_id").
		ColumnExpr("u.email").
		Where("m.organisation_id = ? AND m.role = 'OWNER'", o.ID).
		Scan(ctx, &emails)
	if err != nil {
		return database.MapError(err, "find owners", "organisation")
	}
	for _, e := range emails {
		m := &mail.Message{MunicipalityID: t.ID(), Template: template, To: e, Locale: t.Municipality.DefaultLocale,
			Data: map[string]any{"Name": o.Name, "Municipality": t.Municipality.Name, "Reason": reason}}
		if err := mail.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// tellAdmins queues an e-mail to each active administrator of t saying o waits for
// approval. It names the organisation and links to the portal; who registered it is left
// out, as the administrator reads that after signing in.
func (s *Service) tellAdmins(ctx context.Context, tx bun.IDB, t *tenant.Tenant, o *Organisation) error {
	return s.mailAdmins(ctx, tx, t.ID(), t.Municipality.DefaultLocale, "OrganisationRegistered",
		map[string]any{"Name": o.Name, "Municipality": t.Municipality.Name, "Link": s.PublicURL})
}

// mailAdmins queues the e-mail template with data to each active administrator of
// municipality mid, in locale.
func (s *Service) mailAdmins(ctx context.Context, tx bun.IDB, mid uuid.UUID, locale, template string,
	data map[string]any,
) error {
	var emails []string
	err := tx.NewSelect().
		TableExpr("municipal_roles r").
		Join("JOIN users u ON u.id = r.user_id").
		ColumnExpr("u.email").
		Where("r.municipality_id = ? AND r.role = 'ADMIN' AND u.disabled_at IS NULL", mid).
		OrderExpr("u.email").
		Scan(ctx, &emails)
	if err != nil {
		return database.MapError(err, "find administrators", "user")
	}
	for _, e := range emails {
		m := &mail.Message{MunicipalityID: mid, Template: template, To: e, Locale: locale, Data: data}
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
