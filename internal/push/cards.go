package push

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/platform/database"
)

// cardKinds are the push kinds of the card's notices.
var cardKinds = map[card.NoticeKind]Kind{
	card.NoticeTicketExpiring: KindTicketExpiring,
	card.NoticeWaitingPlace:   KindWaitingPlace,
	card.NoticeRefill:         KindRefill,
	card.NoticeNewOffers:      KindNewOffers,
}

// cardTargets are the subscriptions a card's notice reaches: the card's own (an anonymous
// card's holder), and those of the residents signed in with ID-porten who hold the card or
// are its holder's guardians (the same identity key as the card's person).
const cardTargets = `s.card_id = ? OR s.owner_id IN (SELECT ro.id FROM cards c
	JOIN card_persons p ON p.id = c.holder_id
		OR p.id IN (SELECT g.guardian_id FROM card_guardianships g WHERE g.child_id = c.holder_id)
	JOIN resident_owners ro ON ro.municipality_id = p.municipality_id AND ro.identity_key = p.identity_key
	WHERE c.id = ?)`

// NotifyCard queues n as a push message to the card's subscriptions (see cardTargets) on
// tx, the transaction of the change that causes it, in each subscription's language: the
// card service's PushNotifier. It takes nothing personal: the offer's title, when, how
// much. Without Web Push set up it does nothing.
func (s *Service) NotifyCard(ctx context.Context, tx bun.IDB, n *card.Notice) error {
	kind, ok := cardKinds[n.Kind]
	if !s.Available() || !ok {
		return nil
	}
	var m struct {
		TimeZone      string `bun:"time_zone"`
		DefaultLocale string `bun:"default_locale"`
		Name          string `bun:"name"`
	}
	return inTx(ctx, tx, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Table("municipalities").Column("time_zone", "default_locale", "name").
			Where("id = ?", n.MunicipalityID).Scan(ctx, &m)
		if err != nil {
			return database.MapError(err, "find municipality", "push")
		}
		_, err = s.enqueue(ctx, tx, &campaign{mid: n.MunicipalityID, kind: kind, where: cardTargets,
			args: []any{n.CardID, n.CardID}, render: func(locale string) (*Payload, error) {
				data := map[string]any{"Municipality": m.Name}
				if n.OfferID != nil {
					t, err := offerTitle(ctx, tx, *n.OfferID, locale, m.DefaultLocale)
					if err != nil {
						return nil, err
					}
					data["Offer"] = t
				}
				if n.Until != nil {
					data["Until"] = localTime(*n.Until, m.TimeZone)
				}
				data["Amount"] = fmt.Sprintf("%d,%02d", n.AmountOre/100, n.AmountOre%100)
				return s.texts(locale, m.DefaultLocale, messageIDs[kind], data, s.opt.PublicURL), nil
			}})
		return err
	})
}

// offerTitle returns the offer's title in locale, else the municipality's default locale,
// else its first language.
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

// texts returns the message "<id>Title" and "<id>Body" in locale (falling back to the
// municipality's default language, then nb), filled with data, leading to url.
func (s *Service) texts(locale, fallback, id string, data map[string]any, url string) *Payload {
	chain := []string{locale, fallback}
	return &Payload{Title: s.bundle.Localize(chain, id+"Title", data),
		Body: s.bundle.Localize(chain, id+"Body", data), URL: url}
}
