package card

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/database"
)

// Notices to holders, opt-in only: the news a card's holder hears of, by e-mail or text
// message to the address or phone number a holder or guardian left for the card and
// confirmed (NoticeContact), and through Push, the hook of the resident app's push
// messages, which also reaches anonymous cards without any personal data.

// NoticeKind is a kind of news a holder may ask to hear of.
type NoticeKind string

// The kinds of notice.
const (
	// NoticeNewOffers: an offer was published that the card may claim (the holder's age
	// and programme).
	NoticeNewOffers NoticeKind = "NEW_OFFERS"
	// NoticeTicketExpiring: a claimed ticket expires soon, unused.
	NoticeTicketExpiring NoticeKind = "TICKET_EXPIRING"
	// NoticeWaitingPlace: a place from a waiting list is held for the card.
	NoticeWaitingPlace NoticeKind = "WAITING_PLACE"
	// NoticeRefill: money was put on the card's balance.
	NoticeRefill NoticeKind = "REFILL"
)

func (k NoticeKind) valid() bool {
	switch k {
	case NoticeNewOffers, NoticeTicketExpiring, NoticeWaitingPlace, NoticeRefill:
		return true
	}
	return false
}

// template names the notice's texts: "Mail<template>Subject" and "...Body" for an
// e-mail, "Sms<template>" for a text message.
func (k NoticeKind) template() string {
	switch k {
	case NoticeNewOffers:
		return "CardNewOffer"
	case NoticeTicketExpiring:
		return "CardTicketExpiring"
	case NoticeWaitingPlace:
		return "CardWaitingPlace"
	}
	return "CardRefill"
}

// Notice is one piece of news for a card's holder.
type Notice struct {
	Kind           NoticeKind
	MunicipalityID uuid.UUID
	CardID         uuid.UUID
	// OfferID is the offer the news is about, if any; TicketID the ticket.
	OfferID  *uuid.UUID
	TicketID *uuid.UUID
	// Until is the deadline of the news: when the ticket expires, until when the place is
	// held.
	Until *time.Time
	// AmountOre is what a refill put on the card.
	AmountOre int64
}

// PushNotifier hears every notice, to every card whether it has an e-mail address or not,
// in the transaction of the change that causes it: the resident app's push messages hook
// in here. It must take nothing further than the notice carries (no personal data).
type PushNotifier interface {
	NotifyCard(ctx context.Context, tx bun.IDB, n *Notice) error
}

// notify hands n to Push, and e-mails or texts it, in the same transaction, to the card's
// confirmed address or number when it asked for n's kind, in its language.
func (s *Service) notify(ctx context.Context, tx bun.IDB, n *Notice) error {
	if s.Push != nil {
		if err := s.Push.NotifyCard(ctx, tx, n); err != nil {
			return err
		}
	}
	var to struct {
		Email         string `bun:"email"`
		Phone         string `bun:"phone"`
		Locale        string `bun:"locale"`
		Municipality  string `bun:"name"`
		TimeZone      string `bun:"time_zone"`
		DefaultLocale string `bun:"default_locale"`
	}
	err := tx.NewSelect().TableExpr("card_notice_contacts AS nc").
		ColumnExpr("coalesce(nc.email, '') AS email, coalesce(nc.phone, '') AS phone").
		ColumnExpr("nc.locale, m.name, m.time_zone, m.default_locale").
		Join("JOIN municipalities AS m ON m.id = nc.municipality_id").
		Where("nc.card_id = ? AND nc.municipality_id = ?", n.CardID, n.MunicipalityID).
		Where("nc.confirmed_at IS NOT NULL AND ? = ANY(nc.notices)", n.Kind).Scan(ctx, &to)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return database.MapError(err, "find notice address", "card")
	}
	data := map[string]any{"Municipality": to.Municipality, "Link": s.PublicURL}
	if n.OfferID != nil {
		if data["Offer"], err = offerTitle(ctx, tx, *n.OfferID, to.Locale, to.DefaultLocale); err != nil {
			return err
		}
	}
	if n.Until != nil {
		data["Until"] = localTime(*n.Until, to.TimeZone)
	}
	if n.Kind == NoticeRefill {
		data["Amount"] = fmt.Sprintf("%d,%02d", n.AmountOre/100, n.AmountOre%100)
	}
	c := &NoticeContact{Email: to.Email, Phone: to.Phone}
	return mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: n.MunicipalityID, Channel: c.channel(),
		Template: n.Kind.template(), To: c.address(), Locale: to.Locale, Data: data})
}

// offerTitle returns the offer's title in locale, else in the municipality's default
// locale, else in its first language.
func offerTitle(ctx context.Context, db bun.IDB, offerID uuid.UUID, locale, fallback string) (string, error) {
	var title string
	err := db.NewSelect().Table("card_offer_translations").Column("title").Where("offer_id = ?", offerID).
		OrderExpr("locale = ? DESC, locale = ? DESC, locale", locale, fallback).Limit(1).Scan(ctx, &title)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", database.MapError(err, "find offer title", "offer")
	}
	return title, nil
}

// localTime formats t in the time zone zone, as a day and a time.
func localTime(t time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	return t.In(loc).Format("02.01.2006 15:04")
}

// NotifyRefill tells a card's holder (when they asked to hear of refills) that amountOre
// was put on the card's balance, on tx, the transaction of the refill: for the card's
// ledger to call.
func (s *Service) NotifyRefill(ctx context.Context, tx bun.IDB, municipalityID, cardID uuid.UUID, amountOre int64) error {
	return s.notify(ctx, tx, &Notice{Kind: NoticeRefill, MunicipalityID: municipalityID, CardID: cardID,
		AmountOre: amountOre})
}

// reminderBatch is how many tickets one statement of the reminders takes.
const reminderBatch = 1000

// remindTickets tells the holders of the claimed tickets that expire within the reminder
// lead after now, once each, and returns how many were reminded. A ticket claimed within
// the lead of its expiry is not: its holder has just seen when it expires.
func (s *Service) remindTickets(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		var due []struct {
			ID             uuid.UUID `bun:"id"`
			MunicipalityID uuid.UUID `bun:"municipality_id"`
			CardID         uuid.UUID `bun:"card_id"`
			OfferID        uuid.UUID `bun:"offer_id"`
			ExpiresAt      time.Time `bun:"expires_at"`
			Asked          bool      `bun:"asked"`
		}
		err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
			due = due[:0]
			err := tx.NewRaw(`WITH due AS (
					UPDATE card_tickets SET reminded_at = ?0
					WHERE id IN (SELECT id FROM card_tickets WHERE status = 'CLAIMED' AND reminded_at IS NULL
						AND expires_at > ?0 AND expires_at <= ?1 AND claimed_at < expires_at - ?2::interval
						ORDER BY expires_at LIMIT ?3 FOR UPDATE SKIP LOCKED)
					RETURNING id, municipality_id, card_id, offer_id, expires_at)
				SELECT due.*, EXISTS (SELECT 1 FROM card_notice_contacts nc WHERE nc.card_id = due.card_id
					AND nc.confirmed_at IS NOT NULL AND 'TICKET_EXPIRING' = ANY(nc.notices)) AS asked FROM due`,
				now, now.Add(s.opt.ReminderLead), fmt.Sprintf("%d seconds", int(s.opt.ReminderLead.Seconds())),
				reminderBatch).Scan(ctx, &due)
			if err != nil {
				return database.MapError(err, "find tickets to remind", "ticket")
			}
			for _, d := range due {
				if !d.Asked && s.Push == nil {
					continue
				}
				err := s.notify(ctx, tx, &Notice{Kind: NoticeTicketExpiring, MunicipalityID: d.MunicipalityID,
					CardID: d.CardID, OfferID: &d.OfferID, TicketID: &d.ID, Until: &d.ExpiresAt})
				if err != nil {
					return err
				}
			}
			return nil
		})
		total += len(due)
		if err != nil || len(due) < reminderBatch {
			return total, err
		}
	}
}

// eraseNoticeContacts deletes the notice addresses and push subscriptions of the cards of
// persons ids and of the children they are guardians of (who left an address is not kept),
// on tx, the erasure's transaction.
func eraseNoticeContacts(ctx context.Context, tx bun.IDB, ids []uuid.UUID) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM card_notice_contacts WHERE card_id IN (SELECT id FROM cards
		WHERE holder_id IN (?0) OR holder_id IN (SELECT child_id FROM card_guardianships WHERE guardian_id IN (?0)))`,
		bun.In(ids))
	if err != nil {
		return database.MapError(err, "erase notice addresses", "card")
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM push_subscriptions WHERE card_id IN (SELECT id FROM cards
		WHERE holder_id IN (?0) OR holder_id IN (SELECT child_id FROM card_guardianships WHERE guardian_id IN (?0)))`,
		bun.In(ids))
	return database.MapError(err, "erase push subscriptions", "card")
}

// eraseStaleNoticeContacts deletes the notice addresses of cards that ended before cutoff,
// and those never confirmed whose link has expired by now.
func eraseStaleNoticeContacts(ctx context.Context, db bun.IDB, cutoff, now time.Time) (int, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM card_notice_contacts nc
		WHERE (nc.confirmed_at IS NULL AND nc.token_expires_at < ?1)
		OR EXISTS (SELECT 1 FROM cards c WHERE c.id = nc.card_id AND c.ended_at < ?0)`, cutoff, now)
	if err != nil {
		return 0, database.MapError(err, "erase stale notice addresses", "card")
	}
	// A card's push subscriptions go when it ends: nothing is pushed about an ended card.
	_, err = db.ExecContext(ctx, `DELETE FROM push_subscriptions s WHERE s.card_id IS NOT NULL
		AND EXISTS (SELECT 1 FROM cards c WHERE c.id = s.card_id AND c.ended_at < ?)`, now)
	if err != nil {
		return 0, database.MapError(err, "erase push subscriptions of ended cards", "card")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// noticeArray is the notices as the database keeps them.
func noticeArray(kinds []NoticeKind) any {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return pgdialect.Array(out)
}
