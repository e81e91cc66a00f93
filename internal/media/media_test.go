package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/platform/apperr"
)

func picture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, h/2, color.RGBA{R: 200, A: 255})
	}
	return img
}

// withExif puts an APP1 Exif segment with a GPS-looking payload right after the JPEG's SOI.
func withExif(t testing.TB, jpg []byte) []byte {
	t.Helper()
	payload := append([]byte("Exif\x00\x00"), []byte("GPSLatitude 59.05 GPSLongitude 10.03")...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

func TestProcessMakesVariantsWithoutExif(t *testing.T) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(2000, 1000), nil); err != nil {
		t.Fatal(err)
	}
	in := withExif(t, buf.Bytes())
	if !bytes.Contains(in, []byte("GPSLatitude")) {
		t.Fatal("the test image has no EXIF")
	}
	vs, bodies, err := Process(bytes.NewReader(in), DefaultLimits, "file")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3 || vs[0].Width != 320 || vs[2].Width != 1920 || vs[2].Height != 960 || vs[0].ContentType != "image/jpeg" {
		t.Fatalf("variants %+v", vs)
	}
	for i, b := range bodies {
		if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte("GPSLatitude")) {
			t.Errorf("variant %d keeps EXIF", i)
		}
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(b)); err != nil || cfg.Width != vs[i].Width {
			t.Errorf("variant %d: %v %+v", i, err, cfg)
		}
	}
}

func TestProcessKeepsPNGAndNeverUpscales(t *testing.T) {
	var buf bytes.Buffer
	png.Encode(&buf, picture(500, 250))
	vs, _, err := Process(&buf, DefaultLimits, "file")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[1].Width != 500 || vs[0].ContentType != "image/png" {
		t.Errorf("variants %+v", vs)
	}
}

func TestProcessRefuses(t *testing.T) {
	var small bytes.Buffer
	png.Encode(&small, picture(10, 10))
	tests := []struct {
		name, want string
		data       []byte
		lim        Limits
	}{
		{"SVG", "ImageKind", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), DefaultLimits},
		{"Text", "ImageKind", []byte(strings.Repeat("hello ", 100)), DefaultLimits},
		{"TooManyBytes", "ImageTooLarge", small.Bytes(), Limits{MaxBytes: 10, MaxPixels: 100}},
		{"DecompressionBomb", "ImageTooManyPixels", pngHeader(100_000, 100_000), DefaultLimits},
		{"Truncated", "ImageUnreadable", small.Bytes()[:40], DefaultLimits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Process(bytes.NewReader(tt.data), tt.lim, "file")
			if e := apperr.As(err); e == nil || e.MessageID != tt.want || e.Field != "file" {
				t.Errorf("err = %v, want %s on file", err, tt.want)
			}
		})
	}
}

// pngHeader is a PNG signature and IHDR chunk that claims a huge image.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	chunk := append([]byte("IHDR"), ihdr...)
	out := []byte("\x89PNG\r\n\x1a\n")
	l := make([]byte, 4)
	binary.BigEndian.PutUint32(l, 13)
	out = append(out, l...)
	out = append(out, chunk...)
	c := make([]byte, 4)
	binary.BigEndian.PutUint32(c, crc32.ChecksumIEEE(chunk))
	return append(out, c...)
}
