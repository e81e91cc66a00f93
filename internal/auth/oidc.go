package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/tenant"
)

// Issuer is an OpenID Connect issuer whose ID tokens fritid accepts as bearer tokens:
// ID-porten for residents, Entra ID for staff.
type Issuer struct {
	// URL is the issuer, exactly as in its tokens' iss claim.
	URL string `json:"issuer"`
	// Audience is the client ID the tokens must be issued to.
	Audience string `json:"audience"`
	// EmailClaim names the claim that maps a token to a user account by e-mail
	// (default "email"); a token without an account is a signed-in resident.
	EmailClaim string `json:"emailClaim"`
	// IdentityNumberClaim names the claim that carries the national identity number
	// (ID-porten's "pid", the default). The activity card uses it to find the bearer's
	// cards; it is never stored or logged.
	IdentityNumberClaim string `json:"identityNumberClaim"`
}

// Identity is who an ID token says the bearer is.
type Identity struct {
	Issuer  string
	Subject string
	Email   string
	// identityNumber is the national identity number claim, kept unexported so that it is
	// never printed, logged or serialised by accident; see IdentityNumber.
	identityNumber string
}

// IdentityNumber returns the national identity number the token carries, or "". Only the
// activity card reads it, to compute the keyed hash it recognises people by.
func (i *Identity) IdentityNumber() string {
	if i == nil {
		return ""
	}
	return i.identityNumber
}

// oidcVerifiers verifies ID tokens of the configured issuers; each issuer's discovery
// document and keys are fetched on first use (and keys again when they rotate).
type oidcVerifiers struct {
	issuers []Issuer
	client  *http.Client // nil: http.DefaultClient
	mu      sync.Mutex
	byURL   map[string]*oidc.IDTokenVerifier
}

func (o *oidcVerifiers) verifier(ctx context.Context, iss Issuer) (*oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if v, ok := o.byURL[iss.URL]; ok {
		return v, nil
	}
	ctx = context.WithoutCancel(ctx)
	if o.client != nil {
		ctx = oidc.ClientContext(ctx, o.client)
	}
	p, err := oidc.NewProvider(ctx, iss.URL)
	if err != nil {
		return nil, fmt.Errorf("oidc issuer %s: %w", iss.URL, err)
	}
	v := p.Verifier(&oidc.Config{ClientID: iss.Audience})
	o.byURL[iss.URL] = v
	return v, nil
}

// looksLikeJWT reports whether a bearer token is a JSON Web Token.
func looksLikeJWT(token string) bool { return strings.Count(token, ".") == 2 }

// unverifiedIssuer reads the iss claim without trusting it, to pick the verifier.
func unverifiedIssuer(token string) string {
	parts := strings.Split(token, ".")
	raw, err := decodeSegment(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Iss string `json:"iss"`
	}
	json.Unmarshal(raw, &c) //nolint:errcheck // an empty issuer is refused below
	return c.Iss
}

// AuthenticateOIDC verifies an ID token (issuer, audience, expiry, signature through the
// issuer's JWKS) and returns its viewer: the municipality's user with the token's e-mail,
// or a signed-in resident without an account. Errors: UNAUTHENTICATED.
func (s *Service) AuthenticateOIDC(ctx context.Context, token string) (*Viewer, error) {
	iss := unverifiedIssuer(token)
	for _, i := range s.oidc.issuers {
		if i.URL != iss {
			continue
		}
		v, err := s.oidc.verifier(ctx, i)
		if err != nil {
			return nil, apperr.Wrap(apperr.Unauthenticated, "TokenInvalid", err)
		}
		// SECURITY: signature, issuer, audience and expiry are checked here.
		idt, err := v.Verify(ctx, token)
		if err != nil {
			return nil, apperr.Wrap(apperr.Unauthenticated, "TokenInvalid", err)
		}
		return s.oidcViewer(ctx, i, idt)
	}
	return nil, apperr.New(apperr.Unauthenticated, "TokenInvalid")
}

func (s *Service) oidcViewer(ctx context.Context, i Issuer, idt *oidc.IDToken) (*Viewer, error) {
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, apperr.Wrap(apperr.Unauthenticated, "TokenInvalid", err)
	}
	claim := i.EmailClaim
	if claim == "" {
		claim = "email"
	}
	id := &Identity{Issuer: idt.Issuer, Subject: idt.Subject}
	if e, ok := claims[claim].(string); ok {
		id.Email = strings.ToLower(strings.TrimSpace(e))
	}
	pid := i.IdentityNumberClaim
	if pid == "" {
		pid = "pid"
	}
	if n, ok := claims[pid].(string); ok {
		id.identityNumber = n
	}
	viewer := &Viewer{Identity: id}
	t, err := tenant.Current(ctx)
	if err != nil || id.Email == "" {
		return viewer, nil
	}
	// SECURITY: an account is found only in the request's municipality.
	u, err := s.findUserByEmail(ctx, t.ID(), id.Email)
	if err != nil || u.DisabledAt != nil {
		return viewer, nil //nolint:nilerr // no account: a signed-in resident
	}
	roles, err := s.roles(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	viewer.User, viewer.Roles = u, roles
	return viewer, nil
}
