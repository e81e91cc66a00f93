package media

import (
	"bytes"
	"context"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestDeferredVariantMadeOnFirstRequest: an upload of a 1200-wide photograph stores its
// smallest and widest variants; the 960 one is made, stored and served when first asked
// for, and no other width ever is.
func TestDeferredVariantMadeOnFirstRequest(t *testing.T) {
	ctx := context.Background()
	store, err := Open(ctx, "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	vs, bodies, err := Process(bytes.NewReader(photo(t, 1200, 800)), DefaultLimits, "file")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v.Deferred != (v.Width == 960) || v.Deferred != (bodies[i] == nil) {
			t.Fatalf("variant %+v with %d bytes", v, len(bodies[i]))
		}
		if !v.Deferred {
			if err := store.Put(ctx, "m/i/f/"+v.Key, v.ContentType, bodies[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /media/{key...}", store.Handler())
	web := httptest.NewServer(mux)
	defer web.Close()
	get := func(key string) (int, []byte) {
		res, err := http.Get(web.URL + "/media/" + key)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, body
	}
	for range 2 { // made once, then served as stored
		code, body := get("m/i/f/960.jpg")
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(body))
		if code != http.StatusOK || err != nil || cfg.Width != 960 || cfg.Height != 640 {
			t.Fatalf("960.jpg: %d %v %+v", code, err, cfg)
		}
	}
	never := []string{"m/i/f/1920.jpg", "m/i/f/500.jpg", "m/i/f/960.png", "m/i/f/0960.jpg", "m/i/g/960.jpg", "960.jpg"}
	for _, key := range never {
		if code, _ := get(key); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", key, code)
		}
	}
	if err := store.DeleteAll(ctx, "m/i/", "m/i/f/"); err != nil {
		t.Fatal(err)
	}
	if code, _ := get("m/i/f/320.jpg"); code != http.StatusOK {
		t.Errorf("a kept variant is gone: %d", code)
	}
	if err := store.DeleteAll(ctx, "m/i/", ""); err != nil {
		t.Fatal(err)
	}
	if code, _ := get("m/i/f/320.jpg"); code != http.StatusNotFound {
		t.Errorf("a deleted variant answers %d", code)
	}
}
