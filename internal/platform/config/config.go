// Package config turns FRITID_* environment variables and command-line flags into a typed
// Config, validated once at start with messages a person can act on. One table of settings
// drives the flags, the environment, the defaults and the --help text.
package config

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/fritid/fritid/internal/platform/tracing"
)

// Env is the mode fritid runs in.
type Env string

// The modes.
const (
	Development Env = "development"
	Production  Env = "production"
)

// Config is fritid's whole configuration.
type Config struct {
	Env      Env
	HTTPAddr string
	// MetricsAddr is where /metrics is served on a listener of its own; empty serves it
	// on the main listener in development and not at all in production (see MetricsOnMain).
	MetricsAddr    string
	DataDir        string
	DatabaseURL    string
	SecretKey      string
	CORSOrigins    []string
	LogLevel       string
	MigrateOnStart bool
	Introspection  bool
	MaxDepth       int
	MaxComplexity  int
	MaxBodyBytes   int64
	// Query limits: see graph.Limits.
	MaxQueryBytes   int
	MaxQueryTokens  int
	MaxAliases      int
	MaxDirectives   int
	MaxJSONBodySize int64
	// Cost budgets per caller and minute (0: unlimited); see graph.Budgets.
	BudgetAnonymous int
	BudgetUser      int
	BudgetAPIKey    int
	// TrustedProxies are the proxies whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	QueryCacheSize int
	APQCacheSize   int
	// Live bounds the subscriptions (live updates): per connection, per client address,
	// the wait for a websocket's connection_init, the keep-alive pings and how long a
	// connection without subscriptions stays open.
	LiveMaxPerConnection int
	LiveMaxPerClient     int
	LiveInitTimeout      time.Duration
	LivePingInterval     time.Duration
	LiveIdleTimeout      time.Duration
	DBMaxConns           int
	// JobWorkers is how many jobs (e-mails, housekeeping) one server works at once.
	JobWorkers    int
	ReadTimeout   time.Duration
	WriteTimeout  time.Duration
	IdleTimeout   time.Duration
	ShutdownGrace time.Duration
	SessionTTL    time.Duration
	SessionIdle   time.Duration
	OIDCIssuers   []OIDCIssuer
	SMTPURL       string
	PublicURL     string
	// APIURL is where fritid itself is reached from outside (one-click unsubscribe links);
	// empty: PublicURL.
	APIURL        string
	RevisionsKept int
	// EventHorizonDays is how far ahead a recurring event's occurrences exist as events.
	EventHorizonDays int
	// CardRetentionDays is how long after a card ends its holder's and guardians' personal
	// data is kept before it is erased.
	CardRetentionDays int
	// SignupRetentionDays is how long after an event ends its sign-ups are kept.
	SignupRetentionDays int
	// WebhookAllowPrivate lets webhook deliveries reach loopback and private addresses
	// (tests and development only; refused in production).
	WebhookAllowPrivate bool
	MediaURL            string
	MailFrom            string
	// NewsletterBounceAddress gives list e-mails return paths of their own (VERP) and a
	// mailto: unsubscribe address at its domain; empty: list e-mails go out from MailFrom.
	NewsletterBounceAddress string
	// NewsletterInboundSecret is what the mail server proves itself with when it hands
	// returned mail to fritid.
	NewsletterInboundSecret string
	// SMSURL is the HTTP gateway that text messages (card notices to a phone number) go
	// through; empty: no phone numbers are offered. SMSToken is its bearer token, SMSSender
	// the name the messages come from.
	SMSURL, SMSToken, SMSSender string
	// Wallet is how tickets become phone wallet passes; see WalletConfig.
	Wallet WalletConfig
	// PushPublicKey and PushPrivateKey are the VAPID key pair of Web Push (base64url, the
	// uncompressed P-256 point and the scalar); PushSubject is the contact the push services
	// see (mailto: or https:). Empty keys: no Web Push.
	PushPublicKey, PushPrivateKey, PushSubject string
	// PGBinDir is PG_BINDIR: where the embedded PostgreSQL's binaries are, when set.
	PGBinDir string
	// Tracing is read from the standard OTEL_* variables (see tracing.FromEnv); off unless
	// they name an OTLP endpoint.
	Tracing tracing.Config
	// DatabaseReadURL is a read replica for anonymous catalogue reads; empty reads the primary.
	DatabaseReadURL string
	// SecretKeyGenerated is true when SecretKey was generated and kept in the data directory.
	SecretKeyGenerated bool
}

// WalletConfig sets up the phone wallets. Apple Wallet needs all of its pass type ID,
// team ID, pass certificate and key (PEM files) and Apple's WWDR intermediate certificate
// (PEM); Google Wallet its issuer ID and a service account's key file (JSON). A wallet
// without its settings is not offered.
type WalletConfig struct {
	ApplePassTypeID, AppleTeamID, AppleCert, AppleKey, AppleWWDR string
	// AppleAPNsURL is the push service that tells devices a pass changed.
	AppleAPNsURL              string
	GoogleIssuerID, GoogleKey string
	// GoogleAPIURL is the Google Wallet REST API's base address.
	GoogleAPIURL string
}

// Apple reports whether Apple Wallet is set up.
func (w WalletConfig) Apple() bool { return w.ApplePassTypeID != "" }

// Google reports whether Google Wallet is set up.
func (w WalletConfig) Google() bool { return w.GoogleIssuerID != "" }

// validate checks that each wallet's settings come together.
func (w WalletConfig) validate() []string {
	var p []string
	apple := map[string]string{"FRITID_WALLET_APPLE_PASS_TYPE_ID": w.ApplePassTypeID,
		"FRITID_WALLET_APPLE_TEAM_ID": w.AppleTeamID, "FRITID_WALLET_APPLE_CERT": w.AppleCert,
		"FRITID_WALLET_APPLE_KEY": w.AppleKey, "FRITID_WALLET_APPLE_WWDR": w.AppleWWDR}
	p = append(p, together("Apple Wallet", apple)...)
	google := map[string]string{"FRITID_WALLET_GOOGLE_ISSUER_ID": w.GoogleIssuerID,
		"FRITID_WALLET_GOOGLE_KEY": w.GoogleKey}
	p = append(p, together("Google Wallet", google)...)
	if w.GoogleIssuerID != "" && strings.Trim(w.GoogleIssuerID, "0123456789") != "" {
		p = append(p, "FRITID_WALLET_GOOGLE_ISSUER_ID must be the issuer ID's digits, as the Google Pay & Wallet "+
			"console shows it")
	}
	return p
}

// together returns a problem for each of settings left empty when another is set.
func together(what string, settings map[string]string) []string {
	set := 0
	for _, v := range settings {
		if v != "" {
			set++
		}
	}
	if set == 0 || set == len(settings) {
		return nil
	}
	var p []string
	for _, name := range sortedKeys(settings) {
		if settings[name] == "" {
			p = append(p, fmt.Sprintf("%s is required for %s: set all of its settings, or none", name, what))
		}
	}
	return p
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Production reports whether fritid runs in production mode.
func (c *Config) Production() bool { return c.Env == Production }

// MetricsOnMain reports whether /metrics is served on the main, public listener: only in
// development, and only when it has no address of its own.
func (c *Config) MetricsOnMain() bool { return c.MetricsAddr == "" && !c.Production() }

// PostgresDir is where the embedded local PostgreSQL keeps its data.
func (c *Config) PostgresDir() string { return filepath.Join(c.DataDir, "postgres") }

// OIDCIssuer is an OpenID Connect issuer whose ID tokens are accepted.
type OIDCIssuer struct {
	Issuer     string `json:"issuer"`
	Audience   string `json:"audience"`
	EmailClaim string `json:"emailClaim"`
	// IdentityNumberClaim names the claim with the national identity number (default "pid").
	IdentityNumberClaim string `json:"identityNumberClaim"`
}

// Setting is one configuration value: its environment variable, flag, default and meaning.
type Setting struct {
	Env     string
	Flag    string
	Default string
	Usage   string
	set     func(c *Config, v string) error
}

// Settings lists every setting in the order --help shows them.
var Settings = []Setting{
	{"FRITID_ENV", "env", "development", "mode: development or production", func(c *Config, v string) error {
		switch Env(v) {
		case Development, Production:
			c.Env = Env(v)
			return nil
		}
		return errors.New(`must be "development" or "production"`)
	}},
	{"FRITID_HTTP_ADDR", "http-addr", "127.0.0.1:8080", "address the HTTP server listens on (host:port)", func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return errors.New(`must be host:port, for example "127.0.0.1:8080" or ":8080"`)
		}
		c.HTTPAddr = v
		return nil
	}},
	{"FRITID_METRICS_ADDR", "metrics-addr", "", "address of a listener of its own for /metrics (host:port), for Prometheus on an internal network; empty serves /metrics on the main listener in development and not at all in production", func(c *Config, v string) error {
		if v == "" {
			c.MetricsAddr = ""
			return nil
		}
		if _, _, err := net.SplitHostPort(v); err != nil {
			return errors.New(`must be host:port, for example "127.0.0.1:9090", or empty`)
		}
		c.MetricsAddr = v
		return nil
	}},
	{"FRITID_DATA_DIR", "data-dir", "./.fritid", "directory for local state: the embedded PostgreSQL, the development secret key", setString(func(c *Config) *string { return &c.DataDir })},
	{"FRITID_DATABASE_URL", "database-url", "", "PostgreSQL URL (postgres://user:pass@host:5432/db); empty starts an embedded local PostgreSQL in the data directory", func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
			return errors.New("must be a postgres:// or postgresql:// URL")
		}
		c.DatabaseURL = v
		return nil
	}},
	{"FRITID_DATABASE_READ_URL", "database-read-url", "", "PostgreSQL URL of a read replica (a hot standby) for anonymous catalogue reads; empty reads the primary", func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
			return errors.New("must be a postgres:// or postgresql:// URL")
		}
		c.DatabaseReadURL = v
		return nil
	}},
	{"FRITID_SECRET_KEY", "secret-key", "", "secret for token hashing and keyed hashes, at least 32 characters; required in production, generated into the data directory in development", setString(func(c *Config) *string { return &c.SecretKey })},
	{"FRITID_CORS_ORIGINS", "cors-origins", "", "comma-separated origins allowed to call the API from a browser (https://portal.example.no); * allows any origin without credentials", func(c *Config, v string) error {
		c.CORSOrigins = nil
		for _, o := range strings.Split(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				if o != "*" && !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
					return fmt.Errorf("origin %q must start with http:// or https://", o)
				}
				c.CORSOrigins = append(c.CORSOrigins, strings.TrimRight(o, "/"))
			}
		}
		return nil
	}},
	{"FRITID_LOG_LEVEL", "log-level", "info", "log level: debug, info, warn or error", func(c *Config, v string) error {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
			return nil
		}
		return errors.New("must be debug, info, warn or error")
	}},
	{"FRITID_MIGRATE", "migrate", "true", "run database migrations when serve starts", setBool(func(c *Config) *bool { return &c.MigrateOnStart })},
	{"FRITID_INTROSPECTION", "introspection", "", "allow GraphQL introspection queries: true or false; empty allows them in development and refuses them in production", func(c *Config, v string) error {
		if v == "" {
			c.Introspection = !c.Production() // FRITID_ENV comes first in the table
			return nil
		}
		return setBool(func(c *Config) *bool { return &c.Introspection })(c, v)
	}},
	{"FRITID_MAX_QUERY_DEPTH", "max-query-depth", "15", "deepest field nesting a GraphQL operation may have", setInt(func(c *Config) *int { return &c.MaxDepth }, 1, 1000)},
	{"FRITID_MAX_QUERY_COMPLEXITY", "max-query-complexity", "50000", "highest cost a GraphQL operation may have: each field counts 1 (a mutation's 10), times the items of each list above it (first/last, or 10 for an unpaged list)", setInt(func(c *Config) *int { return &c.MaxComplexity }, 1, 100_000_000)},
	{"FRITID_MAX_QUERY_BYTES", "max-query-bytes", "100000", "longest GraphQL query text, in bytes", setInt(func(c *Config) *int { return &c.MaxQueryBytes }, 1024, 10<<20)},
	{"FRITID_MAX_QUERY_TOKENS", "max-query-tokens", "10000", "most tokens (names, punctuation, values) in a GraphQL document", setInt(func(c *Config) *int { return &c.MaxQueryTokens }, 100, 1_000_000)},
	{"FRITID_MAX_QUERY_ALIASES", "max-query-aliases", "200", "most aliased fields in a GraphQL document", setInt(func(c *Config) *int { return &c.MaxAliases }, 1, 100_000)},
	{"FRITID_MAX_QUERY_DIRECTIVES", "max-query-directives", "10", "most directives in one place of a GraphQL document (a field, a fragment)", setInt(func(c *Config) *int { return &c.MaxDirectives }, 1, 1000)},
	{"FRITID_MAX_BODY_BYTES", "max-body-bytes", "10485760", "largest request body accepted, in bytes (uploads included)", setBytes(func(c *Config) *int64 { return &c.MaxBodyBytes })},
	{"FRITID_MAX_JSON_BODY_BYTES", "max-json-body-bytes", "1048576", "largest request body that is not an upload (a JSON query with its variables), in bytes", setBytes(func(c *Config) *int64 { return &c.MaxJSONBodySize })},
	{"FRITID_COST_BUDGET_ANONYMOUS", "cost-budget-anonymous", "1000000", "query cost an anonymous client address may spend per minute (0: unlimited)", setInt(func(c *Config) *int { return &c.BudgetAnonymous }, 0, 1_000_000_000)},
	{"FRITID_COST_BUDGET_USER", "cost-budget-user", "1000000", "query cost a signed-in user may spend per minute (0: unlimited)", setInt(func(c *Config) *int { return &c.BudgetUser }, 0, 1_000_000_000)},
	{"FRITID_COST_BUDGET_API_KEY", "cost-budget-api-key", "5000000", "query cost an API key may spend per minute (0: unlimited)", setInt(func(c *Config) *int { return &c.BudgetAPIKey }, 0, 1_000_000_000)},
	{"FRITID_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated addresses or CIDR ranges of the load balancers in front; the client address is then read from their X-Forwarded-For", func(c *Config, v string) error {
		c.TrustedProxies = nil
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			p, err := netip.ParsePrefix(f)
			if err != nil {
				a, aerr := netip.ParseAddr(f)
				if aerr != nil {
					return fmt.Errorf("%q is not an address or a CIDR range such as 10.0.0.0/8", f)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			c.TrustedProxies = append(c.TrustedProxies, p.Masked())
		}
		return nil
	}},
	{"FRITID_QUERY_CACHE_SIZE", "query-cache-size", "1000", "parsed GraphQL documents kept in the LRU cache", setInt(func(c *Config) *int { return &c.QueryCacheSize }, 1, 1_000_000)},
	{"FRITID_APQ_CACHE_SIZE", "apq-cache-size", "1000", "automatic persisted queries kept in the LRU cache", setInt(func(c *Config) *int { return &c.APQCacheSize }, 1, 1_000_000)},
	{"FRITID_LIVE_MAX_PER_CONNECTION", "live-max-per-connection", "20", "subscriptions one websocket may hold at once", setInt(func(c *Config) *int { return &c.LiveMaxPerConnection }, 1, 10_000)},
	{"FRITID_LIVE_MAX_PER_CLIENT", "live-max-per-client", "500", "subscriptions one client address may hold at once on one instance", setInt(func(c *Config) *int { return &c.LiveMaxPerClient }, 1, 1_000_000)},
	{"FRITID_LIVE_INIT_TIMEOUT", "live-init-timeout", "10s", "how long a websocket may take to send connection_init", setDuration(func(c *Config) *time.Duration { return &c.LiveInitTimeout })},
	{"FRITID_LIVE_PING_INTERVAL", "live-ping-interval", "25s", "keep-alive pings on websockets and event streams; a websocket not answering two is closed", setDuration(func(c *Config) *time.Duration { return &c.LivePingInterval })},
	{"FRITID_LIVE_IDLE_TIMEOUT", "live-idle-timeout", "5m", "a websocket without any subscription this long is closed", setDuration(func(c *Config) *time.Duration { return &c.LiveIdleTimeout })},
	{"FRITID_DB_MAX_CONNS", "db-max-conns", "20", "most open connections to PostgreSQL", setInt(func(c *Config) *int { return &c.DBMaxConns }, 1, 10_000)},
	{"FRITID_JOB_WORKERS", "job-workers", "4", "jobs (e-mails, housekeeping) one server works at once", setInt(func(c *Config) *int { return &c.JobWorkers }, 1, 100)},
	{"FRITID_READ_TIMEOUT", "read-timeout", "30s", "longest time to read a whole request", setDuration(func(c *Config) *time.Duration { return &c.ReadTimeout })},
	{"FRITID_WRITE_TIMEOUT", "write-timeout", "60s", "longest time to write a response", setDuration(func(c *Config) *time.Duration { return &c.WriteTimeout })},
	{"FRITID_IDLE_TIMEOUT", "idle-timeout", "120s", "how long an idle keep-alive connection stays open", setDuration(func(c *Config) *time.Duration { return &c.IdleTimeout })},
	{"FRITID_SESSION_TTL", "session-ttl", "720h", "how long a signed-in session lasts at most", setDuration(func(c *Config) *time.Duration { return &c.SessionTTL })},
	{"FRITID_SESSION_IDLE_TIMEOUT", "session-idle-timeout", "168h", "a session left unused this long ends", setDuration(func(c *Config) *time.Duration { return &c.SessionIdle })},
	{"FRITID_OIDC_ISSUERS", "oidc-issuers", "", `OpenID Connect issuers whose ID tokens are accepted as bearer tokens, as JSON: [{"issuer":"https://...","audience":"client-id","emailClaim":"email","identityNumberClaim":"pid"}]`, func(c *Config, v string) error {
		c.OIDCIssuers = nil
		if strings.TrimSpace(v) == "" {
			return nil
		}
		if err := json.Unmarshal([]byte(v), &c.OIDCIssuers); err != nil {
			return errors.New(`must be a JSON list such as [{"issuer":"https://login.example.no","audience":"fritid"}]`)
		}
		for _, i := range c.OIDCIssuers {
			if !strings.HasPrefix(i.Issuer, "https://") && !strings.HasPrefix(i.Issuer, "http://127.0.0.1") && !strings.HasPrefix(i.Issuer, "http://localhost") {
				return fmt.Errorf("issuer %q must be an https URL", i.Issuer)
			}
			if i.Audience == "" {
				return fmt.Errorf("issuer %q needs an audience", i.Issuer)
			}
		}
		return nil
	}},
	{"FRITID_SMTP_URL", "smtp-url", "", "SMTP server for e-mail, smtp://user:password@host:587 or smtps://host:465; empty writes e-mail to the log (development)", func(c *Config, v string) error {
		if v != "" && !strings.HasPrefix(v, "smtp://") && !strings.HasPrefix(v, "smtps://") {
			return errors.New("must start with smtp:// or smtps://")
		}
		c.SMTPURL = v
		return nil
	}},
	{"FRITID_PUBLIC_URL", "public-url", "http://127.0.0.1:8080", "where residents reach the portal; links in e-mails start with it", func(c *Config, v string) error {
		if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
			return errors.New("must be an http:// or https:// URL")
		}
		c.PublicURL = strings.TrimRight(v, "/")
		return nil
	}},
	{"FRITID_API_URL", "api-url", "",
		"where fritid's own HTTP API is reached from outside (the one-click unsubscribe link of list e-mails); " +
			"empty: FRITID_PUBLIC_URL",
		func(c *Config, v string) error {
			if v == "" {
				c.APIURL = ""
				return nil
			}
			if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
				return errors.New("must be an http:// or https:// URL")
			}
			c.APIURL = strings.TrimRight(v, "/")
			return nil
		}},
	{"FRITID_REVISIONS_KEPT", "revisions-kept", "20", "how many revisions of each organisation and activity are kept", setInt(func(c *Config) *int { return &c.RevisionsKept }, 1, 1000)},
	{"FRITID_EVENT_HORIZON_DAYS", "event-horizon-days", "365", "how many days ahead a recurring event's occurrences are made (a daily job moves the horizon on)", setInt(func(c *Config) *int { return &c.EventHorizonDays }, 7, 1096)},
	{"FRITID_CARD_RETENTION_DAYS", "card-retention-days", "90", "days after an activity card ends before its holder's and guardians' personal data is erased (the card and its statistics stay, anonymous)", setInt(func(c *Config) *int { return &c.CardRetentionDays }, 1, 3650)},
	{"FRITID_SIGNUP_RETENTION_DAYS", "signup-retention-days", "30",
		"days after an event ends before its sign-ups (contacts, participants, answers, attendance) are erased",
		setInt(func(c *Config) *int { return &c.SignupRetentionDays }, 1, 3650)},
	{"FRITID_WEBHOOK_ALLOW_PRIVATE", "webhook-allow-private", "false",
		"let webhooks reach loopback, private, link-local and CGNAT addresses " +
			"(tests and development only; refused in production)",
		setBool(func(c *Config) *bool { return &c.WebhookAllowPrivate })},
	{"FRITID_MEDIA_URL", "media-url", "", "where uploaded images are kept: file:///srv/fritid/media or s3://bucket?region=eu-north-1; required in production; empty keeps them in the data directory in development", setString(func(c *Config) *string { return &c.MediaURL })},
	{"FRITID_MAIL_FROM", "mail-from", "fritid <noreply@localhost>", "the sender of e-mail", setString(func(c *Config) *string { return &c.MailFrom })},
	{"FRITID_NEWSLETTER_BOUNCE_ADDRESS", "newsletter-bounce-address", "",
		"address whose domain receives returned list e-mails (bounces@bounce.example.org): each list e-mail is sent " +
			"from bounces+<token>@ and offers mailto:unsubscribe+<token>@ that domain, which the mail server pipes " +
			"to POST /newsletter/inbound; empty: list e-mails go out from FRITID_MAIL_FROM",
		func(c *Config, v string) error {
			if err := checkBounceAddress(v); err != nil {
				return err
			}
			c.NewsletterBounceAddress = strings.ToLower(v)
			return nil
		}},
	{"FRITID_NEWSLETTER_INBOUND_SECRET", "newsletter-inbound-secret", "",
		"secret the mail server sends as \"Authorization: Bearer <secret>\" to POST /newsletter/inbound, " +
			"at least 32 characters; required with FRITID_NEWSLETTER_BOUNCE_ADDRESS",
		setString(func(c *Config) *string { return &c.NewsletterInboundSecret })},
	{"FRITID_SMS_URL", "sms-url", "",
		"HTTP gateway for text messages: each is a POST of {\"to\", \"from\", \"text\"} as JSON (https, or http to " +
			"this machine); empty: card notices go by e-mail only, and no phone number is taken",
		func(c *Config, v string) error {
			if v != "" {
				if _, err := url.Parse(v); err != nil || !(strings.HasPrefix(v, "https://") ||
					strings.HasPrefix(v, "http://127.0.0.1") || strings.HasPrefix(v, "http://localhost")) {
					return errors.New("must be an https:// URL")
				}
			}
			c.SMSURL = v
			return nil
		}},
	{"FRITID_PUSH_VAPID_PUBLIC_KEY", "push-vapid-public-key", "",
		"the VAPID public key of Web Push (base64url, 65 bytes; `fritid push keys` makes a pair); " +
			"empty: no Web Push",
		setString(func(c *Config) *string { return &c.PushPublicKey })},
	{"FRITID_PUSH_VAPID_PRIVATE_KEY", "push-vapid-private-key", "",
		"the VAPID private key of Web Push (base64url, 32 bytes); required with FRITID_PUSH_VAPID_PUBLIC_KEY",
		setString(func(c *Config) *string { return &c.PushPrivateKey })},
	{"FRITID_PUSH_SUBJECT", "push-subject", "",
		"who the push services may contact about our messages: mailto:address or an https:// URL; " +
			"required with the VAPID keys",
		setString(func(c *Config) *string { return &c.PushSubject })},
	{"FRITID_SMS_TOKEN", "sms-token", "", "bearer token sent to FRITID_SMS_URL with each text message; empty: none",
		setString(func(c *Config) *string { return &c.SMSToken })},
	{"FRITID_SMS_SENDER", "sms-sender", "fritid",
		"the name text messages come from: 1-11 letters or digits (the municipality's name, say)",
		func(c *Config, v string) error {
			if !smsSender.MatchString(v) {
				return errors.New("must be 1-11 letters or digits")
			}
			c.SMSSender = v
			return nil
		}},
	{"FRITID_WALLET_APPLE_PASS_TYPE_ID", "wallet-apple-pass-type-id", "",
		"Apple Wallet: the pass type identifier (pass.no.kommune.fritid); empty: no Apple Wallet passes",
		setString(func(c *Config) *string { return &c.Wallet.ApplePassTypeID })},
	{"FRITID_WALLET_APPLE_TEAM_ID", "wallet-apple-team-id", "", "Apple Wallet: the developer team identifier",
		setString(func(c *Config) *string { return &c.Wallet.AppleTeamID })},
	{"FRITID_WALLET_APPLE_CERT", "wallet-apple-cert", "",
		"Apple Wallet: path of the pass type certificate (PEM); it signs the passes and the pushes",
		setString(func(c *Config) *string { return &c.Wallet.AppleCert })},
	{"FRITID_WALLET_APPLE_KEY", "wallet-apple-key", "",
		"Apple Wallet: path of the pass type certificate's private key (PEM, not encrypted)",
		setString(func(c *Config) *string { return &c.Wallet.AppleKey })},
	{"FRITID_WALLET_APPLE_WWDR", "wallet-apple-wwdr", "",
		"Apple Wallet: path of Apple's WWDR intermediate certificate (PEM) that issued the pass certificate",
		setString(func(c *Config) *string { return &c.Wallet.AppleWWDR })},
	{"FRITID_WALLET_APPLE_APNS_URL", "wallet-apple-apns-url", "https://api.push.apple.com",
		"Apple Wallet: the push service that tells devices a pass changed (an https:// URL)",
		func(c *Config, v string) error {
			if !strings.HasPrefix(v, "https://") {
				return errors.New("must be an https:// URL")
			}
			c.Wallet.AppleAPNsURL = strings.TrimRight(v, "/")
			return nil
		}},
	{"FRITID_WALLET_GOOGLE_ISSUER_ID", "wallet-google-issuer-id", "",
		"Google Wallet: the issuer ID (digits); empty: no Google Wallet passes",
		setString(func(c *Config) *string { return &c.Wallet.GoogleIssuerID })},
	{"FRITID_WALLET_GOOGLE_KEY", "wallet-google-key", "",
		"Google Wallet: path of the service account's key file (JSON) that signs the save links and updates passes",
		setString(func(c *Config) *string { return &c.Wallet.GoogleKey })},
	{"FRITID_WALLET_GOOGLE_API_URL", "wallet-google-api-url", "https://walletobjects.googleapis.com/walletobjects/v1",
		"Google Wallet: the REST API's base address, where a pass's state is updated (an http(s):// URL)",
		func(c *Config, v string) error {
			if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
				return errors.New("must be an http:// or https:// URL")
			}
			c.Wallet.GoogleAPIURL = strings.TrimRight(v, "/")
			return nil
		}},
	{"FRITID_SHUTDOWN_TIMEOUT", "shutdown-timeout", "15s", "how long a graceful shutdown waits for requests in flight", setDuration(func(c *Config) *time.Duration { return &c.ShutdownGrace })},
}

// Load reads settings from getenv, then from args (flags win), and validates them. The
// returned error names every setting that is wrong and how to fix it; flag.ErrHelp means
// --help was asked for and the usage was written to out (flag errors are returned, not
// printed). extra adds a command's own flags.
func Load(name string, args []string, getenv func(string) string, out io.Writer, extra ...func(*flag.FlagSet)) (*Config, []string, error) {
	c := &Config{}
	values := map[string]*string{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, s := range Settings {
		v := s.Default
		if e := getenv(s.Env); e != "" {
			v = e
		}
		values[s.Env] = fs.String(s.Flag, v, s.Usage)
	}
	for _, add := range extra {
		add(fs)
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		usage(out, name, fs)
		return nil, nil, err
	} else if err != nil {
		return nil, nil, fmt.Errorf("%w (see %s --help)", err, name)
	}
	c.PGBinDir = getenv("PG_BINDIR")
	var problems []string
	for _, s := range Settings {
		if err := s.set(c, *values[s.Env]); err != nil {
			problems = append(problems, fmt.Sprintf("%s (--%s) = %q: %v", s.Env, s.Flag, *values[s.Env], err))
		}
	}
	if len(problems) == 0 {
		problems = c.validate()
	}
	var err error
	if c.Tracing, err = tracing.FromEnv(getenv); err != nil {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("invalid configuration:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return c, fs.Args(), nil
}

func (c *Config) validate() []string {
	var p []string
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		p = append(p, "FRITID_SECRET_KEY is too short: use at least 32 random characters (for example `openssl rand -hex 32`)")
	}
	for _, b := range []struct {
		env    string
		budget int
	}{{"FRITID_COST_BUDGET_ANONYMOUS", c.BudgetAnonymous}, {"FRITID_COST_BUDGET_USER", c.BudgetUser}, {"FRITID_COST_BUDGET_API_KEY", c.BudgetAPIKey}} {
		if b.budget > 0 && b.budget < c.MaxComplexity {
			p = append(p, fmt.Sprintf("%s (%d) is below FRITID_MAX_QUERY_COMPLEXITY (%d): a caller could never run the largest operation; raise it or set 0 for no limit", b.env, b.budget, c.MaxComplexity))
		}
	}
	if c.MaxJSONBodySize > c.MaxBodyBytes {
		p = append(p, "FRITID_MAX_JSON_BODY_BYTES is above FRITID_MAX_BODY_BYTES: no body can be larger than the largest body")
	}
	if c.MetricsAddr != "" && sameListener(c.MetricsAddr, c.HTTPAddr) {
		p = append(p, fmt.Sprintf("FRITID_METRICS_ADDR (--metrics-addr) = %q is the address of the API (FRITID_HTTP_ADDR): give /metrics another port, or leave it empty", c.MetricsAddr))
	}
	p = append(p, c.validateInbound()...)
	p = append(p, c.Wallet.validate()...)
	p = append(p, c.validatePush()...)
	if c.Production() {
		if c.SecretKey == "" {
			p = append(p, "FRITID_SECRET_KEY is required in production: set it to at least 32 random characters (for example `openssl rand -hex 32`) and keep it the same across restarts")
		}
		if c.DatabaseURL == "" {
			p = append(p, "FRITID_DATABASE_URL is required in production: the embedded PostgreSQL is for development only")
		}
		if c.WebhookAllowPrivate {
			p = append(p, "FRITID_WEBHOOK_ALLOW_PRIVATE must be false in production: "+
				"it lets webhooks reach the servers' own network")
		}
		if c.MediaURL == "" {
			p = append(p, "FRITID_MEDIA_URL is required in production: set it to where uploaded images are kept, "+
				"a directory every instance shares (file:///srv/fritid/media) or a bucket (s3://bucket?region=eu-north-1)")
		}
	}
	return p
}

// sameListener reports whether listening on a and on b would take the same port: the
// same port number (not 0) on the same host, or on all interfaces for either.
func sameListener(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || pa != pb || pa == "0" {
		return false
	}
	wildcard := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || wildcard(ha) || wildcard(hb)
}

// usage writes the help text for command name: its own flags, then every setting with its
// flag, variable and default.
func usage(w io.Writer, name string, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s [flags]\n", name)
	settings := map[string]bool{}
	for _, s := range Settings {
		settings[s.Flag] = true
	}
	own := false
	fs.VisitAll(func(f *flag.Flag) {
		if !settings[f.Name] {
			if !own {
				fmt.Fprintf(w, "\nFlags of this command:\n\n")
				own = true
			}
			fmt.Fprintf(w, "  --%-22s %s\n", f.Name, f.Usage)
		}
	})
	Usage(w)
}

// Usage writes every setting with its flag, environment variable, default and meaning.
func Usage(w io.Writer) {
	fmt.Fprintf(w, "\nSettings: each is a flag or an environment variable (flags win):\n\n")
	for _, s := range Settings {
		def := s.Default
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  --%-22s %-28s default %s\n      %s\n", s.Flag, s.Env, def, s.Usage)
	}
}

func setString(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

func setBool(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		switch strings.ToLower(v) {
		case "true", "1", "yes", "on":
			*field(c) = true
		case "false", "0", "no", "off":
			*field(c) = false
		default:
			return errors.New("must be true or false")
		}
		return nil
	}
}

func setInt(field func(*Config) *int, lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		var n int
		if _, err := fmt.Sscan(v, &n); err != nil || fmt.Sprint(n) != strings.TrimSpace(v) {
			return errors.New("must be a whole number")
		}
		if n < lo || n > hi {
			return fmt.Errorf("must be between %d and %d", lo, hi)
		}
		*field(c) = n
		return nil
	}
}

func setBytes(field func(*Config) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		var n int
		if err := setInt(func(*Config) *int { return &n }, 1024, 1<<30)(c, v); err != nil {
			return err
		}
		*field(c) = int64(n)
		return nil
	}
}

func setDuration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New(`must be a positive duration such as "30s" or "2m"`)
		}
		*field(c) = d
		return nil
	}
}

// EnsureSecretKey fills SecretKey in development when it is unset: it reads the key kept in
// the data directory, or generates and keeps a new one (mode 0600).
func (c *Config) EnsureSecretKey() error {
	if c.SecretKey != "" {
		return nil
	}
	if c.Production() {
		return errors.New("FRITID_SECRET_KEY is required in production")
	}
	path := filepath.Join(c.DataDir, "secret-key")
	key, err := readOrCreateKey(path)
	if err != nil {
		return fmt.Errorf("development secret key in %s: %w", path, err)
	}
	c.SecretKey, c.SecretKeyGenerated = key, true
	return nil
}

func readOrCreateKey(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		if k := strings.TrimSpace(string(b)); len(k) >= 32 {
			return k, nil
		}
		return "", errors.New("the file is shorter than 32 characters: delete it to make a new key")
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	key, err := randomHex(32)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return readOrCreateKey(path) // another process made it first
	} else if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(key + "\n"); err != nil {
		return "", err
	}
	return key, f.Sync()
}

// smsSender is an alphanumeric sender name as SMS networks take it.
var smsSender = regexp.MustCompile(`^[A-Za-z0-9]{1,11}$`)

// maxBounceLocalPart is the longest local part of FRITID_NEWSLETTER_BOUNCE_ADDRESS: with
// "+" and a token of up to 44 characters it stays within SMTP's 64.
const maxBounceLocalPart = 19

// checkBounceAddress checks a bounce address: empty, or a plain local@domain whose local
// part has room for a token.
func checkBounceAddress(v string) error {
	if v == "" {
		return nil
	}
	a, err := mail.ParseAddress(v)
	at := strings.LastIndex(v, "@")
	if err != nil || a.Address != v || a.Name != "" || at < 1 {
		return errors.New("must be a plain address such as bounces@bounce.example.org")
	}
	if local := v[:at]; len(local) > maxBounceLocalPart || strings.ContainsAny(local, "+\"") {
		return fmt.Errorf("the part before @ must be at most %d characters without + (a token is added after +)",
			maxBounceLocalPart)
	}
	return nil
}

// validateInbound checks that the bounce address and the inbound secret come together.
func (c *Config) validateInbound() []string {
	var p []string
	if c.NewsletterBounceAddress != "" && c.NewsletterInboundSecret == "" {
		p = append(p, "FRITID_NEWSLETTER_INBOUND_SECRET is required with FRITID_NEWSLETTER_BOUNCE_ADDRESS: "+
			"without it the returned mail cannot be handed to fritid (for example `openssl rand -hex 32`)")
	}
	if c.NewsletterInboundSecret != "" && c.NewsletterBounceAddress == "" {
		p = append(p, "FRITID_NEWSLETTER_INBOUND_SECRET is set without FRITID_NEWSLETTER_BOUNCE_ADDRESS: "+
			"list e-mails carry no return path to bring bounces back; set both or neither")
	}
	if c.NewsletterInboundSecret != "" && len(c.NewsletterInboundSecret) < 32 {
		p = append(p, "FRITID_NEWSLETTER_INBOUND_SECRET is too short: use at least 32 random characters "+
			"(for example `openssl rand -hex 32`)")
	}
	return p
}

// validatePush returns the problems of the Web Push settings: both keys or neither, each
// base64url of the right length, and a subject with them.
func (c *Config) validatePush() []string {
	if c.PushPublicKey == "" && c.PushPrivateKey == "" {
		return nil
	}
	var p []string
	if n := base64urlLen(c.PushPublicKey); n != 65 || !strings.HasPrefix(c.PushPublicKey, "B") {
		p = append(p, "FRITID_PUSH_VAPID_PUBLIC_KEY must be a P-256 public key, 65 bytes in base64url "+
			"(make a pair with `fritid push keys`)")
	}
	if base64urlLen(c.PushPrivateKey) != 32 {
		p = append(p, "FRITID_PUSH_VAPID_PRIVATE_KEY must be a P-256 private key, 32 bytes in base64url "+
			"(make a pair with `fritid push keys`)")
	}
	if !strings.HasPrefix(c.PushSubject, "mailto:") && !strings.HasPrefix(c.PushSubject, "https://") {
		p = append(p, "FRITID_PUSH_SUBJECT must be mailto:address or an https:// URL when the VAPID keys are set")
	}
	return p
}

// base64urlLen returns how many bytes s holds in base64url (padded or not), -1 for none.
func base64urlLen(s string) int {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return -1
	}
	return len(b)
}
