package card

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// SubmitApplication submits an application in a programme, from a guardian or holder
// signed in with ID-porten, a caseworker (for their agency, which the programme must let
// issue), or an organisation's OWNER or EDITOR (the organisation APPROVED for the
// programme). The stopper runs at once and its findings are kept for the caseworker; an
// answer is due within a month. In a FIRST_COME programme an application without findings
// is approved at once while the budget lasts (its money put on the card); the rest wait
// to be assessed. Errors: UNAUTHENTICATED, FORBIDDEN (reason NOT_APPROVED naming
// "input.organisationId" for an organisation not approved), NOT_FOUND (programme; card
// naming "input.cardId" or "input.cardNumber"), CONFLICT naming "input.programmeId"
// (programme not ACTIVE), CARD_NOT_ACTIVE, CARD_EXPIRED, BAD_USER_INPUT naming the field:
// "input.kind", "input.askedOre" (REQUIRED, NOT_POSITIVE, TOO_LARGE, NOT_ALLOWED for a
// CARD), "input.purpose", "input.cardId" (REQUIRED, OTHER_PROGRAMME), identity numbers.
func (s *Service) SubmitApplication(ctx context.Context, in ApplicationInput) (*Application, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateApplication(&in); err != nil {
		return nil, err
	}
	who, err := s.applicantOf(ctx, c, in.OrganisationID)
	if err != nil {
		return nil, err
	}
	var r *recipient
	if in.Kind == ApplicationCard {
		if r, err = s.holderOf(c, in, who); err != nil {
			return nil, err
		}
	}
	now := s.now()
	a := &Application{ID: newID(), MunicipalityID: c.mid(), ProgrammeID: in.ProgrammeID, Kind: in.Kind,
		AskedOre: in.AskedOre, Purpose: in.Purpose, ApplicantKind: who.kind, ApplicantKey: who.key,
		ApplicantID: c.actor(), OrganisationID: who.org, Status: ApplicationSubmitted, SubmittedAt: now,
		DueAt: now.AddDate(0, answerMonths, 0), GuardianKeys: []byte{}}
	if who.agency != nil {
		a.AgencyID = &who.agency.ID
	}
	if in.ContactEmail != "" {
		a.ContactEmail = &in.ContactEmail
	}
	if r != nil {
		a.HolderKey, a.GivenName, a.BirthDate = r.childKey, &r.givenName, &r.birthDate
		a.GuardianKeys = bytesJoin(r.guardianKeys)
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// The programme first: submissions take turns, so first come is first served and
		// the budget counts each approval.
		p, err := lockProgramme(ctx, tx, c.mid(), in.ProgrammeID)
		if err != nil {
			return err
		}
		if err := s.mayApplyIn(ctx, tx, p, in, who); err != nil {
			return err
		}
		if err := s.attachCard(ctx, tx, c, p, in, who, a); err != nil {
			return err
		}
		if a.Findings, err = s.applicationFindings(ctx, tx, c, p, a); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return database.MapError(err, "submit application", "application")
		}
		err = audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(),
			Action: "submit_card_application", ItemType: "CardApplication", ItemID: &a.ID,
			Fields: []string{"kind", "askedOre", "purpose"}})
		if err != nil {
			return err
		}
		return s.firstCome(ctx, tx, c, p, a)
	})
	if err != nil {
		return nil, err
	}
	return a.forApplicant(), nil
}

// bytesJoin concatenates keys.
func bytesJoin(keys [][]byte) []byte {
	out := []byte{}
	for _, k := range keys {
		out = append(out, k...)
	}
	return out
}

// mayApplyIn checks that the programme takes the application from who. Errors: CONFLICT
// naming "input.programmeId", FORBIDDEN, BAD_USER_INPUT naming "input.kind".
func (s *Service) mayApplyIn(ctx context.Context, tx bun.IDB, p *Programme, in ApplicationInput, who *applicant) error {
	if p.Status != ProgrammeActive {
		return &apperr.Error{Code: apperr.Conflict, MessageID: "ApplicationProgrammeNotActive", Field: "input.programmeId",
			Reason: string(p.Status)}
	}
	if p.ApplicationsOnly && in.Kind == ApplicationCard {
		return apperr.Invalid("input.kind", "ApplicationFundHasNoCards", nil).WithReason("FUND")
	}
	switch who.kind {
	case ApplicantOrganisation:
		// SECURITY: an organisation files only in a programme it is approved for.
		return approvedProvider(ctx, tx, p.ID, *who.org, "input.organisationId")
	case ApplicantCaseworker:
		// SECURITY: a caseworker files only in a programme their agency may issue in.
		ok, err := tx.NewSelect().Table("card_programme_agencies").
			Where("programme_id = ? AND agency_id = ?", p.ID, who.agency.ID).
			Exists(ctx)
		if err != nil {
			return database.MapError(err, "check programme agency", "programme")
		}
		if !ok {
			return apperr.New(apperr.Forbidden, "AgencyNotInProgramme")
		}
	}
	return nil
}

// attachCard puts the card the application names on a, when it names one or must.
func (s *Service) attachCard(ctx context.Context, tx bun.IDB, c caller, p *Programme, in ApplicationInput,
	who *applicant, a *Application,
) error {
	named := in.CardID != nil || in.CardNumber != ""
	switch {
	case in.Kind == ApplicationCard && named:
		return apperr.Invalid("input.cardId", "ApplicationNoCardForCard", nil).WithReason("NOT_ALLOWED")
	case in.Kind == ApplicationCard || !named && p.ApplicationsOnly:
		return nil
	case !named:
		return apperr.Invalid("input.cardId", "ApplicationCardRequired", nil).WithReason("REQUIRED")
	}
	card, err := s.applicationCard(ctx, tx, c, in, who)
	if err != nil {
		return err
	}
	a.CardID = &card.ID
	return nil
}

// applicationFindings runs the stopper for application a in p: for a CARD, the checks of
// IssueCard; for all, an earlier open or approved application in the programme for the
// same card, holder or applying guardian within a year (a warning).
func (s *Service) applicationFindings(ctx context.Context, db bun.IDB, c caller, p *Programme, a *Application) (
	[]*Finding, error,
) {
	fs := []*Finding{}
	if a.Kind == ApplicationCard {
		r := a.recipient(s.today(c.t))
		found, err := s.findings(ctx, db, c, p, r)
		if err != nil {
			return nil, err
		}
		fs = append(fs, found...)
	}
	q := db.NewSelect().Table("card_applications").Column("submitted_at").
		Where("programme_id = ? AND id <> ? AND kind = ?", p.ID, a.ID, a.Kind).
		Where("status NOT IN ('REJECTED', 'WITHDRAWN') AND submitted_at > ?", s.now().AddDate(-1, 0, 0)).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("false")
			if a.CardID != nil {
				q = q.WhereOr("card_id = ?", *a.CardID)
			}
			if a.HolderKey != nil {
				q = q.WhereOr("holder_key = ?", a.HolderKey)
			}
			if a.ApplicantKey != nil {
				q = q.WhereOr("applicant_key = ?", a.ApplicantKey)
			}
			return q
		}).
		OrderExpr("submitted_at DESC").
		Limit(1)
	var at []time.Time
	if err := q.Scan(ctx, &at); err != nil {
		return nil, database.MapError(err, "find earlier applications", "application")
	}
	if len(at) > 0 {
		fs = append(fs, &Finding{Code: EarlierApplication, Severity: SeverityWarn, Date: &at[0], Field: "id"})
	}
	return fs, nil
}

// recipient returns a CARD application's holder as IssueCard takes one.
func (a *Application) recipient(today time.Time) *recipient {
	r := &recipient{childKey: a.HolderKey, holderField: "input.holderIdentityNumber",
		guardianKeys: a.guardianKeyList()}
	if a.GivenName != nil {
		r.givenName = *a.GivenName
	}
	if a.BirthDate != nil {
		r.birthDate = *a.BirthDate
		r.age = ageOn(*a.BirthDate, today)
	}
	return r
}

// firstCome approves a in a FIRST_COME programme p at once when the stopper found nothing
// and the budget covers it; otherwise it waits to be assessed.
func (s *Service) firstCome(ctx context.Context, tx bun.Tx, c caller, p *Programme, a *Application) error {
	if p.ApplicationMode != ModeFirstCome || a.Kind == ApplicationCard || len(a.Findings) > 0 {
		return nil
	}
	today := s.today(c.t)
	if p.BudgetOre > 0 {
		b, err := budgetOf(ctx, tx, p, today)
		if err != nil {
			return err
		}
		if *a.AskedOre > b.LeftOre() {
			return nil
		}
	}
	if err := s.credit(ctx, tx, c, p, a, *a.AskedOre, nil); err != nil {
		return err
	}
	now := s.now()
	a.Status, a.ApprovedOre, a.AutoDecided, a.DecidedAt = ApplicationApproved, a.AskedOre, true, &now
	_, err := tx.NewUpdate().Model(a).Column("status", "approved_ore", "credited_ore", "auto_decided", "decided_at").
		WherePK().
		Exec(ctx)
	if err != nil {
		return database.MapError(err, "approve application", "application")
	}
	err = audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), Action: "auto_approve_card_application",
		ItemType: "CardApplication", ItemID: &a.ID, Fields: []string{"status", "approvedOre"}})
	if err != nil {
		return err
	}
	if err := s.noticeDecision(ctx, tx, a); err != nil {
		return err
	}
	return s.warnOfBudget(ctx, tx, p, today)
}

// credit puts ore more of a's approved money on its card (a TOP_UP entry with the actor's
// ID), when it has one; without a card the approved amount counts as committed in the
// budget until it is paid out. It raises a.CreditedOre.
func (s *Service) credit(ctx context.Context, tx bun.IDB, c caller, p *Programme, a *Application, ore int64,
	actor *uuid.UUID,
) error {
	if a.CardID == nil || ore == 0 {
		return nil
	}
	card := new(Card)
	if err := tx.NewSelect().Model(card).Where("c.id = ?", *a.CardID).Scan(ctx); err != nil {
		return database.MapError(err, "find card", "card")
	}
	useBy := card.ValidTo
	e := &LedgerEntry{ID: newID(), MunicipalityID: c.mid(), CardID: card.ID, ProgrammeID: p.ID, Kind: LedgerTopUp,
		AmountOre: ore, UseBy: &useBy, ActorID: actor, CreatedAt: s.now()}
	if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
		return database.MapError(err, "credit application", "card")
	}
	a.CreditedOre += ore
	return nil
}
