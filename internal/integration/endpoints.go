package integration

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// SecretOverlap is how long a rotated secret keeps signing beside the new one.
const SecretOverlap = 24 * time.Hour

// The reasons an endpoint is disabled.
const (
	DisabledByAdmin = "ADMIN"   // an administrator disabled it
	DisabledGone    = "GONE"    // it answered 410 Gone
	DisabledFailing = "FAILING" // every delivery failed for DisableAfter
)

// Endpoint is a receiver of the municipality's webhooks.
type Endpoint struct {
	bun.BaseModel `bun:"table:webhook_endpoints,alias:w"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	URL            string    `bun:"url"`
	Description    string    `bun:"description"`
	// EventTypes are the types sent; none: all.
	EventTypes []string `bun:"event_types,array"`
	// Secret and PreviousSecret are as stored: sealed when the service has a key.
	Secret              string     `bun:"secret"`
	PreviousSecret      *string    `bun:"previous_secret"`
	PreviousSecretUntil *time.Time `bun:"previous_secret_until"`
	Enabled             bool       `bun:"enabled"`
	DisabledReason      *string    `bun:"disabled_reason"`
	DisabledAt          *time.Time `bun:"disabled_at"`
	FailingSince        *time.Time `bun:"failing_since"`
	CreatedAt           time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt           time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// GlobalID returns the endpoint's global ID.
func (e *Endpoint) GlobalID() string { return relay.GlobalID("WebhookEndpoint", e.ID) }

// Wants reports whether the endpoint is sent events of type t.
func (e *Endpoint) Wants(t string) bool {
	if len(e.EventTypes) == 0 {
		return true
	}
	for _, w := range e.EventTypes {
		if w == t {
			return true
		}
	}
	return false
}

// secrets returns the stored secrets that sign at now: the current one, and the previous
// one during its overlap.
func (e *Endpoint) secrets(now time.Time) []string {
	out := []string{e.Secret}
	if e.PreviousSecret != nil && e.PreviousSecretUntil != nil && now.Before(*e.PreviousSecretUntil) {
		out = append(out, *e.PreviousSecret)
	}
	return out
}

// EndpointInput is a new endpoint, or the changes to one (nil fields stay as they are).
type EndpointInput struct {
	URL         *string
	Description *string
	EventTypes  []string
	// SetEventTypes says EventTypes is given (an empty list: all types).
	SetEventTypes bool
	Enabled       *bool
}

// fields returns the fields in gives, for the audit log.
func (in EndpointInput) fields() []string {
	var out []string
	for _, f := range []struct {
		name  string
		given bool
	}{{"url", in.URL != nil}, {"description", in.Description != nil}, {"eventTypes", in.SetEventTypes},
		{"enabled", in.Enabled != nil}} {
		if f.given {
			out = append(out, f.name)
		}
	}
	return out
}

// newSecret returns a fresh signing secret: "whsec_" and 24 random bytes in base64.
func newSecret() string {
	b := make([]byte, 24)
	rand.Read(b) //nolint:errcheck // never fails
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// checkURL validates an endpoint's address: https (http too in development), a host, no
// credentials. Errors: BAD_USER_INPUT naming "url".
func (s *Service) checkURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || len(raw) > 2000 || (u.Scheme != "https" && u.Scheme != "http") {
		return "", apperr.Invalid("url", "InvalidWebhookURL", nil)
	}
	if u.Scheme != "https" && !s.Development {
		return "", apperr.Invalid("url", "WebhookURLNeedsHTTPS", nil)
	}
	return raw, nil
}

// checkInput validates in onto e. Errors: BAD_USER_INPUT naming the field.
func (s *Service) checkInput(e *Endpoint, in EndpointInput) error {
	if in.URL != nil {
		u, err := s.checkURL(*in.URL)
		if err != nil {
			return err
		}
		e.URL = u
	}
	if in.Description != nil {
		if d := strings.TrimSpace(*in.Description); len(d) > 500 {
			return apperr.Invalid("description", "WebhookDescriptionTooLong", nil)
		} else {
			e.Description = d
		}
	}
	if in.SetEventTypes {
		for _, t := range in.EventTypes {
			if !ValidType(t) {
				return apperr.Invalid("eventTypes", "InvalidChangeType", nil)
			}
		}
		e.EventTypes = dedupe(in.EventTypes)
	}
	return nil
}

func dedupe(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, t := range in {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// requireAdmin returns the municipality the viewer administers. Errors: UNAUTHENTICATED,
// FORBIDDEN.
func requireAdmin(ctx context.Context) (uuid.UUID, error) {
	v, err := requireAdminUser(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	return v.MunicipalityID, nil
}

// requireAdminUser returns the administrator. Errors: UNAUTHENTICATED, FORBIDDEN.
func requireAdminUser(ctx context.Context) (*auth.User, error) {
	// SECURITY: webhooks are the municipality's administrators' alone.
	v, err := auth.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return v.User, nil
}

// changeEndpoint runs write (the endpoint's change) and its audit entry in one transaction.
func (s *Service) changeEndpoint(ctx context.Context, u *auth.User, action string, id uuid.UUID, fields []string,
	write func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := write(ctx, tx); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: u.MunicipalityID, ActorID: &u.ID, Action: action,
			ItemType: "WebhookEndpoint", ItemID: &id, Fields: fields})
	})
}

// FindEndpoints returns the municipality's webhook endpoints, oldest first. Errors:
// UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindEndpoints(ctx context.Context) ([]*Endpoint, error) {
	// SECURITY: administrators, their own municipality's endpoints only.
	mid, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Endpoint
	err = s.db.NewSelect().Model(&out).Where("w.municipality_id = ?", mid).OrderExpr("w.created_at, w.id").Scan(ctx)
	return out, database.MapError(err, "find webhook endpoints", "webhookEndpoint")
}

// FindEndpoint returns the municipality's endpoint id. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND naming "id".
func (s *Service) FindEndpoint(ctx context.Context, id uuid.UUID) (*Endpoint, error) {
	// SECURITY: administrators, their own municipality's endpoints only.
	mid, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return findEndpoint(ctx, s.db, mid, id)
}

func findEndpoint(ctx context.Context, db bun.IDB, mid, id uuid.UUID) (*Endpoint, error) {
	e := new(Endpoint)
	err := db.NewSelect().Model(e).Where("w.municipality_id = ? AND w.id = ?", mid, id).Scan(ctx)
	if err != nil {
		return nil, withField(database.MapError(err, "find webhook endpoint", "webhookEndpoint"), "id")
	}
	return e, nil
}

func withField(err error, field string) error {
	if e := apperr.As(err); e != nil && e.Code == apperr.NotFound {
		return e.WithField(field)
	}
	return err
}

// CreateEndpoint adds an endpoint and returns it with its signing secret in the clear
// (the secret can be read again only by rotating it). Errors: UNAUTHENTICATED, FORBIDDEN,
// BAD_USER_INPUT naming "url", "description" or "eventTypes".
func (s *Service) CreateEndpoint(ctx context.Context, in EndpointInput) (*Endpoint, string, error) {
	// SECURITY: administrators, in their own municipality.
	u, err := requireAdminUser(ctx)
	if err != nil {
		return nil, "", err
	}
	e := &Endpoint{ID: uuid.Must(uuid.NewV7()), MunicipalityID: u.MunicipalityID, EventTypes: []string{}, Enabled: true}
	if in.URL == nil {
		return nil, "", apperr.Invalid("url", "InvalidWebhookURL", nil)
	}
	if err := s.checkInput(e, in); err != nil {
		return nil, "", err
	}
	secret := newSecret()
	if e.Secret, err = s.seal(secret); err != nil {
		return nil, "", err
	}
	if in.Enabled != nil && !*in.Enabled {
		e.disable(DisabledByAdmin, s.now())
	}
	fields := []string{"url", "description", "eventTypes", "enabled"}
	err = s.changeEndpoint(ctx, u, "create_webhook_endpoint", e.ID, fields,
		func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewInsert().Model(e).Exec(ctx)
			return database.MapError(err, "create webhook endpoint", "webhookEndpoint")
		})
	if err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

func (e *Endpoint) disable(reason string, now time.Time) {
	e.Enabled, e.DisabledReason, e.DisabledAt = false, &reason, &now
}

// UpdateEndpoint changes the fields of in that are given. Enabling an endpoint clears its
// reason and its failures; disabling it gives reason ADMIN. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND naming "id", BAD_USER_INPUT naming the field.
func (s *Service) UpdateEndpoint(ctx context.Context, id uuid.UUID, in EndpointInput) (*Endpoint, error) {
	// SECURITY: administrators, their own municipality's endpoints only.
	u, err := requireAdminUser(ctx)
	if err != nil {
		return nil, err
	}
	e, err := findEndpoint(ctx, s.db, u.MunicipalityID, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkInput(e, in); err != nil {
		return nil, err
	}
	if in.Enabled != nil && *in.Enabled != e.Enabled {
		if *in.Enabled {
			e.Enabled, e.DisabledReason, e.DisabledAt, e.FailingSince = true, nil, nil, nil
		} else {
			e.disable(DisabledByAdmin, s.now())
		}
	}
	e.UpdatedAt = s.now()
	update := func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().
			Model(e).
			WherePK().
			Column("url", "description", "event_types", "enabled", "disabled_reason", "disabled_at", "failing_since",
				"updated_at").
			Exec(ctx)
		return database.MapError(err, "update webhook endpoint", "webhookEndpoint")
	}
	err = s.changeEndpoint(ctx, u, "update_webhook_endpoint", e.ID, in.fields(), update)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// DeleteEndpoint removes an endpoint with its messages and attempts; its queued
// deliveries find it gone and send nothing. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND
// naming "id".
func (s *Service) DeleteEndpoint(ctx context.Context, id uuid.UUID) error {
	// SECURITY: administrators, their own municipality's endpoints only.
	u, err := requireAdminUser(ctx)
	if err != nil {
		return err
	}
	return s.changeEndpoint(ctx, u, "delete_webhook_endpoint", id, []string{}, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().
			TableExpr("webhook_endpoints").
			Where("municipality_id = ? AND id = ?", u.MunicipalityID, id).
			Exec(ctx)
		if err != nil {
			return database.MapError(err, "delete webhook endpoint", "webhookEndpoint")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("webhookEndpoint").WithField("id")
		}
		return nil
	})
}

// RotateSecret gives the endpoint a new secret and returns the endpoint with it in the
// clear; the old one keeps signing beside it for SecretOverlap, so the receiver can switch
// without missing a message. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND naming "id".
func (s *Service) RotateSecret(ctx context.Context, id uuid.UUID) (*Endpoint, string, error) {
	// SECURITY: administrators, their own municipality's endpoints only.
	u, err := requireAdminUser(ctx)
	if err != nil {
		return nil, "", err
	}
	e, err := findEndpoint(ctx, s.db, u.MunicipalityID, id)
	if err != nil {
		return nil, "", err
	}
	secret := newSecret()
	sealed, err := s.seal(secret)
	if err != nil {
		return nil, "", err
	}
	until := s.now().Add(SecretOverlap)
	previous := e.Secret
	e.PreviousSecret, e.PreviousSecretUntil, e.Secret, e.UpdatedAt = &previous, &until, sealed, s.now()
	rotate := func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().
			Model(e).
			WherePK().
			Column("secret", "previous_secret", "previous_secret_until", "updated_at").
			Exec(ctx)
		return database.MapError(err, "rotate webhook secret", "webhookEndpoint")
	}
	err = s.changeEndpoint(ctx, u, "rotate_webhook_secret", e.ID, []string{"secret"}, rotate)
	if err != nil {
		return nil, "", err
	}
	return e, secret, nil
}
