package app_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"net/http"
	"testing"

	"github.com/fritid/fritid/internal/platform/relay"
)

const saveVenue = `mutation($in: VenueChangesInput!) {
	saveVenue(input: $in) { venue { id name archived address { postalCode } location { lat } neighbourhoods { slug } } } }`

func TestVenuesKeptByTheirOrganisation(t *testing.T) {
	s := newDemoServer(t)
	larvik := "X-Municipality: larvik"
	org, owner := newOwnedOrganisation(t, s, larvik)
	r := ok(t, s.post(t, saveVenue, map[string]any{"in": map[string]any{"organisationId": org, "name": "Klubbhuset",
		"postalCode": "3290", "place": "Stavern", "location": map[string]any{"lat": 58.998, "lon": 10.035}, "accessibility": []string{"WHEELCHAIR_ACCESSIBLE"}}}, owner, larvik))
	venue := get(r.Data, "saveVenue.venue.id")
	if get(r.Data, "saveVenue.venue.neighbourhoods.0.slug") != "stavern" || get(r.Data, "saveVenue.venue.archived") != false {
		t.Fatalf("new venue: %+v", r.Data)
	}
	a := ok(t, s.post(t, `mutation($org: ID!, $v: ID!) {
		createActivity(organisationId: $org, input: {title: "Sjakk", venueId: $v}) { activity { id location { lat } } } }`,
		map[string]any{"org": org, "v": venue}, owner, larvik))
	act := get(a.Data, "createActivity.activity.id")
	if get(a.Data, "createActivity.activity.location.lat") != 58.998 {
		t.Errorf("activity at the venue: %+v", a.Data)
	}

	// The venue moves out of Stavern: its neighbourhoods and its activity follow.
	r = ok(t, s.post(t, saveVenue, map[string]any{"in": map[string]any{"id": venue, "location": map[string]any{"lat": 59.2, "lon": 9.6}}}, owner, larvik))
	if get(r.Data, "saveVenue.venue.name") != "Klubbhuset" || len(get(r.Data, "saveVenue.venue.neighbourhoods").([]any)) != 0 {
		t.Errorf("moved venue: %+v", r.Data)
	}
	var lat float64
	var inStavern bool
	s.app.DB.QueryRowContext(context.Background(), `SELECT a.lat, EXISTS (SELECT 1 FROM activity_neighbourhoods an JOIN neighbourhoods n ON n.id = an.neighbourhood_id
		WHERE an.activity_id = a.id AND n.slug = 'stavern') FROM activities a WHERE a.id = ?`, relayKey(t, act.(string))).Scan(&lat, &inStavern)
	if lat != 59.2 || inStavern {
		t.Errorf("the activity did not move with its venue: lat %v, in Stavern %v", lat, inStavern)
	}

	// Archived: not listed, not offered for new activities, kept where it is.
	ok(t, s.post(t, `mutation($id: ID!) {
		archiveVenue(id: $id) { venue { archived } } }`, map[string]any{"id": venue}, owner, larvik))
	listed := ok(t, s.post(t, `{ venues(first: 100) { nodes { id } } }`, nil, larvik))
	for _, n := range list(listed, "venues.nodes") {
		if n["id"] == venue {
			t.Error("an archived venue is listed")
		}
	}
	bad := s.post(t, `mutation($org: ID!, $v: ID!) {
		createActivity(organisationId: $org, input: {title: "Mer sjakk", venueId: $v}) { activity { id } } }`,
		map[string]any{"org": org, "v": venue}, owner, larvik)
	if bad.code() != "BAD_USER_INPUT" || bad.Errors[0].Extensions["field"] != "input.venueId" {
		t.Errorf("new activity at an archived venue: %+v", bad.Errors)
	}
	ok(t, s.post(t, `mutation($id: ID!, $v: ID!) {
		updateActivity(id: $id, input: {venueId: $v, priceOre: 0}) { activity { id } } }`, map[string]any{"id": act, "v": venue}, owner, larvik))

	t.Run("BadInput", func(t *testing.T) {
		for field, in := range map[string]map[string]any{
			"input.postalCode":   {"id": venue, "postalCode": "32900"},
			"input.name":         {"id": venue, "name": nil},
			"input.location.lat": {"id": venue, "location": map[string]any{"lat": 91, "lon": 10}},
			"input.id":           {"id": org},
		} {
			if r := s.post(t, saveVenue, map[string]any{"in": in}, owner, larvik); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != field {
				t.Errorf("%s: %+v", field, r.Errors)
			}
		}
	})
	t.Run("ErrAnotherMunicipality", func(t *testing.T) {
		if _, err := s.app.Tenants.CreateMunicipality(context.Background(), tenantInput("sandefjord", "Sandefjord kommune")); err != nil {
			t.Fatal(err)
		}
		createAdminIn(t, s, "sandefjord", "admin@sandefjord.no")
		other := login(t, s, "admin@sandefjord.no", "X-Municipality: sandefjord")
		r := s.post(t, saveVenue, map[string]any{"in": map[string]any{"id": venue, "name": "Kapret"}}, other, "X-Municipality: sandefjord")
		if r.code() != "NOT_FOUND" {
			t.Errorf("another municipality's venue: %+v", r.Errors)
		}
	})
}

func TestActivityTranslationsAndImages(t *testing.T) {
	s := newDemoServer(t)
	larvik := "X-Municipality: larvik"
	org, owner := newOwnedOrganisation(t, s, larvik)
	a := ok(t, s.post(t, `mutation($org: ID!) {
		createActivity(organisationId: $org, input: {title: "Sjakk for alle", summary: "Kom og spill"}) { activity { id } } }`,
		map[string]any{"org": org}, owner, larvik))
	act := get(a.Data, "createActivity.activity.id")
	setText := `mutation($id: ID!, $l: String!, $in: ActivityTextsInput!) {
		setActivityTranslation(id: $id, locale: $l, input: $in) { activity { id } } }`

	// A language without texts needs a title first; then the English reader sees English.
	if r := s.post(t, setText, map[string]any{"id": act, "l": "en", "in": map[string]any{"summary": "Come and play"}}, owner, larvik); r.Errors == nil ||
		r.Errors[0].Extensions["field"] != "input.title" {
		t.Errorf("summary alone in a new language: %+v", r.Errors)
	}
	ok(t, s.post(t, setText, map[string]any{"id": act, "l": "en", "in": map[string]any{"title": "Chess for everyone", "summary": "Come and play"}}, owner, larvik))
	read := `query($id: ID!) { node(id: $id) { ... on Activity { title summary textLocale images { alt } } } }`
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	ok(t, s.post(t, `mutation($id: ID!) {
		approveOrganisation(id: $id) { organisation { status } } }`, map[string]any{"id": org}, login(t, s, "admin@larvik.no", larvik), larvik))
	ok(t, s.post(t, `mutation($id: ID!) {
		setActivityStatus(id: $id, status: PUBLISHED) { activity { id } } }`, map[string]any{"id": act}, owner, larvik))
	en := ok(t, s.post(t, read, map[string]any{"id": act}, owner, larvik, "X-Locale: en"))
	nb := ok(t, s.post(t, read, map[string]any{"id": act}, owner, larvik, "X-Locale: nb"))
	if get(en.Data, "node.title") != "Chess for everyone" || get(en.Data, "node.summary") != "Come and play" ||
		get(nb.Data, "node.title") != "Sjakk for alle" || get(nb.Data, "node.summary") != "Kom og spill" {
		t.Errorf("en %+v, nb %+v", en.Data, nb.Data)
	}
	if r := s.post(t, setText, map[string]any{"id": act, "l": "de", "in": map[string]any{"title": "Schach"}}, owner, larvik); r.code() != "BAD_USER_INPUT" ||
		r.Errors[0].Extensions["field"] != "locale" {
		t.Errorf("a language not enabled: %+v", r.Errors)
	}

	// Images: uploaded ones of the municipality, in order; null-free list replaces them.
	upload := func() string {
		var jpg bytes.Buffer
		jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 400, 300)), nil)
		body, ct := uploadRequest(t, jpg.Bytes(), "a.jpg")
		r := s.do(t, http.MethodPost, "/graphql", ct, body, owner, larvik)
		if len(r.Errors) > 0 {
			t.Fatalf("upload: %+v", r.Errors)
		}
		var id string
		s.app.DB.QueryRowContext(context.Background(), "SELECT id FROM media ORDER BY created_at DESC, id DESC LIMIT 1").Scan(&id)
		return relayID("Image", id)
	}
	first, second := upload(), upload()
	setImages := `mutation($id: ID!, $im: [ID!]) {
		updateActivity(id: $id, input: {imageIds: $im}) { activity { images { url } } } }`
	r := ok(t, s.post(t, setImages, map[string]any{"id": act, "im": []string{second, first}}, owner, larvik))
	if n := len(get(r.Data, "updateActivity.activity.images").([]any)); n != 2 {
		t.Errorf("%d images, want 2", n)
	}
	var order string
	s.app.DB.QueryRowContext(context.Background(), "SELECT string_agg(media_id::text, ',' ORDER BY sort_order) FROM activity_images").Scan(&order)
	if want := relayKey(t, second) + "," + relayKey(t, first); order != want {
		t.Errorf("image order %s, want %s", order, want)
	}
	if r := s.post(t, setImages, map[string]any{"id": act, "im": []string{first, org}}, owner, larvik); r.code() != "BAD_USER_INPUT" ||
		r.Errors[0].Extensions["field"] != "input.imageIds" {
		t.Errorf("an organisation's ID as an image: %+v", r.Errors)
	}
	r = ok(t, s.post(t, setImages, map[string]any{"id": act, "im": []string{}}, owner, larvik))
	if n := len(get(r.Data, "updateActivity.activity.images").([]any)); n != 0 {
		t.Errorf("%d images after clearing", n)
	}
}

// relayKey returns the row ID inside a global ID.
func relayKey(t *testing.T, gid string) string {
	t.Helper()
	_, id, err := relay.ParseGlobalID(gid, "id")
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}
