package card

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
)

// provider is an organisation of Larvik with an OWNER, approved (or not) to accept the
// card in programmes.
type provider struct {
	id    uuid.UUID
	owner context.Context
}

// provider creates an organisation with its OWNER; when approved names programmes, it
// applies to each and a coordinator approves it.
func (e *env) provider(name string, approved ...*Programme) *provider {
	e.t.Helper()
	pr := &provider{}
	err := e.db.QueryRowContext(context.Background(), `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, ?, ?, 'VOLUNTARY', 'PUBLISHED') RETURNING id`, e.larvik.ID(), fmt.Sprintf("org-%s", uuid.NewString()[:8]), name).
		Scan(&pr.id)
	if err != nil {
		e.t.Fatal(err)
	}
	var u *auth.User
	pr.owner, u = e.as(e.larvik)
	e.exec("INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, 'OWNER')",
		e.larvik.ID(), pr.id, u.ID)
	for _, p := range approved {
		if _, err := e.svc.ApplyToAcceptCard(pr.owner, p.ID, pr.id); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.svc.DecideProvider(e.coord, p.ID, pr.id, true, ""); err != nil {
			e.t.Fatal(err)
		}
	}
	return pr
}

// anonymousCard issues one anonymous card in p.
func (e *env) anonymousCard(p *Programme) *AnonymousCard {
	e.t.Helper()
	cards, err := e.svc.IssueAnonymousCards(e.coord, p.ID, 1)
	if err != nil {
		e.t.Fatal(err)
	}
	return cards[0]
}

// topUp puts ore on a card as a coordinator.
func (e *env) topUp(cardID uuid.UUID, ore int64) {
	e.t.Helper()
	if _, err := e.svc.TopUpCard(e.coord, TopUpInput{CardID: cardID, AmountOre: ore, Reason: "Kontingent for høsten"}); err != nil {
		e.t.Fatal(err)
	}
}

// invoice posts an invoice of ore from pr to the card with number.
func (e *env) invoice(pr *provider, number string, ore int64) *Invoice {
	e.t.Helper()
	inv, err := e.svc.PostInvoice(pr.owner, InvoiceInput{OrganisationID: pr.id, CardNumber: number, AmountOre: ore,
		Purpose: PurposeMembership, Reference: "1234567890", ChildFirstName: "Kari"})
	if err != nil {
		e.t.Fatal(err)
	}
	return inv
}

// balance returns a card's balance as a coordinator sees it.
func (e *env) balance(cardID uuid.UUID) int64 {
	e.t.Helper()
	b, err := e.svc.CardBalance(e.coord, cardID, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

// wantInvalid fails t unless err is BAD_USER_INPUT naming field with reason (when given).
func wantInvalid(t *testing.T, err error, field string, reason ...string) {
	t.Helper()
	wantCode(t, err, "BAD_USER_INPUT", append([]string{field}, reason...)...)
}
