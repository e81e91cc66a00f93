package media_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/fritid/fritid/internal/media"
)

// TestS3Bucket stores and serves a variant through the s3:// driver, against a local
// S3-compatible server started by the test.
func TestS3Bucket(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("fritid-media"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	ctx := context.Background()
	store, err := media.Open(ctx, "s3://fritid-media?region=eu-north-1&use_path_style=true&anonymous=true&endpoint="+url.QueryEscape(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	body := []byte("\xff\xd8\xff not really a jpeg, but bytes all the same")
	if err := store.Put(ctx, "m/abc/320.jpg", "image/jpeg", body); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /media/{key...}", store.Handler())
	web := httptest.NewServer(mux)
	defer web.Close()
	res, err := http.Get(web.URL + "/media/m/abc/320.jpg")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(got) != string(body) || res.Header.Get("Content-Type") != "image/jpeg" || res.Header.Get("ETag") == "" {
		t.Fatalf("GET: %d %q %v", res.StatusCode, got, res.Header)
	}
	if res, _ := http.Get(web.URL + "/media/m/abc/960.jpg"); res.StatusCode != http.StatusNotFound {
		t.Errorf("missing variant: %d", res.StatusCode)
	}
}
