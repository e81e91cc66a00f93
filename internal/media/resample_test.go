package media

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"

	"golang.org/x/image/draw"
)

// TestResizeMatchesCatmullRom: the plane resampler gives what golang.org/x/image/draw's
// Catmull-Rom gives, within what the JPEG encoder would blur anyway.
func TestResizeMatchesCatmullRom(t *testing.T) {
	src, err := jpeg.Decode(bytes.NewReader(photo(t, 1200, 800)))
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []image.Point{{960, 640}, {320, 213}, {1199, 799}} {
		got := resize(src, size.X, size.Y)
		want := image.NewRGBA(image.Rect(0, 0, size.X, size.Y))
		draw.CatmullRom.Scale(want, want.Bounds(), src, src.Bounds(), draw.Src, nil)
		var sum, n float64
		for y := 0; y < size.Y; y++ {
			for x := 0; x < size.X; x++ {
				r1, g1, b1, _ := got.At(x, y).RGBA()
				r2, g2, b2, _ := want.At(x, y).RGBA()
				sum += absDiff(r1, r2) + absDiff(g1, g2) + absDiff(b1, b2)
				n += 3
			}
		}
		if mean := sum / n / 257; mean > 2 {
			t.Errorf("%v: mean difference %.2f of 255", size, mean)
		}
	}
}

func absDiff(a, b uint32) float64 {
	if a > b {
		return float64(a - b)
	}
	return float64(b - a)
}

// TestProcessKeepsAJPEGAtItsWidthWithoutMetadata: the widest variant of a 1200-wide photo is
// the same picture, bit for bit once decoded, without its EXIF, and nothing after its end.
func TestProcessKeepsAJPEGAtItsWidthWithoutMetadata(t *testing.T) {
	in := append(photo(t, 1200, 800), []byte("<?php trailing data ?>")...)
	vs, bodies, err := Process(bytes.NewReader(in), DefaultLimits, "file")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3 || vs[2].Width != 1200 || vs[2].Height != 800 || vs[1].Width != 960 || vs[1].Height != 640 {
		t.Fatalf("variants %+v", vs)
	}
	for i, b := range bodies {
		if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte("GPSLatitude")) ||
			bytes.Contains(b, []byte("php")) {
			t.Errorf("variant %d keeps metadata or trailing data", i)
		}
	}
	orig, _ := jpeg.Decode(bytes.NewReader(in))
	kept, err := jpeg.Decode(bytes.NewReader(bodies[2]))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(orig.(*image.YCbCr).Y, kept.(*image.YCbCr).Y) {
		t.Error("the widest variant is not the original picture")
	}
}

func TestStripJPEGRefusesWhatItCannotRead(t *testing.T) {
	for name, data := range map[string][]byte{
		"Empty":     {},
		"NotJPEG":   []byte("GIF89a......"),
		"Truncated": {0xFF, 0xD8, 0xFF, 0xE1, 0x10, 0x00, 'E'},
		"NoEnd":     {0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 1, 2, 3},
	} {
		if _, err := stripJPEG(data); err == nil {
			t.Errorf("%s: stripped", name)
		}
	}
}
