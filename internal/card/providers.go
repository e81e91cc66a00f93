package card

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// ProviderStatus is where an organisation's leave to accept the card in a programme is.
type ProviderStatus string

// The provider statuses: an organisation applies (PENDING); a coordinator approves or
// rejects it, with a reason for a rejection. An APPROVED provider may be rejected later,
// and a REJECTED one may apply again.
const (
	ProviderPending  ProviderStatus = "PENDING"
	ProviderApproved ProviderStatus = "APPROVED"
	ProviderRejected ProviderStatus = "REJECTED"
)

// Provider is an organisation's leave to accept the card in a programme: only an APPROVED
// provider posts invoices to the programme's cards. It is apart from the portal's own
// approval of the organisation.
type Provider struct {
	bun.BaseModel `bun:"table:card_programme_providers,alias:pp"`

	ProgrammeID    uuid.UUID      `bun:"programme_id,pk,type:uuid"`
	OrganisationID uuid.UUID      `bun:"organisation_id,pk,type:uuid"`
	MunicipalityID uuid.UUID      `bun:"municipality_id,type:uuid"`
	Status         ProviderStatus `bun:"status"`
	Reason         *string        `bun:"reason"`
	AppliedBy      *uuid.UUID     `bun:"applied_by,type:uuid"`
	AppliedAt      time.Time      `bun:"applied_at,nullzero,notnull,default:current_timestamp"`
	DecidedBy      *uuid.UUID     `bun:"decided_by,type:uuid"`
	DecidedAt      *time.Time     `bun:"decided_at"`
}

// ApplyToAcceptCard applies, for an organisation, to accept the card in a programme (the
// organisation's OWNER, or an administrator). Applying again while PENDING changes nothing; after a rejection
// it applies anew. Errors: UNAUTHENTICATED, FORBIDDEN (not an OWNER of the organisation),
// NOT_FOUND (no such programme here), BAD_USER_INPUT naming "organisationId" (no such
// organisation here), CONFLICT (already APPROVED, or the programme is CLOSED).
func (s *Service) ApplyToAcceptCard(ctx context.Context, programmeID, organisationID uuid.UUID) (*Provider, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.ownsOrganisation(ctx, s.db, c, organisationID); err != nil {
		return nil, err
	}
	pr := &Provider{ProgrammeID: programmeID, OrganisationID: organisationID, MunicipalityID: c.mid(),
		Status: ProviderPending, AppliedBy: c.actor(), AppliedAt: s.now()}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var status ProgrammeStatus
		// SECURITY: only a programme of the request's municipality.
		err := tx.NewSelect().Table("card_programmes").Column("status").
			Where("id = ? AND municipality_id = ?", programmeID, c.mid()).Scan(ctx, &status)
		if err != nil {
			return database.MapError(err, "find programme", "programme")
		}
		if status == ProgrammeClosed {
			return apperr.New(apperr.Conflict, "ProgrammeEnded")
		}
		old := new(Provider)
		err = tx.NewSelect().Model(old).
			Where("pp.programme_id = ? AND pp.organisation_id = ?", programmeID, organisationID).For("UPDATE").Scan(ctx)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.NewInsert().Model(pr).Exec(ctx); err != nil {
				return database.MapError(err, "apply as provider", "provider")
			}
		case err != nil:
			return database.MapError(err, "find provider", "provider")
		case old.Status == ProviderApproved:
			return &apperr.Error{Code: apperr.Conflict, MessageID: "ProviderAlreadyApproved", Reason: string(old.Status)}
		case old.Status == ProviderPending:
			*pr = *old
			return nil
		default:
			_, err := tx.NewUpdate().
				Model(pr).
				Column("status", "reason", "applied_by", "applied_at", "decided_by", "decided_at").
				WherePK().
				Exec(ctx)
			if err != nil {
				return database.MapError(err, "apply as provider", "provider")
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "apply_card_provider",
			ItemType: "Organisation", ItemID: &organisationID, Fields: []string{"cardProvider:" + programmeID.String()}})
	})
	if err != nil {
		return nil, err
	}
	return pr, nil
}

// DecideProvider approves or rejects an organisation's application to accept the card in
// a programme, or withdraws an approval (card coordinators and administrators). A
// rejection needs a written reason, which the organisation sees. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND (no application), BAD_USER_INPUT naming "reason" (REQUIRED for a
// rejection, TOO_LONG), CONFLICT (it is so already).
func (s *Service) DecideProvider(ctx context.Context, programmeID, organisationID uuid.UUID, approve bool,
	reason string,
) (*Provider, error) {
	// SECURITY: the programme's coordinators decide who accepts its cards.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	why, err := checkReason(reason, "reason", !approve)
	if err != nil {
		return nil, err
	}
	status := ProviderRejected
	if approve {
		status = ProviderApproved
	}
	pr := new(Provider)
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: only an application in the request's municipality.
		err := tx.NewSelect().
			Model(pr).
			Where("pp.programme_id = ? AND pp.organisation_id = ? AND pp.municipality_id = ?",
				programmeID, organisationID, c.mid()).
			For("UPDATE").
			Scan(ctx)
		if err != nil {
			return database.MapError(err, "find provider", "provider")
		}
		if pr.Status == status {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "ProviderDecidedAlready", Reason: string(status)}
		}
		now := s.now()
		pr.Status, pr.Reason, pr.DecidedBy, pr.DecidedAt = status, why, c.actor(), &now
		_, err = tx.NewUpdate().Model(pr).Column("status", "reason", "decided_by", "decided_at").WherePK().Exec(ctx)
		if err != nil {
			return database.MapError(err, "decide provider", "provider")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "decide_card_provider",
			ItemType: "Organisation", ItemID: &organisationID,
			Fields: []string{"cardProvider:" + programmeID.String(), "status", "reason"}})
	})
	if err != nil {
		return nil, err
	}
	return pr, nil
}

// ProviderFilter narrows FindProviders; nil fields do not filter.
type ProviderFilter struct {
	ProgrammeID    *uuid.UUID
	OrganisationID *uuid.UUID
	Status         *ProviderStatus
}

// maxProviders is the most providers one list returns.
const maxProviders = 1000

// FindProviders lists the applications to accept the card, oldest first: card
// coordinators and administrators see all; an organisation's OWNER and EDITOR members
// see their own organisation's (f.OrganisationID is required for them). Errors:
// UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindProviders(ctx context.Context, f ProviderFilter) ([]*Provider, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !c.staff() {
		if f.OrganisationID == nil {
			return nil, apperr.New(apperr.Forbidden, "")
		}
		// SECURITY: an organisation's members see its own applications.
		if err := s.memberOf(ctx, s.db, c, *f.OrganisationID, "OWNER", "EDITOR"); err != nil {
			return nil, err
		}
	}
	// SECURITY: only the request's municipality's.
	q := s.db.NewSelect().Model((*Provider)(nil)).Where("pp.municipality_id = ?", c.mid())
	if f.ProgrammeID != nil {
		q = q.Where("pp.programme_id = ?", *f.ProgrammeID)
	}
	if f.OrganisationID != nil {
		q = q.Where("pp.organisation_id = ?", *f.OrganisationID)
	}
	if f.Status != nil {
		q = q.Where("pp.status = ?", *f.Status)
	}
	out := []*Provider{}
	err = q.OrderExpr("pp.applied_at, pp.organisation_id").Limit(maxProviders).Scan(ctx, &out)
	return out, database.MapError(err, "find providers", "provider")
}

// ownsOrganisation returns nil when the caller is an OWNER of the organisation, or an
// administrator, who acts for any organisation in the portal. Errors: FORBIDDEN,
// BAD_USER_INPUT naming "organisationId" (no such organisation here).
func (s *Service) ownsOrganisation(ctx context.Context, db bun.IDB, c caller, orgID uuid.UUID) error {
	if c.has(auth.RoleAdmin) {
		// SECURITY: an administrator acts for the municipality's organisations.
		return allOfMunicipality(ctx, db, "organisations", c.mid(), []uuid.UUID{orgID}, "organisationId", "UnknownOrganisation")
	}
	return s.memberOf(ctx, db, c, orgID, "OWNER")
}

// memberOf returns nil when the caller is a member of the organisation in one of roles.
// Errors: FORBIDDEN, BAD_USER_INPUT naming "organisationId" (no such organisation here).
func (s *Service) memberOf(ctx context.Context, db bun.IDB, c caller, orgID uuid.UUID, roles ...string) error {
	// SECURITY: only an organisation of the request's municipality.
	ok, err := db.NewSelect().Table("organisations").Where("id = ? AND municipality_id = ?", orgID, c.mid()).Exists(ctx)
	if err != nil {
		return database.MapError(err, "find organisation", "organisation")
	}
	if !ok {
		return apperr.Invalid("organisationId", "UnknownOrganisation", nil)
	}
	if c.v == nil || c.v.User == nil {
		return apperr.New(apperr.Unauthenticated, "")
	}
	// SECURITY: the organisation's own members in the roles named.
	ok, err = db.NewSelect().Table("organisation_members").
		Where("organisation_id = ? AND user_id = ? AND role IN (?)", orgID, c.v.User.ID, bun.In(roles)).Exists(ctx)
	if err != nil {
		return database.MapError(err, "check membership", "organisation")
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "")
	}
	return nil
}

// approvedProvider returns nil when the organisation is APPROVED to accept the card in
// the programme. Errors: FORBIDDEN naming field with reason NOT_APPROVED.
func approvedProvider(ctx context.Context, db bun.IDB, programmeID, orgID uuid.UUID, field string) error {
	ok, err := db.NewSelect().Table("card_programme_providers").
		Where("programme_id = ? AND organisation_id = ? AND status = 'APPROVED'", programmeID, orgID).Exists(ctx)
	if err != nil {
		return database.MapError(err, "check provider", "provider")
	}
	if !ok {
		return &apperr.Error{Code: apperr.Forbidden, MessageID: "ProviderNotApproved", Field: field, Reason: "NOT_APPROVED"}
	}
	return nil
}
