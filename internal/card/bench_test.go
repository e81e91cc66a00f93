package card

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/tenant"
)

// benchEnv is what BenchmarkClaimContended needs: a municipality, a coordinator and a
// provider organisation (env is for tests only).
type benchEnv struct {
	db    *bun.DB
	svc   *Service
	t     *tenant.Tenant
	coord context.Context
	org   uuid.UUID
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	ctx := context.Background()
	// Durable commits (fsync and synchronous_commit on), as in production: a claim's
	// commit waits for its WAL flush, which is what bounds claims on one offer.
	db := testdb.NewDurable(b)
	t, err := tenant.NewService(db).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		b.Fatal(err)
	}
	u := &auth.User{ID: newID(), MunicipalityID: t.ID(), Email: "koordinator@example.no"}
	if _, err := db.NewInsert().Model(u).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO municipal_roles (municipality_id, user_id, role) VALUES (?, ?, ?)", t.ID(), u.ID, auth.RoleCardCoordinator); err != nil {
		b.Fatal(err)
	}
	be := &benchEnv{db: db, svc: NewService(db, testSecret, Options{}), t: t,
		coord: auth.WithViewer(tenant.WithTenant(ctx, t), &auth.Viewer{User: u, Roles: []auth.MunicipalRole{auth.RoleCardCoordinator}})}
	err = db.QueryRowContext(ctx, "INSERT INTO organisations (municipality_id, slug, name, kind, status) VALUES (?, 'badeland', 'Badeland', 'COMMERCIAL', 'PUBLISHED') RETURNING id",
		t.ID()).Scan(&be.org)
	if err != nil {
		b.Fatal(err)
	}
	return be
}

// round makes a programme with n anonymous cards and a published offer with n tickets
// released, one for each card.
func (be *benchEnv) round(b *testing.B, n int) ([]*AnonymousCard, *Offer) {
	b.Helper()
	today := be.svc.today(be.t)
	p, err := be.svc.SaveProgramme(be.coord, ProgrammeInput{Texts: []ProgrammeText{{Locale: "nb", Name: fmt.Sprint("Runde ", n)}},
		MinAge: 2, MaxAge: 18, ValidFrom: today.AddDate(0, -1, 0), ValidTo: today.AddDate(0, 10, 0),
		CardsAvailable: n, DefaultAllowance: 5, Status: ProgrammeActive})
	if err != nil {
		b.Fatal(err)
	}
	var cards []*AnonymousCard
	for len(cards) < n {
		batch, err := be.svc.IssueAnonymousCards(be.coord, p.ID, min(n-len(cards), 500))
		if err != nil {
			b.Fatal(err)
		}
		cards = append(cards, batch...)
	}
	o, err := be.svc.SaveOffer(be.coord, OfferInput{OrganisationID: be.org, ProgrammeIDs: []uuid.UUID{p.ID},
		Texts: []OfferText{{Locale: "nb", Title: "Svømmehallen"}}, Stock: n, PerCardLimit: 1, Admits: 1,
		ValidFrom: time.Now().Add(-time.Hour), ValidTo: time.Now().AddDate(0, 1, 0), ValueOre: 15000, Source: SourceDonated})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := be.svc.ReleaseStock(be.coord, o.ID, n); err != nil {
		b.Fatal(err)
	}
	if o, err = be.svc.SetOfferStatus(be.coord, o.ID, OfferPublished); err != nil {
		b.Fatal(err)
	}
	return cards, o
}

// BenchmarkClaimContended claims tickets of one offer from many anonymous cards at once,
// each claim the whole holder path (card number and PIN, the checks, the stock taken on
// the one offer row, the ticket and its audit entry), and reports claims per second.
// It runs on its own PostgreSQL cluster with fsync and synchronous_commit on
// (testdb.NewDurable), not on the tests' fast one, so every claim's commit is durable.
// Run it with: go test -run '^$' -bench ClaimContended -benchtime 2000x ./internal/card/
func BenchmarkClaimContended(b *testing.B) {
	be := newBenchEnv(b)
	cards, o := be.round(b, b.N)
	ctx := tenant.WithTenant(context.Background(), be.t)
	var next atomic.Int64
	b.SetParallelism(8) // more claims in flight than connections: they queue on the offer row
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			a := cards[next.Add(1)-1]
			if _, err := be.svc.ClaimTicket(ctx, a.Card.ID, o.ID, access(a)); err != nil {
				b.Error(err)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "claims/s")
	var claimed int
	err := be.db.QueryRowContext(context.Background(),
		"SELECT sum(claimed) FROM card_offer_stock_slots WHERE offer_id = ?", o.ID).Scan(&claimed)
	if err != nil || claimed != b.N {
		b.Fatalf("claimed %d of %d: %v", claimed, b.N, err)
	}
}

// BenchmarkIssueCardsFromSheet issues cards from a CSV sheet of 2,000 children (pairs of
// siblings with a guardian in common), the largest a sheet may be: reading the file, the
// checks of every row and the writes, in one transaction. It reports rows per second.
// Run it with: go test -run '^$' -bench IssueCardsFromSheet -benchtime 3x ./internal/card/
func BenchmarkIssueCardsFromSheet(b *testing.B) {
	ctx := context.Background()
	db := testdb.New(b)
	t, err := tenant.NewService(db).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		b.Fatal(err)
	}
	svc := NewService(db, testSecret, Options{})
	as := func(role auth.MunicipalRole) context.Context {
		u := &auth.User{ID: newID(), MunicipalityID: t.ID(), Email: strings.ToLower(strings.ReplaceAll(string(role), "_", "")) + "@example.no"}
		if _, err := db.NewInsert().Model(u).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		return auth.WithViewer(tenant.WithTenant(ctx, t), &auth.Viewer{User: u, Roles: []auth.MunicipalRole{role}})
	}
	coord, cw := as(auth.RoleCardCoordinator), as(auth.RoleCaseworker)
	ag, err := svc.SaveAgency(coord, AgencyInput{Name: "NAV Larvik", Kind: AgencyNAV})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO card_caseworkers (user_id, municipality_id, agency_id) VALUES (?, ?, ?)",
		auth.ViewerFrom(cw).User.ID, t.ID(), ag.ID); err != nil {
		b.Fatal(err)
	}
	today := svc.today(t)
	const rows = 2000
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		p, err := svc.SaveProgramme(coord, ProgrammeInput{Texts: []ProgrammeText{{Locale: "nb", Name: fmt.Sprint("Runde ", i)}},
			MinAge: 2, MaxAge: 18, ValidFrom: today.AddDate(0, -1, 0), ValidTo: today.AddDate(0, 10, 0),
			CardsAvailable: rows, DefaultAllowance: 5, Status: ProgrammeActive, AgencyIDs: []uuid.UUID{ag.ID}})
		if err != nil {
			b.Fatal(err)
		}
		var sheet bytes.Buffer
		sheet.WriteString("Fødselsnummer;Fornavn;Fødselsdato;Foresatte\n")
		var guardian string
		for j := range rows {
			birth := today.AddDate(-3-j%14, 0, -j%300)
			if j%2 == 0 {
				guardian = idNumber(b, time.Date(1980+j%20, time.Month(1+j%12), 1+j%28, 0, 0, 0, 0, time.UTC))
			}
			fmt.Fprintf(&sheet, "%s;Barn %d;%s;%s\n", idNumber(b, birth), j, birth.Format("02.01.2006"), guardian)
		}
		b.StartTimer()
		r, err := svc.IssueCardsFromSheet(cw, p.ID, &sheet, false)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(r.Issued()); n != rows {
			b.Fatalf("%d cards issued, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
}
