package newsletter

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"io"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// Outcome is what an incoming message did.
type Outcome string

// The outcomes.
const (
	// Ignored: not a hard bounce, complaint or unsubscription, or no delivery of fritid's.
	Ignored Outcome = "IGNORED"
	// Bounced: a hard bounce; the address's subscriptions in the municipality ended.
	Bounced Outcome = "BOUNCED"
	// Complained: a complaint (marked as spam); the address's subscriptions ended.
	Complained Outcome = "COMPLAINED"
	// Unsubscribed: a message to a mailto: unsubscribe address; the subscription ended.
	Unsubscribed Outcome = "UNSUBSCRIBED"
)

// ReceiveMail takes one message the mail server received for a return path or a mailto:
// unsubscribe address (raw RFC 5322 in body; recipient, the envelope recipient, may be
// empty) and acts on it: a hard bounce or a complaint ends every subscription of the
// address in the municipality of the delivery, keeps its keyed hash for every list (reason
// BOUNCED or COMPLAINED) and counts it for the campaign once; a message to a mailto:
// unsubscribe address ends that subscription as the unsubscribe link does. Anything else,
// and a token that is not fritid's, is Ignored. Nothing of the message is kept or logged.
// Errors: NOT_FOUND when no inbound secret is configured, UNAUTHENTICATED for a wrong
// secret.
func (s *Service) ReceiveMail(ctx context.Context, secret, recipient string, body io.Reader) (Outcome, error) {
	if s.InboundSecret == "" {
		return "", apperr.New(apperr.NotFound, "")
	}
	// SECURITY: only the mail server, holding the shared secret, hands mail in; compared
	// in constant time (over hashes, so the length does not show either).
	got, want := sha256.Sum256([]byte(secret)), sha256.Sum256([]byte(s.InboundSecret))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return "", apperr.New(apperr.Unauthenticated, "")
	}
	rep := parseReport(recipient, body)
	// SECURITY: only a token fritid signed names a delivery; a forged one names none.
	tok, ok := s.reportToken(rep)
	switch {
	case !ok:
		return Ignored, nil
	case tok.kind == kindUnsubscribe:
		return s.unsubscribeDelivery(ctx, tok.delivery)
	case rep.complaint:
		return s.returned(ctx, tok, Complained)
	case rep.hard:
		return s.returned(ctx, tok, Bounced)
	}
	return Ignored, nil
}

// reportToken returns the first of rep's tokens that fritid signed: one of the addresses
// the message came to, else (a return path only) one of the returned original.
func (s *Service) reportToken(rep report) (returnToken, bool) {
	for _, text := range rep.to {
		if t, ok := s.openReturn(text); ok {
			return t, true
		}
	}
	for _, text := range rep.returned {
		if t, ok := s.openReturn(text); ok && t.kind != kindUnsubscribe {
			return t, true
		}
	}
	return returnToken{}, false
}

// delivery is what a delivery's number names.
type delivery struct {
	MunicipalityID uuid.UUID `bun:"municipality_id"`
	CampaignID     uuid.UUID `bun:"campaign_id"`
	SubscriberID   uuid.UUID `bun:"subscriber_id"`
}

// findDelivery returns delivery number, or nil when there is none (its campaign deleted).
func findDelivery(ctx context.Context, db bun.IDB, number int64) (*delivery, error) {
	d := new(delivery)
	err := db.NewSelect().TableExpr("newsletter_deliveries").Column("municipality_id", "campaign_id", "subscriber_id").
		Where("number = ?", number).Scan(ctx, d)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return d, database.MapError(err, "find delivery", "recipient")
}

// unsubscribeDelivery ends the subscription delivery number went to, counting it for its
// campaign.
func (s *Service) unsubscribeDelivery(ctx context.Context, number int64) (Outcome, error) {
	d, err := findDelivery(ctx, s.db, number)
	if err != nil || d == nil {
		return Ignored, err
	}
	ended, err := s.unsubscribe(ctx, d.MunicipalityID, d.SubscriberID, d.CampaignID)
	if err != nil || !ended {
		return Ignored, err
	}
	return Unsubscribed, nil
}

// returned acts on a hard bounce or complaint (outcome) of the e-mail with token tok.
func (s *Service) returned(ctx context.Context, tok returnToken, outcome Outcome) (Outcome, error) {
	d := &delivery{SubscriberID: tok.subscriber}
	if tok.kind == kindBounce {
		var err error
		if d, err = findDelivery(ctx, s.db, tok.delivery); err != nil || d == nil {
			return Ignored, err
		}
	}
	result := Ignored
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		counted, err := countReturned(ctx, tx, tok, outcome)
		if err != nil {
			return err
		}
		ended, err := s.endReturned(ctx, tx, d, outcome)
		if err != nil {
			return err
		}
		if counted || ended {
			result = outcome
		}
		return nil
	})
	return result, err
}

// countReturned marks the delivery of tok (a campaign e-mail's) as returned with outcome,
// once, and reports whether it did.
func countReturned(ctx context.Context, tx bun.IDB, tok returnToken, outcome Outcome) (bool, error) {
	if tok.kind != kindBounce {
		return false, nil
	}
	res, err := tx.NewUpdate().TableExpr("newsletter_deliveries").Set("returned = ?", string(outcome)).
		Where("number = ? AND returned IS NULL", tok.delivery).Exec(ctx)
	if err != nil {
		return false, database.MapError(err, "count returned mail", "recipient")
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// endReturned ends every subscription in the municipality of the address d went to, if it
// is still subscribed (a subscriber found by id alone when d names no municipality), and
// audit-logs it without the address. It reports whether any ended.
func (s *Service) endReturned(ctx context.Context, tx bun.IDB, d *delivery, outcome Outcome) (bool, error) {
	sub := new(Subscriber)
	q := tx.NewSelect().Model(sub).Column("municipality_id", "email").Where("s.id = ?", d.SubscriberID)
	if d.MunicipalityID != uuid.Nil {
		q = q.Where("s.municipality_id = ?", d.MunicipalityID)
	}
	if err := q.Scan(ctx); errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, database.MapError(err, "find subscriber", "recipient")
	}
	n, err := s.bounce(ctx, tx, sub.MunicipalityID, sub.Email, outcome == Complained)
	if err != nil || n == 0 {
		return false, err
	}
	action := "newsletter_bounced"
	if outcome == Complained {
		action = "newsletter_complained"
	}
	return true, audit.Append(ctx, tx, &audit.Entry{MunicipalityID: sub.MunicipalityID, Action: action,
		ItemType: "NewsletterSubscriber"})
}
