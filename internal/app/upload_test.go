package app_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// uploadRequest builds a GraphQL multipart request uploading body as file.
func uploadRequest(t *testing.T, body []byte, filename string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("operations", `{"query":"mutation($f: Upload!) { uploadImage(file: $f, alt: \"Sjakkbrett\") { image { url width height alt } } }","variables":{"f":null}}`)
	mw.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", filename)
	fw.Write(body)
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func TestUploadImageAndServeIt(t *testing.T) {
	s := newServer(t)
	createAdmin(t, s, "kari@example.no")
	user := login(t, s, "kari@example.no")
	var jpg bytes.Buffer
	jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 1200, 600)), nil)
	body, ct := uploadRequest(t, jpg.Bytes(), "bilde.png") // the name lies; the content decides
	r := s.do(t, http.MethodPost, "/graphql", ct, body, user)
	if len(r.Errors) > 0 || get(r.Data, "uploadImage.image.width") != 1200.0 || get(r.Data, "uploadImage.image.alt") != "Sjakkbrett" {
		t.Fatalf("upload: %+v %+v", r.Data, r.Errors)
	}
	url := get(r.Data, "uploadImage.image.url").(string)
	path := url[strings.Index(url, "/media/"):]
	res, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || etag == "" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("GET %s: %d %v", path, res.StatusCode, res.Header)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	req.Header.Set("If-None-Match", etag)
	if res, _ := http.DefaultClient.Do(req); res.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d", res.StatusCode)
	}
	t.Run("ErrAnonymous", func(t *testing.T) {
		body, ct := uploadRequest(t, jpg.Bytes(), "a.jpg")
		if r := s.do(t, http.MethodPost, "/graphql", ct, body); r.code() != "UNAUTHENTICATED" {
			t.Errorf("%+v", r.Errors)
		}
	})
	t.Run("ErrSVG", func(t *testing.T) {
		body, ct := uploadRequest(t, []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "a.jpg")
		if r := s.do(t, http.MethodPost, "/graphql", ct, body, user); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "file" {
			t.Errorf("%+v", r.Errors)
		}
	})
}

func TestAttachUploadedLogo(t *testing.T) {
	s := newServer(t)
	id, owner := newOwnedOrganisation(t, s)
	var png bytes.Buffer
	jpeg.Encode(&png, image.NewRGBA(image.Rect(0, 0, 400, 400)), nil)
	body, ct := uploadRequest(t, png.Bytes(), "logo.jpg")
	body = bytes.Replace(body, []byte("uploadImage(file: $f, alt: \\\"Sjakkbrett\\\") { image { url"), []byte("uploadImage(file: $f, alt: \\\"Sjakkbrett\\\") { image { id url"), 1)
	r := s.do(t, http.MethodPost, "/graphql", ct, body, owner)
	imageID := get(r.Data, "uploadImage.image.id")
	if imageID == nil {
		t.Fatalf("upload: %+v %+v", r.Data, r.Errors)
	}
	u := ok(t, s.post(t, `mutation($id: ID!, $img: ID!) {
		updateOrganisation(id: $id, input: {logoId: $img}) { organisation { logo { url alt width } } } }`,
		map[string]any{"id": id, "img": imageID}, owner))
	if get(u.Data, "updateOrganisation.organisation.logo.width") != 400.0 || get(u.Data, "updateOrganisation.organisation.logo.alt") != "Sjakkbrett" {
		t.Errorf("logo: %+v", u.Data)
	}
	bad := s.post(t, `mutation($id: ID!, $img: ID!) {
		updateOrganisation(id: $id, input: {coverId: $img}) { organisation { id } } }`,
		map[string]any{"id": id, "img": "SW1hZ2U6MDE5MDAwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw"}, owner)
	if bad.code() != "BAD_USER_INPUT" || bad.Errors[0].Extensions["field"] != "input.coverId" {
		t.Errorf("unknown image: %+v", bad.Errors)
	}
}

// TestUploadMapThroughAString sends a multipart map whose path leads through a string and
// past the end of a list: the client's mistake, answered 400 BAD_REQUEST, not INTERNAL.
func TestUploadMapThroughAString(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, path := range []string{"variables.x.y", "variables.list.5", "variables.x.0"} {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("operations", `{"query": "mutation($f: Upload!) { uploadImage(file: $f) { image { id } } }", "variables": {"x": "text", "list": [1]}}`) //nolint:errcheck // in memory
		mw.WriteField("map", `{"0": ["`+path+`"]}`)                                                                                                           //nolint:errcheck // in memory
		fw, _ := mw.CreateFormFile("0", "photo.png")
		fw.Write([]byte("not an image")) //nolint:errcheck // in memory
		mw.Close()
		r := s.do(t, http.MethodPost, "/graphql", mw.FormDataContentType(), b.Bytes(), "Accept-Language: en")
		if r.Status != http.StatusBadRequest || r.code() != "BAD_REQUEST" || !strings.Contains(r.Errors[0].Message, "map") {
			t.Errorf("%s: %d %q %+v, want 400 BAD_REQUEST about the map", path, r.Status, r.code(), r.Errors)
		}
	}
}
