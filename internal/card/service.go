// Package card is the activity card (aktivitetskort): agencies and their caseworkers,
// programmes, ticket offers from providers, and cards issued to children (with the
// cross-agency "stopper") or anonymously, with the privacy duties that come with them:
// data-subject reports, erasure and retention.
//
// Personal data is minimised: a person is a given name, a birth date and an identity key,
// the HMAC of the national identity number under a per-municipality key
// (identity.MunicipalKey). The number itself is parsed, hashed and forgotten; it never
// reaches the database, the audit log or a log line.
//
// Every method authorises its caller itself (each check is marked SECURITY), scopes every
// query by the request's municipality, and writes its audit entry in the transaction of
// the change.
package card

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// Options tune the card service.
type Options struct {
	// RetentionDays is how long after a card ends its holder's and guardians' personal
	// data is kept (default 90).
	RetentionDays int
	// MaxPINFailures wrong card-number-and-PIN attempts per card number (four times as
	// many per client address) within FailureWindow lock further attempts out until the
	// window has passed (defaults 5 and 15 minutes).
	MaxPINFailures int
	FailureWindow  time.Duration
	// MaxBatch is the most anonymous cards one call issues (default 500).
	MaxBatch int
	// MinOverrideReason is the shortest written reason that overrides a warning (default 10
	// characters).
	MinOverrideReason int
	// MaxGuardians is the most guardians given for one child (default 4).
	MaxGuardians int
	// ReminderLead is how long before a claimed ticket expires its holder is reminded
	// (default 3 days).
	ReminderLead time.Duration
	// MaxSheetRows is the most people one sheet issues cards to (default 2,000), and
	// MaxSheetBytes the largest sheet file (default 2 MiB).
	MaxSheetRows  int
	MaxSheetBytes int64
	// IdentityNumber returns the national identity number an OpenID Connect identity
	// carries (ID-porten's "pid" claim), or "" when it carries none. Without it, MyCards
	// finds no one.
	IdentityNumber func(*auth.Identity) string
	// SMS says text messages can be sent (an SMS gateway is set): holders may then leave a
	// phone number for a card's notices.
	SMS bool
}

// DefaultOptions are the defaults.
var DefaultOptions = Options{RetentionDays: 90, MaxPINFailures: 5, FailureWindow: 15 * time.Minute,
	MaxBatch: 500, MinOverrideReason: 10, MaxGuardians: 4, ReminderLead: 72 * time.Hour,
	MaxSheetRows: 2000, MaxSheetBytes: 2 << 20}

// Service runs the activity card.
type Service struct {
	db     *bun.DB
	secret string
	opt    Options
	now    func() time.Time
	// Places frees the event card places that cancelled tickets held; nil: no ticket holds
	// one.
	Places PlaceKeeper
	// Push hears every notice to a card (see PushNotifier); nil: none.
	Push PushNotifier
	// PublicURL is the frontend's address, which links in e-mails start with.
	PublicURL string
	// Files keeps applications' attachments privately (the media store); nil: none can be
	// attached.
	Files FileStore
	// Wallet makes tickets into phone wallet passes; its nil makers are wallets not set up.
	Wallet Wallets

	// spends gathers one card's acceptances into group commits (see acceptOnCard).
	spends spendQueues
}

// NewService returns a Service. secret is the server secret (FRITID_SECRET_KEY): identity
// keys, PIN hashes and throttle keys are derived from it, so it must never change once
// cards exist. Zero options take their defaults.
func NewService(db *bun.DB, secret string, opt Options) *Service {
	d := DefaultOptions
	if opt.RetentionDays <= 0 {
		opt.RetentionDays = d.RetentionDays
	}
	if opt.MaxPINFailures <= 0 {
		opt.MaxPINFailures = d.MaxPINFailures
	}
	if opt.FailureWindow <= 0 {
		opt.FailureWindow = d.FailureWindow
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = d.MaxBatch
	}
	if opt.MinOverrideReason <= 0 {
		opt.MinOverrideReason = d.MinOverrideReason
	}
	if opt.MaxGuardians <= 0 {
		opt.MaxGuardians = d.MaxGuardians
	}
	if opt.ReminderLead <= 0 {
		opt.ReminderLead = d.ReminderLead
	}
	if opt.MaxSheetRows <= 0 {
		opt.MaxSheetRows = d.MaxSheetRows
	}
	if opt.MaxSheetBytes <= 0 {
		opt.MaxSheetBytes = d.MaxSheetBytes
	}
	return &Service{db: db, secret: secret, opt: opt, now: time.Now}
}

// caller is who calls, in which municipality.
type caller struct {
	t *tenant.Tenant
	v *auth.Viewer
}

func (c caller) mid() uuid.UUID { return c.t.ID() }

// actor returns the signed-in user's ID for the audit log, or nil.
func (c caller) actor() *uuid.UUID {
	if c.v != nil && c.v.User != nil {
		return &c.v.User.ID
	}
	return nil
}

// has reports whether the caller holds one of roles.
func (c caller) has(roles ...auth.MunicipalRole) bool {
	for _, r := range roles {
		if c.v.Has(r) {
			return true
		}
	}
	return false
}

// staff reports whether the caller runs the programme: a card coordinator or an admin.
func (c caller) staff() bool { return c.has(auth.RoleCardCoordinator, auth.RoleAdmin) }

// chain returns the request's locale chain, ending with the municipality's default.
func (c caller) chain(ctx context.Context) []string {
	return append(append([]string{}, i18n.FromContext(ctx).Chain...), c.t.Municipality.DefaultLocale)
}

// current returns the request's municipality and viewer (nil when anonymous).
func current(ctx context.Context) (caller, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return caller{}, err
	}
	v := auth.ViewerFrom(ctx)
	// SECURITY: a user of another municipality is nobody here.
	if v != nil && v.User != nil && v.User.MunicipalityID != t.ID() {
		v = nil
	}
	return caller{t: t, v: v}, nil
}

// signedIn returns the caller when a user is signed in. Errors: UNAUTHENTICATED.
func signedIn(ctx context.Context) (caller, error) {
	c, err := current(ctx)
	if err != nil {
		return c, err
	}
	// SECURITY: staff work needs a user account; API keys and residents have none.
	if c.v == nil || c.v.User == nil {
		return c, apperr.New(apperr.Unauthenticated, "")
	}
	return c, nil
}

// requireRole returns the caller when a signed-in user holds one of roles. Errors:
// UNAUTHENTICATED, FORBIDDEN.
func requireRole(ctx context.Context, roles ...auth.MunicipalRole) (caller, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return c, err
	}
	// SECURITY: the role gate of the method.
	if !c.has(roles...) {
		return c, apperr.New(apperr.Forbidden, "")
	}
	return c, nil
}

// today returns the current date in the municipality's time zone, as UTC midnight.
func (s *Service) today(t *tenant.Tenant) time.Time {
	loc, err := time.LoadLocation(t.Municipality.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return dateOf(s.now().In(loc))
}

// dateOf returns t's calendar date as UTC midnight, the form dates take here.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// sqlDate formats a date for a date column, free of time zones.
func sqlDate(t time.Time) string { return t.Format(time.DateOnly) }

// identityKey returns the stored form of n in the municipality: its keyed hash.
func (s *Service) identityKey(mid uuid.UUID, n identity.Number) []byte {
	return identity.Key(identity.MunicipalKey(s.secret, mid), n)
}

// newID returns a new UUID v7.
func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
