package newsletter

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// Subscriber is an address on a list with its language, interests and consent record.
type Subscriber struct {
	bun.BaseModel `bun:"table:newsletter_subscribers,alias:s"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	ListID         uuid.UUID `bun:"list_id,type:uuid"`
	Email          string    `bun:"email"`
	Locale         string    `bun:"locale"`
	Interests
	Status Status `bun:"status"`
	Consent
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt time.Time `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// Consent is a subscriber's consent record: the version of the consent text shown, where
// it came from, and when it was given and confirmed. No IP address is kept.
type Consent struct {
	TextID      *uuid.UUID `bun:"consent_text_id,type:uuid"`
	Source      Source     `bun:"consent_source"`
	GivenAt     time.Time  `bun:"consent_given_at"`
	ConfirmedAt *time.Time `bun:"confirmed_at"`
	// TextVersion is the version of the text, read with the subscriber.
	TextVersion *int `bun:"consent_text_version,scanonly"`
}

// GlobalID returns the subscriber's global ID.
func (s *Subscriber) GlobalID() string { return relay.GlobalID("NewsletterSubscriber", s.ID) }

// ListGlobalID returns the list's global ID.
func (s *Subscriber) ListGlobalID() string { return relay.GlobalID("NewsletterList", s.ListID) }

// ConsentRecord returns the consent record.
func (s *Subscriber) ConsentRecord() *Consent { return &s.Consent }

// TextGlobalID returns the consent text's global ID, or nil.
func (c *Consent) TextGlobalID() *string {
	if c.TextID == nil {
		return nil
	}
	g := relay.GlobalID("NewsletterConsentText", *c.TextID)
	return &g
}

// SubscribeInput is a subscription from a form.
type SubscribeInput struct {
	ListID        string
	Email         string
	Locale        string
	Interests     *InterestsInput
	ConsentTextID string
}

// Subscribe asks for a subscription to a list, for anyone: a new address gets a
// confirmation e-mail with a signed link and stays PENDING until it is followed; an address
// on the list already gets the link to its preferences instead. The answer is the same
// either way, so nobody learns whether an address is known. Errors: NOT_FOUND (list),
// BAD_USER_INPUT naming the field.
func (s *Service) Subscribe(ctx context.Context, in SubscribeInput) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	listID, err := relay.ParseTypedID(in.ListID, "NewsletterList", "input.listId")
	if err != nil {
		return err
	}
	email, err := auth.NormaliseEmail(in.Email, "input.email")
	if err != nil {
		return err
	}
	if err := t.CheckEnabled(in.Locale, "input.locale"); err != nil {
		return err
	}
	consentID, err := relay.ParseTypedID(in.ConsentTextID, "NewsletterConsentText", "input.consentTextId")
	if err != nil {
		return err
	}
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		l, err := findList(ctx, tx, t.ID(), listID, "input.listId")
		if err != nil {
			return err
		}
		ints, err := in.Interests.parse("input.interests")
		if err != nil {
			return err
		}
		if !ints.within(l.Interests) {
			return apperr.Invalid("input.interests", "NewsletterInterestInvalid", nil)
		}
		ok, err := tx.NewSelect().Model((*ConsentText)(nil)).
			Where("municipality_id = ? AND list_id = ? AND id = ?", t.ID(), listID, consentID).Exists(ctx)
		if err != nil {
			return database.MapError(err, "find consent text", "input.consentTextId")
		}
		if !ok {
			return apperr.Invalid("input.consentTextId", "NewsletterConsentTextUnknown", nil)
		}
		sub := &Subscriber{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), ListID: listID, Email: email,
			Locale: in.Locale, Interests: ints, Status: Pending,
			Consent: Consent{TextID: &consentID, Source: SourceForm, GivenAt: s.now()}}
		// A pending subscription asked for again takes the new form's consent, language and
		// interests (and a fresh week); a confirmed one stays as it is.
		var ids []uuid.UUID
		_, err = tx.NewInsert().Model(sub).ExcludeColumn("created_at", "updated_at", "confirmed_at").
			On("CONFLICT (list_id, email) DO UPDATE").
			Set("locale = EXCLUDED.locale, category_ids = EXCLUDED.category_ids").
			Set("neighbourhood_ids = EXCLUDED.neighbourhood_ids, age_groups = EXCLUDED.age_groups").
			Set("consent_text_id = EXCLUDED.consent_text_id, consent_given_at = EXCLUDED.consent_given_at").
			Set("updated_at = now()").
			Where("s.status = 'PENDING'").Returning("id").Exec(ctx, &ids)
		if err != nil {
			return database.MapError(err, "subscribe", "input")
		}
		if err := loadListTexts(ctx, tx, l); err != nil {
			return err
		}
		if len(ids) == 0 {
			return s.tellKnown(ctx, tx, t, l, email)
		}
		sub.ID = ids[0]
		return s.tellConfirm(ctx, tx, t, l, sub)
	})
}

// tellConfirm sends a new subscriber the link that confirms the subscription.
func (s *Service) tellConfirm(ctx context.Context, tx bun.IDB, t *tenant.Tenant, l *List, sub *Subscriber) error {
	tok := s.sign(token{purpose: purposeConfirm, municipality: t.ID(), subscriber: sub.ID, issued: s.now()})
	return mail.Enqueue(ctx, tx, s.returnable(sub.ID, &mail.Message{MunicipalityID: t.ID(),
		Template: "NewsletterConfirm", To: sub.Email, Locale: sub.Locale,
		Data: map[string]any{"Municipality": t.Municipality.Name, "List": listName(l, sub.Locale),
			"Link": s.PublicURL + "/newsletter/confirm?token=" + url.QueryEscape(tok)}}))
}

// tellKnown sends an address confirmed on the list already the link to its preferences.
func (s *Service) tellKnown(ctx context.Context, tx bun.IDB, t *tenant.Tenant, l *List, email string) error {
	sub := new(Subscriber)
	err := tx.NewSelect().Model(sub).Where("s.list_id = ? AND s.email = ?", l.ID, email).Scan(ctx)
	if err != nil {
		return database.MapError(err, "find subscriber", "input")
	}
	return mail.Enqueue(ctx, tx, s.returnable(sub.ID, &mail.Message{MunicipalityID: t.ID(),
		Template: "NewsletterAlreadySubscribed", To: sub.Email, Locale: sub.Locale,
		Data: map[string]any{"Municipality": t.Municipality.Name, "List": listName(l, sub.Locale),
			"Link": s.preferencesLink(t.ID(), sub.ID)}}))
}

// returnable gives m, an e-mail to subscriber id, the return path that brings its bounces
// back to the subscriber (when a bounce address is configured), and returns it.
func (s *Service) returnable(id uuid.UUID, m *mail.Message) *mail.Message {
	if path, tok := s.returnPath(returnToken{kind: kindConfirmBounce, subscriber: id}); path != "" {
		m.ReturnPath, m.Headers = path, map[string]string{DeliveryHeader: tok}
	}
	return m
}

// preferencesLink returns the signed link to a subscriber's preferences page.
func (s *Service) preferencesLink(mid, id uuid.UUID) string {
	tok := s.sign(token{purpose: purposePreferences, municipality: mid, subscriber: id, issued: s.now()})
	return s.PublicURL + "/newsletter/preferences?token=" + url.QueryEscape(tok)
}

// UnsubscribeURL returns the one-click unsubscribe URL (RFC 8058) of subscriber id of
// municipality mid, for a list e-mail of campaign (uuid.Nil: none); it also works as a
// plain link through the unsubscribe mutation's token.
func (s *Service) UnsubscribeURL(mid, id, campaign uuid.UUID) string {
	tok := s.sign(token{purpose: purposeUnsubscribe, municipality: mid, subscriber: id, campaign: campaign,
		issued: s.now()})
	return s.APIURL + "/newsletter/unsubscribe?token=" + url.QueryEscape(tok)
}

// loadListTexts reads every language's texts of l.
func loadListTexts(ctx context.Context, db bun.IDB, l *List) error {
	l.Texts = nil
	err := db.NewSelect().TableExpr("newsletter_list_translations").
		Column("list_id", "municipality_id", "locale", "name", "description").
		Where("list_id = ?", l.ID).Order("locale").Scan(ctx, &l.Texts)
	return database.MapError(err, "find newsletter list texts", "list")
}

// listName returns the list's name in locale, else in any language.
func listName(l *List, locale string) string {
	for _, x := range l.Texts {
		if x.Locale == locale {
			return x.Name
		}
	}
	if len(l.Texts) > 0 {
		return l.Texts[0].Name
	}
	return l.Name
}

// ErasePending deletes the subscriptions of every municipality left unconfirmed for longer
// than their link works (a week), and returns how many: an address nobody confirmed is
// not kept.
func (s *Service) ErasePending(ctx context.Context) (int, error) {
	res, err := s.db.NewDelete().Model((*Subscriber)(nil)).
		Where("status = 'PENDING' AND consent_given_at < ?", s.now().Add(-confirmTTL)).Exec(ctx)
	if err != nil {
		return 0, database.MapError(err, "erase unconfirmed subscriptions", "subscriber")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ConfirmSubscription confirms the subscription whose confirmation link was followed, for
// anyone holding it, and returns its list. The address may have left the list before: it
// has consented again, so its keyed hash goes. Errors: BAD_USER_INPUT naming "token" for a
// link that is wrong or older than a week, NOT_FOUND for one whose subscription is gone.
func (s *Service) ConfirmSubscription(ctx context.Context, text string) (*List, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: the signed link is the right to confirm one subscription.
	tok, err := s.open(text, purposeConfirm, t.ID())
	if err != nil {
		return nil, err
	}
	if s.now().Sub(tok.issued) > confirmTTL {
		return nil, apperr.Invalid("token", "NewsletterTokenExpired", nil)
	}
	var listID uuid.UUID
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		sub := new(Subscriber)
		err := tx.NewSelect().Model(sub).Where("s.municipality_id = ? AND s.id = ?", t.ID(), tok.subscriber).
			For("UPDATE").Scan(ctx)
		if err != nil {
			return database.MapError(err, "find subscriber", "token")
		}
		listID = sub.ListID
		if sub.Status == Confirmed {
			return nil
		}
		_, err = tx.NewUpdate().Model(sub).Set("status = 'CONFIRMED', confirmed_at = ?, updated_at = now()", s.now()).
			WherePK().Exec(ctx)
		if err != nil {
			return database.MapError(err, "confirm subscriber", "token")
		}
		_, err = tx.NewDelete().TableExpr("newsletter_suppressions").
			Where("municipality_id = ? AND (list_id = ? OR list_id IS NULL) AND email_hash = ?",
				t.ID(), sub.ListID, s.emailHash(t.ID(), sub.Email)).Exec(ctx)
		if err != nil {
			return database.MapError(err, "lift suppression", "token")
		}
		// The change feed and webhooks tell newsletter tools, by the subscriber's ID alone.
		return integration.RecordChange(ctx, tx, t.ID(), "subscriber.confirmed", sub.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.FindListByID(ctx, listID)
}

// Unsubscribe ends the subscription whose signed unsubscribe link is given, for anyone
// holding it (the links in every list e-mail, and RFC 8058 one-click), keeping only the
// address's keyed hash. Following it again is no error. Errors: BAD_USER_INPUT naming
// "token" for a wrong link.
func (s *Service) Unsubscribe(ctx context.Context, text string) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	// SECURITY: the signed link (of a list e-mail, or of the preferences page) is the
	// right to end one subscription.
	tok, err := s.open(text, purposeUnsubscribe, t.ID())
	if err != nil {
		if tok, err = s.open(text, purposePreferences, t.ID()); err != nil {
			return err
		}
	}
	_, err = s.unsubscribe(ctx, t.ID(), tok.subscriber, tok.campaign)
	return err
}

// unsubscribe ends subscription id of municipality mid, keeping the address's keyed hash
// for its list, and counts it for campaign (uuid.Nil: none) when it was still there.
// It reports whether it was.
func (s *Service) unsubscribe(ctx context.Context, mid, id, campaign uuid.UUID) (bool, error) {
	var n int
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		n, err = s.endSubscriptions(ctx, tx, mid, "s.id = ?", []any{id}, "UNSUBSCRIBED", true)
		if err != nil || n == 0 || campaign == uuid.Nil {
			return err
		}
		_, err = tx.NewUpdate().TableExpr("newsletter_campaigns").Set("unsubscribed = unsubscribed + 1").
			Where("municipality_id = ? AND id = ?", mid, campaign).Exec(ctx)
		return database.MapError(err, "count unsubscribe", "token")
	})
	return n > 0, err
}

// endSubscriptions deletes the subscribers of municipality mid matching where and returns
// how many; with suppress, each address is kept as a keyed hash with reason (for its list,
// or for every list when the reason is not UNSUBSCRIBED), so an import or an administrator
// cannot add it again.
func (s *Service) endSubscriptions(ctx context.Context, tx bun.IDB, mid uuid.UUID, where string, args []any,
	reason string, suppress bool) (int, error) {
	var gone []*Subscriber
	_, err := tx.NewDelete().Model(&gone).Where("s.municipality_id = ?", mid).Where(where, args...).
		Returning("id, list_id, email").Exec(ctx, &gone)
	if err != nil {
		return 0, database.MapError(err, "end subscriptions", "subscriber")
	}
	// Each is told to the change feed and webhooks by its ID alone, so a newsletter tool
	// drops its copy; an erased subscriber's earlier events go first, so only this one
	// stays of it.
	for _, g := range gone {
		if reason == "ERASED" {
			if err := integration.DeleteSubjectChanges(ctx, tx, mid, g.ID); err != nil {
				return 0, err
			}
		}
		if err := integration.RecordChange(ctx, tx, mid, "subscriber.unsubscribed", g.ID); err != nil {
			return 0, err
		}
	}
	if !suppress {
		return len(gone), nil
	}
	for _, g := range gone {
		var list *uuid.UUID
		if reason == "UNSUBSCRIBED" {
			list = &g.ListID
		}
		if err := s.suppress(ctx, tx, mid, list, g.Email, reason); err != nil {
			return 0, err
		}
	}
	return len(gone), nil
}

// suppression is an address that left, as its keyed hash.
type suppression struct {
	bun.BaseModel `bun:"table:newsletter_suppressions"`

	MunicipalityID uuid.UUID  `bun:"municipality_id,type:uuid"`
	ListID         *uuid.UUID `bun:"list_id,type:uuid"`
	EmailHash      []byte     `bun:"email_hash"`
	Reason         string     `bun:"reason"`
}

// suppress keeps email's keyed hash for list (nil: every list) with reason.
func (s *Service) suppress(ctx context.Context, tx bun.IDB, mid uuid.UUID, list *uuid.UUID,
	email, reason string,
) error {
	row := &suppression{MunicipalityID: mid, ListID: list, EmailHash: s.emailHash(mid, email), Reason: reason}
	_, err := tx.NewInsert().Model(row).On("CONFLICT DO NOTHING").Exec(ctx)
	return database.MapError(err, "suppress address", "subscriber")
}

// suppressed reports whether email may not be added to list (it left it, or bounced).
func (s *Service) suppressed(ctx context.Context, tx bun.IDB, mid, list uuid.UUID, email string) (bool, error) {
	ok, err := tx.NewSelect().TableExpr("newsletter_suppressions").
		Where("municipality_id = ? AND (list_id = ? OR list_id IS NULL) AND email_hash = ?",
			mid, list, s.emailHash(mid, email)).Exists(ctx)
	return ok, database.MapError(err, "check suppression", "subscriber")
}

// Preferences returns the subscriber whose signed preferences (or unsubscribe) link is
// given. Errors: BAD_USER_INPUT naming "token", NOT_FOUND once the subscription is gone.
func (s *Service) Preferences(ctx context.Context, text string) (*Subscriber, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: the signed link is the right to read and change one subscription.
	tok, err := s.open(text, purposePreferences, t.ID())
	if err != nil {
		return nil, err
	}
	return findSubscriber(ctx, s.db, t.ID(), tok.subscriber, "token")
}

// findSubscriber returns subscriber id with its consent text's version. Errors: NOT_FOUND
// naming field.
func findSubscriber(ctx context.Context, db bun.IDB, mid, id uuid.UUID, field string) (*Subscriber, error) {
	sub := new(Subscriber)
	err := selectSubscribers(db, sub).Where("s.municipality_id = ? AND s.id = ?", mid, id).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find subscriber", field)
	}
	return sub, nil
}

// selectSubscribers selects subscribers with their consent texts' versions.
func selectSubscribers(db bun.IDB, model any) *bun.SelectQuery {
	return db.NewSelect().Model(model).ColumnExpr("s.*").
		ColumnExpr("(SELECT version FROM newsletter_consent_texts c WHERE c.id = s.consent_text_id) AS consent_text_version")
}

// PreferencesInput changes a subscriber's language and interests (nil: unchanged).
type PreferencesInput struct {
	Token     string
	Locale    *string
	Interests *InterestsInput
}

// UpdatePreferences changes the language and interests of the subscriber whose signed
// preferences link is given. Errors: BAD_USER_INPUT naming the field, NOT_FOUND.
func (s *Service) UpdatePreferences(ctx context.Context, in PreferencesInput) (*Subscriber, error) {
	sub, err := s.Preferences(ctx, in.Token)
	if err != nil {
		return nil, err
	}
	t, _ := tenant.Current(ctx)
	if in.Locale != nil {
		if err := t.CheckEnabled(*in.Locale, "input.locale"); err != nil {
			return nil, err
		}
		sub.Locale = *in.Locale
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if in.Interests != nil {
			l, err := findList(ctx, tx, t.ID(), sub.ListID, "input.token")
			if err != nil {
				return err
			}
			if sub.Interests, err = in.Interests.parse("input.interests"); err != nil {
				return err
			}
			if !sub.Interests.within(l.Interests) {
				return apperr.Invalid("input.interests", "NewsletterInterestInvalid", nil)
			}
		}
		_, err := tx.NewUpdate().Model(sub).Column("locale", "category_ids", "neighbourhood_ids", "age_groups").
			Set("updated_at = now()").WherePK().Exec(ctx)
		return database.MapError(err, "update preferences", "input")
	})
	if err != nil {
		return nil, err
	}
	return findSubscriber(ctx, s.db, t.ID(), sub.ID, "input.token")
}

// AddSubscribersInput adds addresses whose consent was given elsewhere (ADMIN) or that
// come from another system (IMPORT): they are confirmed at once.
type AddSubscribersInput struct {
	ListID      string
	Source      Source
	Subscribers []NewSubscriber
}

// NewSubscriber is one address to add.
type NewSubscriber struct {
	Email     string
	Locale    string
	Interests *InterestsInput
}

// AddResult says how an addition went: how many were added, were on the list already, or
// had left it (their keyed hash refuses them).
type AddResult struct {
	Added, AlreadySubscribed, Suppressed int
}

// MaxAdd is the most addresses one addSubscribers takes.
const MaxAdd = 1000

// AddSubscribers adds confirmed subscribers to a list with their consent source (ADMIN).
// Addresses that left the list, bounced or complained are refused (counted as
// Suppressed), never re-added. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// BAD_USER_INPUT naming the field.
func (s *Service) AddSubscribers(ctx context.Context, in AddSubscribersInput) (*AddResult, error) {
	t, v, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	listID, err := relay.ParseTypedID(in.ListID, "NewsletterList", "input.listId")
	if err != nil {
		return nil, err
	}
	if in.Source != SourceAdmin && in.Source != SourceImport {
		return nil, apperr.Invalid("input.source", "NewsletterSourceInvalid", nil)
	}
	if len(in.Subscribers) > MaxAdd {
		return nil, apperr.Invalid("input.subscribers", "NewsletterTooManySubscribers", map[string]any{"Max": MaxAdd})
	}
	res := &AddResult{}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		l, err := findList(ctx, tx, t.ID(), listID, "input.listId")
		if err != nil {
			return err
		}
		consent, err := newestConsent(ctx, tx, l.ID)
		if err != nil {
			return err
		}
		for _, ns := range in.Subscribers {
			if err := s.addOne(ctx, tx, t, l, in.Source, consent, ns, res); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "add_newsletter_subscribers", ItemType: "NewsletterList", ItemID: &l.ID})
	})
	return res, err
}

// addOne adds one address to l, counting the outcome in res.
func (s *Service) addOne(ctx context.Context, tx bun.IDB, t *tenant.Tenant, l *List, src Source,
	consent map[string]uuid.UUID, ns NewSubscriber, res *AddResult) error {
	email, err := auth.NormaliseEmail(ns.Email, "input.subscribers.email")
	if err != nil {
		return err
	}
	locale := ns.Locale
	if locale == "" {
		locale = t.Municipality.DefaultLocale
	}
	if err := t.CheckEnabled(locale, "input.subscribers.locale"); err != nil {
		return err
	}
	ints, err := ns.Interests.parse("input.subscribers.interests")
	if err != nil {
		return err
	}
	if !ints.within(l.Interests) {
		return apperr.Invalid("input.subscribers.interests", "NewsletterInterestInvalid", nil)
	}
	if no, err := s.suppressed(ctx, tx, t.ID(), l.ID, email); err != nil || no {
		res.Suppressed++
		return err
	}
	now := s.now()
	sub := &Subscriber{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), ListID: l.ID, Email: email, Locale: locale,
		Interests: ints, Status: Confirmed, Consent: Consent{Source: src, GivenAt: now, ConfirmedAt: &now}}
	if id, ok := consent[locale]; ok {
		sub.TextID = &id
	}
	r, err := tx.NewInsert().Model(sub).ExcludeColumn("created_at", "updated_at").
		On("CONFLICT (list_id, email) DO NOTHING").Exec(ctx)
	if err != nil {
		return database.MapError(err, "add subscriber", "input.subscribers")
	}
	if n, _ := r.RowsAffected(); n == 0 {
		res.AlreadySubscribed++
		return nil
	}
	res.Added++
	return integration.RecordChange(ctx, tx, t.ID(), "subscriber.confirmed", sub.ID)
}

// newestConsent returns the newest consent text of each language of list id.
func newestConsent(ctx context.Context, db bun.IDB, id uuid.UUID) (map[string]uuid.UUID, error) {
	var cs []*ConsentText
	err := db.NewSelect().Model(&cs).DistinctOn("ct.locale").Where("ct.list_id = ?", id).
		OrderExpr("ct.locale, ct.version DESC").Scan(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, database.MapError(err, "find consent texts", "list")
	}
	out := map[string]uuid.UUID{}
	for _, c := range cs {
		out[c.Locale] = c.ID
	}
	return out, nil
}

// MarkBounced ends every subscription of an address in the municipality after a hard
// bounce or a complaint (ADMIN, or the bounce processing), keeping its keyed hash for every
// list so it is not added again, and returns how many subscriptions ended. Audit-logged
// without the address. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "email".
func (s *Service) MarkBounced(ctx context.Context, email string, complaint bool) (int, error) {
	t, v, err := requireAdmin(ctx)
	if err != nil {
		return 0, err
	}
	email, err = auth.NormaliseEmail(email, "email")
	if err != nil {
		return 0, err
	}
	var n int
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		n, err = s.bounce(ctx, tx, t.ID(), email, complaint)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "mark_newsletter_bounced", ItemType: "NewsletterSubscriber"})
	})
	return n, err
}

// bounce ends email's subscriptions in municipality mid and suppresses it for every list.
func (s *Service) bounce(ctx context.Context, tx bun.IDB, mid uuid.UUID, email string, complaint bool) (int, error) {
	reason := "BOUNCED"
	if complaint {
		reason = "COMPLAINED"
	}
	n, err := s.endSubscriptions(ctx, tx, mid, "s.email = ?", []any{email}, reason, false)
	if err != nil {
		return 0, err
	}
	return n, s.suppress(ctx, tx, mid, nil, email, reason)
}
