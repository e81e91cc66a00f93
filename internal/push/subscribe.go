package push

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// Subscription is a push subscription as its owner sees it.
type Subscription struct {
	ID       uuid.UUID `bun:"id"`
	Endpoint string    `bun:"endpoint"`
	// Locale is the language its messages are written in.
	Locale    string    `bun:"locale"`
	CreatedAt time.Time `bun:"created_at"`
}

// anchor is what a subscription hangs on: a resident owner (device or person) or a card.
type anchor struct {
	column string // "owner_id" or "card_id"
	table  string // the anchor's table, whose row is locked while the limit is counted
	id     uuid.UUID
}

// Subscribe keeps a push subscription for the caller: the device whose token the request
// carries, or the resident signed in with ID-porten (as myThings). Subscribing an endpoint
// again replaces its keys and language (the request's). Errors: PUSH_NOT_AVAILABLE (field
// "subscribePush"), UNAUTHENTICATED, FORBIDDEN (as myThings), BAD_USER_INPUT naming
// "input.endpoint", "input.p256dh" or "input.auth", or "input.endpoint" with reason
// TOO_MANY at the limit.
func (s *Service) Subscribe(ctx context.Context, in SubscriptionInput) (*Subscription, error) {
	if err := s.requireAvailable("subscribePush"); err != nil {
		return nil, err
	}
	k, err := parseSubscription(in, "input", s.allowPrivate)
	if err != nil {
		return nil, err
	}
	// SECURITY: the caller subscribes only itself: the device of the request's own token,
	// or the person of the request's own ID token, in the request's municipality.
	owner, err := s.residents.CurrentOwner(ctx, true)
	if err != nil {
		return nil, err
	}
	return s.keep(ctx, anchor{column: "owner_id", table: "resident_owners", id: owner}, k)
}

// Unsubscribe removes the caller's (as Subscribe) subscription with endpoint, and reports
// whether there was one. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) Unsubscribe(ctx context.Context, endpoint string) (bool, error) {
	// SECURITY: only the caller's own subscriptions.
	owner, err := s.residents.CurrentOwner(ctx, false)
	if err != nil || owner == uuid.Nil {
		return false, err
	}
	return s.remove(ctx, anchor{column: "owner_id", id: owner}, endpoint)
}

// SubscribeCard keeps a push subscription for the anonymous card with number and PIN:
// its holder hears of its tickets (about to expire, a place from a waiting list, new
// offers, refills) with nothing personal kept. Errors: PUSH_NOT_AVAILABLE (field
// "subscribeCardPush"), NOT_FOUND (an unknown number or a wrong PIN, alike), RATE_LIMITED
// (the card's PIN throttle), BAD_USER_INPUT as Subscribe.
func (s *Service) SubscribeCard(ctx context.Context, number, pin string, in SubscriptionInput) (*Subscription, error) {
	if err := s.requireAvailable("subscribeCardPush"); err != nil {
		return nil, err
	}
	k, err := parseSubscription(in, "input", s.allowPrivate)
	if err != nil {
		return nil, err
	}
	// SECURITY: the card's number and PIN, through the card service's check and throttle
	// (per number and per client address), in the request's municipality.
	c, err := s.cards.CardByNumber(ctx, number, pin)
	if err != nil {
		return nil, err
	}
	return s.keep(ctx, anchor{column: "card_id", table: "cards", id: c.ID}, k)
}

// UnsubscribeCard removes the subscription with endpoint of the anonymous card with number
// and PIN, and reports whether there was one. Errors: NOT_FOUND, RATE_LIMITED (as
// SubscribeCard).
func (s *Service) UnsubscribeCard(ctx context.Context, number, pin, endpoint string) (bool, error) {
	// SECURITY: the card's number and PIN, as SubscribeCard.
	c, err := s.cards.CardByNumber(ctx, number, pin)
	if err != nil {
		return false, err
	}
	return s.remove(ctx, anchor{column: "card_id", id: c.ID}, endpoint)
}

// keep inserts or updates the subscription k of anchor a, counting a's others against the
// limit with a's row locked, so that requests arriving at once cannot pass it.
func (s *Service) keep(ctx context.Context, a anchor, k *keys) (*Subscription, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	locale := i18n.FromContext(ctx).Code
	sub := new(Subscription)
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := s.underLimit(ctx, tx, a, k.Endpoint); err != nil {
			return err
		}
		err := tx.NewRaw(`INSERT INTO push_subscriptions AS s (municipality_id, `+a.column+`, endpoint, p256dh,
			auth, locale, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (`+a.column+`, endpoint) WHERE `+a.column+` IS NOT NULL DO UPDATE
			SET p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, locale = EXCLUDED.locale
			RETURNING s.id, s.endpoint, s.locale, s.created_at`,
			t.ID(), a.id, k.Endpoint, k.P256dh, k.Auth, locale, s.now()).Scan(ctx, sub)
		return database.MapError(err, "keep push subscription", "input")
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// underLimit locks a's row and returns BAD_USER_INPUT (reason TOO_MANY) naming
// "input.endpoint" when a has as many other subscriptions as allowed.
func (s *Service) underLimit(ctx context.Context, tx bun.Tx, a anchor, endpoint string) error {
	if _, err := tx.ExecContext(ctx, "SELECT 1 FROM "+a.table+" WHERE id = ? FOR NO KEY UPDATE", a.id); err != nil {
		return database.MapError(err, "lock push subscriber", "input")
	}
	var n int
	err := tx.NewSelect().Table("push_subscriptions").ColumnExpr("count(*)").
		Where(a.column+" = ? AND endpoint <> ?", a.id, endpoint).Scan(ctx, &n)
	if err != nil {
		return database.MapError(err, "count push subscriptions", "input")
	}
	if max := s.maxPerAnchor(); n >= max {
		return apperr.Invalid("input.endpoint", "PushTooMany", map[string]any{"Max": max}).WithReason("TOO_MANY")
	}
	return nil
}

// remove deletes a's subscription with endpoint and reports whether there was one.
func (s *Service) remove(ctx context.Context, a anchor, endpoint string) (bool, error) {
	res, err := s.db.NewDelete().Table("push_subscriptions").
		Where(a.column+" = ? AND endpoint = ?", a.id, endpoint).Exec(ctx)
	if err != nil {
		return false, database.MapError(err, "remove push subscription", "endpoint")
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// FindSubscriptions returns the caller's (as Subscribe) subscriptions, newest first.
// Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindSubscriptions(ctx context.Context) ([]*Subscription, error) {
	// SECURITY: only the caller's own subscriptions.
	owner, err := s.residents.CurrentOwner(ctx, false)
	if err != nil {
		return nil, err
	}
	out := []*Subscription{}
	if owner == uuid.Nil {
		return out, nil
	}
	err = s.db.NewSelect().Table("push_subscriptions").Column("id", "endpoint", "locale", "created_at").
		Where("owner_id = ?", owner).OrderExpr("created_at DESC, id").Scan(ctx, &out)
	return out, database.MapError(err, "find push subscriptions", "pushSubscriptions")
}

// ReportSubscriptions returns the subscriptions of resident owner id (a person's, for a
// data-subject report), newest first. Administrators only, of the owner's municipality.
// Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) ReportSubscriptions(ctx context.Context, id uuid.UUID) ([]*Subscription, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: only an administrator answers data-subject requests, in their municipality.
	if _, err := auth.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	out := []*Subscription{}
	err = s.db.NewSelect().Table("push_subscriptions").Column("id", "endpoint", "locale", "created_at").
		Where("owner_id = ? AND municipality_id = ?", id, t.ID()).OrderExpr("created_at DESC, id").Scan(ctx, &out)
	return out, database.MapError(err, "find push subscriptions", "pushSubscriptions")
}
