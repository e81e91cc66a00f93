package httpserver

import (
	"net/netip"
	"time"
)

// Defaults applied by Run and Middleware when the matching Config field is
// left at its zero value.
const (
	// DefaultMaxBodyBytes is the request body limit used when
	// Config.MaxBodyBytes is zero (10 MiB).
	DefaultMaxBodyBytes int64 = 10 << 20
	// DefaultReadHeaderTimeout is used when Config.ReadHeaderTimeout is zero.
	DefaultReadHeaderTimeout time.Duration = 10 * time.Second
	// DefaultShutdownTimeout is used when Config.ShutdownTimeout is zero.
	DefaultShutdownTimeout time.Duration = 15 * time.Second
)

// Config configures the HTTP server. The caller fills it from the
// application's configuration.
type Config struct {
	// Addr is the TCP address to listen on, for example "127.0.0.1:8080".
	// A port of 0 picks a free port; Run reports the real address.
	Addr string
	// CORSOrigins lists the origins allowed to call the server from a
	// browser. Empty means no cross-origin access. The list ["*"] allows any
	// origin without credentials; any other list allows credentials.
	CORSOrigins []string
	// MaxBodyBytes caps request bodies; larger requests get 413.
	// Zero means DefaultMaxBodyBytes, a negative value disables the limit.
	MaxBodyBytes int64
	// MaxJSONBodyBytes caps bodies that are not multipart uploads (a JSON query with its
	// variables). Zero means MaxBodyBytes.
	MaxJSONBodyBytes int64
	// TrustedProxies are the load balancers whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// ReadHeaderTimeout bounds reading request headers.
	// Zero means DefaultReadHeaderTimeout.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request. Zero means no limit.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing a response. Zero means no limit.
	WriteTimeout time.Duration
	// IdleTimeout bounds keep-alive idle time. Zero falls back to ReadTimeout.
	IdleTimeout time.Duration
	// ShutdownTimeout bounds the graceful shutdown of Run.
	// Zero means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Message gives the messages of the error responses Middleware writes (413, 500) in
	// the request's language. Nil keeps them English.
	Message MessageFunc
	// Production marks a production deployment. Error responses of this
	// package never carry internal details regardless of this flag.
	Production bool
}

// withDefaults returns a copy of c with zero fields replaced by defaults.
func (c Config) withDefaults() Config {
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxJSONBodyBytes == 0 || (c.MaxBodyBytes > 0 && c.MaxJSONBodyBytes > c.MaxBodyBytes) {
		c.MaxJSONBodyBytes = c.MaxBodyBytes
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = DefaultShutdownTimeout
	}
	return c
}
