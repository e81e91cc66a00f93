package talk

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/resident"
	"github.com/fritid/fritid/internal/tenant"
)

const testSecret = "a test secret that is long enough"

// env is a migrated database with two municipalities, Larvik (questions on) and
// Porsgrunn, each with a neighbourhood, and the services.
type env struct {
	t         testing.TB
	db        *bun.DB
	tenants   *tenant.Service
	residents *resident.Service
	svc       *Service
	larvik    *tenant.Tenant
	porsgrunn *tenant.Tenant
	// sentrum and torget are Larvik's neighbourhoods; byen is Porsgrunn's.
	sentrum, torget, byen uuid.UUID
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testdb.New(t)
	e := &env{t: t, db: db, tenants: tenant.NewService(db), residents: resident.NewService(db, testSecret)}
	e.svc = NewService(db, testSecret, e.residents)
	e.larvik, e.porsgrunn = e.municipality("larvik"), e.municipality("porsgrunn")
	e.larvik.Municipality.QuestionsEnabled = true
	e.exec("UPDATE municipalities SET questions_enabled = true WHERE id = ?", e.larvik.ID())
	e.sentrum = e.neighbourhood(e.larvik, "sentrum")
	e.torget = e.neighbourhood(e.larvik, "torget")
	e.byen = e.neighbourhood(e.porsgrunn, "byen")
	return e
}

func (e *env) municipality(slug string) *tenant.Tenant {
	e.t.Helper()
	t, err := e.tenants.CreateMunicipality(context.Background(),
		tenant.CreateMunicipalityInput{Slug: slug, Name: slug + " kommune"})
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.db.ExecContext(context.Background(), q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

func (e *env) id(q string, args ...any) uuid.UUID {
	e.t.Helper()
	var id uuid.UUID
	if err := e.db.QueryRowContext(context.Background(), q, args...).Scan(&id); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (e *env) neighbourhood(t *tenant.Tenant, slug string) uuid.UUID {
	e.t.Helper()
	return e.id(`INSERT INTO neighbourhoods (municipality_id, slug, area, min_lat, min_lon, max_lat, max_lon)
		VALUES (?, ?, ?, 59, 10, 59.1, 10.1) RETURNING id`, t.ID(), slug,
		`{"type":"Polygon","coordinates":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}`)
}

// as creates a user of t with roles and returns a context of a request by them.
func (e *env) as(t *tenant.Tenant, roles ...auth.MunicipalRole) (context.Context, *auth.User) {
	e.t.Helper()
	u := &auth.User{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(),
		Email: fmt.Sprintf("u%s@example.no", uuid.NewString()[:8])}
	if _, err := e.db.NewInsert().Model(u).Exec(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	for _, r := range roles {
		e.exec("INSERT INTO municipal_roles (municipality_id, user_id, role) VALUES (?, ?, ?)", t.ID(), u.ID, r)
	}
	return auth.WithViewer(anonymous(t), &auth.Viewer{User: u, Roles: roles}), u
}

// committee returns the context of a committee editor of neighbourhood nb of t.
func (e *env) committee(t *tenant.Tenant, nb uuid.UUID) context.Context {
	e.t.Helper()
	ctx, u := e.as(t)
	e.exec("INSERT INTO neighbourhood_editors (municipality_id, neighbourhood_id, user_id) VALUES (?, ?, ?)",
		t.ID(), nb, u.ID)
	return ctx
}

// member returns the context of a member of organisation org of t with role.
func (e *env) member(t *tenant.Tenant, org uuid.UUID, role string) context.Context {
	e.t.Helper()
	ctx, u := e.as(t)
	e.exec(`INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, ?)`,
		t.ID(), org, u.ID, role)
	return ctx
}

func anonymous(t *tenant.Tenant) context.Context { return tenant.WithTenant(context.Background(), t) }

// device registers a device of t and returns the context of a request carrying its token.
func (e *env) device(t *tenant.Tenant) context.Context {
	e.t.Helper()
	token, err := e.residents.RegisterDevice(anonymous(t))
	if err != nil {
		e.t.Fatal(err)
	}
	return resident.WithDevice(anonymous(t), token)
}

// organisation creates a published organisation of t with a published activity and a
// published event, and returns their IDs.
func (e *env) organisation(t *tenant.Tenant, slug string) (org, activity, event uuid.UUID) {
	e.t.Helper()
	org = e.id(`INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, ?, ?, 'VOLUNTARY', 'PUBLISHED') RETURNING id`, t.ID(), slug, slug)
	activity = e.id(`INSERT INTO activities (municipality_id, organisation_id, slug, status)
		VALUES (?, ?, ?, 'PUBLISHED') RETURNING id`, t.ID(), org, slug+"-a")
	event = e.id(`INSERT INTO events (municipality_id, organisation_id, slug, starts_at, ends_at, time_zone,
		publication) VALUES (?, ?, ?, now() + interval '1 day', now() + interval '25 hours', 'Europe/Oslo',
		'PUBLISHED') RETURNING id`, t.ID(), org, slug+"-e")
	return org, activity, event
}

func gid(typ string, id uuid.UUID) string { return relay.GlobalID(typ, id) }

// wantCode fails unless err has code and, when given, field and reason.
func wantCode(t *testing.T, err error, code apperr.Code, field, reason string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil || e.Code != code || (field != "" && e.Field != field) || (reason != "" && e.Reason != reason) {
		t.Fatalf("got %v (field %q, reason %q), want %s %s %s", err, fieldOf(e), reasonOf(e), code, field, reason)
	}
}

func fieldOf(e *apperr.Error) string {
	if e == nil {
		return ""
	}
	return e.Field
}

func reasonOf(e *apperr.Error) string {
	if e == nil {
		return ""
	}
	return e.Reason
}

func ptr[T any](v T) *T { return &v }

// notice is a valid notice input ending in a week.
func notice(title string) NoticeInput {
	return NoticeInput{Texts: []*NoticeTextInput{{Locale: "nb", Title: title, Text: "Dugnad **lørdag**."}},
		ValidUntil: ptr(time.Now().Add(7 * 24 * time.Hour))}
}
