package card

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/portal"
)

func TestAgencies(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	t.Run("Rename", func(t *testing.T) {
		a, err := e.svc.SaveAgency(e.admin, AgencyInput{ID: &nav.ID, Name: "NAV Larvik og Kvelde", Kind: AgencyNAV})
		if err != nil || a.Name != "NAV Larvik og Kvelde" {
			t.Fatalf("%+v %v", a, err)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		editor, _ := e.as(e.larvik, auth.RoleEditor)
		_, err := e.svc.SaveAgency(editor, AgencyInput{Name: "X", Kind: AgencyNAV})
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.SaveAgency(e.coord, AgencyInput{Name: "", Kind: AgencyNAV})
		wantCode(t, err, apperr.BadUserInput, "input.name")
		_, err = e.svc.SaveAgency(e.coord, AgencyInput{Name: "Y", Kind: "POLICE"})
		wantCode(t, err, apperr.BadUserInput, "input.kind")
		_, err = e.svc.SaveAgency(e.coord, AgencyInput{Name: "NAV Larvik og Kvelde", Kind: AgencyNAV})
		wantCode(t, err, apperr.Conflict, "input.name")
		missing := uuid.New()
		_, err = e.svc.SaveAgency(e.coord, AgencyInput{ID: &missing, Name: "Z", Kind: AgencyNAV})
		wantCode(t, err, apperr.NotFound)
	})
	t.Run("Caseworkers", func(t *testing.T) {
		_, plain := e.as(e.larvik)
		err := e.svc.SetCaseworkerAgency(e.admin, plain.ID, &nav.ID)
		wantCode(t, err, apperr.BadUserInput, "userId")
		_, cw := e.as(e.larvik, auth.RoleCaseworker)
		err = e.svc.SetCaseworkerAgency(e.coord, cw.ID, &nav.ID)
		wantCode(t, err, apperr.Forbidden)
		if err := e.svc.SetCaseworkerAgency(e.admin, cw.ID, &nav.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SetCaseworkerAgency(e.admin, cw.ID, nil); err != nil {
			t.Fatal(err)
		}
		if n := e.count("SELECT count(*) FROM card_caseworkers WHERE user_id = ?", cw.ID); n != 0 {
			t.Errorf("registration kept")
		}
		list, err := e.svc.FindAgencies(e.caseworker(nav))
		if err != nil || len(list) != 1 {
			t.Errorf("agencies = %v %v", list, err)
		}
	})
}

func TestProgrammes(t *testing.T) {
	e := newEnv(t)
	nav, school := e.agency("NAV"), e.agency("Skolen")
	active := e.programme([]*Agency{nav})
	draft := e.programme([]*Agency{school}, func(in *ProgrammeInput) {
		in.Status = ProgrammeDraft
		in.Texts = append(in.Texts, ProgrammeText{Locale: "en", Name: "The activity card"})
	})
	if active.Name != "Aktivitetskortet" || active.Eligibility == "" || len(active.AgencyIDs) != 1 || active.CardsLeft() != 100 {
		t.Errorf("programme = %+v", active)
	}

	t.Run("Visibility", func(t *testing.T) {
		for name, tc := range map[string]struct {
			ctx  context.Context
			want int
		}{
			"Coordinator":       {e.coord, 2},
			"Anonymous":         {anonymous(e.larvik), 1},
			"Resident":          {resident(e.larvik, e.guardian()), 1},
			"CaseworkerOfDraft": {e.caseworker(school), 2},
			"OtherCaseworker":   {e.caseworker(nav), 1},
		} {
			list, err := e.svc.FindProgrammes(tc.ctx)
			if err != nil || len(list) != tc.want {
				t.Errorf("%s: %d programmes, want %d (%v)", name, len(list), tc.want, err)
			}
		}
		_, err := e.svc.FindProgrammeByID(anonymous(e.larvik), draft.ID)
		wantCode(t, err, apperr.NotFound)
		sf := e.municipality("sandefjord")
		sfCoord, _ := e.as(sf, auth.RoleCardCoordinator)
		_, err = e.svc.FindProgrammeByID(sfCoord, active.ID)
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("Update", func(t *testing.T) {
		p, err := e.svc.SaveProgramme(e.coord, ProgrammeInput{ID: &draft.ID, MinAge: 6, MaxAge: 16,
			ValidFrom: draft.ValidFrom, ValidTo: draft.ValidTo, CardsAvailable: 50, DefaultAllowance: 3,
			AgencyIDs: []uuid.UUID{nav.ID, school.ID}, Texts: []ProgrammeText{{Locale: "nb", Name: "Opplevelseskortet"}}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != ProgrammeDraft || p.MaxAge != 16 || p.Name != "Opplevelseskortet" || len(p.AgencyIDs) != 2 {
			t.Errorf("programme = %+v", p)
		}
		if n := e.count("SELECT count(*) FROM card_programme_translations WHERE programme_id = ?", p.ID); n != 2 {
			t.Errorf("%d texts, want the English one kept", n)
		}
		missing := uuid.New()
		_, err = e.svc.SaveProgramme(e.coord, ProgrammeInput{ID: &missing, MinAge: 6, MaxAge: 16, ValidFrom: draft.ValidFrom, ValidTo: draft.ValidTo, DefaultAllowance: 1})
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("CardsBelowIssued", func(t *testing.T) {
		if _, err := e.svc.IssueAnonymousCards(e.coord, active.ID, 3); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.SaveProgramme(e.coord, ProgrammeInput{ID: &active.ID, MinAge: 2, MaxAge: 18,
			ValidFrom: active.ValidFrom, ValidTo: active.ValidTo, CardsAvailable: 2, DefaultAllowance: 5})
		wantCode(t, err, apperr.BadUserInput, "input.cardsAvailable")
	})

	t.Run("BadInput", func(t *testing.T) {
		sf := e.municipality("sandefjord2")
		sfCoord, _ := e.as(sf, auth.RoleCardCoordinator)
		foreign, err := e.svc.SaveAgency(sfCoord, AgencyInput{Name: "NAV Sandefjord", Kind: AgencyNAV})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			change func(*ProgrammeInput)
			field  string
		}{
			{"ValidityInverted", func(in *ProgrammeInput) { in.ValidTo = in.ValidFrom.AddDate(0, 0, -1) }, "input.validTo"},
			{"NoValidFrom", func(in *ProgrammeInput) { in.ValidFrom = time.Time{} }, "input.validFrom"},
			{"NegativeCards", func(in *ProgrammeInput) { in.CardsAvailable = -1 }, "input.cardsAvailable"},
			{"NegativeBudget", func(in *ProgrammeInput) { in.BudgetOre = -100 }, "input.budgetOre"},
			{"ZeroAllowance", func(in *ProgrammeInput) { in.DefaultAllowance = 0 }, "input.defaultAllowance"},
			{"AgeInverted", func(in *ProgrammeInput) { in.MinAge, in.MaxAge = 10, 5 }, "input.maxAge"},
			{"AgeNegative", func(in *ProgrammeInput) { in.MinAge = -1 }, "input.minAge"},
			{"NoTexts", func(in *ProgrammeInput) { in.Texts = nil }, "input.texts"},
			{"NoName", func(in *ProgrammeInput) { in.Texts[0].Name = " " }, "input.texts[0].name"},
			{"LocaleNotEnabled", func(in *ProgrammeInput) { in.Texts[0].Locale = "de" }, "input.texts[0].locale"},
			{"LocaleRepeated", func(in *ProgrammeInput) { in.Texts = append(in.Texts, in.Texts[0]) }, "input.texts[1].locale"},
			{"Status", func(in *ProgrammeInput) { in.Status = "OPEN" }, "input.status"},
			{"ForeignAgency", func(in *ProgrammeInput) { in.AgencyIDs = []uuid.UUID{nav.ID, foreign.ID} }, "input.agencyIds"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := ProgrammeInput{Texts: []ProgrammeText{{Locale: "nb", Name: "Kort"}}, MinAge: 2, MaxAge: 18,
					ValidFrom: e.today(), ValidTo: e.today().AddDate(1, 0, 0), CardsAvailable: 10, DefaultAllowance: 2}
				tt.change(&in)
				_, err := e.svc.SaveProgramme(e.coord, in)
				wantCode(t, err, apperr.BadUserInput, tt.field)
			})
		}
		cw := e.caseworker(nav)
		_, err = e.svc.SaveProgramme(cw, ProgrammeInput{})
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.SaveProgramme(anonymous(e.larvik), ProgrammeInput{})
		wantCode(t, err, apperr.Unauthenticated)
	})
}

func TestOffers(t *testing.T) {
	e := newEnv(t)
	p := e.programme(nil)
	org, other := e.organisation("badeland"), e.organisation("kino")
	owner, u := e.as(e.larvik)
	e.exec("INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, 'OWNER')", e.larvik.ID(), org, u.ID)
	checker, cu := e.as(e.larvik)
	e.exec("INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, 'TICKET_CHECKER')", e.larvik.ID(), org, cu.ID)

	input := func() OfferInput {
		return OfferInput{OrganisationID: org, ProgrammeIDs: []uuid.UUID{p.ID},
			Texts: []OfferText{{Locale: "nb", Title: "Svømmebillett", HowToUse: "Vis billetten i kassen."}},
			Stock: 100, PerCardLimit: 2, Admits: 2, ValidFrom: time.Now(), ValidTo: time.Now().AddDate(0, 6, 0),
			ValueOre: 12000, Source: SourceDonated}
	}
	o, err := e.svc.SaveOffer(owner, input())
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != OfferDraft || o.Released != 0 || o.Title != "Svømmebillett" || len(o.ProgrammeIDs) != 1 || o.CreatedBy == nil {
		t.Errorf("offer = %+v", o)
	}

	t.Run("Authorisation", func(t *testing.T) {
		in := input()
		in.OrganisationID = other
		_, err := e.svc.SaveOffer(owner, in)
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.SaveOffer(checker, input())
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.ReleaseStock(checker, o.ID, 1)
		wantCode(t, err, apperr.Forbidden)
		if _, err := e.svc.SaveOffer(e.coord, in); err != nil {
			t.Errorf("coordinator for any provider: %v", err)
		}
		sf := e.municipality("sandefjord")
		sfCoord, _ := e.as(sf, auth.RoleCardCoordinator)
		_, err = e.svc.ReleaseStock(sfCoord, o.ID, 1)
		wantCode(t, err, apperr.NotFound)
		in = input()
		in.ID = &o.ID
		_, err = e.svc.SaveOffer(sfCoord, in)
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("Release", func(t *testing.T) {
		got, err := e.svc.ReleaseStock(owner, o.ID, 60)
		if err != nil || got.Released != 60 || got.Left() != 60 {
			t.Fatalf("%+v %v", got, err)
		}
		_, err = e.svc.ReleaseStock(e.coord, o.ID, 41)
		wantCode(t, err, apperr.BadUserInput, "amount", "EXCEEDS_STOCK")
		_, err = e.svc.ReleaseStock(e.coord, o.ID, 0)
		wantCode(t, err, apperr.BadUserInput, "amount")
		if got, err = e.svc.ReleaseStock(e.coord, o.ID, 40); err != nil || got.Released != 100 {
			t.Fatalf("%+v %v", got, err)
		}
		in := input()
		in.ID, in.Stock = &o.ID, 99
		_, err = e.svc.SaveOffer(owner, in)
		wantCode(t, err, apperr.BadUserInput, "input.stock")
		in.Stock = 150
		if got, err = e.svc.SaveOffer(owner, in); err != nil || got.Stock != 150 || got.Released != 100 {
			t.Fatalf("%+v %v", got, err)
		}
	})

	t.Run("Status", func(t *testing.T) {
		visible := func() int {
			conn, err := e.svc.FindOffers(anonymous(e.larvik), OfferFilter{ProgrammeID: &p.ID}, allOf)
			if err != nil {
				t.Fatal(err)
			}
			return len(conn.Edges)
		}
		if visible() != 0 {
			t.Error("a draft is public")
		}
		if _, err := e.svc.SetOfferStatus(owner, o.ID, OfferPublished); err != nil {
			t.Fatal(err)
		}
		if visible() != 1 {
			t.Error("a published offer is not public")
		}
		_, err = e.svc.SetOfferStatus(owner, o.ID, "SOLD")
		wantCode(t, err, apperr.BadUserInput, "status")
		if _, err := e.svc.SetOfferStatus(e.coord, o.ID, OfferEnded); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.SetOfferStatus(e.coord, o.ID, OfferPublished)
		wantCode(t, err, apperr.Conflict)
		conn, err := e.svc.FindOffers(checker, OfferFilter{OrganisationID: &org}, allOf)
		if err != nil || len(conn.Edges) != 1 {
			t.Errorf("a member sees %v of its offers (%v)", conn, err)
		}
	})

	t.Run("BadInput", func(t *testing.T) {
		sf := e.municipality("sandefjord2")
		sfCoord, _ := e.as(sf, auth.RoleCardCoordinator)
		sfProg, err := e.svc.SaveProgramme(sfCoord, ProgrammeInput{Texts: []ProgrammeText{{Locale: "nb", Name: "Kort"}},
			MinAge: 2, MaxAge: 18, ValidFrom: e.today(), ValidTo: e.today().AddDate(1, 0, 0), CardsAvailable: 1, DefaultAllowance: 1})
		if err != nil {
			t.Fatal(err)
		}
		missing := uuid.New()
		tests := []struct {
			name   string
			change func(*OfferInput)
			field  string
		}{
			{"NegativeStock", func(in *OfferInput) { in.Stock = -1 }, "input.stock"},
			{"PerCardLimitZero", func(in *OfferInput) { in.PerCardLimit = 0 }, "input.perCardLimit"},
			{"AdmitsZero", func(in *OfferInput) { in.Admits = 0 }, "input.admits"},
			{"ValidityInverted", func(in *OfferInput) { in.ValidTo = in.ValidFrom.Add(-time.Hour) }, "input.validTo"},
			{"ValidityEmpty", func(in *OfferInput) { in.ValidTo = in.ValidFrom }, "input.validTo"},
			{"EventBefore", func(in *OfferInput) { ev := in.ValidFrom.Add(-time.Hour); in.EventAt = &ev }, "input.eventAt"},
			{"NegativeValue", func(in *OfferInput) { in.ValueOre = -1 }, "input.valueOre"},
			{"Source", func(in *OfferInput) { in.Source = "STOLEN" }, "input.source"},
			{"AgeInverted", func(in *OfferInput) { a, b := 12, 8; in.MinAge, in.MaxAge = &a, &b }, "input.maxAge"},
			{"NoProgrammes", func(in *OfferInput) { in.ProgrammeIDs = nil }, "input.programmeIds"},
			{"ForeignProgramme", func(in *OfferInput) { in.ProgrammeIDs = []uuid.UUID{p.ID, sfProg.ID} }, "input.programmeIds"},
			{"UnknownCategory", func(in *OfferInput) { in.CategoryID = &missing }, "input.categoryId"},
			{"UnknownOrganisation", func(in *OfferInput) { in.OrganisationID = missing }, "input.organisationId"},
			{"NoTitle", func(in *OfferInput) { in.Texts[0].Title = "" }, "input.texts[0].title"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := input()
				tt.change(&in)
				_, err := e.svc.SaveOffer(e.coord, in)
				wantCode(t, err, apperr.BadUserInput, tt.field)
			})
		}
	})
}

// organisation creates a published organisation of Larvik and returns its ID.
func (e *env) organisation(slug string) uuid.UUID {
	e.t.Helper()
	var id uuid.UUID
	err := e.db.QueryRowContext(context.Background(), "INSERT INTO organisations (municipality_id, slug, name, kind, status) VALUES (?, ?, ?, ?, 'PUBLISHED') RETURNING id",
		e.larvik.ID(), slug, slug, portal.KindCommercial).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}
