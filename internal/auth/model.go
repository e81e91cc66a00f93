// Package auth holds identity: users, password login, sessions and roles, and the Viewer
// every request carries (anonymous, or a signed-in user with roles).
package auth

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// User is a person with an account in one municipality.
type User struct {
	bun.BaseModel `bun:"table:users,alias:u"`

	ID              uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID  uuid.UUID  `bun:"municipality_id,type:uuid"`
	Email           string     `bun:"email"`
	DisplayName     string     `bun:"display_name"`
	PasswordHash    *string    `bun:"password_hash"`
	EmailVerifiedAt *time.Time `bun:"email_verified_at"`
	DisabledAt      *time.Time `bun:"disabled_at"`
	CreatedAt       time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt       time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// GlobalID returns the user's global ID.
func (u *User) GlobalID() string { return relay.GlobalID("User", u.ID) }

// Session is a signed-in session; only the hash of its token is kept.
type Session struct {
	bun.BaseModel `bun:"table:sessions,alias:s"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	UserID         uuid.UUID `bun:"user_id,type:uuid"`
	TokenHash      []byte    `bun:"token_hash"`
	CreatedAt      time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	LastSeenAt     time.Time `bun:"last_seen_at"`
	ExpiresAt      time.Time `bun:"expires_at"`
}

// MunicipalRole is a role a user holds in the municipality.
type MunicipalRole string

// The municipal roles.
const (
	RoleAdmin           MunicipalRole = "ADMIN"
	RoleEditor          MunicipalRole = "EDITOR"
	RoleCardCoordinator MunicipalRole = "CARD_COORDINATOR"
	RoleCaseworker      MunicipalRole = "CASEWORKER"
)

// Viewer is who is making a request: a signed-in user (User set), a machine client with an
// API key (APIKey set), or anonymous (no Viewer at all).
type Viewer struct {
	User      *User
	SessionID uuid.UUID
	Roles     []MunicipalRole
	APIKey    *APIKey
	// Identity is set for a bearer of an OpenID Connect ID token.
	Identity *Identity
}

// HasScope reports whether the viewer is an API key with scope.
func (v *Viewer) HasScope(scope Scope) bool {
	if v == nil || v.APIKey == nil {
		return false
	}
	for _, s := range v.APIKey.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// Has reports whether the viewer holds role.
func (v *Viewer) Has(role MunicipalRole) bool {
	if v == nil {
		return false
	}
	for _, r := range v.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// MunicipalEditor reports whether the viewer keeps all of the municipality's content and
// calendar: its ADMIN and EDITOR users.
func (v *Viewer) MunicipalEditor() bool {
	return v.Has(RoleAdmin) || v.Has(RoleEditor)
}

// RequirePerson returns the viewer when it is a signed-in user. Errors: UNAUTHENTICATED
// for nobody, FORBIDDEN for an API key.
func RequirePerson(ctx context.Context) (*Viewer, error) {
	v := ViewerFrom(ctx)
	if v == nil || (v.User == nil && v.APIKey == nil) {
		return nil, apperr.New(apperr.Unauthenticated, "")
	}
	// SECURITY: what only people write (pages, articles, events, closures) no API key writes.
	if v.User == nil {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	return v, nil
}

type viewerKey struct{}

// WithViewer returns ctx carrying v.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the request's viewer, or nil for anonymous.
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}
