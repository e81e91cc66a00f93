// Package app wires fritid together: configuration, database, domain services and the HTTP
// handler. The command and the end-to-end tests build the same App.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/trace"

	"github.com/fritid/fritid/graph"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/card/wallet"
	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/events"
	"github.com/fritid/fritid/internal/explorer"
	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/media"
	"github.com/fritid/fritid/internal/newsletter"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/database/localpg"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/internal/platform/live"
	"github.com/fritid/fritid/internal/platform/tracing"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/push"
	"github.com/fritid/fritid/internal/resident"
	"github.com/fritid/fritid/internal/talk"
	"github.com/fritid/fritid/internal/tenant"
)

// App is a configured fritid instance with its database open.
type App struct {
	Config *config.Config
	Log    *slog.Logger
	DB     *bun.DB
	// ReadDB is the read replica (FRITID_DATABASE_READ_URL), nil when there is none.
	ReadDB  *bun.DB
	Bundle  *i18n.Bundle
	Metrics *httpserver.Metrics
	Tenants *tenant.Service
	Portal  *portal.Service
	Auth    *auth.Service
	Cards   *card.Service
	// Jobs is the job queue: e-mails and the card housekeeping. Open builds it; serve
	// starts its workers with StartJobs.
	Jobs    *jobs.Queue
	Content *content.Service
	Events  *events.Service
	// Newsletters keeps lists, subscribers and campaigns.
	Newsletters *newsletter.Service
	Mail        *mail.Sender
	// Integration keeps the change feed and the webhooks.
	Integration *integration.Service
	// Residents keeps residents' favourites, neighbourhoods and interests.
	Residents *resident.Service
	// Push keeps Web Push subscriptions and sends push messages.
	Push *push.Service
	// Talk keeps neighbourhood notices and residents' questions.
	Talk *talk.Service
	// Tracing is on when the OTEL_* variables name an OTLP endpoint; otherwise it records
	// and sends nothing.
	Tracing *tracing.Tracing
	// Live delivers the database's announcements of changes to this instance's
	// subscriptions; it listens from the first subscription until Close.
	Live *live.Hub

	migrator *database.Migrator
	local    *localpg.Server
	dbURL    string
}

// Open connects to the database (starting the embedded local PostgreSQL when no URL is
// configured) and builds the services, for the server. It does not migrate; see Migrate.
// When another process runs the embedded PostgreSQL on the data directory, it fails.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	return open(ctx, cfg, log, false)
}

// OpenCommand is Open for a one-off command (migrate, admin, seed): when a running server
// has started the embedded PostgreSQL on the same data directory, it connects to that one
// and leaves it running when closed.
func OpenCommand(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	return open(ctx, cfg, log, true)
}

func open(ctx context.Context, cfg *config.Config, log *slog.Logger, share bool) (*App, error) {
	a := &App{Config: cfg, Log: log, Metrics: httpserver.NewMetrics(), Tracing: tracing.Off()}
	// Keyed hashes (sessions, identity keys) need the secret wherever the app is opened.
	if err := cfg.EnsureSecretKey(); err != nil {
		return nil, err
	}
	var err error
	if a.Bundle, err = i18n.NewBundle(); err != nil {
		return nil, err
	}
	if a.Tracing, err = tracing.New(ctx, cfg.Tracing); err != nil {
		return nil, err
	}
	url := cfg.DatabaseURL
	if url == "" {
		if url, err = a.startLocal(ctx, share); err != nil {
			return nil, err
		}
	}
	if a.DB, err = a.openDB(ctx, url); err != nil {
		a.Close()
		return nil, err
	}
	a.dbURL = url
	a.Live = live.NewHub(url, log)
	if a.migrator, err = database.NewMigrator(a.DB); err != nil {
		a.Close()
		return nil, err
	}
	a.Metrics.RegisterDB(a.DB.DB, "fritid")
	a.Tracing.InstrumentDB(a.DB)
	a.Portal = portal.NewService(a.DB)
	if cfg.DatabaseReadURL != "" {
		if a.ReadDB, err = database.OpenReplica(ctx, cfg.DatabaseReadURL, cfg.DBMaxConns); err != nil {
			a.Close()
			return nil, fmt.Errorf("read replica (FRITID_DATABASE_READ_URL): %w", err)
		}
		a.Metrics.RegisterDB(a.ReadDB.DB, "fritid_read")
		a.Portal.Replica = a.ReadDB
	}
	a.Tenants = tenant.NewService(a.DB, portal.SeedCategories)
	if a.Mail, err = newSender(a); err != nil {
		a.Close()
		return nil, err
	}
	a.Auth = auth.NewService(a.DB, cfg.SecretKey, auth.Options{SessionTTL: cfg.SessionTTL, IdleTimeout: cfg.SessionIdle,
		MaxFailures: auth.DefaultOptions.MaxFailures, FailureWindow: auth.DefaultOptions.FailureWindow, Issuers: issuers(cfg),
		HTTPClient: a.Tracing.Client()})
	a.Tenants.RequireAdmin = func(ctx context.Context) (uuid.UUID, error) {
		v, err := auth.RequireAdmin(ctx)
		if err != nil {
			return uuid.Nil, err
		}
		return v.User.ID, nil
	}
	a.Cards = card.NewService(a.DB, cfg.SecretKey, card.Options{RetentionDays: cfg.CardRetentionDays,
		SMS:            cfg.SMSURL != "",
		IdentityNumber: func(i *auth.Identity) string { return i.IdentityNumber() }})
	a.Cards.PublicURL = cfg.PublicURL
	a.Portal.Accounts, a.Portal.PublicURL, a.Portal.RevisionsKept = a.Auth, cfg.PublicURL, cfg.RevisionsKept
	a.Portal.Secret = []byte(cfg.SecretKey)
	a.Content = content.NewService(a.DB)
	a.Content.Here = a.Portal.HereCond
	a.Content.Secret, a.Content.RevisionsKept = []byte(cfg.SecretKey), cfg.RevisionsKept
	a.Portal.ContentWriter = a.Content.RequireWriter
	a.Events = events.NewService(a.DB)
	a.Events.Here = a.Portal.HereCond
	a.Events.Horizon = time.Duration(cfg.EventHorizonDays) * 24 * time.Hour
	a.Events.SignupRetention = time.Duration(cfg.SignupRetentionDays) * 24 * time.Hour
	// Card places: an event's are taken with a card's ticket, and freed when it is cancelled.
	a.Events.Cards, a.Cards.Places = a.Cards, a.Events
	a.Events.PublicURL = cfg.PublicURL
	a.Newsletters = newNewsletters(a)
	a.Integration = integration.NewService(a.DB)
	a.Residents = resident.NewService(a.DB, cfg.SecretKey)
	a.Push = push.NewService(a.DB, push.Options{PublicKey: cfg.PushPublicKey, PrivateKey: cfg.PushPrivateKey,
		Subject: cfg.PushSubject, PublicURL: cfg.PublicURL}, a.Residents, a.Cards, a.Bundle)
	if a.Push.Available() {
		// Web Push is a channel of the card's notices beside e-mail and text messages.
		a.Cards.Push = a.Push
	}
	a.Talk = talk.NewService(a.DB, cfg.SecretKey, a.Residents)
	a.Integration.Development, a.Integration.AllowPrivate = !cfg.Production(), cfg.WebhookAllowPrivate
	a.Integration.PublicURL, a.Integration.Key = cfg.PublicURL, []byte(cfg.SecretKey)
	if a.Jobs, err = newJobs(a); err != nil {
		a.Close()
		return nil, err
	}
	a.Portal.UploadLimits = media.Limits{MaxBytes: cfg.MaxBodyBytes, MaxPixels: media.DefaultLimits.MaxPixels}
	if a.Portal.Media, err = openMedia(ctx, cfg); err != nil {
		a.Close()
		return nil, err
	}
	a.Cards.Files = a.Portal.Media
	if a.Cards.Wallet, err = newWallets(cfg, a.Bundle); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// newWallets returns the phone wallets set up in cfg (none when their settings are empty).
func newWallets(cfg *config.Config, b *i18n.Bundle) (card.Wallets, error) {
	w := card.Wallets{APIURL: cfg.APIURL, Localize: func(chain []string, id string) string {
		return b.Localize(chain, id, nil)
	}}
	if w.APIURL == "" {
		w.APIURL = cfg.PublicURL
	}
	wc := cfg.Wallet
	if wc.Apple() {
		apple, err := wallet.LoadApple(wc.ApplePassTypeID, wc.AppleTeamID, wc.AppleCert, wc.AppleKey, wc.AppleWWDR)
		if err != nil {
			return w, fmt.Errorf("apple wallet (FRITID_WALLET_APPLE_*): %w", err)
		}
		apple.WebServiceURL = w.APIURL + card.WalletServicePath
		w.Apple, w.Pusher = apple, wallet.NewPusher(apple, wc.AppleAPNsURL, nil)
	}
	if wc.Google() {
		g, err := wallet.LoadGoogle(wc.GoogleIssuerID, wc.GoogleKey)
		if err != nil {
			return w, fmt.Errorf("google wallet (FRITID_WALLET_GOOGLE_*): %w", err)
		}
		if wc.GoogleAPIURL != "" {
			g.APIURL = wc.GoogleAPIURL
		}
		w.Google = g
	}
	return w, nil
}

// localDatabase is the database fritid uses inside its embedded cluster.
const localDatabase = "fritid"

func (a *App) startLocal(ctx context.Context, share bool) (string, error) {
	srv, err := localpg.Start(ctx, localpg.Options{
		DataDir: a.Config.PostgresDir(),
		Getenv:  func(string) string { return a.Config.PGBinDir },
		Logger:  a.Log,
		Share:   share,
	})
	switch {
	case errors.Is(err, localpg.ErrNoBinaries):
		return "", fmt.Errorf("no database: FRITID_DATABASE_URL is not set, and %w", err)
	case errors.Is(err, localpg.ErrInUse) && !share:
		return "", fmt.Errorf("embedded PostgreSQL: %w. Another fritid serve runs on FRITID_DATA_DIR=%s: "+
			"stop it, or give this one a data directory of its own; the other commands (migrate, admin, seed) "+
			"use the running one", err, a.Config.DataDir)
	case err != nil:
		return "", fmt.Errorf("embedded PostgreSQL: %w", err)
	}
	a.local = srv
	if srv.Shared() {
		a.Log.Info("using the embedded PostgreSQL of the running server", "data_dir", srv.DataDir(), "port", srv.Port())
	} else {
		a.Log.Info("embedded PostgreSQL running", "data_dir", srv.DataDir(), "port", srv.Port())
	}
	return srv.URL(localDatabase), nil
}

// openDB opens the database at url. The embedded cluster's database is made when
// connecting finds it missing, so that a warm start makes one connection, not two.
func (a *App) openDB(ctx context.Context, url string) (*bun.DB, error) {
	db, err := database.Open(ctx, url, a.Config.DBMaxConns)
	if a.local == nil || !database.IsMissingDatabase(err) {
		return db, err
	}
	if err := createDatabase(ctx, a.local.URL("postgres"), localDatabase); err != nil {
		return nil, err
	}
	return database.Open(ctx, url, a.Config.DBMaxConns)
}

// createDatabase creates database name on the server at adminURL unless it exists.
func createDatabase(ctx context.Context, adminURL, name string) error {
	db, err := database.Open(ctx, adminURL, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(&exists); err != nil {
		return fmt.Errorf("look for database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil && !database.IsUniqueViolation(err) {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// tracingFlushTimeout bounds how long Close waits for the last spans to be exported.
const tracingFlushTimeout = 5 * time.Second

// Migrator returns the schema migrator.
func (a *App) Migrator() *database.Migrator { return a.migrator }

// Close stops the job queue's workers if still running (cancelling running jobs),
// exports the spans still queued, closes the database and stops the embedded PostgreSQL,
// if any.
func (a *App) Close() {
	if a.Live != nil {
		a.Live.Close()
	}
	if a.Jobs != nil {
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // no waiting: serve has stopped them gracefully already
		if err := a.Jobs.Stop(ctx); err != nil {
			a.Log.Warn("stop the job queue", "err", err)
		}
	}
	if a.Tracing != nil {
		ctx, cancel := context.WithTimeout(context.Background(), tracingFlushTimeout)
		if err := a.Tracing.Shutdown(ctx); err != nil {
			a.Log.Warn("export the last spans", "err", err)
		}
		cancel()
	}
	if a.DB != nil {
		a.DB.Close()
	}
	if a.ReadDB != nil {
		a.ReadDB.Close()
	}
	if a.local != nil {
		if err := a.local.Stop(); err != nil {
			a.Log.Warn("stop embedded PostgreSQL", "err", err)
		}
	}
}

// WatchDatabase waits until ctx ends, returning nil, or until the embedded PostgreSQL has
// stopped and could not be restarted, returning why. An external database is not watched:
// while it cannot be reached requests answer SERVICE_UNAVAILABLE, and the pool reconnects
// when it is back.
func (a *App) WatchDatabase(ctx context.Context) error {
	if a.local == nil {
		<-ctx.Done()
		return nil
	}
	select {
	case <-ctx.Done():
		return nil
	case <-a.local.Failed():
		return fmt.Errorf("embedded PostgreSQL stopped and could not be restarted: %w", a.local.Err())
	}
}

// Ready reports whether the database answers and every migration is applied.
func (a *App) Ready(ctx context.Context) error {
	if err := database.Ping(ctx, a.DB.DB); err != nil {
		return err
	}
	n, err := a.migrator.Pending(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%d migrations pending: run `fritid migrate up`", n)
	}
	return nil
}

// Handler returns the whole HTTP API: /graphql, the health endpoints, /metrics when
// Config.MetricsOnMain, and in development the explorer at / with its files under
// /explorer/.
func (a *App) Handler() http.Handler {
	cfg := a.Config
	resolver := &graph.Resolver{Auth: a.Auth, Tenants: a.Tenants, Portal: a.Portal, Cards: a.Cards, Queue: a.Jobs,
		Content: a.Content, Calendar: a.Events, Newsletters: a.Newsletters, Integration: a.Integration,
		Residents: a.Residents, Push: a.Push, Talk: a.Talk, Bundle: a.Bundle}
	gql := graph.NewHandler(resolver, graph.Options{
		Introspection:  cfg.Introspection,
		MaxDepth:       cfg.MaxDepth,
		Limits:         a.queryLimits(),
		MaxUploadBytes: cfg.MaxBodyBytes,
		QueryCacheSize: cfg.QueryCacheSize,
		APQCacheSize:   cfg.APQCacheSize,
		Bundle:         a.Bundle,
		Logger:         a.Log,
		RequestID:      httpserver.RequestIDFromContext,
		Tracer:         a.tracer(),
		Live: &graph.LiveOptions{Hub: a.Live, Auth: a.Auth, Origins: cfg.CORSOrigins,
			MaxPerConnection: cfg.LiveMaxPerConnection, MaxPerClient: cfg.LiveMaxPerClient,
			InitTimeout: cfg.LiveInitTimeout, PingInterval: cfg.LivePingInterval, IdleTimeout: cfg.LiveIdleTimeout},
		Observe: func(ctx context.Context, op, outcome string, d time.Duration) {
			httpserver.SetOperationName(ctx, op)
			a.Metrics.ObserveGraphQL(op, outcome, d)
		},
	})
	mux := http.NewServeMux()
	tenantMW, authMW := tenant.Middleware(a.Tenants, a.Bundle, a.Log), auth.Middleware(a.Auth, a.Bundle, a.Log)
	withTenant := func(h http.Handler) http.Handler { return tenantMW(authMW(h)) }
	mux.Handle("/graphql", withTenant(resident.Middleware(gql)))
	mux.Handle("GET /geo/activities.geojson", withTenant(graph.GeoJSONHandler(resolver, a.Bundle, "Activity")))
	mux.Handle("GET /geo/organisations.geojson", withTenant(graph.GeoJSONHandler(resolver, a.Bundle, "Organisation")))
	mux.Handle("GET /feeds/articles.xml", withTenant(graph.ArticleFeedHandler(resolver, a.Bundle, cfg.PublicURL, false)))
	mux.Handle("GET /feeds/articles.atom", withTenant(graph.ArticleFeedHandler(resolver, a.Bundle, cfg.PublicURL, true)))
	mux.Handle("GET /feeds/events.ics", withTenant(graph.EventFeedHandler(resolver, a.Bundle, cfg.PublicURL)))
	nl := &newsletter.Handlers{Service: a.Newsletters, Bundle: a.Bundle, Log: a.Log}
	mux.Handle("POST /newsletter/unsubscribe", withTenant(http.HandlerFunc(nl.OneClick)))
	mux.Handle("GET /newsletter/subscribers.csv", withTenant(http.HandlerFunc(nl.ExportCSV)))
	ch := &card.Handlers{Service: a.Cards, Bundle: a.Bundle, Log: a.Log}
	mux.Handle("GET /card/yearly-report.csv", withTenant(http.HandlerFunc(ch.YearlyReportCSV)))
	mux.Handle("GET /card/yearly-report.html", withTenant(http.HandlerFunc(ch.YearlyReportHTML)))
	// A ticket's Apple Wallet pass, by the signed link issueWalletPass gave its holder.
	mux.Handle("GET /card/tickets/{id}/pass.pkpass", withTenant(http.HandlerFunc(ch.PassFile)))
	// The PassKit web service, for every municipality: a pass's token names it.
	mux.Handle(card.WalletServicePath+"/", ch.WalletService())
	// Returned mail from the mail server, for every municipality: the token in it names the
	// delivery, and its bearer header is the inbound secret, not a session.
	mux.Handle("POST /newsletter/inbound", http.HandlerFunc(nl.Inbound))
	mux.Handle("GET /healthz", httpserver.Healthz())
	mux.Handle("GET /readyz", httpserver.Readyz(a.Ready))
	if cfg.MetricsOnMain() {
		mux.Handle("GET /metrics", a.Metrics.Handler())
	}
	mux.Handle("GET /media/{key...}", a.Portal.Media.Handler())
	if !cfg.Production() {
		ex := explorer.New("fritid explorer", "/graphql")
		mux.Handle("GET /{$}", ex.Page())
		mux.Handle("GET "+explorer.AssetPath+"{file}", ex.Assets())
	}
	// Tracing comes first, so that the request's log lines carry its trace id.
	mws := append([]func(http.Handler) http.Handler{a.Tracing.Middleware(httpserver.RouteLabel)},
		httpserver.Middleware(a.HTTPConfig(), a.Log, a.Metrics)...)
	return httpserver.Chain(mux, mws...)
}

// tracer returns the tracer of GraphQL spans, or nil when tracing is off.
func (a *App) tracer() trace.Tracer {
	if !a.Tracing.Enabled() {
		return nil
	}
	return a.Tracing.Tracer()
}

// MetricsHandler returns what the metrics listener (FRITID_METRICS_ADDR) serves: /metrics
// alone.
func (a *App) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Metrics.Handler())
	return httpserver.Chain(mux, httpserver.Recover(a.Log))
}

// MetricsHTTPConfig returns the metrics listener's settings: the main server's, on
// FRITID_METRICS_ADDR.
func (a *App) MetricsHTTPConfig() httpserver.Config {
	c := a.HTTPConfig()
	c.Addr = a.Config.MetricsAddr
	return c
}

// HTTPConfig returns the HTTP server's settings.
func (a *App) HTTPConfig() httpserver.Config {
	c := a.Config
	return httpserver.Config{
		Addr:              c.HTTPAddr,
		CORSOrigins:       c.CORSOrigins,
		MaxBodyBytes:      c.MaxBodyBytes,
		MaxJSONBodyBytes:  c.MaxJSONBodySize,
		TrustedProxies:    c.TrustedProxies,
		ReadHeaderTimeout: c.ReadTimeout,
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		ShutdownTimeout:   c.ShutdownGrace,
		Production:        c.Production(),
		Message:           a.serverMessage,
	}
}

// queryLimits returns the bounds of one GraphQL request and the callers' budgets.
func (a *App) queryLimits() graph.Limits {
	c := a.Config
	return graph.Limits{
		MaxQueryBytes: c.MaxQueryBytes,
		MaxTokens:     c.MaxQueryTokens,
		MaxAliases:    c.MaxAliases,
		MaxDirectives: c.MaxDirectives,
		MaxCost:       int64(c.MaxComplexity),
		Meter: graph.NewMeter(graph.Budgets{
			Anonymous: int64(c.BudgetAnonymous), User: int64(c.BudgetUser), APIKey: int64(c.BudgetAPIKey)}),
	}
}

// serverMessage localises the error responses the HTTP server writes itself (413, 500):
// in a system locale, since the municipality is not known yet.
func (a *App) serverMessage(r *http.Request, code string) string {
	loc := i18n.Negotiate(r.Header.Get("X-Locale"), r.Header.Get("Accept-Language"), i18n.SystemLocales, "nb")
	return a.Bundle.Localize([]string{loc}, code, nil)
}

func issuers(cfg *config.Config) []auth.Issuer {
	out := make([]auth.Issuer, len(cfg.OIDCIssuers))
	for i, is := range cfg.OIDCIssuers {
		out[i] = auth.Issuer{URL: is.Issuer, Audience: is.Audience, EmailClaim: is.EmailClaim, IdentityNumberClaim: is.IdentityNumberClaim}
	}
	return out
}

// newJobs returns the job queue with its workers and periodic jobs registered.
func newJobs(a *App) (*jobs.Queue, error) {
	q, err := jobs.New(a.DB)
	if err != nil {
		return nil, err
	}
	q.RequireAdmin = func(ctx context.Context) (uuid.UUID, error) {
		v, err := auth.RequireAdmin(ctx)
		if err != nil {
			return uuid.Nil, err
		}
		return v.User.MunicipalityID, nil
	}
	jobs.AddWorker(q, a.Mail)
	// Newsletter campaigns: queued at their time, sent in batches at the municipality's rate.
	jobs.AddWorker(q, &newsletter.QueueWorker{Newsletters: a.Newsletters})
	jobs.AddWorker(q, &newsletter.SendWorker{Newsletters: a.Newsletters, Log: a.Log})
	// Subscriptions nobody confirmed within the link's week erased, and the provider lists
	// that keep themselves brought in line with the data: hourly.
	jobs.AddWorker(q, &newsletter.CleanupWorker{Newsletters: a.Newsletters})
	q.AddPeriodic(newsletter.CleanupInterval, func() river.JobArgs { return newsletter.CleanupArgs{} })
	// Digest lists' issues written when due: every five minutes.
	jobs.AddWorker(q, &newsletter.DigestWorker{Newsletters: a.Newsletters})
	q.AddPeriodic(newsletter.DigestInterval, func() river.JobArgs { return newsletter.DigestArgs{} })
	jobs.AddWorker(q, &card.ExpiryWorker{Cards: a.Cards})
	// Card and ticket expiry, waiting-list holds, reminders and retention erasure: every
	// quarter of an hour.
	q.AddPeriodic(card.ExpiryInterval, func() river.JobArgs { return card.ExpiryArgs{} })
	// New card offers told to the holders who asked, once, when first published.
	jobs.AddWorker(q, &card.AnnounceWorker{Cards: a.Cards})
	// Wallet passes told of their tickets' changes: a job per change, with retries.
	jobs.AddWorker(q, &card.WalletUpdateWorker{Cards: a.Cards})
	// Card money: grants for a new period, money past its last day written off, budget
	// warnings: hourly.
	jobs.AddWorker(q, &card.RefillWorker{Cards: a.Cards})
	q.AddPeriodic(card.RefillInterval, func() river.JobArgs { return card.RefillArgs{} })
	// Applications past their month without a decision: a notice of delay, once: hourly.
	jobs.AddWorker(q, &card.DelayNoticeWorker{Cards: a.Cards})
	q.AddPeriodic(card.DelayNoticeInterval, func() river.JobArgs { return card.DelayNoticeArgs{} })
	// Recurring events' occurrences up to the horizon: daily.
	jobs.AddWorker(q, &events.HorizonWorker{Events: a.Events})
	q.AddPeriodic(events.HorizonInterval, func() river.JobArgs { return events.HorizonArgs{} })
	// Sign-ups erased a number of days after their events: hourly.
	jobs.AddWorker(q, &events.SignupErasureWorker{Events: a.Events})
	q.AddPeriodic(events.SignupErasureInterval, func() river.JobArgs { return events.SignupErasureArgs{} })
	// Change events sequenced into the feed and their webhooks queued: every few seconds;
	// each delivery is a job of its own; attempts past their keeping pruned hourly.
	jobs.AddWorker(q, &integration.DispatchWorker{Integration: a.Integration})
	q.AddPeriodic(integration.DispatchInterval, func() river.JobArgs { return integration.DispatchArgs{} })
	jobs.AddWorker(q, &integration.DeliveryWorker{Integration: a.Integration})
	jobs.AddWorker(q, &integration.PruneWorker{Integration: a.Integration})
	q.AddPeriodic(integration.PruneInterval, func() river.JobArgs { return integration.PruneArgs{} })
	// Devices of the resident app, and signed-in residents' things, unused for 13 months erased: daily.
	jobs.AddWorker(q, &resident.IdleDeviceWorker{Residents: a.Residents})
	q.AddPeriodic(resident.IdleDeviceInterval, func() river.JobArgs { return resident.IdleDeviceArgs{} })
	// Web Push: each message a job of its own; favourites' new dates, neighbourhood news and
	// cancelled events looked for every few minutes.
	jobs.AddWorker(q, &push.SendWorker{Push: a.Push})
	jobs.AddWorker(q, &push.ScanWorker{Push: a.Push})
	q.AddPeriodic(push.ScanInterval, func() river.JobArgs { return push.ScanArgs{} })
	return q, nil
}

// StartJobs starts working jobs (serve does, the one-off commands do not) until StopJobs.
func (a *App) StartJobs(ctx context.Context) error {
	return a.Jobs.Start(ctx, a.dbURL, jobs.Options{Workers: a.Config.JobWorkers, Logger: a.Log})
}

// StopJobs stops working jobs, waiting for the running ones until ctx ends.
func (a *App) StopJobs(ctx context.Context) error {
	return a.Jobs.Stop(ctx)
}

// newNewsletters returns the newsletter service, sending campaigns through the mail
// outbox's transport.
func newNewsletters(a *App) *newsletter.Service {
	n := newsletter.NewService(a.DB, a.Config.SecretKey)
	n.PublicURL, n.APIURL, n.Transport, n.Bundle = a.Config.PublicURL, a.Config.APIURL, a.Mail.Transport, a.Bundle
	n.BounceAddress, n.InboundSecret = a.Config.NewsletterBounceAddress, a.Config.NewsletterInboundSecret
	if n.APIURL == "" {
		n.APIURL = a.Config.PublicURL
	}
	return n
}

// newSender returns the mail jobs' worker: SMTP when configured, else the log.
func newSender(a *App) (*mail.Sender, error) {
	var t mail.Transport = mail.Log{Logger: a.Log}
	if a.Config.SMTPURL != "" {
		smtp, err := mail.NewSMTP(a.Config.SMTPURL, a.Config.MailFrom)
		if err != nil {
			return nil, err
		}
		t = smtp
	}
	var sms mail.SMSTransport = mail.LogSMS{Log: a.Log}
	if a.Config.SMSURL != "" {
		g, err := mail.NewSMSGateway(a.Config.SMSURL, a.Config.SMSToken, a.Config.SMSSender)
		if err != nil {
			return nil, err
		}
		sms = g
	}
	return &mail.Sender{DB: a.DB, Bundle: a.Bundle, Transport: t, SMS: sms, Log: a.Log}, nil
}

// openMedia opens the image bucket: FRITID_MEDIA_URL, or a directory in the data directory.
func openMedia(ctx context.Context, cfg *config.Config) (*media.Store, error) {
	url := cfg.MediaURL
	if url == "" {
		dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "media"))
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("media directory: %w", err)
		}
		url = "file://" + dir
	}
	return media.Open(ctx, url)
}
