package httpserver

import (
	"net/http"
	"strings"

	"github.com/rs/cors"
)

// corsMaxAge is how long, in seconds, browsers may cache a preflight answer.
const corsMaxAge = 600

var (
	corsMethods = []string{http.MethodGet, http.MethodPost, http.MethodOptions}
	corsHeaders = []string{
		"Authorization", "Content-Type", "Accept", "Accept-Language",
		"X-Locale", "X-Municipality", "X-Request-Id", "X-Fritid-Device",
		"X-Apollo-Operation-Name", "Apollo-Require-Preflight",
	}
	corsExposed = []string{"X-Request-Id", "Content-Language"}
)

// CORS returns middleware that answers CORS preflights and adds CORS headers
// for the allowed origins.
//
// An empty list allows no cross-origin access: the middleware adds nothing
// and browsers block cross-origin reads. The list ["*"] allows every origin
// without credentials. Any other list allows credentials for exactly the
// listed origins (patterns with one "*", such as "https://*.example.org",
// are supported); a bare "*" mixed into such a list is ignored so that
// credentials are never granted to every origin.
func CORS(origins []string) func(http.Handler) http.Handler {
	list, all := normalizeOrigins(origins)
	if !all && len(list) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	opts := cors.Options{
		AllowedOrigins:   list,
		AllowedMethods:   corsMethods,
		AllowedHeaders:   corsHeaders,
		ExposedHeaders:   corsExposed,
		MaxAge:           corsMaxAge,
		AllowCredentials: !all,
	}
	if all {
		opts.AllowedOrigins = []string{"*"}
	}
	return cors.New(opts).Handler
}

// normalizeOrigins trims the configured origins and drops empty entries. It
// reports all=true when the list is exactly "*"; otherwise "*" entries are
// removed from the returned list.
func normalizeOrigins(origins []string) (list []string, all bool) {
	for _, o := range origins {
		if o = strings.TrimSpace(o); o != "" {
			list = append(list, o)
		}
	}
	if len(list) == 1 && list[0] == "*" {
		return nil, true
	}
	kept := list[:0]
	for _, o := range list {
		if o != "*" {
			kept = append(kept, o)
		}
	}
	return kept, false
}
