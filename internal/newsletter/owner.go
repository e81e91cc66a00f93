package newsletter

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// OwnerConsent is an account's own wish for the municipality's information for providers,
// in the language it chose. While the account owns a published organisation, provider
// lists kept from ORGANISATION_OWNERS take its address.
type OwnerConsent struct {
	bun.BaseModel `bun:"table:newsletter_owner_consents,alias:oc"`

	UserID         uuid.UUID `bun:"user_id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Locale         string    `bun:"locale"`
	GivenAt        time.Time `bun:"given_at"`
}

// SetProviderNewsletter records (receive) or withdraws the signed-in account's own wish for
// the municipality's information for providers, in locale (nil: the request's language),
// and returns it (nil once withdrawn). Saying yes again lifts the account address's own
// unsubscription from the provider lists that keep owners: asking is a new consent.
// Errors: UNAUTHENTICATED, FORBIDDEN (an API key), BAD_USER_INPUT naming "locale".
func (s *Service) SetProviderNewsletter(ctx context.Context, receive bool, locale *string) (*OwnerConsent, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: a person signed in sets their own account's wish, and nobody else's.
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return nil, err
	}
	c := &OwnerConsent{UserID: v.User.ID, MunicipalityID: t.ID(), Locale: i18n.FromContext(ctx).Code, GivenAt: s.now()}
	if locale != nil {
		if err := t.CheckEnabled(*locale, "locale"); err != nil {
			return nil, err
		}
		c.Locale = *locale
	}
	uid := v.User.ID
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := s.saveOwnerConsent(ctx, tx, c, receive, v.User.Email); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &uid,
			Action: "set_provider_newsletter", ItemType: "User", ItemID: &uid, Fields: []string{"providerNewsletter"}})
	})
	if err != nil || !receive {
		return nil, err
	}
	return c, nil
}

// saveOwnerConsent writes c (receive) or deletes it; a new yes lifts email's unsubscription
// from the lists that keep owners.
func (s *Service) saveOwnerConsent(ctx context.Context, tx bun.IDB, c *OwnerConsent, receive bool, email string) error {
	if !receive {
		_, err := tx.NewDelete().Model(c).WherePK().Exec(ctx)
		return database.MapError(err, "withdraw provider newsletter", "receive")
	}
	_, err := tx.NewInsert().Model(c).On("CONFLICT (user_id) DO UPDATE").
		Set("locale = EXCLUDED.locale, given_at = EXCLUDED.given_at").Exec(ctx)
	if err != nil {
		return database.MapError(err, "set provider newsletter", "receive")
	}
	_, err = tx.NewDelete().TableExpr("newsletter_suppressions").
		Where("municipality_id = ? AND reason = 'UNSUBSCRIBED' AND email_hash = ?",
			c.MunicipalityID, s.emailHash(c.MunicipalityID, email)).
		Where("list_id IN (SELECT id FROM newsletter_lists WHERE municipality_id = ? AND ? = ANY(kept_from))",
			c.MunicipalityID, FromOrganisationOwners).Exec(ctx)
	return database.MapError(err, "lift unsubscription", "receive")
}

// ProviderNewsletter returns the signed-in account's own wish for the municipality's
// information for providers; nil when it gave none, and for an API key or anonymous.
func (s *Service) ProviderNewsletter(ctx context.Context) (*OwnerConsent, error) {
	v := auth.ViewerFrom(ctx)
	// SECURITY: the signed-in account's own row only.
	if v == nil || v.User == nil {
		return nil, nil
	}
	return findOwnerConsent(ctx, s.db, v.User.MunicipalityID, "oc.user_id = ?", v.User.ID)
}

// findOwnerConsent returns the consent of municipality mid matching where, or nil.
func findOwnerConsent(ctx context.Context, db bun.IDB, mid uuid.UUID, where string, arg any) (*OwnerConsent, error) {
	c := new(OwnerConsent)
	err := db.NewSelect().Model(c).Where("oc.municipality_id = ?", mid).Where(where, arg).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, database.MapError(err, "find provider newsletter consent", "user")
	}
	return c, nil
}

// ownerConsentOf is the condition that a consent is the account with an address.
const ownerConsentOf = `oc.user_id IN (SELECT u.id FROM users u
	WHERE u.municipality_id = oc.municipality_id AND u.email = ?)`
