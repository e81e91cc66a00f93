package card

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// DecideApplication decides an application (a caseworker of its agency, a card
// coordinator or an administrator; an appeal only a coordinator or administrator, and not
// the one who decided it when the municipality has another coordinator). APPROVED puts
// the amount approved on the application's card through the budget-checked ledger (a
// fund's approved money, with no card, counts as committed in the budget), or, for a
// CARD, issues the card through the same stopper as IssueCard; a partial approval is an
// approval of less than asked. Rejecting the appeal of a partial approval leaves the
// approval standing. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT naming "id"
// (its status allows no decision), CARD_BLOCKED or OVERRIDE_REQUIRED (the stopper's
// findings), BAD_USER_INPUT naming "input.outcome", "input.reason" (REQUIRED, TOO_SHORT,
// TOO_LONG), "input.approvedOre" (NOT_POSITIVE, TOO_LARGE, ABOVE_ASKED, BELOW_CREDITED,
// OVER_BUDGET without an override), "input.overrideReason" or "input.agencyId".
func (s *Service) DecideApplication(ctx context.Context, in DecisionInput) (*Application, error) {
	c, d, err := s.deciderOf(ctx)
	if err != nil {
		return nil, err
	}
	switch in.Outcome {
	case ApplicationApproved, ApplicationRejected, ApplicationNeedsInfo:
	default:
		return nil, apperr.Invalid("input.outcome", "ChoiceInvalid", nil)
	}
	reason, err := checkDecisionReason(in.Reason, "input.reason")
	if err != nil {
		return nil, err
	}
	override, err := checkReason(in.OverrideReason, "input.overrideReason", false)
	if err != nil {
		return nil, err
	}
	if in.ApprovedOre != nil {
		if err := checkAmount(*in.ApprovedOre, "input.approvedOre"); err != nil {
			return nil, err
		}
	}
	var out *Application
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		a, p, err := s.lockForDecision(ctx, tx, c, in.ID, d)
		if err != nil {
			return err
		}
		overridden, err := s.decide(ctx, tx, c, d, p, a, in, *reason, deref(override))
		if err != nil {
			return err
		}
		cols := []string{"status", "info_request", "approved_ore", "credited_ore", "decision_reason", "auto_decided",
			"decided_by", "decided_at", "card_id"}
		if _, err := tx.NewUpdate().Model(a).Column(cols...).WherePK().Exec(ctx); err != nil {
			return database.MapError(err, "decide application", "application")
		}
		entry := &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "decide_card_application",
			ItemType: "CardApplication", ItemID: &a.ID, Fields: []string{"status", "approvedOre", "decisionReason"}}
		if overridden {
			entry.Fields, entry.Note = append(entry.Fields, "override"), override
		}
		if err := audit.Append(ctx, tx, entry); err != nil {
			return err
		}
		if err := s.noticeDecision(ctx, tx, a); err != nil {
			return err
		}
		out = a
		return s.warnOfBudget(ctx, tx, p, s.today(c.t))
	})
	if errors.Is(err, errHolderTaken) {
		return nil, refusal([]*Finding{{Code: AlreadyHasCard, Severity: SeverityBlock, Field: "id"}})
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lockForDecision locks the application's programme, then the application, and checks
// that d may decide it now. Errors: NOT_FOUND, FORBIDDEN, CONFLICT naming "id".
func (s *Service) lockForDecision(ctx context.Context, tx bun.Tx, c caller, id uuid.UUID, d *decider) (
	*Application, *Programme, error,
) {
	var pid uuid.UUID
	// SECURITY: only an application of the request's municipality.
	err := tx.NewSelect().Table("card_applications").Column("programme_id").
		Where("id = ? AND municipality_id = ?", id, c.mid()).
		Scan(ctx, &pid)
	if err != nil {
		return nil, nil, database.MapError(err, "find application", "application")
	}
	// The programme first, as submissions lock it: approvals take turns with them.
	p, err := lockProgramme(ctx, tx, c.mid(), pid)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.lockApplication(ctx, tx, c, id, d)
	if err != nil {
		return nil, nil, err
	}
	switch a.Status {
	case ApplicationSubmitted, ApplicationInReview:
	case ApplicationAppealed:
		// SECURITY: an appeal goes to a coordinator, not a caseworker.
		if !d.staff {
			return nil, nil, apperr.New(apperr.Forbidden, "ApplicationAppealToCoordinator")
		}
		// SECURITY: and not to the one who decided, where there is another coordinator.
		if a.AppealHandler != nil && a.DecidedBy != nil && c.actor() != nil && *c.actor() == *a.DecidedBy {
			return nil, nil, apperr.New(apperr.Forbidden, "ApplicationAppealOtherDecider").WithReason("SAME_DECIDER")
		}
	default:
		return nil, nil, conflict(a, "id")
	}
	return a, p, nil
}

// decide applies the decision in to a (locked, with its programme p) and reports whether
// a written override let it past the budget or the stopper's warnings.
func (s *Service) decide(ctx context.Context, tx bun.Tx, c caller, d *decider, p *Programme, a *Application,
	in DecisionInput, reason, override string,
) (bool, error) {
	overridden := false
	switch {
	case in.Outcome == ApplicationNeedsInfo:
		a.Status, a.InfoRequest = ApplicationNeedsInfo, &reason
		return false, nil
	case in.Outcome == ApplicationRejected && a.Status == ApplicationAppealed && a.ApprovedOre != nil:
		a.Status = ApplicationApproved // the appeal is turned down; the partial approval stands
	case in.Outcome == ApplicationRejected:
		a.Status = ApplicationRejected
	case a.Kind == ApplicationCard:
		if err := s.approveCard(ctx, tx, c, d, p, a, in.AgencyID, override); err != nil {
			return false, err
		}
		a.Status, overridden = ApplicationApproved, override != ""
	default:
		o, err := s.approveMoney(ctx, tx, c, p, a, in.ApprovedOre, override)
		if err != nil {
			return false, err
		}
		a.Status, overridden = ApplicationApproved, o
	}
	now := s.now()
	a.DecisionReason, a.DecidedBy, a.DecidedAt, a.AutoDecided = &reason, c.actor(), &now, false
	return overridden, nil
}

// approveMoney approves ore (nil: all asked) of a money application: the stopper's
// warnings need override, the budget is checked for what is new, and the money goes on
// the card.
func (s *Service) approveMoney(ctx context.Context, tx bun.Tx, c caller, p *Programme, a *Application, ore *int64,
	override string,
) (bool, error) {
	amount := *a.AskedOre
	if ore != nil {
		amount = *ore
	}
	if amount > *a.AskedOre {
		return false, apperr.Invalid("input.approvedOre", "ApplicationAboveAsked",
			map[string]any{"Amount": kroner(*a.AskedOre)}).WithReason("ABOVE_ASKED")
	}
	before := int64(0)
	if a.ApprovedOre != nil {
		before = *a.ApprovedOre
	}
	if amount < before {
		return false, apperr.Invalid("input.approvedOre", "ApplicationBelowApproved",
			map[string]any{"Amount": kroner(before)}).WithReason("BELOW_CREDITED")
	}
	findings, err := s.applicationFindings(ctx, tx, c, p, a)
	if err != nil {
		return false, err
	}
	warned := len(findings) > 0
	if err := s.mayIssue(findings, override); err != nil {
		return false, err
	}
	overridden, err := s.withinBudget(ctx, tx, p, amount-before, s.today(c.t), "input.", override)
	if err != nil {
		if e := apperr.As(err); e != nil && e.Field == "input.amountOre" {
			return false, e.WithField("input.approvedOre")
		}
		return false, err
	}
	if err := s.credit(ctx, tx, c, p, a, amount-a.CreditedOre, c.actor()); err != nil {
		return false, err
	}
	a.ApprovedOre = &amount
	return overridden || warned, nil
}

// approveCard issues the card a CARD application asks for, through the stopper of
// IssueCard, at the deciding caseworker's agency, or for a coordinator at agencyID or the
// agency that filed it.
func (s *Service) approveCard(ctx context.Context, tx bun.Tx, c caller, d *decider, p *Programme, a *Application,
	agencyID *uuid.UUID, override string,
) error {
	ag := d.agency
	if ag == nil {
		id := agencyID
		if id == nil {
			id = a.AgencyID
		}
		if id == nil {
			return apperr.Invalid("input.agencyId", "ApplicationAgencyRequired", nil).WithReason("REQUIRED")
		}
		ag = &Agency{ID: *id}
	}
	// SECURITY: the card is issued only by an agency the programme lets issue.
	ok, err := tx.NewSelect().Table("card_programme_agencies").Where("programme_id = ? AND agency_id = ?", p.ID, ag.ID).
		Exists(ctx)
	if err != nil {
		return database.MapError(err, "check programme agency", "programme")
	}
	if !ok {
		return apperr.Invalid("input.agencyId", "AgencyNotInProgramme", nil).WithReason("NOT_IN_PROGRAMME")
	}
	findings, err := s.applicationFindings(ctx, tx, c, p, a)
	if err != nil {
		return err
	}
	if err := s.mayIssue(findings, override); err != nil {
		return err
	}
	r := a.recipient(s.today(c.t))
	r.reason = override
	card, err := s.insertPersonalCard(ctx, tx, c, ag, p, r, len(findings) > 0)
	if err != nil {
		return err
	}
	if _, _, err := s.grantCards(ctx, tx, p, s.today(c.t), []uuid.UUID{card.ID}); err != nil {
		return err
	}
	a.CardID = &card.ID
	return audit.Append(ctx, tx, issueEntry(c, card, findings, override))
}
