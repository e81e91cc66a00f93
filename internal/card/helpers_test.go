package card

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// env is a migrated database with one municipality, Larvik, and the card service.
type env struct {
	t       *testing.T
	db      *bun.DB
	svc     *Service
	tenants *tenant.Service
	larvik  *tenant.Tenant
	admin   context.Context
	coord   context.Context
}

const testSecret = "a test secret that is long enough"

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testdb.New(t)
	e := &env{t: t, db: db, tenants: tenant.NewService(db),
		svc: NewService(db, testSecret, Options{IdentityNumber: func(id *auth.Identity) string { return id.Subject }})}
	e.larvik = e.municipality("larvik")
	e.admin, _ = e.as(e.larvik, auth.RoleAdmin)
	e.coord, _ = e.as(e.larvik, auth.RoleCardCoordinator)
	return e
}

// municipality creates a municipality with the locales nb, nn and en.
func (e *env) municipality(slug string) *tenant.Tenant {
	e.t.Helper()
	t, err := e.tenants.CreateMunicipality(context.Background(), tenant.CreateMunicipalityInput{Slug: slug, Name: slug + " kommune"})
	if err != nil {
		e.t.Fatal(err)
	}
	return t
}

// as creates a user of t with roles and returns a context of a request by them.
func (e *env) as(t *tenant.Tenant, roles ...auth.MunicipalRole) (context.Context, *auth.User) {
	e.t.Helper()
	u := &auth.User{ID: newID(), MunicipalityID: t.ID(), Email: fmt.Sprintf("u%s@example.no", uuid.NewString()[:8])}
	if _, err := e.db.NewInsert().Model(u).Exec(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	for _, r := range roles {
		e.exec("INSERT INTO municipal_roles (municipality_id, user_id, role) VALUES (?, ?, ?)", t.ID(), u.ID, r)
	}
	ctx := tenant.WithTenant(context.Background(), t)
	return auth.WithViewer(ctx, &auth.Viewer{User: u, Roles: roles}), u
}

// anonymous returns the context of an anonymous request to t.
func anonymous(t *tenant.Tenant) context.Context { return tenant.WithTenant(context.Background(), t) }

// resident returns the context of a resident signed in with ID-porten whose identity
// carries number.
func resident(t *tenant.Tenant, number string) context.Context {
	return auth.WithViewer(anonymous(t), &auth.Viewer{Identity: &auth.Identity{Issuer: "https://idporten.test", Subject: number}})
}

// withClient returns ctx as seen from the client address addr, set the way the auth
// middleware sets it.
func withClient(ctx context.Context, addr string) context.Context {
	var out context.Context
	h := auth.Middleware(nil, nil, nil)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { out = r.Context() }))
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil).WithContext(ctx)
	r.RemoteAddr = addr + ":4711"
	h.ServeHTTP(httptest.NewRecorder(), r)
	return out
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

// agency creates an agency of Larvik.
func (e *env) agency(name string) *Agency {
	e.t.Helper()
	a, err := e.svc.SaveAgency(e.coord, AgencyInput{Name: name, Kind: AgencyNAV})
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// caseworker creates a caseworker of the agency and returns their context.
func (e *env) caseworker(a *Agency) context.Context {
	e.t.Helper()
	ctx, u := e.as(e.larvik, auth.RoleCaseworker)
	if err := e.svc.SetCaseworkerAgency(e.admin, u.ID, &a.ID); err != nil {
		e.t.Fatal(err)
	}
	return ctx
}

// today is the current date in Larvik.
func (e *env) today() time.Time { return e.svc.today(e.larvik) }

// programme creates an ACTIVE programme of Larvik for ages 2 to 18, valid from a month
// ago for most of a year, with 100 cards of allowance 5, issued by agencies; change
// adjusts the input first.
func (e *env) programme(agencies []*Agency, change ...func(*ProgrammeInput)) *Programme {
	e.t.Helper()
	in := ProgrammeInput{Texts: []ProgrammeText{{Locale: "nb", Name: "Aktivitetskortet", Eligibility: "Barn i familier med lav inntekt"}},
		MinAge: 2, MaxAge: 18, ValidFrom: e.today().AddDate(0, -1, 0), ValidTo: e.today().AddDate(0, 10, 0),
		CardsAvailable: 100, BudgetOre: 10_000_000, DefaultAllowance: 5, Status: ProgrammeActive}
	for _, a := range agencies {
		in.AgencyIDs = append(in.AgencyIDs, a.ID)
	}
	for _, f := range change {
		f(&in)
	}
	p, err := e.svc.SaveProgramme(e.coord, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// child returns a fresh identity number of a child aged years (born ten days past a
// birthday) and the birth date.
func (e *env) child(years int) (string, time.Time) {
	birth := e.today().AddDate(-years, 0, -10)
	return idNumber(e.t, birth), birth
}

// guardian returns a fresh identity number of an adult.
func (e *env) guardian() string { return idNumber(e.t, time.Date(1985, 3, 14, 0, 0, 0, 0, time.UTC)) }

// recipient returns the input for a child aged years with guardians.
func (e *env) recipient(p *Programme, years int, guardians ...string) RecipientInput {
	n, birth := e.child(years)
	return RecipientInput{ProgrammeID: p.ID, ChildIdentityNumber: n, GivenName: "Kari", BirthDate: birth, GuardianIdentityNumbers: guardians}
}

var (
	numbersMu sync.Mutex
	numbers   = map[string]bool{}
)

// idNumber returns a valid fødselsnummer for birth not returned before in this process.
func idNumber(t testing.TB, birth time.Time) string {
	t.Helper()
	lo, hi := 0, 499
	if birth.Year() >= 2000 {
		lo, hi = 500, 999
	}
	return numberWith(t, birth.Day(), int(birth.Month()), birth.Year()%100, lo, hi)
}

// numberWith returns a number with valid check digits from the date digits dd, mm, yy and
// an individual number between lo and hi, not returned before in this process.
func numberWith(t testing.TB, dd, mm, yy, lo, hi int) string {
	t.Helper()
	numbersMu.Lock()
	defer numbersMu.Unlock()
	for ind := lo; ind <= hi; ind++ {
		s := fmt.Sprintf("%02d%02d%02d%03d", dd, mm, yy, ind)
		k1 := mod11(s, []int{3, 7, 6, 1, 8, 9, 4, 5, 2})
		if k1 < 0 {
			continue
		}
		s += fmt.Sprint(k1)
		k2 := mod11(s, []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2})
		if k2 < 0 {
			continue
		}
		s += fmt.Sprint(k2)
		if !numbers[s] {
			numbers[s] = true
			return s
		}
	}
	t.Fatalf("no identity numbers left for %02d%02d%02d", dd, mm, yy)
	return ""
}

// mod11 returns the mod-11 check digit of s under weights, or -1 when there is none.
func mod11(s string, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += w * int(s[i]-'0')
	}
	switch k := 11 - sum%11; k {
	case 11:
		return 0
	case 10:
		return -1
	default:
		return k
	}
}

// wantCode fails t unless err has code (and, when given, field and reason).
func wantCode(t *testing.T, err error, code apperr.Code, fieldAndReason ...string) *apperr.Error {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
	e := apperr.As(err)
	if len(fieldAndReason) > 0 && e.Field != fieldAndReason[0] {
		t.Errorf("field = %q, want %q (%v)", e.Field, fieldAndReason[0], err)
	}
	if len(fieldAndReason) > 1 && e.Reason != fieldAndReason[1] {
		t.Errorf("reason = %q, want %q (%v)", e.Reason, fieldAndReason[1], err)
	}
	return e
}

// allOf is a page large enough for every list a test makes.
var allOf = relay.Page{Limit: relay.MaxPageSize}

// wantPages pages through a list one item at a time, forward and backward, with page, and
// wants all, in the same order each way.
func wantPages[T any](t *testing.T, all []T, page func(relay.Page) ([]T, *relay.PageInfo, error)) {
	t.Helper()
	for _, backward := range []bool{false, true} {
		var got []T
		p := relay.Page{Limit: 1, Backward: backward}
		for range len(all) + 1 {
			items, info, err := page(p)
			if err != nil {
				t.Fatal(err)
			}
			if backward {
				got = append(items, got...)
				if !info.HasPreviousPage {
					break
				}
				p.Before = *info.StartCursor
			} else {
				got = append(got, items...)
				if !info.HasNextPage {
					break
				}
				p.After = *info.EndCursor
			}
		}
		if !reflect.DeepEqual(got, all) {
			t.Errorf("backward %v: %d items, want %d in the same order", backward, len(got), len(all))
		}
	}
}
