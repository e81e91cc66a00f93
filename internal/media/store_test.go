package media_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/fritid/fritid/internal/media"
)

// stores opens a directory store and two S3 stores against local S3-compatible servers, one
// anonymous and one with credentials from the environment.
func stores(t *testing.T) map[string]*media.Store {
	t.Helper()
	dir, err := media.Open(context.Background(), "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	backend := s3mem.New()
	if err := backend.CreateBucket("fritid-media"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	s3, err := media.Open(context.Background(),
		"s3://fritid-media?region=eu-north-1&use_path_style=true&anonymous=true&endpoint="+url.QueryEscape(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	// The same with credentials from the environment: every request is signed with them.
	t.Setenv("AWS_ACCESS_KEY_ID", "fritid-test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fritid-test-secret")
	signedBackend := s3mem.New()
	if err := signedBackend.CreateBucket("fritid-media"); err != nil {
		t.Fatal(err)
	}
	fake := gofakes3.New(signedBackend).Server()
	signedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=fritid-test/") {
			t.Errorf("%s %s unsigned: Authorization %q", r.Method, r.URL, auth)
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(signedSrv.Close)
	signed, err := media.Open(context.Background(),
		"s3://fritid-media?region=eu-north-1&use_path_style=true&endpoint="+url.QueryEscape(signedSrv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*media.Store{"file": dir, "s3": s3, "s3-signed": signed}
}

// get asks store's handler for /media/key and returns the status and body.
func get(t *testing.T, store *media.Store, key string) (int, string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /media/{key...}", store.Handler())
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/media/"+key, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

// TestDeleteAllKeepsTheCurrentFile: replacing an image's file deletes the former file's
// variants and keeps the current one's; deleting the image deletes them all, and nothing of
// another image.
func TestDeleteAllKeepsTheCurrentFile(t *testing.T) {
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			keys := []string{"m/img/old/320.jpg", "m/img/old/1920.jpg", "m/img/new/320.jpg", "m/other/f/320.jpg"}
			for _, k := range keys {
				if err := store.Put(ctx, k, "image/jpeg", []byte("bytes of "+k)); err != nil {
					t.Fatal(err)
				}
			}
			if err := store.DeleteAll(ctx, "m/img/", "m/img/new/"); err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				code, body := get(t, store, k)
				want := http.StatusOK
				if strings.HasPrefix(k, "m/img/old/") {
					want = http.StatusNotFound
				}
				if code != want || code == http.StatusOK && body != "bytes of "+k {
					t.Errorf("after replacing, %s: %d %q, want %d", k, code, body, want)
				}
			}
			if err := store.DeleteAll(ctx, "m/img/", ""); err != nil {
				t.Fatal(err)
			}
			if code, _ := get(t, store, "m/img/new/320.jpg"); code != http.StatusNotFound {
				t.Errorf("after deleting the image, its variant: %d", code)
			}
			if code, _ := get(t, store, "m/other/f/320.jpg"); code != http.StatusOK {
				t.Errorf("after deleting another image, this one's variant: %d", code)
			}
		})
	}
}

// TestFileStoreServesOnlyItsVariants: the directory store serves nothing outside its
// directory, nor the metadata files a former store kept beside each variant, and deleting a
// variant deletes its metadata file too.
func TestFileStoreServesOnlyItsVariants(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "media")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "secret"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := media.Open(context.Background(), "file://"+dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := store.Put(ctx, "m/i/f/320.jpg", "image/jpeg", []byte("jpeg")); err != nil {
		t.Fatal(err)
	}
	attrs := filepath.Join(dir, "m", "i", "f", "320.jpg.attrs")
	if err := os.WriteFile(attrs, []byte(`{"ContentType":"image/jpeg"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, store, "m/i/f/320.jpg"); code != http.StatusOK || body != "jpeg" {
		t.Fatalf("variant: %d %q", code, body)
	}
	// The keys as the handler would get them if no router cleaned the path first.
	for _, key := range []string{"../secret", "m/../../secret", "/secret", "m/i/f/320.jpg.attrs", "m/i/f/", "m/i/f"} {
		req := httptest.NewRequest("GET", "/media/x", nil)
		req.SetPathValue("key", key)
		rec := httptest.NewRecorder()
		store.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d %q, want 404", key, rec.Code, rec.Body)
		}
	}
	if err := store.DeleteAll(ctx, "m/i/", ""); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "m", "i", "f", "*"))
	if len(left) != 0 {
		t.Errorf("left after deleting the image: %v", left)
	}
}

// TestOpenRefusesWhatItCannotHonour: a media URL with a setting the store does not know, or
// a directory that is not there, stops the start with a message naming it.
func TestOpenRefusesWhatItCannotHonour(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	for url, want := range map[string]string{
		"s3://b?region=eu-north-1&rate_limiter_capacity=5": "rate_limiter_capacity",
		"s3://b?use_path_style=maybe":                      "use_path_style",
		"s3://b?ssetype=aws:kms:dsse":                      "ssetype",
		"s3://b?endpoint=ftp://host":                       "endpoint",
		"s3://?region=eu-north-1":                          "bucket",
		"gs://bucket":                                      "gs",
		"file://" + missing:                                "missing",
		"file://" + missing + "?dir_file_mode=0700":        "dir_file_mode",
	} {
		if _, err := media.Open(context.Background(), url); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%s): %v, want an error naming %s", url, err, want)
		}
	}
	store, err := media.Open(context.Background(), "file://"+missing+"?create_dir=true")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Put(context.Background(), "a/320.png", "image/png", []byte("png")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(missing, "a"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"320.png"}) {
		t.Errorf("files written: %v", names)
	}
}
