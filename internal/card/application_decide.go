package card

import (
	"bytes"
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// DecisionInput decides an application: Outcome APPROVED (ApprovedOre, at most the amount
// asked; nil: all of it), REJECTED or NEEDS_INFO (Reason then says what is needed), each
// with a written Reason. OverrideReason approves beyond the budget or past the stopper's
// warnings. AgencyID is the issuing agency of a card a coordinator approves (a caseworker
// issues for their own).
type DecisionInput struct {
	ID             uuid.UUID
	Outcome        ApplicationStatus
	ApprovedOre    *int64
	Reason         string
	OverrideReason string
	AgencyID       *uuid.UUID
}

// decider is who decides an application: staff, or a caseworker with their agency.
type decider struct {
	staff  bool
	agency *Agency
}

// deciderOf returns who the caller decides as. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) deciderOf(ctx context.Context) (caller, *decider, error) {
	// SECURITY: coordinators, administrators and caseworkers handle applications.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin, auth.RoleCaseworker)
	if err != nil {
		return c, nil, err
	}
	if c.staff() {
		return c, &decider{staff: true}, nil
	}
	ag, err := caseworkerAgency(ctx, s.db, c)
	if err != nil {
		return c, nil, err
	}
	return c, &decider{agency: ag}, nil
}

// lockApplication locks and returns application id of the municipality that d may handle:
// staff any; a caseworker those filed by their agency or for a card it issued. Errors:
// NOT_FOUND.
func (s *Service) lockApplication(ctx context.Context, tx bun.IDB, c caller, id uuid.UUID, d *decider) (
	*Application, error,
) {
	a := new(Application)
	// SECURITY: only an application of the request's municipality.
	q := tx.NewSelect().Model(a).Where("ca.id = ? AND ca.municipality_id = ?", id, c.mid()).For("UPDATE")
	if d != nil && !d.staff {
		// SECURITY: a caseworker handles their agency's applications; others' are unknown.
		q = q.Where(`(ca.agency_id = ? OR EXISTS (SELECT 1 FROM cards k WHERE k.id = ca.card_id AND k.agency_id = ?))`,
			d.agency.ID, d.agency.ID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find application", "application")
	}
	return a, nil
}

// conflict is the CONFLICT of a transition the application's status does not allow.
func conflict(a *Application, field string) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "ApplicationStatusConflict", Field: field,
		Reason: string(a.Status)}
}

// StartReview takes a SUBMITTED application into review (caseworkers of its agency, card
// coordinators, administrators). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT
// naming "id" (not SUBMITTED).
func (s *Service) StartReview(ctx context.Context, id uuid.UUID) (*Application, error) {
	c, d, err := s.deciderOf(ctx)
	if err != nil {
		return nil, err
	}
	return s.changeApplication(ctx, c, id, d, "review_card_application", func(tx bun.Tx, a *Application) error {
		if a.Status != ApplicationSubmitted {
			return conflict(a, "id")
		}
		now := s.now()
		a.Status, a.ReviewedAt = ApplicationInReview, &now
		return nil
	}, "status", "reviewed_at")
}

// changeApplication locks application id (as d may handle it; d nil: the caller is its
// applicant, checked by change), applies change, writes columns and an audit entry.
func (s *Service) changeApplication(ctx context.Context, c caller, id uuid.UUID, d *decider, action string,
	change func(bun.Tx, *Application) error, columns ...string,
) (*Application, error) {
	// SECURITY: an applicant is signed in, with ID-porten or as a user of the municipality.
	if d == nil && c.v == nil {
		return nil, apperr.New(apperr.Unauthenticated, "")
	}
	var out *Application
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		a, err := s.lockApplication(ctx, tx, c, id, d)
		if err != nil {
			return err
		}
		if d == nil {
			if err := s.isApplicant(ctx, tx, c, a); err != nil {
				return err
			}
		}
		if err := change(tx, a); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(a).Column(columns...).WherePK().Exec(ctx); err != nil {
			return database.MapError(err, "update application", "application")
		}
		out = a
		if d == nil {
			out = a.forApplicant()
		}
		fields := []string{"status"}
		if action == "attach_card_application_file" {
			fields = []string{"attachments"}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: action,
			ItemType: "CardApplication", ItemID: &a.ID, Fields: fields})
	})
	return out, err
}

// isApplicant returns nil when the caller filed a: the same resident (ID-porten), a
// caseworker of the same agency, or an OWNER or EDITOR of the organisation. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (to a resident not the applicant).
func (s *Service) isApplicant(ctx context.Context, tx bun.IDB, c caller, a *Application) error {
	switch a.ApplicantKind {
	case ApplicantGuardian:
		key, err := s.residentKey(c)
		if err != nil {
			return err
		}
		// SECURITY: only the resident who applied acts on their application.
		if !bytes.Equal(key, a.ApplicantKey) {
			return apperr.NotFoundf("application")
		}
	case ApplicantCaseworker:
		if c.v.User == nil {
			return apperr.New(apperr.Forbidden, "")
		}
		ag, err := caseworkerAgency(ctx, tx, c)
		if err != nil {
			return err
		}
		// SECURITY: a caseworker acts on the applications their agency filed.
		if a.AgencyID == nil || *a.AgencyID != ag.ID {
			return apperr.New(apperr.Forbidden, "")
		}
	case ApplicantOrganisation:
		// SECURITY: the organisation's OWNER and EDITOR members act on what it filed.
		if a.OrganisationID == nil {
			return apperr.New(apperr.Forbidden, "")
		}
		return s.memberOf(ctx, tx, c, *a.OrganisationID, "OWNER", "EDITOR")
	}
	return nil
}

// WithdrawApplication withdraws an undecided application (its applicant). Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT naming "id" (decided, withdrawn, or
// appealed).
func (s *Service) WithdrawApplication(ctx context.Context, id uuid.UUID) (*Application, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	return s.changeApplication(ctx, c, id, nil, "withdraw_card_application", func(_ bun.Tx, a *Application) error {
		if !a.undecided() || a.Status == ApplicationAppealed {
			return conflict(a, "id")
		}
		now := s.now()
		a.Status, a.WithdrawnAt = ApplicationWithdrawn, &now
		return nil
	}, "status", "withdrawn_at")
}

// AnswerApplication answers a request for more information (its applicant): the
// application goes back to SUBMITTED, or IN_REVIEW once reviewed. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT naming "id" (not NEEDS_INFO),
// BAD_USER_INPUT naming "input.answer" (REQUIRED, TOO_LONG).
func (s *Service) AnswerApplication(ctx context.Context, id uuid.UUID, answer string) (*Application, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	text, err := checkReason(answer, "input.answer", true)
	if err != nil {
		return nil, err
	}
	return s.changeApplication(ctx, c, id, nil, "answer_card_application", func(_ bun.Tx, a *Application) error {
		if a.Status != ApplicationNeedsInfo {
			return conflict(a, "id")
		}
		a.Answer, a.Status = text, ApplicationSubmitted
		if a.ReviewedAt != nil {
			a.Status = ApplicationInReview
		}
		if a.AppealedAt != nil {
			a.Status = ApplicationAppealed
		}
		return nil
	}, "status", "answer")
}

// AppealApplication appeals a rejection or a partial approval (its applicant) within
// AppealWindow of the decision, with a written reason; a coordinator other than the one
// who decided, where there is one, is assigned to decide again, and a new answer is due
// within a month. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT naming "id"
// (nothing to appeal, or appealed once already), BAD_USER_INPUT naming "input.reason"
// (REQUIRED, TOO_SHORT, TOO_LONG) or "id" (reason APPEAL_DEADLINE_PASSED).
func (s *Service) AppealApplication(ctx context.Context, id uuid.UUID, reason string) (*Application, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	why, err := checkDecisionReason(reason, "input.reason")
	if err != nil {
		return nil, err
	}
	return s.changeApplication(ctx, c, id, nil, "appeal_card_application", func(tx bun.Tx, a *Application) error {
		if !a.appealable() {
			return conflict(a, "id")
		}
		now := s.now()
		if now.After(*a.AppealDeadline()) {
			return apperr.Invalid("id", "ApplicationAppealTooLate", map[string]any{"Days": int(AppealWindow.Hours() / 24)}).
				WithReason("APPEAL_DEADLINE_PASSED")
		}
		handler, err := appealHandler(ctx, tx, a)
		if err != nil {
			return err
		}
		a.Status, a.AppealReason, a.AppealedAt, a.AppealHandler = ApplicationAppealed, why, &now, handler
		a.DueAt, a.DelayNoticeAt = now.AddDate(0, answerMonths, 0), nil
		return nil
	}, "status", "appeal_reason", "appealed_at", "appeal_handler", "due_at", "delay_notice_at")
}

// appealHandler returns the card coordinator who decides an appeal of a: the first, by
// e-mail address, who did not decide it; nil when the municipality has no other.
func appealHandler(ctx context.Context, tx bun.IDB, a *Application) (*uuid.UUID, error) {
	var ids []uuid.UUID
	q := tx.NewSelect().TableExpr("municipal_roles r").Join("JOIN users u ON u.id = r.user_id").ColumnExpr("u.id").
		Where("r.municipality_id = ? AND r.role = ? AND u.disabled_at IS NULL", a.MunicipalityID, auth.RoleCardCoordinator).
		OrderExpr("u.email").
		Limit(1)
	if a.DecidedBy != nil {
		q = q.Where("u.id <> ?", *a.DecidedBy)
	}
	if err := q.Scan(ctx, &ids); err != nil {
		return nil, database.MapError(err, "find coordinators", "user")
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return &ids[0], nil
}
