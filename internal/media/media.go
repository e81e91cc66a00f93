// Package media takes uploaded images: JPEG, PNG or WebP recognised by their content, under
// size and pixel limits, decoded and re-encoded (which drops EXIF, GPS position included)
// into fixed widths, and kept in a gocloud.dev/blob bucket (a directory by default).
package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// buckets
	_ "gocloud.dev/blob/s3blob"   // s3:// buckets (AWS S3 and S3-compatible stores)
	"golang.org/x/image/draw"
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
}

// Process reads an upload, checks it is a JPEG, PNG or WebP within the limits, and returns
// its re-encoded variants' bytes. Errors: BAD_USER_INPUT naming field (not an image of an
// accepted kind, too large, too many pixels, undecodable).
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
	return variants(img, kind == "image/png")
}

func variants(img image.Image, keepPNG bool) ([]Variant, [][]byte, error) {
	b := img.Bounds()
	var vs []Variant
	var bodies [][]byte
	for _, w := range Widths {
		if len(vs) > 0 && vs[len(vs)-1].Width >= b.Dx() {
			break // the original's width is reached: no upscaling
		}
		w = min(w, b.Dx())
		h := max(1, b.Dy()*w/b.Dx())
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
		var buf bytes.Buffer
		ct, ext := "image/jpeg", "jpg"
		var err error
		if keepPNG {
			ct, ext = "image/png", "png"
			err = png.Encode(&buf, dst)
		} else {
			err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85})
		}
		if err != nil {
			return nil, nil, err
		}
		vs = append(vs, Variant{Key: fmt.Sprintf("%d.%s", w, ext), Width: w, Height: h, ContentType: ct})
		bodies = append(bodies, buf.Bytes())
	}
	return vs, bodies, nil
}

// Store writes and reads image variants in a bucket.
type Store struct{ Bucket *blob.Bucket }

// Open opens the bucket at url: file:///path (the default), s3://..., and the like.
func Open(ctx context.Context, url string) (*Store, error) {
	b, err := blob.OpenBucket(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("media bucket %s: %w", url, err)
	}
	return &Store{Bucket: b}, nil
}

// Put stores a variant under key.
func (s *Store) Put(ctx context.Context, key, contentType string, body []byte) error {
	return s.Bucket.WriteAll(ctx, key, body, &blob.WriterOptions{ContentType: contentType, CacheControl: "public, max-age=31536000, immutable"})
}

// Handler serves stored variants at /media/<key>, with ETag and long-lived cache headers:
// a variant never changes once written.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("key")
		attrs, err := s.Bucket.Attributes(r.Context(), key)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"%x"`, attrs.MD5)
		if len(attrs.MD5) == 0 {
			etag = fmt.Sprintf(`"%d-%d"`, attrs.Size, attrs.ModTime.Unix())
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body, err := s.Bucket.ReadAll(r.Context(), key)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", attrs.ContentType)
		w.Write(body) //nolint:errcheck // the client went away
	})
}
