package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/resident"
)

// residentWorld is the demo municipality with a favourite-to-be organisation (Laget) and
// another (Annet), a neighbourhood (Sentrum) with a venue, and Larvik beside it.
type residentWorld struct {
	s                          *testServer
	iss                        *testIssuer
	demo, larvik               string
	laget, annet, sentrum      string
	venue, larvikNb, larvikAct string
}

func newResidentWorld(t *testing.T) *residentWorld {
	t.Helper()
	w := &residentWorld{iss: newIssuer(t)}
	w.s = newServer(t, func(c *config.Config) {
		c.OIDCIssuers = []config.OIDCIssuer{{Issuer: w.iss.URL, Audience: "fritid"}}
	})
	ctx := context.Background()
	demo, _ := w.s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	larvik, err := w.s.app.Tenants.CreateMunicipality(ctx, tenantInput("larvik", "Larvik kommune"))
	if err != nil {
		t.Fatal(err)
	}
	w.demo, w.larvik = demo.ID().String(), larvik.ID().String()
	w.laget = w.insert(t, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'laget', 'Laget', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, w.demo)
	w.annet = w.insert(t, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'annet', 'Annet', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, w.demo)
	w.sentrum = w.neighbourhood(t, w.demo, "sentrum")
	w.larvikNb = w.neighbourhood(t, w.larvik, "torget")
	w.venue = w.insert(t, `INSERT INTO venues (municipality_id, name) VALUES (?, 'Sentrumshuset') RETURNING id`, w.demo)
	w.s.exec(t, `INSERT INTO venue_neighbourhoods (venue_id, neighbourhood_id, municipality_id) VALUES (?, ?, ?)`,
		w.venue, w.sentrum, w.demo)
	org := w.insert(t, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'nabo', 'Nabo', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, w.larvik)
	w.larvikAct = w.activity(t, w.larvik, org, "nabo", "PUBLISHED", map[string][2]string{"nb": {"I Larvik", ""}})
	return w
}

// insert runs a statement returning an id.
func (w *residentWorld) insert(t *testing.T, q string, args ...any) string {
	t.Helper()
	var id string
	if err := w.s.app.DB.QueryRowContext(context.Background(), q, args...).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (w *residentWorld) neighbourhood(t *testing.T, mid, slug string) string {
	t.Helper()
	id := w.insert(t, `INSERT INTO neighbourhoods (municipality_id, slug, area, min_lat, min_lon, max_lat, max_lon)
		VALUES (?, ?, ?, 59, 10, 59.1, 10.1) RETURNING id`, mid, slug,
		`{"type":"Polygon","coordinates":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}`)
	w.s.exec(t, `INSERT INTO neighbourhood_translations (neighbourhood_id, municipality_id, locale, name)
		VALUES (?, ?, 'nb', ?)`, id, mid, slug)
	return id
}

// activity writes an activity with texts (title, summary) per locale.
func (w *residentWorld) activity(t *testing.T, mid, org, slug, status string, texts map[string][2]string) string {
	t.Helper()
	id := w.insert(t, `INSERT INTO activities (municipality_id, organisation_id, slug, status) VALUES (?, ?, ?, ?)
		RETURNING id`, mid, org, slug, status)
	for loc, x := range texts {
		w.s.exec(t, `INSERT INTO activity_translations (activity_id, municipality_id, locale, title, summary)
			VALUES (?, ?, ?, ?, ?)`, id, mid, loc, x[0], x[1])
	}
	return id
}

// event writes a published event starting tomorrow, of org (nil: the municipality's) at
// venue (nil: none).
func (w *residentWorld) event(t *testing.T, org, venue any, slug, title string) string {
	t.Helper()
	id := w.insert(t, `INSERT INTO events (municipality_id, organisation_id, venue_id, slug, starts_at, ends_at,
		time_zone, publication) VALUES (?, ?, ?, ?, now() + interval '1 day', now() + interval '25 hours',
		'Europe/Oslo', 'PUBLISHED') RETURNING id`, w.demo, org, venue, slug)
	w.s.exec(t, `INSERT INTO event_translations (event_id, municipality_id, locale, title) VALUES (?, ?, 'nb', ?)`,
		id, w.demo, title)
	return id
}

// register registers a device and returns its header.
func (w *residentWorld) register(t *testing.T, headers ...string) string {
	t.Helper()
	r := ok(t, w.s.post(t, `mutation { registerDevice { deviceToken } }`, nil, headers...))
	return resident.DeviceHeader + ": " + get(r.Data, "registerDevice.deviceToken").(string)
}

const (
	addFavouriteQ = `mutation($id: ID!, $n: Boolean) { addFavourite(itemId: $id, notifyNewDates: $n) {
		favourite { itemId kind notifyNewDates item { id } } } }`
	myThingsQ = `{ myThings { device favourites { itemId kind notifyNewDates } neighbourhood { id }
		interests { categories { id } ageGroups languages } } }`
	forYouQ = `query($first: Int, $after: String) { forYou(first: $first, after: $after) {
		edges { cursor node { id kind title summary textLocale } } pageInfo { hasNextPage endCursor } } }`
)

// wantResidentError fails t unless r's first error has code and, when given, field and reason.
func wantResidentError(t *testing.T, r *gqlResponse, code, field, reason string) {
	t.Helper()
	if r.code() != code {
		t.Fatalf("got %+v, want %s", r.Errors, code)
	}
	ext := r.Errors[0].Extensions
	if field != "" && ext["field"] != field {
		t.Errorf("field %v, want %s", ext["field"], field)
	}
	if reason != "" && ext["reason"] != reason {
		t.Errorf("reason %v, want %s", ext["reason"], reason)
	}
}

// feed returns the titles of the caller's whole feed, paging one item at a time, and the
// items by title.
func (w *residentWorld) feed(t *testing.T, headers ...string) ([]string, map[string]map[string]any) {
	t.Helper()
	var titles []string
	byTitle := map[string]map[string]any{}
	vars := map[string]any{"first": 1}
	for range 20 {
		r := ok(t, w.s.post(t, forYouQ, vars, headers...))
		for _, e := range items(r.Data, "forYou.edges") {
			n := get(e, "node").(map[string]any)
			titles = append(titles, n["title"].(string))
			byTitle[n["title"].(string)] = n
		}
		if get(r.Data, "forYou.pageInfo.hasNextPage") != true {
			return titles, byTitle
		}
		vars["after"] = get(r.Data, "forYou.pageInfo.endCursor")
	}
	t.Fatal("the feed does not end")
	return nil, nil
}

// TestResidentDevices: a device registered without any account keeps favourites (an
// organisation, an activity, an event), a neighbourhood and interests, and its feed shows
// what is new of its favourite organisation and in its neighbourhood, in its language with
// each field falling back, newest first and page by page; never a draft, another
// municipality's item or an unrelated one. Bad input and other municipalities' tokens get
// clear errors; the limit of favourites holds; a forgotten device is unknown.
func TestResidentDevices(t *testing.T) {
	t.Parallel()
	w := newResidentWorld(t)
	s := w.s
	chess := w.activity(t, w.demo, w.laget, "sjakk", "PUBLISHED",
		map[string][2]string{"nb": {"Sjakk", "Hver tirsdag"}, "en": {"Chess", ""}})
	draft := w.activity(t, w.demo, w.laget, "utkast", "DRAFT", map[string][2]string{"nb": {"Utkast", ""}})
	w.activity(t, w.demo, w.annet, "annet", "PUBLISHED", map[string][2]string{"nb": {"Noe annet", ""}})
	w.event(t, nil, w.venue, "torgdag", "Torgdag i sentrum")
	concert := w.event(t, w.annet, nil, "konsert", "Konsert")
	dev := w.register(t)

	t.Run("WithoutDevice", func(t *testing.T) {
		wantResidentError(t, s.post(t, myThingsQ, nil), "UNAUTHENTICATED", "", "")
		wantResidentError(t, s.post(t, myThingsQ, nil, resident.DeviceHeader+": fdv_not-a-token"), "UNAUTHENTICATED", "", "")
	})
	t.Run("Favourites", func(t *testing.T) {
		r := ok(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Organisation", w.laget), "n": true}, dev))
		if get(r.Data, "addFavourite.favourite.notifyNewDates") != true ||
			get(r.Data, "addFavourite.favourite.item.id") != relayID("Organisation", w.laget) {
			t.Errorf("got %v", r.Data)
		}
		for _, id := range []string{relayID("Activity", chess), relayID("Event", concert), relayID("Activity", chess)} {
			ok(t, s.post(t, addFavouriteQ, map[string]any{"id": id}, dev))
		}
		// Adding again changes only what is asked, and nothing is kept twice.
		ok(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Organisation", w.laget)}, dev))
		r = ok(t, s.post(t, myThingsQ, nil, dev))
		favs := items(r.Data, "myThings.favourites")
		if len(favs) != 3 || get(r.Data, "myThings.device") != true {
			t.Fatalf("favourites %v", favs)
		}
		for _, f := range favs {
			if f.(map[string]any)["kind"] == "ORGANISATION" && f.(map[string]any)["notifyNewDates"] != true {
				t.Errorf("re-adding without notifyNewDates changed it: %v", f)
			}
		}
	})
	t.Run("FavouritesOfNothingVisible", func(t *testing.T) {
		for name, id := range map[string]string{"draft": relayID("Activity", draft),
			"other municipality's": relayID("Activity", w.larvikAct),
			"unknown":              relayID("Event", "0190a0b0-0000-7000-8000-000000000000")} {
			t.Run(name, func(t *testing.T) {
				wantResidentError(t, s.post(t, addFavouriteQ, map[string]any{"id": id}, dev), "NOT_FOUND", "itemId", "")
			})
		}
		wantResidentError(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Neighbourhood", w.sentrum)}, dev),
			"BAD_USER_INPUT", "itemId", "KIND")
		wantResidentError(t, s.post(t, addFavouriteQ, map[string]any{"id": "nonsense"}, dev), "BAD_USER_INPUT", "itemId", "")
	})
	t.Run("NeighbourhoodAndInterests", func(t *testing.T) {
		r := ok(t, s.post(t, `mutation($n: ID) { setMyNeighbourhood(neighbourhoodId: $n) {
			myThings { neighbourhood { id } } } }`, map[string]any{"n": relayID("Neighbourhood", w.sentrum)}, dev))
		if get(r.Data, "setMyNeighbourhood.myThings.neighbourhood.id") != relayID("Neighbourhood", w.sentrum) {
			t.Errorf("got %v", r.Data)
		}
		wantResidentError(t, s.post(t, `mutation($n: ID) { setMyNeighbourhood(neighbourhoodId: $n) { myThings { device } } }`,
			map[string]any{"n": relayID("Neighbourhood", w.larvikNb)}, dev), "NOT_FOUND", "neighbourhoodId", "")
		set := `mutation($in: MyInterestsInput!) { setMyInterests(input: $in) { myThings { interests {
			ageGroups languages } } } }`
		r = ok(t, s.post(t, set, map[string]any{"in": map[string]any{"ageGroups": []any{"CHILDREN", "CHILDREN"},
			"languages": []any{"nb", "en"}}}, dev))
		if g := get(r.Data, "setMyInterests.myThings.interests.ageGroups").([]any); len(g) != 1 {
			t.Errorf("age groups %v", g)
		}
		wantResidentError(t, s.post(t, set, map[string]any{"in": map[string]any{"languages": []any{"nb; DROP"}}}, dev),
			"BAD_USER_INPUT", "input.languages", "")
		wantResidentError(t, s.post(t, set, map[string]any{"in": map[string]any{
			"categories": []any{relayID("Category", w.sentrum)}}}, dev), "NOT_FOUND", "input.categories", "")
		// Interests the items do not name narrow nothing: the feed below is unchanged.
	})
	t.Run("ForYou", func(t *testing.T) {
		titles, byTitle := w.feed(t, dev, "X-Locale: en")
		want := []string{"Chess", "Konsert", "Torgdag i sentrum"}
		got := slices.Sorted(slices.Values(titles))
		if !slices.Equal(got, want) {
			t.Fatalf("feed %v, want %v (no draft, nothing of Annet's but the favourite, nothing of Larvik)",
				titles, want)
		}
		if c := byTitle["Chess"]; c["summary"] != "Hver tirsdag" || c["textLocale"] != "en" || c["kind"] != "ACTIVITY" {
			t.Errorf("chess in English with the Norwegian summary: %v", c)
		}
		if byTitle["Torgdag i sentrum"]["kind"] != "EVENT" {
			t.Errorf("event %v", byTitle["Torgdag i sentrum"])
		}
		// Newest first: the items were published in the order chess, market day, concert.
		if titles[len(titles)-1] != "Chess" {
			t.Errorf("order %v", titles)
		}
		r := ok(t, s.post(t, forYouQ, map[string]any{"first": 10}, dev, "X-Locale: nb"))
		for _, e := range items(r.Data, "forYou.edges") {
			if n := get(e, "node").(map[string]any); n["id"] == relayID("Activity", chess) && n["title"] != "Sjakk" {
				t.Errorf("in Norwegian: %v", n)
			}
		}
		wantResidentError(t, s.post(t, forYouQ, map[string]any{"after": "garbage"}, dev), "BAD_USER_INPUT", "after", "")
		wantResidentError(t, s.post(t, `{ forYou(days: 365) { pageInfo { hasNextPage } } }`, nil, dev),
			"BAD_USER_INPUT", "days", "")
	})
	t.Run("OtherMunicipality", func(t *testing.T) {
		wantResidentError(t, s.post(t, myThingsQ, nil, dev, "X-Municipality: larvik"), "UNAUTHENTICATED", "", "")
		wantResidentError(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Activity", w.larvikAct)}, dev,
			"X-Municipality: larvik"), "UNAUTHENTICATED", "", "")
	})
	t.Run("TooMany", func(t *testing.T) {
		s.app.Residents.MaxFavourites = 4
		ok(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Organisation", w.annet)}, dev))
		more := relayID("Event", w.event(t, nil, nil, "mer", "Mer"))
		wantResidentError(t, s.post(t, addFavouriteQ, map[string]any{"id": more}, dev), "BAD_USER_INPUT", "itemId",
			"TOO_MANY")
		// One kept already is no new one.
		ok(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Organisation", w.annet), "n": true}, dev))
	})
	t.Run("Remove", func(t *testing.T) {
		rm := `mutation($id: ID!) { removeFavourite(itemId: $id) { removed } }`
		for _, want := range []bool{true, false} {
			r := ok(t, s.post(t, rm, map[string]any{"id": relayID("Organisation", w.annet)}, dev))
			if get(r.Data, "removeFavourite.removed") != want {
				t.Errorf("removed %v, want %v", r.Data, want)
			}
		}
	})
	t.Run("NeverInASharedCache", func(t *testing.T) {
		r := s.do(t, http.MethodGet, "/graphql?query="+url.QueryEscape(`{ myThings { device } }`), "", nil, dev)
		ok(t, r)
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" ||
			!slices.Contains(r.Header.Values("Vary"), resident.DeviceHeader) {
			t.Errorf("Cache-Control %q, Vary %v", cc, r.Header.Values("Vary"))
		}
	})
	t.Run("Forget", func(t *testing.T) {
		ok(t, s.post(t, `mutation { forgetDevice { forgotten } }`, nil, dev))
		wantResidentError(t, s.post(t, myThingsQ, nil, dev), "UNAUTHENTICATED", "", "")
		var n int
		if err := s.app.DB.QueryRow(`SELECT count(*) FROM resident_favourites`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d favourites left (%v)", n, err)
		}
	})
}

// TestResidentIdleDevicesErased: the daily job erases devices, and signed-in residents'
// things, unused for 13 months with everything kept, and leaves those used since.
func TestResidentIdleDevicesErased(t *testing.T) {
	t.Parallel()
	w := newResidentWorld(t)
	s := w.s
	start := time.Now()
	clock := start
	s.app.Residents.Now = func() time.Time { return clock }
	idle, used := w.register(t), w.register(t)
	ok(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Organisation", w.laget)}, idle))
	person := func(n int) string {
		now := time.Now()
		return "Authorization: Bearer " + w.iss.sign(t, w.iss.key, map[string]any{"iss": w.iss.URL, "aud": "fritid",
			"sub": fmt.Sprint(n), "pid": identityNumber(time.Date(1980, 1, 2, 0, 0, 0, 0, time.UTC), n),
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	}
	ok(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Organisation", w.laget)}, person(1)))
	ok(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Organisation", w.laget)}, person(2)))
	clock = start.AddDate(0, 12, 0)
	ok(t, s.post(t, myThingsQ, nil, used))
	ok(t, s.post(t, myThingsQ, nil, person(2)))
	clock = start.AddDate(0, 13, 5)
	job := &resident.IdleDeviceWorker{Residents: s.app.Residents}
	if err := job.Work(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	wantResidentError(t, s.post(t, myThingsQ, nil, idle), "UNAUTHENTICATED", "", "")
	ok(t, s.post(t, myThingsQ, nil, used))
	if r := ok(t, s.post(t, myThingsQ, nil, person(1))); len(items(r.Data, "myThings.favourites")) != 0 {
		t.Errorf("an idle resident's favourites kept: %v", r.Data)
	}
	if r := ok(t, s.post(t, myThingsQ, nil, person(2))); len(items(r.Data, "myThings.favourites")) != 1 {
		t.Errorf("a resident's favourites erased though used: %v", r.Data)
	}
}

// TestResidentRegistrationThrottled: one client address registers a bounded number of
// devices in the window, then RATE_LIMITED with a delay.
func TestResidentRegistrationThrottled(t *testing.T) {
	t.Parallel()
	w := newResidentWorld(t)
	w.s.app.Residents.MaxRegistrations = 3
	for range 3 {
		w.register(t)
	}
	r := w.s.post(t, `mutation { registerDevice { deviceToken } }`, nil)
	wantResidentError(t, r, "RATE_LIMITED", "", "")
	if a, _ := r.Errors[0].Extensions["retryAfter"].(float64); a < 1 {
		t.Logf("extensions %v", r.Errors[0].Extensions)
	}
}

// TestResidentSignedIn: a resident signed in with ID-porten keeps favourites by their
// identity number (never stored), sees them from any sign-in, finds them in their
// data-subject report and loses them when their data is erased; a sign-in without an
// identity number is FORBIDDEN.
func TestResidentSignedIn(t *testing.T) {
	t.Parallel()
	w := newResidentWorld(t)
	s := w.s
	number := identityNumber(time.Date(1985, 3, 14, 0, 0, 0, 0, time.UTC), 0)
	bearer := func(sub string, claims map[string]any) string {
		now := time.Now()
		c := map[string]any{"iss": w.iss.URL, "aud": "fritid", "sub": sub, "iat": now.Unix(),
			"exp": now.Add(time.Hour).Unix()}
		for k, v := range claims {
			c[k] = v
		}
		return "Authorization: Bearer " + w.iss.sign(t, w.iss.key, c)
	}
	wantResidentError(t, s.post(t, myThingsQ, nil, bearer("x", nil)), "FORBIDDEN", "", "")
	r := ok(t, s.post(t, myThingsQ, nil, bearer("a", map[string]any{"pid": number})))
	if get(r.Data, "myThings.device") != false || len(items(r.Data, "myThings.favourites")) != 0 {
		t.Errorf("nothing kept yet: %v", r.Data)
	}
	ok(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Organisation", w.laget), "n": true},
		bearer("a", map[string]any{"pid": number})))
	r = ok(t, s.post(t, myThingsQ, nil, bearer("another-session", map[string]any{"pid": number})))
	if len(items(r.Data, "myThings.favourites")) != 1 {
		t.Errorf("favourites %v", r.Data)
	}
	// A device's things move to the resident when linked, and the device is forgotten.
	dev := w.register(t)
	ok(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Organisation", w.annet)}, dev))
	ok(t, s.post(t, addFavouriteQ, map[string]any{"id": relayID("Organisation", w.laget)}, dev))
	ok(t, s.post(t, `mutation($n: ID) { setMyNeighbourhood(neighbourhoodId: $n) { myThings { device } } }`,
		map[string]any{"n": relayID("Neighbourhood", w.sentrum)}, dev))
	wantResidentError(t, s.post(t, `mutation { linkDevice { myThings { device } } }`, nil, dev), "UNAUTHENTICATED",
		"", "")
	r = ok(t, s.post(t, `mutation { linkDevice { myThings { device favourites { itemId notifyNewDates }
		neighbourhood { id } } } }`, nil, dev, bearer("a", map[string]any{"pid": number})))
	p := "linkDevice.myThings."
	if favs := items(r.Data, p+"favourites"); len(favs) != 2 || get(r.Data, p+"device") != false ||
		get(r.Data, p+"neighbourhood.id") != relayID("Neighbourhood", w.sentrum) {
		t.Errorf("linked %v", r.Data)
	}
	for _, f := range items(r.Data, p+"favourites") {
		if get(f, "itemId") == relayID("Organisation", w.laget) && get(f, "notifyNewDates") != true {
			t.Errorf("the resident's wish for new dates was lost: %v", f)
		}
	}
	wantResidentError(t, s.post(t, myThingsQ, nil, dev), "UNAUTHENTICATED", "", "")
	// Two sign-ins, one person: one owner, by a keyed hash.
	var owners int
	if err := s.app.DB.QueryRow(`SELECT count(*) FROM resident_owners WHERE identity_key IS NOT NULL`).
		Scan(&owners); err != nil || owners != 1 {
		t.Errorf("owners %d (%v)", owners, err)
	}

	createAdmin(t, s, "admin@example.no")
	admin := "Authorization: Bearer " + get(ok(t, s.post(t, loginMutation,
		map[string]any{"e": "admin@example.no", "p": "riktig hest batteri"})).Data, "login.token").(string)
	report := `mutation($n: String!) { personalDataReport(identityNumber: $n) { residentThings {
		favourites { itemId notifyNewDates } } } }`
	r = ok(t, s.post(t, report, map[string]any{"n": number}, admin))
	favs := items(r.Data, "personalDataReport.residentThings.favourites")
	if len(favs) != 2 {
		t.Errorf("report %v", r.Data)
	}
	r = ok(t, s.post(t, `mutation($n: String!) { erasePersonalData(identityNumber: $n) { erased } }`,
		map[string]any{"n": number}, admin))
	if get(r.Data, "erasePersonalData.erased") != true {
		t.Errorf("erase %v", r.Data)
	}
	r = ok(t, s.post(t, report, map[string]any{"n": number}, admin))
	if get(r.Data, "personalDataReport.residentThings") != nil {
		t.Errorf("after erasure %v", r.Data)
	}
}

// TestResidentFavouriteLimitUnderLoad: one device adding many favourites at once keeps
// exactly the limit; every other addition is BAD_USER_INPUT TOO_MANY.
func TestResidentFavouriteLimitUnderLoad(t *testing.T) {
	t.Parallel()
	w := newResidentWorld(t)
	w.s.app.Residents.MaxFavourites = 5
	dev := w.register(t)
	var ids []string
	for i := range 16 {
		ids = append(ids, relayID("Organisation", w.insert(t, `INSERT INTO organisations (municipality_id, slug, name,
			kind, status) VALUES (?, ?, 'Lag', 'VOLUNTARY', 'PUBLISHED') RETURNING id`, w.demo, fmt.Sprintf("lag-%d", i))))
	}
	codes := make([]string, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = w.s.post(t, addFavouriteQ, map[string]any{"id": id}, dev).code()
		}()
	}
	wg.Wait()
	count := map[string]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[""] != 5 || count["BAD_USER_INPUT"] != len(ids)-5 {
		t.Errorf("outcomes %v", count)
	}
	r := ok(t, w.s.post(t, myThingsQ, nil, dev))
	if n := len(items(r.Data, "myThings.favourites")); n != 5 {
		t.Errorf("%d favourites kept", n)
	}
}
