package push

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/resident"
	"github.com/fritid/fritid/internal/tenant"
)

const (
	testSecret  = "a test secret that is long enough"
	testSubject = "mailto:push@larvik.example"
)

// env is a migrated database with one municipality, the push service with a fresh VAPID
// key pair, and a push service's stand-in receiving on https at 127.0.0.1.
type env struct {
	t         *testing.T
	db        *bun.DB
	url       string
	tenants   *tenant.Service
	residents *resident.Service
	cards     *card.Service
	svc       *Service
	larvik    *tenant.Tenant
	rcv       *receiver
	coord     context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, url := testdb.NewWithURL(t)
	private, public, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, url: url, tenants: tenant.NewService(db), residents: resident.NewService(db, testSecret),
		cards: card.NewService(db, testSecret, card.Options{
			IdentityNumber: func(id *auth.Identity) string { return id.Subject }})}
	e.svc = NewService(db, Options{PublicKey: public, PrivateKey: private, Subject: testSubject,
		PublicURL: "https://larvik.example/"}, e.residents, e.cards, i18n.MustNewBundle())
	e.cards.Push = e.svc
	e.rcv = newReceiver(t, public, testSubject)
	e.svc.allowPrivateForTest(e.rcv.srv.Client())
	e.larvik, err = e.tenants.CreateMunicipality(context.Background(),
		tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		t.Fatal(err)
	}
	e.coord = e.as(auth.RoleCardCoordinator)
	return e
}

// anonymous returns the context of an anonymous request to Larvik in locale.
func (e *env) anonymous(locale string) context.Context {
	ctx := tenant.WithTenant(context.Background(), e.larvik)
	return i18n.WithLocale(ctx, i18n.Locale{Code: locale, Chain: []string{locale, "nb"}})
}

// as returns the context of a request by a new user of Larvik with roles.
func (e *env) as(roles ...auth.MunicipalRole) context.Context {
	e.t.Helper()
	u := &auth.User{ID: uuid.Must(uuid.NewV7()), MunicipalityID: e.larvik.ID(),
		Email: fmt.Sprintf("u%s@example.no", uuid.NewString()[:8])}
	if _, err := e.db.NewInsert().Model(u).Exec(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	for _, r := range roles {
		e.exec("INSERT INTO municipal_roles (municipality_id, user_id, role) VALUES (?, ?, ?)", e.larvik.ID(), u.ID, r)
	}
	return auth.WithViewer(e.anonymous("nb"), &auth.Viewer{User: u, Roles: roles})
}

// device registers a device and returns the context of its requests in locale.
func (e *env) device(locale string) context.Context {
	e.t.Helper()
	ctx, _ := e.register(locale)
	return ctx
}

// register registers a device and returns the context of its requests in locale, and its
// token.
func (e *env) register(locale string) (context.Context, string) {
	e.t.Helper()
	ctx := e.anonymous(locale)
	token, err := e.residents.RegisterDevice(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return resident.WithDevice(ctx, token), token
}

func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.db.ExecContext(context.Background(), q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// subscribe subscribes ctx's device or person at the receiver's path and returns the
// subscription.
func (e *env) subscribe(ctx context.Context, path string) *Subscription {
	e.t.Helper()
	ep, b := e.rcv.endpoint(path)
	s, err := e.svc.Subscribe(ctx, b.input(ep))
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// deliverAll works every queued push job as the job queue would, attempt after attempt
// (up to MaxAttempts), and returns the jobs' last errors by message.
func (e *env) deliverAll() map[uuid.UUID]error {
	e.t.Helper()
	var raw []string
	err := e.db.NewSelect().Table("river_job").ColumnExpr("args::text").Where("kind = ?", JobKind).
		OrderExpr("id").Scan(context.Background(), &raw)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[uuid.UUID]error{}
	w := &SendWorker{Push: e.svc}
	for _, r := range raw {
		var a SendArgs
		if err := json.Unmarshal([]byte(r), &a); err != nil {
			e.t.Fatal(err)
		}
		job := &river.Job[SendArgs]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: MaxAttempts}, Args: a}
		out[a.MessageID] = w.Work(context.Background(), job)
	}
	e.exec("DELETE FROM river_job WHERE kind = ?", JobKind)
	return out
}
