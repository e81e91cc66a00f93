package card

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/tenant"
)

// yearlyBenchRound makes a programme of a year's size: cards personal cards from three
// agencies in five age bands (the rest anonymous), offers of four providers in three
// categories, tickets in every status, a grant on every card, top-ups, and fees paid. The
// offers, agencies and anonymous cards go through the services; the people, personal
// cards, tickets and the ledger are written in a few statements: they are set-up, not
// what is measured.
func yearlyBenchRound(b *testing.B, cards, anonymous, tickets int) (*Service, context.Context, *Programme) {
	b.Helper()
	ctx := context.Background()
	db := testdb.New(b)
	t, err := tenant.NewService(db).CreateMunicipality(ctx,
		tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		b.Fatal(err)
	}
	u := &auth.User{ID: newID(), MunicipalityID: t.ID(), Email: "koordinator@example.no"}
	if _, err := db.NewInsert().Model(u).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	coord := auth.WithViewer(tenant.WithTenant(ctx, t),
		&auth.Viewer{User: u, Roles: []auth.MunicipalRole{auth.RoleCardCoordinator}})
	svc := NewService(db, testSecret, Options{})
	exec := func(q string, args ...any) {
		b.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	var agencies []uuid.UUID
	for _, name := range []string{"NAV Larvik", "Skolehelsetjenesten", "Barnevernet"} {
		a, err := svc.SaveAgency(coord, AgencyInput{Name: name, Kind: AgencyNAV})
		if err != nil {
			b.Fatal(err)
		}
		agencies = append(agencies, a.ID)
	}
	today := svc.today(t)
	p, err := svc.SaveProgramme(coord, ProgrammeInput{Texts: []ProgrammeText{{Locale: "nb", Name: "Aktivitetskortet"}},
		MinAge: 2, MaxAge: 18, ValidFrom: today.AddDate(0, -1, 0), ValidTo: today.AddDate(0, 10, 0), AgencyIDs: agencies,
		CardsAvailable: cards, BudgetOre: 200_000_000, DefaultAllowance: 50, Status: ProgrammeActive})
	if err != nil {
		b.Fatal(err)
	}
	var categories []uuid.UUID
	for i, slug := range []string{"idrett", "kultur", "friluft"} {
		var id uuid.UUID
		if err := db.QueryRowContext(ctx,
			"INSERT INTO categories (municipality_id, slug, sort_order) VALUES (?, ?, ?) RETURNING id",
			t.ID(), slug, i).Scan(&id); err != nil {
			b.Fatal(err)
		}
		categories = append(categories, id)
	}
	var offers []uuid.UUID
	for i := range 4 {
		var org uuid.UUID
		if err := db.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
			VALUES (?, ?, ?, 'VOLUNTARY', 'PUBLISHED') RETURNING id`, t.ID(), fmt.Sprint("lag-", i), fmt.Sprint("Lag ", i)).
			Scan(&org); err != nil {
			b.Fatal(err)
		}
		exec(`INSERT INTO card_programme_providers (programme_id, organisation_id, municipality_id, status, decided_at)
			VALUES (?, ?, ?, 'APPROVED', now())`, p.ID, org, t.ID())
		for j := range 5 {
			in := OfferInput{OrganisationID: org, ProgrammeIDs: []uuid.UUID{p.ID}, CategoryID: &categories[(i+j)%3],
				Texts: []OfferText{{Locale: "nb", Title: fmt.Sprint("Tilbud ", i, j)}}, Stock: tickets, PerCardLimit: 10,
				Admits: 1, ValidFrom: time.Now().Add(-time.Hour), ValidTo: time.Now().AddDate(0, 1, 0), ValueOre: 9000,
				Source: []OfferSource{SourceDonated, SourcePurchased}[j%2]}
			o, err := svc.SaveOffer(coord, in)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.ReleaseStock(coord, o.ID, tickets); err != nil {
				b.Fatal(err)
			}
			offers = append(offers, o.ID)
		}
	}
	if _, err := svc.IssueAnonymousCards(coord, p.ID, anonymous); err != nil {
		b.Fatal(err)
	}
	// The personal cards, each with its holder.
	exec(`WITH people AS (
			INSERT INTO card_persons (municipality_id, identity_key, given_name, birth_date)
			SELECT ?0, sha256(convert_to('person ' || g, 'UTF8')), 'Kari', date '2015-01-01'
			FROM generate_series(1, ?1) g RETURNING id
		), numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS g FROM people)
		INSERT INTO cards (municipality_id, programme_id, kind, holder_id, number, valid_from, valid_to, allowance,
			agency_id, age_band)
		SELECT ?0, ?2, 'PERSONAL', id, 'P' || lpad(g::text, 8, '0'), ?3::date, ?4::date, 50,
			(?5::uuid[])[1 + g % 3], (ARRAY['6-9', '10-12', '13-15', '16-17', '0-5'])[1 + g % 5]
		FROM numbered`, t.ID(), cards-anonymous, p.ID, sqlDate(today.AddDate(0, -1, 0)), sqlDate(today.AddDate(0, 10, 0)),
		uuidArray(agencies))
	var cardIDs []uuid.UUID
	if err := db.NewSelect().Table("cards").Column("id").Where("programme_id = ?", p.ID).OrderExpr("id").
		Scan(ctx, &cardIDs); err != nil {
		b.Fatal(err)
	}
	// Tickets in every status: six in ten redeemed, one expired, one cancelled, two open.
	exec(`INSERT INTO card_tickets (municipality_id, card_id, offer_id, code, admits, status, claimed_at, expires_at,
			redeemed_at, cancelled_at, value_ore, source, stock_slot)
		SELECT ?0, (?1::uuid[])[1 + g % ?2], o.id, 'T' || lpad(g::text, 10, '0'), 1,
			(ARRAY['REDEEMED', 'REDEEMED', 'REDEEMED', 'REDEEMED', 'REDEEMED', 'REDEEMED', 'EXPIRED', 'CANCELLED',
				'CLAIMED', 'CLAIMED'])[1 + g % 10],
			now() - interval '2 hours', CASE WHEN g % 10 = 6 THEN now() - interval '1 hour' ELSE now() + interval '1 month' END,
			CASE WHEN g % 10 < 6 THEN now() - interval '1 hour' END, CASE WHEN g % 10 = 7 THEN now() - interval '1 hour' END,
			o.value_ore, o.source, 0
		FROM generate_series(1, ?3) g JOIN card_offers o ON o.id = (?4::uuid[])[1 + g % ?5]`,
		t.ID(), uuidArray(cardIDs), len(cardIDs), tickets, uuidArray(offers), len(offers))
	// A grant on every card, a top-up on every third, and a fee paid from every other.
	exec(`INSERT INTO card_ledger_entries (municipality_id, card_id, programme_id, kind, amount_ore, period, use_by)
		SELECT ?0, id, ?1, 'GRANT', 100000, ?2, ?3::date FROM cards WHERE programme_id = ?1`,
		t.ID(), p.ID, fmt.Sprint(today.Year()), sqlDate(today.AddDate(0, 10, 0)))
	exec(`INSERT INTO card_ledger_entries (municipality_id, card_id, programme_id, kind, amount_ore, use_by, note)
		SELECT ?0, id, ?1, 'TOP_UP', 50000, ?2::date, 'Kontingent'
		FROM (SELECT id, row_number() OVER (ORDER BY id) AS g FROM cards WHERE programme_id = ?1) c WHERE g % 3 = 0`,
		t.ID(), p.ID, sqlDate(today.AddDate(0, 10, 0)))
	exec(`WITH inv AS (
			INSERT INTO card_invoices (municipality_id, card_id, programme_id, organisation_id, amount_ore, purpose,
				reference, status, accepted_ore, decided_at)
			SELECT ?0, c.id, ?1, (SELECT organisation_id FROM card_offers WHERE id = (?2::uuid[])[1 + g % 20]), 60000,
				(ARRAY['MEMBERSHIP', 'EQUIPMENT', 'CUP'])[1 + g % 3], 'KID ' || g, 'ACCEPTED', 60000, now()
			FROM (SELECT id, row_number() OVER (ORDER BY id) AS g FROM cards WHERE programme_id = ?1) c WHERE g % 2 = 0
			RETURNING id, card_id
		)
		INSERT INTO card_ledger_entries (municipality_id, card_id, programme_id, kind, amount_ore, invoice_id)
		SELECT ?0, card_id, ?1, 'SPEND', -60000, id FROM inv`, t.ID(), p.ID, uuidArray(offers))
	exec("ANALYZE")
	return svc, coord, p
}

// BenchmarkYearlyReport counts a programme's whole yearly report (every section, its
// suppression included) for 1,000 cards and 10,000 tickets, with a grant on every card,
// top-ups and 500 fees. The goal: under a second. Run it with:
// go test -run '^$' -bench BenchmarkYearlyReport ./internal/card/
func BenchmarkYearlyReport(b *testing.B) {
	svc, coord, p := yearlyBenchRound(b, 1000, 200, 10_000)
	r, err := svc.YearlyReport(coord, p.ID, 0, time.Time{}, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	if r.HoldersReached.Value == nil || *r.HoldersReached.Value != 1000 || r.Activity.Claimed.Value == nil ||
		*r.Activity.Claimed.Value != 10_000 || r.Activity.Fees.Value == nil || *r.Activity.Fees.Value != 500 {
		b.Fatalf("the report counts %s holders, %s tickets, %s fees", r.HoldersReached.Display,
			r.Activity.Claimed.Display, r.Activity.Fees.Display)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.YearlyReport(coord, p.ID, 0, time.Time{}, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}
