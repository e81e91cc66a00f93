package card

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/tenant"
)

// spendRound makes a programme with n anonymous cards, approves the bench's provider for
// it, puts money for perCard invoices of 100 kroner on each card and posts them, and
// returns the cards and their invoices, invoice i on card i % n. The invoices are written
// in one statement: the round is set-up, not what is measured.
func (be *benchEnv) spendRound(b *testing.B, n, perCard int) ([]*AnonymousCard, []uuid.UUID) {
	b.Helper()
	ctx := context.Background()
	today := be.svc.today(be.t)
	p, err := be.svc.SaveProgramme(be.coord, ProgrammeInput{Texts: []ProgrammeText{{Locale: "nb", Name: fmt.Sprint("Penger ", n, perCard)}},
		MinAge: 2, MaxAge: 18, ValidFrom: today.AddDate(0, -1, 0), ValidTo: today.AddDate(0, 10, 0),
		CardsAvailable: n, DefaultAllowance: 5, Status: ProgrammeActive})
	if err != nil {
		b.Fatal(err)
	}
	_, err = be.db.ExecContext(ctx, `INSERT INTO card_programme_providers (programme_id, organisation_id, municipality_id,
		status, decided_at) VALUES (?, ?, ?, 'APPROVED', now())`, p.ID, be.org, be.t.ID())
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
	const ore = 10_000
	for _, a := range cards {
		for left := int64(perCard * ore); left > 0; left -= maxAmountOre {
			if _, err := be.svc.TopUpCard(be.coord, TopUpInput{CardID: a.Card.ID, AmountOre: min(left, maxAmountOre),
				Reason: "Kontingent"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	ids := make([]uuid.UUID, n)
	for i, a := range cards {
		ids[i] = a.Card.ID
	}
	var invoices []uuid.UUID
	err = be.db.NewRaw(`INSERT INTO card_invoices (id, municipality_id, card_id, programme_id, organisation_id, amount_ore,
		purpose, reference)
		SELECT uuid_generate_v7(), ?, (?::uuid[])[1 + (g - 1) % ?], ?, ?, ?, 'MEMBERSHIP', 'KID ' || g
		FROM generate_series(1, ?) g ORDER BY g RETURNING id`,
		be.t.ID(), uuidArray(ids), n, p.ID, be.org, ore, n*perCard).Scan(ctx, &invoices)
	if err != nil {
		b.Fatal(err)
	}
	return cards, invoices
}

// uuidArray renders ids as a PostgreSQL array literal.
func uuidArray(ids []uuid.UUID) string {
	s := "{"
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += id.String()
	}
	return s + "}"
}

// BenchmarkSpendContended accepts invoices against one card from many goroutines at once,
// each acceptance the whole path of a coordinator (the invoice found, the card and invoice
// locked, the balance counted, the spend, the invoice's status and its audit entry
// written), and reports spends per second. One card's spends take turns on its row lock,
// held through the commit's WAL flush: this is the worst case, a card under a storm.
// Like BenchmarkClaimContended it runs with durable commits. Run them side by side with:
// go test -run '^$' -bench 'Spend|ClaimContended' -benchtime 2000x ./internal/card/
func BenchmarkSpendContended(b *testing.B) {
	be := newBenchEnv(b)
	cards, invoices := be.spendRound(b, 1, b.N)
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := be.svc.AcceptInvoice(be.coord, invoices[next.Add(1)-1], nil, nil); err != nil {
				b.Error(err)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "spends/s")
	be.wantSpent(b, cards, b.N)
}

// BenchmarkSpendManyCards accepts one invoice on each of many anonymous cards at once,
// each acceptance the whole holder path that BenchmarkClaimContended measures for claims
// (the card's number and PIN checked and throttled, the checks, the spend and its audit
// entry), and reports spends per second.
func BenchmarkSpendManyCards(b *testing.B) {
	be := newBenchEnv(b)
	cards, invoices := be.spendRound(b, b.N, 1)
	ctx := tenant.WithTenant(context.Background(), be.t)
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			if _, err := be.svc.AcceptInvoice(ctx, invoices[i], nil, access(cards[i])); err != nil {
				b.Error(err)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "spends/s")
	be.wantSpent(b, cards, b.N)
}

// wantSpent fails b unless exactly n spends were written on cards, and none left a
// balance below zero.
func (be *benchEnv) wantSpent(b *testing.B, cards []*AnonymousCard, n int) {
	b.Helper()
	ids := make([]uuid.UUID, len(cards))
	for i, a := range cards {
		ids[i] = a.Card.ID
	}
	var spends, negative int
	err := be.db.QueryRowContext(context.Background(), `SELECT
		(SELECT count(*) FROM card_ledger_entries WHERE card_id = ANY(?::uuid[]) AND kind = 'SPEND'),
		(SELECT count(*) FROM (SELECT card_id FROM card_ledger_entries WHERE card_id = ANY(?::uuid[])
			GROUP BY card_id HAVING sum(amount_ore) < 0) x)`, uuidArray(ids), uuidArray(ids)).Scan(&spends, &negative)
	if err != nil || spends != n || negative != 0 {
		b.Fatalf("%d spends of %d, %d cards below zero: %v", spends, n, negative, err)
	}
}
