package card

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/phone"
)

// NoticeContact is the e-mail address or the phone number a holder or guardian left for a
// card's notices (one of the two), with the notices it asks for and its language. Notices
// go to it only once it is confirmed through the link sent to it.
type NoticeContact struct {
	bun.BaseModel `bun:"table:card_notice_contacts,alias:nc"`

	CardID         uuid.UUID    `bun:"card_id,pk,type:uuid"`
	MunicipalityID uuid.UUID    `bun:"municipality_id,type:uuid"`
	Email          string       `bun:"email,nullzero"`
	Phone          string       `bun:"phone,nullzero"`
	Locale         string       `bun:"locale"`
	Notices        []NoticeKind `bun:"notices,array"`
	TokenHash      []byte       `bun:"token_hash" json:"-"`
	TokenExpiresAt *time.Time   `bun:"token_expires_at" json:"-"`
	ConfirmedAt    *time.Time   `bun:"confirmed_at"`
	CreatedAt      time.Time    `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time    `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// Confirmed reports whether the address is confirmed, so that notices go to it.
func (n *NoticeContact) Confirmed() bool { return n.ConfirmedAt != nil }

// NoticeContactInput is an address for a card's notices, an e-mail address or a phone
// number (one of them): Locale "" takes the request's.
type NoticeContactInput struct {
	Email   string
	Phone   string
	Locale  string
	Notices []NoticeKind
}

// noticeLinkTTL is how long the link that confirms a notice address works.
const noticeLinkTTL = 72 * time.Hour

// SetNoticeContact leaves an e-mail address or a phone number (where an SMS gateway is
// set) for a card's notices, with the notices wanted and their language, in place of any
// other: the holder or a guardian signed in with ID-porten (an anonymous card carries no
// personal data, so no address either). A new address gets a link that confirms it, by
// e-mail or text message, and hears nothing else until it is followed; the notices or
// language of a confirmed address change at once. Errors: UNAUTHENTICATED, FORBIDDEN (no
// identity number), NOT_FOUND (not a card the caller holds), CONFLICT (the card has
// ended), BAD_USER_INPUT naming "input.email" (neither or both given, or not an address),
// "input.phone" (not a mobile number; reason SMS_NOT_AVAILABLE without a gateway),
// "input.locale" or "input.notices" (none, or an unknown kind).
func (s *Service) SetNoticeContact(ctx context.Context, cardID uuid.UUID, in NoticeContactInput) (*NoticeContact, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: only the holder or a guardian, by their identity (no number and PIN).
	if err := s.holdsCard(ctx, c, cardID, nil); err != nil {
		return nil, err
	}
	n, err := s.noticeInput(ctx, c, cardID, in)
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		card := new(Card)
		if err := tx.NewSelect().Model(card).Where("c.id = ?", cardID).For("UPDATE").Scan(ctx); err != nil {
			return database.MapError(err, "find card", "card")
		}
		if card.Status == CardRevoked || card.Status == CardExpired {
			return statusConflict(card)
		}
		old := new(NoticeContact)
		err := tx.NewSelect().Model(old).Where("nc.card_id = ?", cardID).Scan(ctx)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return database.MapError(err, "find notice address", "card")
		}
		token := ""
		if old.Email == n.Email && old.Phone == n.Phone && old.Confirmed() {
			n.ConfirmedAt = old.ConfirmedAt
		} else if token, err = s.newNoticeToken(n); err != nil {
			return err
		}
		_, err = tx.NewInsert().Model(n).ExcludeColumn("created_at", "updated_at").
			On("CONFLICT (card_id) DO UPDATE").
			Set("email = EXCLUDED.email, phone = EXCLUDED.phone, locale = EXCLUDED.locale, notices = EXCLUDED.notices").
			Set("token_hash = EXCLUDED.token_hash, token_expires_at = EXCLUDED.token_expires_at").
			Set("confirmed_at = EXCLUDED.confirmed_at, updated_at = now()").
			Returning("created_at, updated_at").Exec(ctx)
		if err != nil {
			return database.MapError(err, "set notice address", "input")
		}
		if token != "" {
			link := s.PublicURL + "/card-notices/confirm?token=" + url.QueryEscape(token)
			err := mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: c.mid(), Channel: n.channel(),
				Template: "CardNoticeConfirm", To: n.address(), Locale: n.Locale,
				Data: map[string]any{"Municipality": c.t.Municipality.Name, "Link": link}})
			if err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), Action: "set_card_notice_contact",
			ItemType: "Card", ItemID: &cardID,
			Fields: []string{"noticeEmail", "noticePhone", "noticeLocale", "notices"}})
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// noticeInput checks in and returns the contact it makes for the card.
func (s *Service) noticeInput(ctx context.Context, c caller, cardID uuid.UUID, in NoticeContactInput) (
	*NoticeContact, error,
) {
	n := &NoticeContact{CardID: cardID, MunicipalityID: c.mid()}
	var err error
	switch {
	case (in.Email == "") == (in.Phone == ""):
		return nil, apperr.Invalid("input.email", "NoticeAddressOneOf", nil).WithReason("ONE_OF")
	case in.Phone != "" && !s.opt.SMS:
		return nil, apperr.Invalid("input.phone", "SMSNotAvailable", nil).WithReason("SMS_NOT_AVAILABLE")
	case in.Phone != "":
		if n.Phone, err = mobileNumber(in.Phone, "input.phone"); err != nil {
			return nil, err
		}
	default:
		if n.Email, err = auth.NormaliseEmail(in.Email, "input.email"); err != nil {
			return nil, err
		}
	}
	locale := in.Locale
	if locale == "" {
		locale = i18n.FromContext(ctx).Code
		if c.t.CheckEnabled(locale, "input.locale") != nil {
			locale = c.t.Municipality.DefaultLocale
		}
	} else if err := c.t.CheckEnabled(locale, "input.locale"); err != nil {
		return nil, err
	}
	if len(in.Notices) == 0 {
		return nil, apperr.Invalid("input.notices", "NoticesRequired", nil)
	}
	var kinds []NoticeKind
	for _, k := range in.Notices {
		if !k.valid() {
			return nil, apperr.Invalid("input.notices", "ChoiceInvalid", nil)
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	n.Locale, n.Notices = locale, kinds
	return n, nil
}

// channel is the outbox channel of the contact's messages.
func (n *NoticeContact) channel() string {
	if n.Phone != "" {
		return mail.ChannelSMS
	}
	return mail.ChannelEmail
}

// address is where the contact's messages go: the phone number or the e-mail address.
func (n *NoticeContact) address() string {
	if n.Phone != "" {
		return n.Phone
	}
	return n.Email
}

// mobileNumber returns a phone number that can take text messages in E.164 form
// (+4791234567), read as Norwegian unless it starts with + or 00, or BAD_USER_INPUT naming
// field (reason INVALID: not a number; NOT_MOBILE: a number that takes no text messages).
func mobileNumber(raw, field string) (string, error) {
	if len(raw) > 32 {
		return "", apperr.Invalid(field, "PhoneInvalid", nil).WithReason("INVALID")
	}
	num, err := phone.Mobile(raw)
	switch {
	case errors.Is(err, phone.ErrNotMobile):
		return "", apperr.Invalid(field, "PhoneNotMobile", nil).WithReason("NOT_MOBILE")
	case err != nil:
		return "", apperr.Invalid(field, "PhoneInvalid", nil).WithReason("INVALID")
	}
	return num, nil
}

// newNoticeToken gives n a fresh confirmation token (kept as its keyed hash) and returns it.
func (s *Service) newNoticeToken(n *NoticeContact) (string, error) {
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	until := s.now().Add(noticeLinkTTL)
	n.TokenHash, n.TokenExpiresAt, n.ConfirmedAt = s.noticeTokenHash(token), &until, nil
	return token, nil
}

func (s *Service) noticeTokenHash(token string) []byte {
	return auth.KeyedHash([]byte(s.secret), "card-notice-confirm", token)
}

// ConfirmNoticeContact confirms the notice address whose link carries token, once, before
// the link expires: anyone with the link. Errors: BAD_USER_INPUT naming "token" when it is
// unknown, used or expired.
func (s *Service) ConfirmNoticeContact(ctx context.Context, token string) error {
	c, err := current(ctx)
	if err != nil {
		return err
	}
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var cardID uuid.UUID
		now := s.now()
		// SECURITY: the token is the proof; it works once, in its municipality, before it expires.
		err := tx.NewRaw(`UPDATE card_notice_contacts SET confirmed_at = ?, token_hash = NULL, token_expires_at = NULL,
			updated_at = now() WHERE token_hash = ? AND municipality_id = ? AND token_expires_at > ? RETURNING card_id`,
			now, s.noticeTokenHash(token), c.mid(), now).Scan(ctx, &cardID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Invalid("token", "VerificationInvalid", nil)
		}
		if err != nil {
			return database.MapError(err, "confirm notice address", "token")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), Action: "confirm_card_notice_contact",
			ItemType: "Card", ItemID: &cardID, Fields: []string{"noticeEmail"}})
	})
}

// RemoveNoticeContact deletes a card's notice address and reports whether it had one: the
// holder or a guardian, as SetNoticeContact. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) RemoveNoticeContact(ctx context.Context, cardID uuid.UUID) (bool, error) {
	c, err := current(ctx)
	if err != nil {
		return false, err
	}
	// SECURITY: only the holder or a guardian, by their identity.
	if err := s.holdsCard(ctx, c, cardID, nil); err != nil {
		return false, err
	}
	removed := false
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*NoticeContact)(nil)).Where("card_id = ? AND municipality_id = ?", cardID, c.mid()).
			Exec(ctx)
		if err != nil {
			return database.MapError(err, "remove notice address", "card")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		removed = true
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), Action: "remove_card_notice_contact",
			ItemType: "Card", ItemID: &cardID, Fields: []string{"noticeEmail", "notices"}})
	})
	return removed, err
}

// FindNoticeContact returns a card's notice address, or nil when it has none: for the
// holder or a guardian, as SetNoticeContact. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) FindNoticeContact(ctx context.Context, cardID uuid.UUID) (*NoticeContact, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: only the holder or a guardian, by their identity.
	if err := s.holdsCard(ctx, c, cardID, nil); err != nil {
		return nil, err
	}
	n := new(NoticeContact)
	err = s.db.NewSelect().Model(n).Where("nc.card_id = ? AND nc.municipality_id = ?", cardID, c.mid()).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, database.MapError(err, "find notice address", "card")
	}
	return n, nil
}
