package auth

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

type clientKey struct{}

// ClientFrom returns the request's client address, for throttling only.
func ClientFrom(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}

// Middleware authenticates a request's bearer session token in its municipality and puts
// the Viewer in the context; without a token the request is anonymous. A token that is
// wrong, expired or of another municipality gets HTTP 401 with code UNAUTHENTICATED.
// It runs after the tenant middleware.
func Middleware(s *Service, bundle *i18n.Bundle, log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				host = r.RemoteAddr
			}
			ctx = context.WithValue(ctx, clientKey{}, host)
			token, ok := bearer(r)
			if t := tenant.FromContext(ctx); ok && t != nil {
				v, err := s.AuthenticateToken(ctx, t.ID(), token)
				if apperr.CodeOf(err) == apperr.ServiceUnavailable {
					httpserver.WriteUnavailable(w, bundle.Localize(i18n.FromContext(ctx).Chain, string(apperr.ServiceUnavailable), nil))
					return
				}
				if err != nil {
					code := apperr.CodeOf(err)
					status := http.StatusUnauthorized
					if code != apperr.Unauthenticated {
						log.ErrorContext(ctx, "authenticate", "request_id", httpserver.RequestIDFromContext(ctx), "err", err)
						status, code = http.StatusInternalServerError, apperr.Internal
					}
					w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
					httpserver.WriteError(w, status, bundle.Localize(i18n.FromContext(ctx).Chain, "TokenInvalid", nil), string(code))
					return
				}
				ctx = WithViewer(ctx, v)
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// AuthenticateToken returns the Viewer of a bearer token in the municipality: an API key,
// an OIDC ID token or a session token, as Middleware reads it from the Authorization
// header. Live updates call it again while a connection lasts, so a session that ends
// ends its subscriptions. Errors: UNAUTHENTICATED, SERVICE_UNAVAILABLE.
func (s *Service) AuthenticateToken(ctx context.Context, municipalityID uuid.UUID, token string) (*Viewer, error) {
	switch {
	case IsAPIKey(token):
		return s.AuthenticateKey(ctx, token)
	case looksLikeJWT(token):
		return s.AuthenticateOIDC(ctx, token)
	default:
		return s.Authenticate(ctx, municipalityID, token)
	}
}

// Bearer returns the token of an "Authorization: Bearer <token>" value, as Middleware
// reads it (live updates read it from a websocket's connection_init).
func Bearer(header string) (string, bool) {
	r := &http.Request{Header: http.Header{"Authorization": {header}}}
	return bearer(r)
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "Bearer ") {
		return "", false
	}
	// An over-long token is still a token: it is refused, not ignored.
	t := strings.TrimSpace(h[7:])
	if len(t) > 8192 {
		return "x", true
	}
	return t, t != ""
}
