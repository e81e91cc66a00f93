// Package media takes uploaded images: JPEG, PNG or WebP recognised by their content, under
// size and pixel limits, resampled and re-encoded into fixed widths (a JPEG at its own width
// is copied without its metadata instead), so that no variant keeps EXIF, GPS position
// included, and kept in a directory or an S3 bucket.
package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"path"
	"strings"
	"sync"

	_ "golang.org/x/image/webp" // decode WebP

	"github.com/fritid/fritid/internal/platform/apperr"
)

// Widths are the variants made of every image (never wider than the original).
var Widths = []int{320, 960, 1920}

// Limits bound what an upload may be.
type Limits struct {
	MaxBytes  int64
	MaxPixels int
}

// DefaultLimits: 10 MB and 40 megapixels.
var DefaultLimits = Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000}

// Variant is one stored width of an image.
type Variant struct {
	Key           string
	Width, Height int
	ContentType   string
	// Deferred variants have no bytes yet: Store.Handler makes them on their first request.
	Deferred bool
}

// Process reads an upload, checks it is a JPEG, PNG or WebP within the limits, and returns
// its variants' bytes (nil for Deferred ones), without metadata. Errors: BAD_USER_INPUT naming field (not an image of
// an accepted kind, too large, too many pixels, undecodable).
func Process(r io.Reader, lim Limits, field string) ([]Variant, [][]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, nil, apperr.Invalid(field, "ImageTooLarge", map[string]any{"Max": lim.MaxBytes >> 20})
	}
	kind := http.DetectContentType(data)
	if kind != "image/jpeg" && kind != "image/png" && kind != "image/webp" {
		return nil, nil, apperr.Invalid(field, "ImageKind", nil)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, nil, apperr.Invalid(field, "ImageUnreadable", nil)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > lim.MaxPixels {
		return nil, nil, apperr.Invalid(field, "ImageTooManyPixels", nil)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, apperr.Invalid(field, "ImageUnreadable", nil)
	}
	return variants(img, source{data: data, kind: kind})
}

// source is an upload as it came.
type source struct {
	data []byte
	kind string
}

// variants makes img's variants, one goroutine each. When the widest is the uploaded JPEG
// itself (stripped of its metadata), those between it and the smallest are Deferred: made
// from it on their first request (Store.Handler), as well as now and without a loss.
func variants(img image.Image, src source) ([]Variant, [][]byte, error) {
	vs := plan(img.Bounds(), src.kind)
	bodies := make([][]byte, len(vs))
	last := len(vs) - 1
	kept := false
	bodies[last], kept = keptOriginal(img, src, vs[last])
	errs := make([]error, len(vs))
	var wg sync.WaitGroup
	for i, v := range vs {
		switch {
		case bodies[i] != nil:
		case kept && i > 0 && i < last:
			vs[i].Deferred = true
		default:
			wg.Go(func() { bodies[i], errs[i] = encode(img, v) })
		}
	}
	wg.Wait()
	return vs, bodies, errors.Join(errs...)
}

// plan returns the variants of an image of bounds b and content type kind: each of Widths,
// never wider than the image (the last is then the image's own width). A PNG stays a PNG;
// anything else becomes a JPEG.
func plan(b image.Rectangle, kind string) []Variant {
	ct, ext := "image/jpeg", "jpg"
	if kind == "image/png" {
		ct, ext = "image/png", "png"
	}
	var vs []Variant
	for _, w := range Widths {
		if len(vs) > 0 && vs[len(vs)-1].Width >= b.Dx() {
			break // the original's width is reached: no upscaling
		}
		w = min(w, b.Dx())
		h := max(1, b.Dy()*w/b.Dx())
		vs = append(vs, Variant{Key: fmt.Sprintf("%d.%s", w, ext), Width: w, Height: h, ContentType: ct})
	}
	return vs
}

// keptOriginal returns the uploaded JPEG without its metadata when it can be variant v as
// it is: at its own size and not too heavy. Nothing is lost in a second compression.
func keptOriginal(img image.Image, src source, v Variant) ([]byte, bool) {
	b := img.Bounds()
	tooHeavy := len(src.data) > maxKeptBytesPerPixel*v.Width*v.Height
	if src.kind != "image/jpeg" || v.Width != b.Dx() || v.Height != b.Dy() || tooHeavy {
		return nil, false
	}
	out, err := stripJPEG(src.data)
	return out, err == nil
}

// encode returns the bytes of variant v of img, resampled when smaller: a JPEG at quality
// 85, or a PNG.
func encode(img image.Image, v Variant) ([]byte, error) {
	if b := img.Bounds(); v.Width != b.Dx() || v.Height != b.Dy() {
		img = resize(img, v.Width, v.Height)
	}
	var buf bytes.Buffer
	var err error
	if v.ContentType == "image/png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	}
	return buf.Bytes(), err
}

// maxKeptBytesPerPixel: a JPEG heavier than this (quality near 100, say) is re-encoded even
// at its own size, which makes it several times lighter to serve.
const maxKeptBytesPerPixel = 1

// cacheControl is every variant's: a variant never changes once written.
const cacheControl = "public, max-age=31536000, immutable"

// Store writes and reads image variants in a bucket: a directory or an S3 bucket (Open).
type Store struct{ b bucket }

// Close releases the store. Its bucket needs nothing released today.
func (s *Store) Close() error { return nil }

// Put stores a variant under key.
func (s *Store) Put(ctx context.Context, key, contentType string, body []byte) error {
	return s.b.put(ctx, key, contentType, cacheControl, body)
}

// DeleteAll removes every variant stored under prefix (an image's folder) whose key does
// not start with keep (the folder of its current file; "" keeps none). Errors are the
// bucket's.
func (s *Store) DeleteAll(ctx context.Context, prefix, keep string) error {
	keys, err := s.b.list(ctx, prefix, true)
	errs := []error{err}
	for _, key := range keys {
		if keep != "" && strings.HasPrefix(key, keep) {
			continue
		}
		errs = append(errs, s.b.remove(ctx, key))
	}
	return errors.Join(errs...)
}

// PrivatePrefix starts the keys of private files: Handler never serves them; they are read
// only through ReadPrivate, by a service that has checked who asks.
const PrivatePrefix = "private/"

// privateCacheControl keeps a private file out of every shared cache.
const privateCacheControl = "private, no-store"

// ErrNotFound: no private file is stored under the key.
var ErrNotFound = errors.New("media: file not found")

// PutPrivate stores a private file under key (below PrivatePrefix), never served publicly.
func (s *Store) PutPrivate(ctx context.Context, key, contentType string, body []byte) error {
	return s.b.put(ctx, PrivatePrefix+key, contentType, privateCacheControl, body)
}

// ReadPrivate returns the private file under key, or ErrNotFound.
func (s *Store) ReadPrivate(ctx context.Context, key string) ([]byte, error) {
	body, err := s.b.read(ctx, PrivatePrefix+key)
	if errors.Is(err, errNotFound) {
		return nil, ErrNotFound
	}
	return body, err
}

// DeletePrivate removes the private file under key; one that is not there is no error.
func (s *Store) DeletePrivate(ctx context.Context, key string) error {
	return s.b.remove(ctx, PrivatePrefix+key)
}

// Handler serves stored variants at /media/<key>, with ETag and long-lived cache headers:
// a variant never changes once written. A Deferred variant is made on its first request.
// Private files (PrivatePrefix) are never served: they are as absent as a missing key.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("key")
		// SECURITY: private files are read only through the service that owns them.
		if strings.HasPrefix(path.Clean("/"+key), "/"+PrivatePrefix) {
			http.NotFound(w, r)
			return
		}
		a, err := s.b.stat(r.Context(), key)
		if errors.Is(err, errNotFound) && s.makeDeferred(r.Context(), key) == nil {
			a, err = s.b.stat(r.Context(), key)
		}
		if err != nil {
			http.NotFound(w, r)
			return
		}
		etag := `"` + a.etag + `"`
		w.Header().Set("ETag", etag)
		w.Header().Set("Cache-Control", cacheControl)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body, err := s.b.read(r.Context(), key)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		w.Write(body) //nolint:errcheck // the client went away
	})
}
