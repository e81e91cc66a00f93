package card

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// appFamily is a programme with an agency and its caseworker, and a family with a card.
type appFamily struct {
	p  *Programme
	ag *Agency
	cw context.Context
	f  family
}

func (e *env) appFamily(change ...func(*ProgrammeInput)) appFamily {
	e.t.Helper()
	ag := e.agency("NAV Larvik")
	cw := e.caseworker(ag)
	p := e.programme([]*Agency{ag}, change...)
	return appFamily{p: p, ag: ag, cw: cw, f: e.family(p, cw)}
}

// apply submits an EQUIPMENT application of ore for the family's card as the mother.
func (e *env) apply(af appFamily, ore int64) *Application {
	e.t.Helper()
	a, err := e.svc.SubmitApplication(resident(e.larvik, af.f.mother), ApplicationInput{ProgrammeID: af.p.ID,
		Kind: ApplicationEquipment, CardID: &af.f.card.ID, AskedOre: ptr(ore), Purpose: "Fotballsko og leggskinn",
		ContactEmail: "mor@example.no"})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *env) decide(ctx context.Context, id uuid.UUID, outcome ApplicationStatus, ore *int64) *Application {
	e.t.Helper()
	a, err := e.svc.DecideApplication(ctx, DecisionInput{ID: id, Outcome: outcome, ApprovedOre: ore,
		Reason: "Vurdert etter retningslinjene for ordningen"})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func TestApplicationApprovedCreditsTheCard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	mother := resident(e.larvik, af.f.mother)
	a := e.apply(af, 60_000)
	if a.Status != ApplicationSubmitted || !a.DueAt.Equal(a.SubmittedAt.AddDate(0, 1, 0)) {
		t.Fatalf("submitted = %s due %v", a.Status, a.DueAt)
	}
	if _, err := e.svc.StartReview(af.cw, a.ID); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrReasonRequired", func(t *testing.T) {
		_, err := e.svc.DecideApplication(af.cw, DecisionInput{ID: a.ID, Outcome: ApplicationApproved})
		wantInvalid(t, err, "input.reason", "REQUIRED")
		_, err = e.svc.DecideApplication(af.cw, DecisionInput{ID: a.ID, Outcome: ApplicationRejected, Reason: "Nei"})
		wantInvalid(t, err, "input.reason", "TOO_SHORT")
	})
	t.Run("ErrAboveAsked", func(t *testing.T) {
		_, err := e.svc.DecideApplication(af.cw, DecisionInput{ID: a.ID, Outcome: ApplicationApproved,
			ApprovedOre: ptr(int64(60_001)), Reason: "Innvilget etter retningslinjene"})
		wantInvalid(t, err, "input.approvedOre", "ABOVE_ASKED")
	})
	before := e.balance(af.f.card.ID)
	budget, err := e.svc.ProgrammeBudget(e.coord, af.p.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := e.decide(af.cw, a.ID, ApplicationApproved, nil)
	if got.Status != ApplicationApproved || *got.ApprovedOre != 60_000 || got.CreditedOre != 60_000 {
		t.Fatalf("decided = %s %v %d", got.Status, got.ApprovedOre, got.CreditedOre)
	}
	if b := e.balance(af.f.card.ID); b != before+60_000 {
		t.Errorf("balance = %d, want %d", b, before+60_000)
	}
	after, err := e.svc.ProgrammeBudget(e.coord, af.p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.CommittedOre != budget.CommittedOre+60_000 {
		t.Errorf("committed = %d, want %d", after.CommittedOre, budget.CommittedOre+60_000)
	}
	_, err = e.svc.DecideApplication(e.coord, DecisionInput{ID: a.ID, Outcome: ApplicationRejected,
		Reason: "Vurdert på nytt etter retningslinjene"})
	wantCode(t, err, apperr.Conflict, "id", "APPROVED")
	// A full approval is nothing to appeal.
	_, err = e.svc.AppealApplication(mother, a.ID, "Jeg trenger mer enn dette")
	wantCode(t, err, apperr.Conflict, "id", "APPROVED")
}

func TestApplicationAccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	a := e.apply(af, 10_000)
	other := e.caseworker(e.agency("Helsestasjonen"))
	stranger := resident(e.larvik, e.guardian())
	elsewhere := e.otherCaseworker(e.municipality("sandefjord"))
	sandefjordCoord, _ := e.as(e.municipality("porsgrunn"), auth.RoleCardCoordinator)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		code apperr.Code
	}{
		{"Applicant", resident(e.larvik, af.f.mother), ""},
		{"CaseworkerOfTheAgency", af.cw, ""},
		{"Coordinator", e.coord, ""},
		{"Admin", e.admin, ""},
		{"OtherGuardian", resident(e.larvik, af.f.father), apperr.NotFound},
		{"Stranger", stranger, apperr.NotFound},
		{"CaseworkerOfAnotherAgency", other, apperr.NotFound},
		{"CaseworkerElsewhere", elsewhere, apperr.NotFound},
		{"CoordinatorElsewhere", sandefjordCoord, apperr.NotFound},
		{"Anonymous", anonymous(e.larvik), apperr.Unauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.svc.FindApplicationByID(tc.ctx, a.ID)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil || got.ID != a.ID {
				t.Fatalf("got %v, %v", got, err)
			}
			list, err := e.svc.FindApplications(tc.ctx, ApplicationFilter{ProgrammeID: &af.p.ID}, allOf)
			if err != nil || len(list.Edges) != 1 {
				t.Fatalf("list = %v, %v", list, err)
			}
		})
	}
	t.Run("OthersListNothing", func(t *testing.T) {
		for _, ctx := range []context.Context{stranger, other, elsewhere} {
			list, err := e.svc.FindApplications(ctx, ApplicationFilter{}, allOf)
			if err != nil || len(list.Edges) != 0 {
				t.Fatalf("list = %v, %v", list, err)
			}
		}
	})
	t.Run("FindingsForStaffOnly", func(t *testing.T) {
		second := e.apply(af, 5_000) // an earlier application of the card: a warning
		staff, err := e.svc.FindApplicationByID(af.cw, second.ID)
		if err != nil || len(staff.Findings) != 1 || staff.Findings[0].Code != EarlierApplication {
			t.Fatalf("caseworker findings = %v, %v", staff, err)
		}
		own, err := e.svc.FindApplicationByID(resident(e.larvik, af.f.mother), second.ID)
		if err != nil || len(own.Findings) != 0 {
			t.Fatalf("applicant findings = %v, %v", own, err)
		}
		// Approving past a warning needs a written reason.
		_, err = e.svc.DecideApplication(af.cw, DecisionInput{ID: second.ID, Outcome: ApplicationApproved,
			Reason: "Innvilget etter retningslinjene"})
		wantCode(t, err, apperr.OverrideRequired)
	})
	t.Run("OnlyTheApplicantWithdraws", func(t *testing.T) {
		_, err := e.svc.WithdrawApplication(stranger, a.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = e.svc.DecideApplication(other, DecisionInput{ID: a.ID, Outcome: ApplicationRejected,
			Reason: "Avslått etter retningslinjene"})
		wantCode(t, err, apperr.NotFound)
	})
}

func TestApplicationRejectedAppealedApproved(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	mother := resident(e.larvik, af.f.mother)
	a := e.apply(af, 40_000)
	coord1, u1 := e.as(e.larvik, auth.RoleCardCoordinator)
	rejected := e.decide(coord1, a.ID, ApplicationRejected, nil)
	if rejected.Status != ApplicationRejected || rejected.AppealDeadline() == nil {
		t.Fatalf("rejected = %+v", rejected)
	}
	t.Run("ErrAppealReasonRequired", func(t *testing.T) {
		_, err := e.svc.AppealApplication(mother, a.ID, "")
		wantInvalid(t, err, "input.reason", "REQUIRED")
	})
	e.svc.now = func() time.Time { return time.Now().Add(20 * 24 * time.Hour) }
	appealed, err := e.svc.AppealApplication(mother, a.ID, "Vi har ikke råd til utstyret ellers")
	e.svc.now = time.Now
	if err != nil {
		t.Fatal(err)
	}
	if appealed.Status != ApplicationAppealed || appealed.AppealHandler == nil || *appealed.AppealHandler == u1.ID {
		t.Fatalf("appealed = %+v", appealed)
	}
	_, err = e.svc.AppealApplication(mother, a.ID, "Vi har ikke råd til utstyret ellers")
	wantCode(t, err, apperr.Conflict, "id", "APPEALED")
	t.Run("ErrNotTheCaseworker", func(t *testing.T) {
		_, err := e.svc.DecideApplication(af.cw, DecisionInput{ID: a.ID, Outcome: ApplicationApproved,
			Reason: "Innvilget etter klagen"})
		wantCode(t, err, apperr.Forbidden)
	})
	t.Run("ErrNotTheSameDecider", func(t *testing.T) {
		_, err := e.svc.DecideApplication(coord1, DecisionInput{ID: a.ID, Outcome: ApplicationApproved,
			Reason: "Innvilget etter klagen"})
		wantCode(t, err, apperr.Forbidden)
	})
	before := e.balance(af.f.card.ID)
	approved := e.decide(e.coord, a.ID, ApplicationApproved, nil)
	if approved.Status != ApplicationApproved || e.balance(af.f.card.ID) != before+40_000 {
		t.Fatalf("approved = %s, balance %d", approved.Status, e.balance(af.f.card.ID))
	}
}

func TestApplicationPartlyApprovedAppealed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	mother := resident(e.larvik, af.f.mother)
	a := e.apply(af, 40_000)
	before := e.balance(af.f.card.ID)
	e.decide(af.cw, a.ID, ApplicationApproved, ptr(int64(25_000)))
	if _, err := e.svc.AppealApplication(mother, a.ID, "Skoene alene koster mer enn det"); err != nil {
		t.Fatal(err)
	}
	got := e.decide(e.coord, a.ID, ApplicationApproved, ptr(int64(40_000)))
	if *got.ApprovedOre != 40_000 || e.balance(af.f.card.ID) != before+40_000 {
		t.Fatalf("approved %d, balance %d, want %d", *got.ApprovedOre, e.balance(af.f.card.ID), before+40_000)
	}
}

func TestApplicationAppealAfterThreeWeeks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	a := e.apply(af, 40_000)
	e.decide(af.cw, a.ID, ApplicationRejected, nil)
	e.svc.now = func() time.Time { return time.Now().Add(AppealWindow + time.Hour) }
	defer func() { e.svc.now = time.Now }()
	_, err := e.svc.AppealApplication(resident(e.larvik, af.f.mother), a.ID, "Jeg fikk ikke brevet før nå")
	wantInvalid(t, err, "id", "APPEAL_DEADLINE_PASSED")
	if got, _ := e.svc.FindApplicationByID(e.coord, a.ID); got.Status != ApplicationRejected {
		t.Errorf("status = %s", got.Status)
	}
}

func TestApplicationBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	mother := resident(e.larvik, af.f.mother)
	base := func() ApplicationInput {
		return ApplicationInput{ProgrammeID: af.p.ID, Kind: ApplicationCup, CardID: &af.f.card.ID, AskedOre: ptr(int64(5000)),
			Purpose: "Norway Cup"}
	}
	for _, tc := range []struct {
		name          string
		change        func(*ApplicationInput)
		field, reason string
	}{
		{"Negative", func(in *ApplicationInput) { in.AskedOre = ptr(int64(-100)) }, "input.askedOre", "NOT_POSITIVE"},
		{"Absurd", func(in *ApplicationInput) { in.AskedOre = ptr(int64(1_000_000_000)) }, "input.askedOre", "TOO_LARGE"},
		{"NoAmount", func(in *ApplicationInput) { in.AskedOre = nil }, "input.askedOre", "REQUIRED"},
		{"NoPurpose", func(in *ApplicationInput) { in.Purpose = "  " }, "input.purpose", "REQUIRED"},
		{"IdentityNumberInPurpose", func(in *ApplicationInput) { in.Purpose = "Cup for " + af.f.child }, "input.purpose",
			"IDENTITY_NUMBER"},
		{"NoCard", func(in *ApplicationInput) { in.CardID = nil }, "input.cardId", "REQUIRED"},
		{"AmountForCard", func(in *ApplicationInput) { in.Kind = ApplicationCard }, "input.askedOre", "NOT_ALLOWED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.change(&in)
			_, err := e.svc.SubmitApplication(mother, in)
			wantInvalid(t, err, tc.field, tc.reason)
		})
	}
	t.Run("AnotherFamilysCard", func(t *testing.T) {
		_, err := e.svc.SubmitApplication(resident(e.larvik, e.guardian()), base())
		wantCode(t, err, apperr.NotFound, "input.cardId")
	})
	if n := e.count("SELECT count(*) FROM card_applications"); n != 0 {
		t.Errorf("%d applications saved", n)
	}
}

func TestApplicationBudgetExceeded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily(func(in *ProgrammeInput) { in.BudgetOre = 50_000 })
	a := e.apply(af, 60_000)
	_, err := e.svc.DecideApplication(af.cw, DecisionInput{ID: a.ID, Outcome: ApplicationApproved,
		Reason: "Innvilget etter retningslinjene"})
	wantInvalid(t, err, "input.approvedOre", "OVER_BUDGET")
	if e.balance(af.f.card.ID) != 0 {
		t.Fatalf("balance = %d after a refusal", e.balance(af.f.card.ID))
	}
	got, err := e.svc.DecideApplication(e.coord, DecisionInput{ID: a.ID, Outcome: ApplicationApproved,
		Reason: "Innvilget etter retningslinjene", OverrideReason: "Kommunestyret har økt rammen i desember"})
	if err != nil || got.Status != ApplicationApproved || e.balance(af.f.card.ID) != 60_000 {
		t.Fatalf("override: %v, %v, balance %d", got, err, e.balance(af.f.card.ID))
	}
	overrides := "SELECT count(*) FROM audit_log WHERE action = 'decide_card_application' AND note IS NOT NULL"
	if n := e.count(overrides); n != 1 {
		t.Errorf("%d overrides audited", n)
	}
}

func TestApplicationFirstComeFund(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil, func(in *ProgrammeInput) { in.BudgetOre = 100_000 })
	if _, err := e.svc.SetProgrammeApplications(e.coord, p.ID, ProgrammeApplicationsInput{Mode: ModeFirstCome,
		ApplicationsOnly: true}); err != nil {
		t.Fatal(err)
	}
	const n = 25
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		ctx := resident(e.larvik, e.guardian())
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.SubmitApplication(ctx, ApplicationInput{ProgrammeID: p.ID, Kind: ApplicationCamp,
				AskedOre: ptr(int64(10_000)), Purpose: "Sommerleir"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := e.count("SELECT count(*) FROM card_applications WHERE status = 'APPROVED' AND auto_decided"); got != 10 {
		t.Errorf("%d approved, want 10", got)
	}
	if got := e.count("SELECT count(*) FROM card_applications WHERE status = 'SUBMITTED'"); got != n-10 {
		t.Errorf("%d waiting, want %d", got, n-10)
	}
	b, err := e.svc.ProgrammeBudget(e.coord, p.ID)
	if err != nil || b.LeftOre() != 0 || b.CommittedOre != 100_000 {
		t.Fatalf("budget = %+v, %v", b, err)
	}
	t.Run("ErrNoCardsInAFund", func(t *testing.T) {
		child, birth := e.child(9)
		_, err := e.svc.SubmitApplication(resident(e.larvik, e.guardian()), ApplicationInput{ProgrammeID: p.ID,
			Kind: ApplicationCard, Purpose: "Kort", HolderIdentityNumber: child, GivenName: "Sara", BirthDate: &birth})
		wantInvalid(t, err, "input.kind", "FUND")
	})
}

func TestApplicationDelayNotice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	coordUser := auth.ViewerFrom(e.coord).User
	a := e.apply(af, 10_000)
	decided := e.apply(af, 5_000)
	e.decide(e.coord, decided.ID, ApplicationRejected, nil)
	if n, err := e.svc.SendDelayNotices(context.Background(), time.Now().AddDate(0, 0, 27)); err != nil || n != 0 {
		t.Fatalf("early: %d, %v", n, err)
	}
	later := time.Now().AddDate(0, 1, 1)
	n, err := e.svc.SendDelayNotices(context.Background(), later)
	if err != nil || n != 1 {
		t.Fatalf("noticed %d, %v", n, err)
	}
	if got := e.templates("mor@example.no"); len(got) != 2 || got[0] != "CardApplicationRejected" ||
		got[1] != "CardApplicationDelay" {
		t.Errorf("applicant mail = %v", got)
	}
	if got := e.templates(coordUser.Email); len(got) != 1 || got[0] != "CardApplicationOverdue" {
		t.Errorf("coordinator mail = %v", got)
	}
	if n, err := e.svc.SendDelayNotices(context.Background(), later.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("again: %d, %v", n, err)
	}
	got, _ := e.svc.FindApplicationByID(e.coord, a.ID)
	if got.DelayNoticeAt == nil || !got.DelayNoticeAt.Equal(later.Truncate(time.Microsecond)) {
		t.Errorf("delayNoticeAt = %v", got.DelayNoticeAt)
	}
}

func TestApplicationNeedsInfoAndWithdraw(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	mother := resident(e.larvik, af.f.mother)
	a := e.apply(af, 10_000)
	if _, err := e.svc.StartReview(af.cw, a.ID); err != nil {
		t.Fatal(err)
	}
	asked := e.decide(af.cw, a.ID, ApplicationNeedsInfo, nil)
	if asked.Status != ApplicationNeedsInfo || asked.InfoRequest == nil {
		t.Fatalf("asked = %+v", asked)
	}
	_, err := e.svc.AnswerApplication(mother, a.ID, "")
	wantInvalid(t, err, "input.answer", "REQUIRED")
	answered, err := e.svc.AnswerApplication(mother, a.ID, "Kvitteringen er lagt ved")
	if err != nil || answered.Status != ApplicationInReview {
		t.Fatalf("answered = %v, %v", answered, err)
	}
	_, err = e.svc.AnswerApplication(mother, a.ID, "Igjen")
	wantCode(t, err, apperr.Conflict, "id", "IN_REVIEW")
	withdrawn, err := e.svc.WithdrawApplication(mother, a.ID)
	if err != nil || withdrawn.Status != ApplicationWithdrawn {
		t.Fatalf("withdrawn = %v, %v", withdrawn, err)
	}
	_, err = e.svc.WithdrawApplication(mother, a.ID)
	wantCode(t, err, apperr.Conflict, "id", "WITHDRAWN")
	_, err = e.svc.DecideApplication(af.cw, DecisionInput{ID: a.ID, Outcome: ApplicationApproved,
		Reason: "Innvilget etter retningslinjene"})
	wantCode(t, err, apperr.Conflict, "id", "WITHDRAWN")
}

func TestApplicationForACard(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ag := e.agency("NAV Larvik")
	cw := e.caseworker(ag)
	p := e.programme([]*Agency{ag})
	mother := e.guardian()
	var err error
	child, birth := e.child(9)
	in := ApplicationInput{ProgrammeID: p.ID, Kind: ApplicationCard, Purpose: "Fritidskort til datteren min",
		HolderIdentityNumber: child, GivenName: "Sara", BirthDate: &birth}
	a, err := e.svc.SubmitApplication(resident(e.larvik, mother), in)
	if err != nil {
		t.Fatal(err)
	}
	// A guardian's application belongs to no agency: a coordinator decides it, naming the
	// agency that issues the card.
	if _, err := e.svc.FindApplicationByID(cw, a.ID); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("caseworker sees a guardian's application: %v", err)
	}
	_, err = e.svc.DecideApplication(e.coord, DecisionInput{ID: a.ID, Outcome: ApplicationApproved,
		Reason: "Innvilget etter retningslinjene"})
	wantInvalid(t, err, "input.agencyId", "REQUIRED")
	got, err := e.svc.DecideApplication(e.coord, DecisionInput{ID: a.ID, Outcome: ApplicationApproved,
		Reason: "Innvilget etter retningslinjene", AgencyID: &ag.ID})
	if err != nil || got.CardID == nil {
		t.Fatalf("no card issued: %v", err)
	}
	// The mother, a guardian now, sees the card.
	if _, err := e.svc.CardBalance(resident(e.larvik, mother), *got.CardID, nil); err != nil {
		t.Fatalf("guardian sees the card: %v", err)
	}
	// The stopper runs on the next application for the same child and blocks approval.
	again, err := e.svc.SubmitApplication(resident(e.larvik, e.guardian()), in)
	if err != nil {
		t.Fatal(err)
	}
	seen, _ := e.svc.FindApplicationByID(e.coord, again.ID)
	if len(seen.Findings) == 0 || seen.Findings[0].Code != AlreadyHasCard {
		t.Fatalf("findings = %v", seen.Findings)
	}
	_, err = e.svc.DecideApplication(e.coord, DecisionInput{ID: again.ID, Outcome: ApplicationApproved,
		Reason: "Innvilget etter retningslinjene", OverrideReason: "Vi vet om det andre kortet", AgencyID: &ag.ID})
	wantCode(t, err, apperr.CardBlocked, "", "ALREADY_HAS_CARD")
}

func TestApplicationFromAnOrganisation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	club := e.provider("IL Runar", af.p)
	stranger := e.provider("Ukjent klubb")
	in := ApplicationInput{ProgrammeID: af.p.ID, Kind: ApplicationCup, CardNumber: af.f.card.Number,
		AskedOre: ptr(int64(30_000)), Purpose: "Deltakelse i Norway Cup", OrganisationID: &club.id}
	a, err := e.svc.SubmitApplication(club.owner, in)
	if err != nil || a.ApplicantKind != ApplicantOrganisation || *a.CardID != af.f.card.ID {
		t.Fatalf("submitted %v, %v", a, err)
	}
	if list, err := e.svc.FindApplications(club.owner, ApplicationFilter{}, allOf); err != nil || len(list.Edges) != 1 {
		t.Fatalf("organisation lists %v, %v", list, err)
	}
	in.OrganisationID = &stranger.id
	_, err = e.svc.SubmitApplication(stranger.owner, in)
	wantCode(t, err, apperr.Forbidden, "input.organisationId", "NOT_APPROVED")
	if list, _ := e.svc.FindApplications(stranger.owner, ApplicationFilter{}, allOf); len(list.Edges) != 0 {
		t.Errorf("another organisation lists %d", len(list.Edges))
	}
}

func TestApplicationErasure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	e.apply(af, 10_000)
	fund := e.programme(nil, func(in *ProgrammeInput) { in.BudgetOre = 100_000 })
	if _, err := e.svc.SetProgrammeApplications(e.coord, fund.ID, ProgrammeApplicationsInput{Mode: ModeAssessed,
		ApplicationsOnly: true}); err != nil {
		t.Fatal(err)
	}
	loner := e.guardian() // no card anywhere: only an application to the fund
	_, err := e.svc.SubmitApplication(resident(e.larvik, loner), ApplicationInput{ProgrammeID: fund.ID,
		Kind: ApplicationEquipment, AskedOre: ptr(int64(10_000)), Purpose: "Ski"})
	if err != nil {
		t.Fatal(err)
	}
	report, err := e.svc.PersonalDataReport(e.admin, af.f.mother)
	if err != nil || len(report.Applications) != 1 {
		t.Fatalf("report = %+v, %v", report, err)
	}
	report, err = e.svc.PersonalDataReport(e.admin, loner)
	if err != nil || !report.Found || len(report.Applications) != 1 {
		t.Fatalf("loner's report = %+v, %v", report, err)
	}
	for _, who := range []string{af.f.child, loner} {
		if ok, err := e.svc.ErasePersonalData(e.admin, who); err != nil || !ok {
			t.Fatalf("erase: %v, %v", ok, err)
		}
	}
	if n := e.count("SELECT count(*) FROM card_applications"); n != 0 {
		t.Errorf("%d applications left", n)
	}
}

func TestApplicationRetention(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fund := e.programme(nil)
	if _, err := e.svc.SetProgrammeApplications(e.coord, fund.ID, ProgrammeApplicationsInput{Mode: ModeAssessed,
		ApplicationsOnly: true}); err != nil {
		t.Fatal(err)
	}
	a, err := e.svc.SubmitApplication(resident(e.larvik, e.guardian()), ApplicationInput{ProgrammeID: fund.ID,
		Kind: ApplicationEquipment, AskedOre: ptr(int64(10_000)), Purpose: "Ski"})
	if err != nil {
		t.Fatal(err)
	}
	e.decide(e.coord, a.ID, ApplicationRejected, nil)
	open, err := e.svc.SubmitApplication(resident(e.larvik, e.guardian()), ApplicationInput{ProgrammeID: fund.ID,
		Kind: ApplicationEquipment, AskedOre: ptr(int64(10_000)), Purpose: "Skøyter"})
	if err != nil {
		t.Fatal(err)
	}
	days := time.Duration(e.svc.opt.RetentionDays) * 24 * time.Hour
	if _, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, time.Now().Add(days)); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count(*) FROM card_applications"); n != 2 {
		t.Fatalf("%d left while the appeal window ran", n)
	}
	later := time.Now().Add(days + AppealWindow + time.Hour)
	if _, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, later); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count(*) FROM card_applications WHERE id = ?", open.ID); n != 1 {
		t.Errorf("the open application went")
	}
	if n := e.count("SELECT count(*) FROM card_applications"); n != 1 {
		t.Errorf("%d left, want the open one", n)
	}
}

func TestApplicationFindingsNotToTheApplicant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	mother := resident(e.larvik, af.f.mother)
	e.apply(af, 5_000)
	second := e.apply(af, 6_000) // the card has an earlier application: a warning
	if len(second.Findings) != 0 {
		t.Errorf("the applicant is shown %v on submission", second.Findings)
	}
	withdrawn, err := e.svc.WithdrawApplication(mother, second.ID)
	if err != nil || len(withdrawn.Findings) != 0 {
		t.Errorf("the applicant is shown %v on withdrawal (%v)", withdrawn, err)
	}
	mine, err := e.svc.SubmitApplication(af.cw, ApplicationInput{ProgrammeID: af.p.ID, Kind: ApplicationEquipment,
		CardID: &af.f.card.ID, AskedOre: ptr(int64(1000)), Purpose: "Cup"})
	if err != nil || len(mine.Findings) == 0 {
		t.Errorf("the caseworker who applied is shown no findings: %v, %v", mine, err)
	}
}

func TestApplicationOfAnAnonymousCardErasedWithIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	club := e.provider("IL Runar", p)
	anon := e.anonymousCard(p)
	_, err := e.svc.SubmitApplication(club.owner, ApplicationInput{ProgrammeID: p.ID, Kind: ApplicationCup,
		CardNumber: anon.Card.Number, AskedOre: ptr(int64(1000)), Purpose: "Cup for Ola", OrganisationID: &club.id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RevokeCard(e.coord, anon.Card.ID); err != nil {
		t.Fatal(err)
	}
	days := time.Duration(e.svc.opt.RetentionDays) * 24 * time.Hour
	if _, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, time.Now().Add(days-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count(*) FROM card_applications"); n != 1 {
		t.Fatalf("%d applications before the retention ran out", n)
	}
	if _, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, time.Now().Add(days+time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count(*) FROM card_applications"); n != 0 {
		t.Errorf("%d applications left after the card's retention", n)
	}
}

func TestApplicationDecisionsMailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	af := e.appFamily()
	a := e.apply(af, 40_000)
	e.decide(af.cw, a.ID, ApplicationNeedsInfo, nil)
	if _, err := e.svc.AnswerApplication(resident(e.larvik, af.f.mother), a.ID, "Kvittering vedlagt"); err != nil {
		t.Fatal(err)
	}
	e.decide(af.cw, a.ID, ApplicationApproved, ptr(int64(30_000)))
	got := e.outbox("mor@example.no")
	if len(got) != 2 || got[0].Template != "CardApplicationNeedsInfo" || got[1].Template != "CardApplicationApproved" {
		t.Fatalf("mail = %v", e.templates("mor@example.no"))
	}
	if got[1].Data["Approved"] != "300" || got[1].Data["AppealBy"] == "" ||
		got[1].Data["Reason"] != "Vurdert etter retningslinjene for ordningen" {
		t.Errorf("approval's data = %v", got[1].Data)
	}
}
