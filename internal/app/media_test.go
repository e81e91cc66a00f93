package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// uploadOp builds a GraphQL multipart request running query with vars, the file as $f.
func uploadOp(t *testing.T, query string, vars map[string]any, file []byte) ([]byte, string) {
	t.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	vars["f"] = nil
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("operations", string(ops))      //nolint:errcheck // in memory
	mw.WriteField("map", `{"0":["variables.f"]}`) //nolint:errcheck // in memory
	fw, _ := mw.CreateFormFile("0", "bilde.jpg")
	fw.Write(file) //nolint:errcheck // in memory
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// picture returns a JPEG (or PNG) of w x h with a gradient, as a camera would not make it.
func picture(t *testing.T, w, h int, asPNG bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: uint8((x + y) % 256), A: 255})
		}
	}
	var buf bytes.Buffer
	if asPNG {
		png.Encode(&buf, img) //nolint:errcheck // in memory
	} else {
		jpeg.Encode(&buf, img, nil) //nolint:errcheck // in memory
	}
	return buf.Bytes()
}

const uploadToLibrary = `mutation($f: Upload!, $o: ID) {
  uploadImage(file: $f, alt: "Sjakkbrett", organisationId: $o) { image { id url width } } }`

// upload sends a file through the HTTP handler and returns the image's ID.
func (s *testServer) upload(t *testing.T, org any, file []byte, headers ...string) string {
	t.Helper()
	body, ct := uploadOp(t, uploadToLibrary, map[string]any{"o": org}, file)
	r := ok(t, s.do(t, http.MethodPost, "/graphql", ct, body, headers...))
	return get(r.Data, "uploadImage.image.id").(string)
}

// fetch returns the HTTP status of a GET of url's path on the server.
func (s *testServer) fetch(t *testing.T, url string) int {
	t.Helper()
	code, _ := s.fetchBody(t, url)
	return code
}

// fetchBody returns the HTTP status and body of a GET of url's path on the server.
func (s *testServer) fetchBody(t *testing.T, url string) (int, []byte) {
	t.Helper()
	res, err := http.Get(s.URL + url[strings.Index(url, "/media/"):])
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, body
}

const imageQuery = `query($id: ID!) { node(id: $id) { ... on Image { id url width alt organisation { name }
  usedBy { totalCount nodes { kind organisation { name } activity { id } } } } } }`

// refused reports whether r failed with code on field.
func refused(r *gqlResponse, code, field string) bool {
	return r.code() == code && r.Errors[0].Extensions["field"] == field
}

// kinds returns the kinds of the places of use listed at path.
func kinds(r *gqlResponse, path string) []string {
	var out []string
	for _, u := range items(r.Data, path) {
		out = append(out, get(u, "kind").(string))
	}
	return out
}

// TestImageReusedThenDeleted: one image is an organisation's logo and cover and a draft
// activity's picture; each caller sees the places they may see; deleting it is refused,
// naming them, until it is used nowhere.
func TestImageReusedThenDeleted(t *testing.T) {
	t.Parallel()
	s, w := newOwnersWorld(t)
	img := s.upload(t, w.org, picture(t, 600, 400, false), w.owner)
	ok(t, s.post(t, `mutation($id: ID!, $i: ID!) {
	  updateOrganisation(id: $id, input: {logoId: $i, coverId: $i}) { organisation { id } } }`,
		map[string]any{"id": w.org, "i": img}, w.owner))
	ok(t, s.post(t, `mutation($id: ID!, $i: ID!) {
		updateActivity(id: $id, input: {imageIds: [$i]}) { activity { id } } }`,
		map[string]any{"id": w.activity, "i": img}, w.editor))

	owner := ok(t, s.post(t, imageQuery, map[string]any{"id": img}, w.owner))
	got := strings.Join(kinds(owner, "node.usedBy.nodes"), ",")
	if got != "ORGANISATION_LOGO,ORGANISATION_COVER,ACTIVITY_IMAGE" {
		t.Errorf("the owner sees uses %v", got)
	}
	if get(owner.Data, "node.usedBy.nodes.2.activity.id") != w.activity ||
		get(owner.Data, "node.organisation.name") != "Sjakklubben" {
		t.Errorf("places: %+v", owner.Data)
	}
	public := ok(t, s.post(t, imageQuery, map[string]any{"id": img}, w.resident))
	if got := kinds(public, "node.usedBy.nodes"); len(got) != 2 { // the draft activity is not public
		t.Errorf("a resident sees uses %v", got)
	}

	pages := `query($id: ID!, $f: Int, $a: String, $l: Int, $b: String) { node(id: $id) { ... on Image { id
	  usedBy(first: $f, after: $a, last: $l, before: $b) { totalCount pageInfo { hasNextPage endCursor startCursor }
	  nodes { kind } } } } }`
	r := ok(t, s.post(t, pages, map[string]any{"id": img, "f": 2}, w.owner))
	if got := kinds(r, "node.usedBy.nodes"); len(got) != 2 || get(r.Data, "node.usedBy.totalCount") != 3.0 ||
		get(r.Data, "node.usedBy.pageInfo.hasNextPage") != true {
		t.Errorf("the first two places: %+v", r.Data)
	}
	end := get(r.Data, "node.usedBy.pageInfo.endCursor")
	r = ok(t, s.post(t, pages, map[string]any{"id": img, "f": 2, "a": end}, w.owner))
	if got := kinds(r, "node.usedBy.nodes"); len(got) != 1 || got[0] != "ACTIVITY_IMAGE" {
		t.Errorf("the place after them: %+v", r.Data)
	}
	start := get(r.Data, "node.usedBy.pageInfo.startCursor")
	r = ok(t, s.post(t, pages, map[string]any{"id": img, "l": 1, "b": start}, w.owner))
	if got := kinds(r, "node.usedBy.nodes"); len(got) != 1 || got[0] != "ORGANISATION_COVER" {
		t.Errorf("the place before it: %+v", r.Data)
	}
	r = s.post(t, pages, map[string]any{"id": img, "a": "bm90IGEgY3Vyc29y"}, w.owner)
	if !refused(r, "BAD_USER_INPUT", "after") || get(r.Data, "node.id") != img {
		t.Errorf("a bad cursor: %+v %+v", r.Data, r.Errors)
	}

	lib := `query($o: ID) { images(filter: {organisationId: $o}) {
	  totalCount nodes { id usedBy { nodes { kind } } } } }`
	r = ok(t, s.post(t, lib, map[string]any{"o": w.org}, w.editor))
	if get(r.Data, "images.totalCount") != 1.0 || get(r.Data, "images.nodes.0.id") != img ||
		len(items(r.Data, "images.nodes.0.usedBy.nodes")) != 3 {
		t.Errorf("the library: %+v", r.Data)
	}
	if r := s.post(t, lib, map[string]any{"o": w.org}, w.other); r.code() != "FORBIDDEN" {
		t.Errorf("another organisation's owner lists it: %+v", r.Errors)
	}
	if r := s.post(t, lib, nil); r.code() != "UNAUTHENTICATED" {
		t.Errorf("anonymous lists images: %+v", r.Errors)
	}

	del := `mutation($id: ID!) { deleteImage(id: $id) { deletedId } }`
	r = s.post(t, del, map[string]any{"id": img}, w.owner)
	if r.code() != "CONFLICT" || r.Errors[0].Extensions["field"] != "id" {
		t.Fatalf("deleting an image in use: %+v", r.Errors)
	}
	uses, _ := r.Errors[0].Extensions["usedBy"].([]any)
	if len(uses) != 3 || get(uses[2], "activityId") != w.activity || get(uses[0], "organisationId") != w.org {
		t.Errorf("the places named: %+v", r.Errors[0].Extensions)
	}
	ok(t, s.post(t, `mutation($id: ID!) {
		updateOrganisation(id: $id, input: {logoId: null, coverId: null}) { organisation { id } } }`,
		map[string]any{"id": w.org}, w.owner))
	ok(t, s.post(t, `mutation($id: ID!) { updateActivity(id: $id, input: {imageIds: []}) { activity { id } } }`,
		map[string]any{"id": w.activity}, w.owner))
	url := get(owner.Data, "node.url").(string)
	r = ok(t, s.post(t, del, map[string]any{"id": img}, w.owner))
	if get(r.Data, "deleteImage.deletedId") != img {
		t.Errorf("deleted: %+v", r.Data)
	}
	if r := ok(t, s.post(t, imageQuery, map[string]any{"id": img}, w.admin)); get(r.Data, "node") != nil {
		t.Errorf("a deleted image is still there: %+v", r.Data)
	}
	if code := s.fetch(t, url); code != http.StatusNotFound {
		t.Errorf("the deleted image's file answers %d", code)
	}
}

// TestUnusedImagesAreTheirOrganisations: an image used nowhere is seen by the members of its
// organisation and by administrators, and by nobody else.
func TestUnusedImagesAreTheirOrganisations(t *testing.T) {
	t.Parallel()
	s, w := newOwnersWorld(t)
	img := s.upload(t, w.org, picture(t, 100, 80, true), w.editor)
	for name, c := range map[string]struct {
		bearer []string
		sees   bool
	}{
		"Owner": {[]string{w.owner}, true}, "Editor": {[]string{w.editor}, true}, "Admin": {[]string{w.admin}, true},
		"OtherOrganisation": {[]string{w.other}, false}, "Resident": {[]string{w.resident}, false},
		"Anonymous": {nil, false},
	} {
		t.Run(name, func(t *testing.T) {
			r := ok(t, s.post(t, imageQuery, map[string]any{"id": img}, c.bearer...))
			if sees := get(r.Data, "node.id") == img; sees != c.sees {
				t.Errorf("sees %v, want %v", sees, c.sees)
			}
		})
	}
	body, ct := uploadOp(t, uploadToLibrary, map[string]any{"o": w.org}, picture(t, 10, 10, true))
	if r := s.do(t, http.MethodPost, "/graphql", ct, body, w.other); r.code() != "FORBIDDEN" {
		t.Errorf("uploading into another organisation's library: %+v", r.Errors)
	}
	nowhere := relayID("Organisation", "01900000-0000-7000-8000-000000000000")
	body, ct = uploadOp(t, uploadToLibrary, map[string]any{"o": nowhere}, picture(t, 10, 10, true))
	if r := s.do(t, http.MethodPost, "/graphql", ct, body, w.admin); !refused(r, "NOT_FOUND", "organisationId") {
		t.Errorf("uploading into an organisation that does not exist: %+v", r.Errors)
	}
}

// TestImageAltPerLanguage: alt texts are written per published language, read along the
// locale chain, searched in any language, and a language the municipality does not publish
// is refused on locale.
func TestImageAltPerLanguage(t *testing.T) {
	t.Parallel()
	s, w := newOwnersWorld(t)
	img := s.upload(t, w.org, picture(t, 100, 80, false), w.owner)
	set := `mutation($id: ID!, $l: String!, $a: String!) {
	  setImageAlt(id: $id, locale: $l, alt: $a) { image { alts { locale alt } } } }`
	r := ok(t, s.post(t, set, map[string]any{"id": img, "l": "en", "a": "A chess board"}, w.editor))
	if n := len(items(r.Data, "setImageAlt.image.alts")); n != 2 {
		t.Errorf("alts: %+v", r.Data)
	}
	alt := func(lang string) any {
		r := ok(t, s.post(t, imageQuery, map[string]any{"id": img}, w.owner, "Accept-Language: "+lang))
		return get(r.Data, "node.alt")
	}
	if alt("en") != "A chess board" || alt("nn") != "Sjakkbrett" { // nn falls back to nb
		t.Errorf("alt in en %q, nn %q", alt("en"), alt("nn"))
	}
	lib := `query($q: String!) { images(filter: {query: $q}) { totalCount } }`
	for q, want := range map[string]float64{"CHESS": 1, "sjakk": 1, "%": 0, "tennis": 0} {
		if r := ok(t, s.post(t, lib, map[string]any{"q": q}, w.owner)); get(r.Data, "images.totalCount") != want {
			t.Errorf("search %q: %+v", q, r.Data)
		}
	}
	ok(t, s.post(t, set, map[string]any{"id": img, "l": "en", "a": ""}, w.owner))
	if alt("en") != "Sjakkbrett" {
		t.Errorf("after removing English, alt %q", alt("en"))
	}
	for name, c := range map[string]struct{ locale, alt, field string }{
		"ErrLocaleNotPublished": {"de", "Ein Schachbrett", "locale"},
		"ErrAltTooLong":         {"nb", strings.Repeat("a", 501), "alt"},
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, set, map[string]any{"id": img, "l": c.locale, "a": c.alt}, w.owner)
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != c.field {
				t.Errorf("%+v", r.Errors)
			}
		})
	}
	if r := s.post(t, set, map[string]any{"id": img, "l": "nb", "a": "x"}, w.other); r.code() != "FORBIDDEN" {
		t.Errorf("another organisation's owner: %+v", r.Errors)
	}
}

// TestReplaceImageKeepsItsPlaces: a new file takes the image's place everywhere, under the
// same ID; the old file goes. An image uploaded outside any library joins the first
// organisation that uses it.
func TestReplaceImageKeepsItsPlaces(t *testing.T) {
	t.Parallel()
	s, w := newOwnersWorld(t)
	img := s.upload(t, nil, picture(t, 400, 300, false), w.owner)
	r := ok(t, s.post(t, `mutation($id: ID!, $i: ID!) {
	  updateOrganisation(id: $id, input: {coverId: $i}) { organisation { cover { url } } } }`,
		map[string]any{"id": w.org, "i": img}, w.owner))
	oldURL := get(r.Data, "updateOrganisation.organisation.cover.url").(string)
	replace := `mutation($f: Upload!, $id: ID!) {
	  replaceImage(id: $id, file: $f) { image { id url width height alt organisation { name } } } }`
	body, ct := uploadOp(t, replace, map[string]any{"id": img}, picture(t, 800, 600, true))
	r = ok(t, s.do(t, http.MethodPost, "/graphql", ct, body, w.owner))
	newURL, _ := get(r.Data, "replaceImage.image.url").(string)
	replaced := get(r.Data, "replaceImage.image")
	if get(replaced, "id") != img || get(replaced, "width") != 800.0 || newURL == oldURL ||
		get(replaced, "alt") != "Sjakkbrett" || get(replaced, "organisation.name") != "Sjakklubben" {
		t.Fatalf("replaced: %+v", r.Data)
	}
	cover := ok(t, s.post(t, `query($id: ID!) { node(id: $id) { ... on Organisation { cover { url } } } }`,
		map[string]any{"id": w.org}))
	if get(cover.Data, "node.cover.url") != newURL {
		t.Errorf("the cover shows %v, want the new file", get(cover.Data, "node.cover.url"))
	}
	if s.fetch(t, oldURL) != http.StatusNotFound || s.fetch(t, newURL) != http.StatusOK {
		t.Errorf("old file %d, new file %d", s.fetch(t, oldURL), s.fetch(t, newURL))
	}
	body, ct = uploadOp(t, replace, map[string]any{"id": img}, []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`))
	if r := s.do(t, http.MethodPost, "/graphql", ct, body, w.owner); !refused(r, "BAD_USER_INPUT", "file") {
		t.Errorf("an SVG: %+v", r.Errors)
	}
	if s.fetch(t, newURL) != http.StatusOK {
		t.Error("a refused replacement removed the file")
	}
}

// TestImagesStayInTheirMunicipality: another municipality's image cannot be attached, read,
// replaced or deleted.
func TestImagesStayInTheirMunicipality(t *testing.T) {
	t.Parallel()
	s, w := newOwnersWorld(t)
	ctx := context.Background()
	if _, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("larvik", "Larvik kommune")); err != nil {
		t.Fatal(err)
	}
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	inLarvik := "X-Municipality: larvik"
	larvik := s.upload(t, nil, picture(t, 50, 50, false), login(t, s, "admin@larvik.no", inLarvik), inLarvik)
	r := s.post(t, `mutation($id: ID!, $i: ID!) {
		updateOrganisation(id: $id, input: {logoId: $i}) { organisation { id } } }`,
		map[string]any{"id": w.org, "i": larvik}, w.admin)
	if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "input.logoId" {
		t.Errorf("attaching Larvik's image as a logo: %+v", r.Errors)
	}
	r = s.post(t, `mutation($id: ID!, $i: ID!) {
		updateActivity(id: $id, input: {imageIds: [$i]}) { activity { id } } }`,
		map[string]any{"id": w.activity, "i": larvik}, w.admin)
	if r.code() != "BAD_USER_INPUT" || !strings.HasPrefix(r.Errors[0].Extensions["field"].(string), "input.imageIds") {
		t.Errorf("attaching Larvik's image to an activity: %+v", r.Errors)
	}
	if r := ok(t, s.post(t, imageQuery, map[string]any{"id": larvik}, w.admin)); get(r.Data, "node") != nil {
		t.Errorf("Larvik's image read in demo: %+v", r.Data)
	}
	for _, q := range []string{`mutation($id: ID!) { deleteImage(id: $id) { deletedId } }`,
		`mutation($id: ID!) { setImageAlt(id: $id, locale: "nb", alt: "x") { image { id } } }`} {
		if r := s.post(t, q, map[string]any{"id": larvik}, w.admin); !refused(r, "NOT_FOUND", "id") {
			t.Errorf("%s on Larvik's image: %+v", q, r.Errors)
		}
	}
}

// TestImportedImagesJoinTheirOrganisation: images imported with an organisation's listing
// are in its library, so that its members keep them.
func TestImportedImagesJoinTheirOrganisation(t *testing.T) {
	t.Parallel()
	s := newDemoServer(t)
	var total, kept int
	err := s.app.DB.QueryRowContext(context.Background(),
		"SELECT count(*), count(organisation_id) FROM media").Scan(&total, &kept)
	if err != nil {
		t.Fatal(err)
	}
	if total == 0 || kept != total {
		t.Errorf("%d of %d imported images are in an organisation's library", kept, total)
	}
}

// TestUploadServesEveryWidth: a 1200x800 photograph with EXIF is served at 320, 960 and its
// own 1200 pixels, none with the EXIF, and at no width it does not have.
func TestUploadServesEveryWidth(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	jpg := picture(t, 1200, 800, false)
	payload := "Exif\x00\x00GPSLatitude 59.05 GPSLongitude 10.03"
	exif := append([]byte("\xff\xd8\xff\xe1\x00"+string(rune(len(payload)+2))+payload), jpg[2:]...)
	if _, err := jpeg.Decode(bytes.NewReader(exif)); err != nil {
		t.Fatalf("the test photograph: %v", err)
	}
	body, ct := uploadOp(t, uploadToLibrary, nil, exif)
	r := ok(t, s.do(t, http.MethodPost, "/graphql", ct, body, login(t, s, "kari@example.no")))
	url := get(r.Data, "uploadImage.image.url").(string)
	if !strings.HasSuffix(url, "/1200.jpg") || get(r.Data, "uploadImage.image.width") != 1200.0 {
		t.Fatalf("uploaded: %+v", r.Data)
	}
	for width, want := range map[string]int{"320": 320, "960": 960, "1200": 1200, "1920": 0} {
		code, got := s.fetchBody(t, strings.TrimSuffix(url, "1200.jpg")+width+".jpg")
		if want == 0 {
			if code != http.StatusNotFound {
				t.Errorf("%s.jpg: %d, want 404", width, code)
			}
			continue
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(got))
		if code != http.StatusOK || err != nil || cfg.Width != want || bytes.Contains(got, []byte("GPSLatitude")) ||
			(want == 1200 && !bytes.Equal(got[2:], jpg[2:])) { // the file itself, without the EXIF
			t.Errorf("%s.jpg: %d %v %+v", width, code, err, cfg)
		}
	}
}

// TestImageLibraryPages: the library pages forward and backward, newest first, and refuses
// bad arguments on the argument.
func TestImageLibraryPages(t *testing.T) {
	t.Parallel()
	s, w := newOwnersWorld(t)
	var ids []string
	for range 3 {
		ids = append(ids, s.upload(t, w.org, picture(t, 20, 20, false), w.owner))
	}
	q := `query($f: Int, $a: String, $l: Int, $b: String) { images(first: $f, after: $a, last: $l, before: $b) {
	  totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } nodes { id } } }`
	r := ok(t, s.post(t, q, map[string]any{"f": 2}, w.owner))
	more := func(r *gqlResponse) any { return get(r.Data, "images.pageInfo.hasNextPage") }
	if n := list(r, "images"); len(n) != 2 || n[0]["id"] != ids[2] || more(r) != true ||
		get(r.Data, "images.totalCount") != 3.0 {
		t.Fatalf("first page: %+v", r.Data)
	}
	r = ok(t, s.post(t, q, map[string]any{"f": 2, "a": get(r.Data, "images.pageInfo.endCursor")}, w.owner))
	if n := list(r, "images"); len(n) != 1 || n[0]["id"] != ids[0] || more(r) != false {
		t.Fatalf("second page: %+v", r.Data)
	}
	r = ok(t, s.post(t, q, map[string]any{"l": 2, "b": get(r.Data, "images.pageInfo.startCursor")}, w.owner))
	if n := list(r, "images"); len(n) != 2 || n[0]["id"] != ids[2] || n[1]["id"] != ids[1] {
		t.Fatalf("backward: %+v", r.Data)
	}
	for name, c := range map[string]struct {
		query string
		vars  map[string]any
		field string
	}{
		"ErrPageTooLarge": {q, map[string]any{"f": 101}, "first"},
		"ErrCursor":       {q, map[string]any{"a": "bm90IGEgY3Vyc29y"}, "after"},
		"ErrQueryTooLong": {`query($q: String) { images(filter: {query: $q}) { totalCount } }`,
			map[string]any{"q": strings.Repeat("x", 201)}, "filter.query"},
		"ErrOrganisationID": {`query($o: ID) { images(filter: {organisationId: $o}) { totalCount } }`,
			map[string]any{"o": w.activity}, "filter.organisationId"},
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, c.query, c.vars, w.owner)
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != c.field {
				t.Errorf("%+v", r.Errors)
			}
		})
	}
}
