package card

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// yearlyCard is what a coordinator knows of one card of the report's programme: who issued
// it (agency "" for an anonymous card), the holder's age band, and what it was used for.
type yearlyCard struct {
	card         *Card
	agency, band string
	claimed      map[string]int   // tickets claimed, by provider
	redeemed     map[string]int   // tickets redeemed, by provider
	fees         map[string]int64 // fees paid and kept, by purpose
	reversed     bool             // paid a fee that was given back
}

func (c *yearlyCard) tookPart() bool { return len(c.redeemed) > 0 || len(c.fees) > 0 }
func (c *yearlyCard) used() bool     { return len(c.claimed) > 0 || len(c.fees) > 0 }

// yearlyFixture is a programme with cards of two agencies in several age bands and
// anonymous cards; tickets of three providers in two categories and none; fees paid to a
// fourth; all made through the services, and what was made recorded on the cards.
type yearlyFixture struct {
	e        *env
	p        *Programme
	cards    []*yearlyCard
	category map[string]string // provider -> category name ("" none)
	toppedUp int64
	topUps   int
}

const yearlyClub = "Larvik Turn"

func newYearlyFixture(t *testing.T) *yearlyFixture {
	t.Helper()
	e := newEnv(t)
	f := &yearlyFixture{e: e, category: map[string]string{"Badeland": "Idrett", "Kino": "Kultur", "Bowling": ""}}
	nav, school := e.agency("NAV Larvik"), e.agency("Skolehelsetjenesten")
	f.p = e.programme([]*Agency{nav, school})
	navCW, schoolCW := e.caseworker(nav), e.caseworker(school)
	issue := func(cw context.Context, agency string, years int, band string, n int) {
		for range n {
			got, err := e.svc.IssueCard(cw, e.recipient(f.p, years))
			if err != nil {
				t.Fatal(err)
			}
			f.cards = append(f.cards, &yearlyCard{card: got.Card, agency: agency, band: band})
		}
	}
	issue(navCW, "NAV Larvik", 10, "10-12", 9)
	issue(navCW, "NAV Larvik", 14, "13-15", 7)
	issue(navCW, "NAV Larvik", 7, "6-9", 2)
	issue(schoolCW, "Skolehelsetjenesten", 11, "10-12", 6)
	issue(schoolCW, "Skolehelsetjenesten", 16, "16-17", 1)
	for _, a := range e.anonCards(f.p, 8) {
		f.cards = append(f.cards, &yearlyCard{card: a.Card, band: anonymousBand})
	}
	for _, c := range f.cards {
		c.claimed, c.redeemed, c.fees = map[string]int{}, map[string]int{}, map[string]int64{}
	}
	f.tickets(t)
	f.payFees(t)
	return f
}

// tickets allocates tickets of three offers to the cards by a fixed pattern and redeems
// some of them at the door.
func (f *yearlyFixture) tickets(t *testing.T) {
	e := f.e
	cats := map[string]uuid.UUID{}
	for i, name := range []string{"Idrett", "Kultur"} {
		var id uuid.UUID
		err := e.db.QueryRowContext(context.Background(),
			"INSERT INTO categories (municipality_id, slug, sort_order) VALUES (?, ?, ?) RETURNING id",
			e.larvik.ID(), "kat-"+strings.ToLower(name), i).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		e.exec("INSERT INTO category_translations (category_id, municipality_id, locale, name) VALUES (?, ?, 'nb', ?)",
			id, e.larvik.ID(), name)
		cats[name] = id
	}
	type plan struct {
		provider      string
		claim, redeem func(i int) bool
	}
	plans := []plan{
		{"Badeland", func(i int) bool { return i%3 == 0 }, func(i int) bool { return i%2 == 0 }},
		{"Kino", func(i int) bool { return i%4 == 1 }, func(i int) bool { return i != 5 }},
		{"Bowling", func(i int) bool { return i%5 == 2 }, func(i int) bool { return i%10 == 2 }},
	}
	for _, pl := range plans {
		org := e.organisation(strings.ToLower(pl.provider))
		e.exec("UPDATE organisations SET name = ? WHERE id = ?", pl.provider, org)
		o := e.tkOffer(org, []*Programme{f.p}, 100, func(in *OfferInput) {
			if id, ok := cats[f.category[pl.provider]]; ok {
				in.CategoryID = &id
			}
			if pl.provider == "Kino" {
				in.Source, in.ValueOre = SourcePurchased, 9000
			}
		})
		door := e.member(org, "TICKET_CHECKER")
		for i, c := range f.cards {
			if !pl.claim(i) {
				continue
			}
			tk, err := e.svc.AllocateTicket(e.coord, c.card.ID, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			c.claimed[pl.provider]++
			if pl.redeem(i) {
				if _, err := e.svc.RedeemTicket(door, tk.Code); err != nil {
					t.Fatal(err)
				}
				c.redeemed[pl.provider]++
			}
		}
	}
}

// payFees tops up cards and pays the club's invoices from them; one is given back.
func (f *yearlyFixture) payFees(t *testing.T) {
	e := f.e
	club := e.provider(yearlyClub, f.p)
	e.exec("UPDATE organisations SET name = ? WHERE id = ?", yearlyClub, club.id)
	for _, i := range []int{0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 26, 27, 30} {
		c := f.cards[i]
		e.topUp(c.card.ID, 100_000)
		f.toppedUp, f.topUps = f.toppedUp+100_000, f.topUps+1
		purpose, ore := PurposeMembership, int64(50_000+i*100)
		if i%2 == 1 {
			purpose = PurposeEquipment
		}
		inv, err := e.svc.PostInvoice(club.owner, InvoiceInput{OrganisationID: club.id, CardNumber: c.card.Number,
			AmountOre: ore, Purpose: purpose, Reference: "KID 4711"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AcceptInvoice(e.coord, inv.ID, nil, nil); err != nil {
			t.Fatal(err)
		}
		if i == 12 {
			if _, err := e.svc.ReverseInvoice(e.coord, inv.ID, "Klubben betalte tilbake"); err != nil {
				t.Fatal(err)
			}
			c.reversed = true
			continue
		}
		c.fees[string(purpose)] += ore
	}
}

// wantCount fails t unless got is want as published: the number, or hidden as "<5" when
// want is small and "≥5" when it is not.
func wantCount(t *testing.T, what string, got Count, want int) {
	t.Helper()
	switch {
	case got.Value != nil && (*got.Value != want || want < MinCellCount):
		t.Errorf("%s = %d, want %d", what, *got.Value, want)
	case got.Value == nil && want < MinCellCount && got.Display != "<5":
		t.Errorf("%s shows %q, want <5 for %d", what, got.Display, want)
	case got.Value == nil && want >= MinCellCount && got.Display != "≥5":
		t.Errorf("%s shows %q, want ≥5 for %d", what, got.Display, want)
	}
}

// wantShown fails t unless the count is published.
func wantShown(t *testing.T, what string, got Count) {
	t.Helper()
	if got.Value == nil {
		t.Errorf("%s is hidden (%s); the report is no use without it", what, got.Display)
	}
}

// wantNoLoneHidden fails t when a published sum gives a hidden part away: the total shown
// with exactly one part hidden.
func wantNoLoneHidden(t *testing.T, what string, total Count, parts []Count) {
	t.Helper()
	hidden := 0
	for _, p := range parts {
		if p.Value == nil {
			hidden++
		}
	}
	if total.Value != nil && hidden == 1 {
		t.Errorf("%s: one hidden part of a shown total can be worked out", what)
	}
}

func TestYearlyReport(t *testing.T) {
	t.Parallel()
	f := newYearlyFixture(t)
	e := f.e
	r, err := e.svc.YearlyReport(e.coord, f.p.ID, 0, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	year := e.today().Year()
	if r.From != time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC) || r.To != time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC) ||
		r.ProgrammeName != "Aktivitetskortet" || r.MunicipalityName != "larvik kommune" {
		t.Errorf("report of %s %s to %s in %s", r.ProgrammeName, r.From, r.To, r.MunicipalityName)
	}

	t.Run("Holders", func(t *testing.T) {
		reached, took, used := map[string]int{}, map[string]int{}, 0
		for _, c := range f.cards {
			for _, k := range []string{"agency:" + c.agency, "band:" + c.band, "all"} {
				reached[k]++
				if c.tookPart() {
					took[k]++
				}
			}
			if c.used() {
				used++
			}
		}
		wantCount(t, "reached", r.HoldersReached, reached["all"])
		wantCount(t, "took part", r.HoldersTookPart, took["all"])
		wantShown(t, "reached", r.HoldersReached)
		wantShown(t, "took part", r.HoldersTookPart)
		for _, rows := range []struct {
			kind string
			rows []*YearlyHolders
		}{{"agency:", r.HoldersByAgency}, {"band:", r.HoldersByAgeBand}} {
			var parts, tookParts []Count
			for _, h := range rows.rows {
				wantCount(t, rows.kind+h.Name+" reached", h.Reached, reached[rows.kind+h.Name])
				wantCount(t, rows.kind+h.Name+" took part", h.TookPart, took[rows.kind+h.Name])
				parts, tookParts = append(parts, h.Reached), append(tookParts, h.TookPart)
			}
			wantNoLoneHidden(t, rows.kind+" reached", r.HoldersReached, parts)
			wantNoLoneHidden(t, rows.kind+" took part", r.HoldersTookPart, tookParts)
		}
		if len(r.HoldersByAgency) != 3 || r.HoldersByAgency[2].Name != "" {
			t.Errorf("agencies: %+v", r.HoldersByAgency)
		}
		wantCount(t, "cards held", r.CardsHeld, len(f.cards))
		wantCount(t, "cards issued", r.CardsIssued, len(f.cards))
		wantCount(t, "cards used", r.CardsUsed, used)
		if s := r.CardsUsedShare; s == nil || *s != float64(used)/float64(len(f.cards)) {
			t.Errorf("share used %v, want %d/%d", s, used, len(f.cards))
		}
	})

	t.Run("OnceThroughTicketAndFee", func(t *testing.T) {
		// Card 0 redeemed a ticket at the pool and paid a fee; card 12's only fee was given
		// back and it redeemed nothing.
		if c := f.cards[0]; c.redeemed["Badeland"] != 1 || len(c.fees) != 1 {
			t.Fatalf("card 0: %+v", c)
		}
		both, ticketsOnly, feesOnly := 0, 0, 0
		for _, c := range f.cards {
			switch {
			case len(c.redeemed) > 0 && len(c.fees) > 0:
				both++
			case len(c.redeemed) > 0:
				ticketsOnly++
			case len(c.fees) > 0:
				feesOnly++
			}
		}
		if both == 0 || r.HoldersTookPart.Value == nil || *r.HoldersTookPart.Value != both+ticketsOnly+feesOnly {
			t.Errorf("took part %s, want %d + %d + %d once each", r.HoldersTookPart.Display, both, ticketsOnly, feesOnly)
		}
	})

	t.Run("TicketsAndFees", func(t *testing.T) {
		claimed, redeemed, fees, feeOre := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int64{}
		for _, c := range f.cards {
			for p, n := range c.claimed {
				claimed["provider:"+p] += n
				claimed["category:"+f.category[p]] += n
				claimed["all"] += n
			}
			for p, n := range c.redeemed {
				redeemed["provider:"+p] += n
				redeemed["category:"+f.category[p]] += n
				redeemed["all"] += n
			}
			for purpose, ore := range c.fees {
				for _, k := range []string{"purpose:" + purpose, "provider:" + yearlyClub, "all"} {
					fees[k]++
					feeOre[k] += ore
				}
			}
		}
		check := func(key string, a *YearlyActivity) {
			t.Helper()
			wantCount(t, key+" claimed", a.Claimed, claimed[key])
			wantCount(t, key+" redeemed", a.Redeemed, redeemed[key])
			wantCount(t, key+" expired", a.Expired, 0)
			wantCount(t, key+" no-shows", a.NoShows, 0)
			if a.Fees != nil {
				wantCount(t, key+" fees", *a.Fees, fees[key])
				if (a.FeeOre.Ore == nil) != (a.Fees.Value == nil) || a.FeeOre.Ore != nil && *a.FeeOre.Ore != feeOre[key] {
					t.Errorf("%s fees %v øre, want %d shown with the count %s", key, a.FeeOre.Ore, feeOre[key], a.Fees.Display)
				}
			}
		}
		check("all", r.Activity)
		wantShown(t, "claimed", r.Activity.Claimed)
		wantShown(t, "fees", *r.Activity.Fees)
		var names []string
		for _, a := range r.ByProvider {
			check("provider:"+a.Name, a)
			names = append(names, a.Name)
		}
		if len(names) != 4 || names[0] != "Badeland" || names[3] != yearlyClub {
			t.Errorf("providers %v", names)
		}
		names = nil
		for _, a := range r.ByCategory {
			check("category:"+a.Name, a)
			if a.Fees != nil {
				t.Errorf("category %q has fees; an invoice has no category", a.Name)
			}
			names = append(names, a.Name)
		}
		if len(names) != 3 || names[0] != "Idrett" || names[1] != "Kultur" || names[2] != "" {
			t.Errorf("categories %q", names)
		}
		for _, fp := range r.FeesByPurpose {
			key := "purpose:" + string(fp.Purpose)
			wantCount(t, key, fp.Fees, fees[key])
			if fp.Ore.Ore != nil && *fp.Ore.Ore != feeOre[key] {
				t.Errorf("%s %d øre, want %d", key, *fp.Ore.Ore, feeOre[key])
			}
		}
	})

	t.Run("Money", func(t *testing.T) {
		var spent, tickets int64
		for _, c := range f.cards {
			for _, ore := range c.fees {
				spent += ore
			}
			tickets += int64(c.redeemed["Kino"]) * 9000
		}
		m := r.Money
		if m.ToppedUp.Ore == nil || *m.ToppedUp.Ore != f.toppedUp || m.Spent.Ore == nil || *m.Spent.Ore != spent ||
			m.Granted.Ore != nil || m.Expired.Ore != nil || m.BudgetOre != f.p.BudgetOre {
			t.Errorf("money %+v, want topped up %d, spent %d", m, f.toppedUp, spent)
		}
		if m.Tickets.Ore == nil || *m.Tickets.Ore != tickets {
			t.Errorf("purchased tickets %v, want %d", m.Tickets.Ore, tickets)
		}
		b, err := e.svc.ProgrammeBudget(e.coord, f.p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Committed.Ore == nil || *m.Committed.Ore != b.CommittedOre || *m.Left.Ore != b.LeftOre() {
			t.Errorf("committed %v left %v, want %d and %d as the budget", m.Committed.Ore, m.Left.Ore, b.CommittedOre,
				b.LeftOre())
		}
	})

	t.Run("Period", func(t *testing.T) {
		next, err := e.svc.YearlyReport(e.admin, f.p.ID, year+1, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		wantCount(t, "next year's tickets", next.Activity.Claimed, 0)
		wantCount(t, "next year's fees", *next.Activity.Fees, 0)
		today, err := e.svc.YearlyReport(e.coord, f.p.ID, 0, e.today(), e.today())
		if err != nil || today.HoldersReached.Value == nil || *today.HoldersReached.Value != len(f.cards) {
			t.Errorf("today: %+v %v", today, err)
		}
		_, err = e.svc.YearlyReport(e.coord, f.p.ID, 0, e.today(), time.Time{})
		wantInvalid(t, err, "to", "PERIOD_INCOMPLETE")
		_, err = e.svc.YearlyReport(e.coord, f.p.ID, 0, time.Time{}, e.today())
		wantInvalid(t, err, "from", "PERIOD_INCOMPLETE")
		_, err = e.svc.YearlyReport(e.coord, f.p.ID, year, e.today(), e.today())
		wantInvalid(t, err, "year", "YEAR_AND_PERIOD")
		_, err = e.svc.YearlyReport(e.coord, f.p.ID, 1999, time.Time{}, time.Time{})
		wantInvalid(t, err, "year", "YEAR_OUT_OF_RANGE")
		_, err = e.svc.YearlyReport(e.coord, f.p.ID, 0, e.today(), e.today().AddDate(0, 0, -1))
		wantInvalid(t, err, "to")
	})

	t.Run("CSV", func(t *testing.T) { testYearlyCSV(t, f, r) })
	t.Run("HTML", func(t *testing.T) { testYearlyHTML(t, f, r) })

	t.Run("Access", func(t *testing.T) {
		nav := &Agency{}
		if err := e.db.NewSelect().Model(nav).Where("name = 'NAV Larvik'").Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.YearlyReport(e.caseworker(nav), f.p.ID, 0, time.Time{}, time.Time{})
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.YearlyReport(anonymous(e.larvik), f.p.ID, 0, time.Time{}, time.Time{})
		wantCode(t, err, apperr.Unauthenticated)
		sf := e.municipality("sandefjord")
		sfCoord, _ := e.as(sf, auth.RoleCardCoordinator)
		_, err = e.svc.YearlyReport(sfCoord, f.p.ID, 0, time.Time{}, time.Time{})
		wantCode(t, err, apperr.NotFound)
	})
}
