package tenant

import (
	"log/slog"
	"net/http"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/platform/i18n"
)

// Middleware resolves the request's tenant (X-Municipality header, Host, or the only
// municipality) and negotiates its locale (X-Locale, then Accept-Language, against the
// tenant's enabled locales), echoing it in Content-Language. An unknown tenant gets HTTP 404
// with a GraphQL error coded TENANT_NOT_FOUND; while the database cannot be reached the
// answer is HTTP 503 coded SERVICE_UNAVAILABLE.
func Middleware(s *Service, bundle *i18n.Bundle, log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t, err := s.Resolve(r.Context(), r.Host, r.Header.Get("X-Municipality"))
			if err != nil {
				systemLocale := i18n.Negotiate(r.Header.Get("X-Locale"), r.Header.Get("Accept-Language"), i18n.SystemLocales, "nb")
				if apperr.CodeOf(err) == apperr.ServiceUnavailable {
					httpserver.WriteUnavailable(w, bundle.Localize([]string{systemLocale}, string(apperr.ServiceUnavailable), nil))
					return
				}
				status, code := http.StatusNotFound, apperr.TenantNotFound
				if apperr.CodeOf(err) != apperr.TenantNotFound {
					log.ErrorContext(r.Context(), "resolve tenant", "err", err)
					status, code = http.StatusInternalServerError, apperr.Internal
				}
				httpserver.WriteError(w, status, bundle.Localize([]string{systemLocale}, string(code), nil), string(code))
				return
			}
			loc := negotiate(t, r)
			w.Header().Set("Content-Language", loc.Code)
			w.Header().Add("Vary", "Accept-Language, X-Locale, X-Municipality")
			ctx := i18n.WithLocale(WithTenant(r.Context(), t), loc)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func negotiate(t *Tenant, r *http.Request) i18n.Locale {
	def := t.Municipality.DefaultLocale
	code := i18n.Negotiate(r.Header.Get("X-Locale"), r.Header.Get("Accept-Language"), t.EnabledCodes(), def)
	return i18n.Locale{Code: code, Chain: i18n.Chain(code, t.FallbackOf, def)}
}
