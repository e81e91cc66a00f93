package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// Scope is what an API key may do.
type Scope string

// The scopes.
const (
	ScopeCatalogueRead   Scope = "catalogue:read"
	ScopeCatalogueWrite  Scope = "catalogue:write"
	ScopeSubscribersRead Scope = "subscribers:read"
	// ScopeChangesRead reads the change feed (changes), as an integration that mirrors the
	// catalogue does.
	ScopeChangesRead Scope = "changes:read"
)

var scopeNames = map[Scope]string{ScopeCatalogueRead: "CATALOGUE_READ", ScopeCatalogueWrite: "CATALOGUE_WRITE",
	ScopeSubscribersRead: "SUBSCRIBERS_READ",
	ScopeChangesRead:     "CHANGES_READ"}

// MarshalGQL writes the scope as its GraphQL enum value (catalogue:read -> CATALOGUE_READ).
func (s Scope) MarshalGQL(w io.Writer) {
	io.WriteString(w, strconv.Quote(scopeNames[s])) //nolint:errcheck // gqlgen's writer
}

// UnmarshalGQL reads a GraphQL enum value.
func (s *Scope) UnmarshalGQL(v any) error {
	for scope, name := range scopeNames {
		if v == name {
			*s = scope
			return nil
		}
	}
	return fmt.Errorf("%v is not an ApiScope", v)
}

// APIKey is a machine client's key. Its token is shown once; only a keyed hash is kept.
type APIKey struct {
	bun.BaseModel `bun:"table:api_keys,alias:k"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID  `bun:"municipality_id,type:uuid"`
	Name           string     `bun:"name"`
	Prefix         string     `bun:"prefix"`
	TokenHash      []byte     `bun:"token_hash"`
	Scopes         []Scope    `bun:"scopes,array"`
	CreatedBy      *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	LastUsedAt     *time.Time `bun:"last_used_at"`
	RevokedAt      *time.Time `bun:"revoked_at"`
}

// GlobalID returns the key's global ID.
func (k *APIKey) GlobalID() string { return relay.GlobalID("ApiKey", k.ID) }

// keyPrefix starts every API key token, so a leaked key is easy to recognise.
const keyPrefix = "fritid_"

// IsAPIKey reports whether a bearer token is an API key rather than a session token.
func IsAPIKey(token string) bool { return strings.HasPrefix(token, keyPrefix) }

// requireAdmin returns UNAUTHENTICATED for anonymous callers and FORBIDDEN for callers
// who are not administrators of the request's municipality.
func requireAdmin(ctx context.Context) (*Viewer, error) {
	v := ViewerFrom(ctx)
	if v == nil || v.User == nil {
		return nil, apperr.New(apperr.Unauthenticated, "")
	}
	if !v.Has(RoleAdmin) {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	return v, nil
}

// CreateAPIKey makes a key with scopes and returns it with its token, shown only now.
// Errors: UNAUTHENTICATED, FORBIDDEN (not an administrator), BAD_USER_INPUT naming "name"
// or "scopes".
func (s *Service) CreateAPIKey(ctx context.Context, name string, scopes []Scope) (*APIKey, string, error) {
	// SECURITY: only an administrator of the request's municipality creates API keys.
	v, err := requireAdmin(ctx)
	if err != nil {
		return nil, "", err
	}
	if name = strings.TrimSpace(name); name == "" || len(name) > 100 {
		return nil, "", apperr.Invalid("name", "NameRequired", nil)
	}
	if len(scopes) == 0 {
		return nil, "", apperr.Invalid("scopes", "ScopesRequired", nil)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, "", err
	}
	prefix := keyPrefix + strings.ToLower(fmt.Sprintf("%x", secret[:4]))
	token := prefix + "_" + fmt.Sprintf("%x", secret[4:])
	k := &APIKey{ID: uuid.Must(uuid.NewV7()), MunicipalityID: v.User.MunicipalityID, Name: name, Prefix: prefix,
		TokenHash: KeyedHash(s.secret, "api-key", token), Scopes: dedupe(scopes), CreatedBy: &v.User.ID}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(k).Returning("created_at").Exec(ctx); err != nil {
			return database.MapError(err, "insert api key", "api key")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: k.MunicipalityID, ActorID: &v.User.ID, Action: "create_api_key", ItemType: "ApiKey", ItemID: &k.ID, Fields: []string{"name", "scopes"}})
	})
	if err != nil {
		return nil, "", err
	}
	return k, token, nil
}

// RevokeAPIKey revokes a key of the request's municipality. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND (no such key here).
func (s *Service) RevokeAPIKey(ctx context.Context, id uuid.UUID) (*APIKey, error) {
	// SECURITY: only an administrator, and only keys of their own municipality.
	v, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	k := new(APIKey)
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewUpdate().Model(k).Set("revoked_at = coalesce(revoked_at, now())").
			Where("k.id = ? AND k.municipality_id = ?", id, v.User.MunicipalityID).Returning("*").Scan(ctx)
		if err != nil {
			return database.MapError(err, "revoke api key", "api key")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: k.MunicipalityID, ActorID: &v.User.ID, Action: "revoke_api_key", ItemType: "ApiKey", ItemID: &k.ID, Fields: []string{"revokedAt"}})
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// AuthenticateKey returns the viewer an API key token stands for. Errors: UNAUTHENTICATED
// for an unknown or revoked key, or one of another municipality.
func (s *Service) AuthenticateKey(ctx context.Context, token string) (*Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	k := new(APIKey)
	err = s.db.NewSelect().Model(k).Where("k.token_hash = ?", KeyedHash(s.secret, "api-key", token)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthenticated, "TokenInvalid")
	} else if err != nil {
		return nil, database.MapError(err, "find api key", "api key")
	}
	// SECURITY: a key works only in its own municipality and until it is revoked.
	if k.MunicipalityID != t.ID() || k.RevokedAt != nil {
		return nil, apperr.New(apperr.Unauthenticated, "TokenInvalid")
	}
	if k.LastUsedAt == nil || s.now().Sub(*k.LastUsedAt) > time.Minute {
		s.db.NewUpdate().Model(k).Set("last_used_at = ?", s.now()).WherePK().Exec(ctx) //nolint:errcheck // best effort
	}
	return &Viewer{APIKey: k}, nil
}

func dedupe(scopes []Scope) []Scope {
	seen := map[Scope]bool{}
	var out []Scope
	for _, s := range scopes {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
