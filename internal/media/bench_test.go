package media

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"
)

// photo returns a photographic-looking JPEG of w x h (quality 90) with an EXIF segment:
// a sky gradient, hills of fractal noise, soft shapes and sensor grain, so that the
// encoder and the resampler work as hard as on a real photograph (a flat colour would
// flatter them both).
func photo(tb testing.TB, w, h int) []byte {
	tb.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rgba := image.NewRGBA(img.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			hill := 0.55 + 0.12*noise(fx*3, 1) + 0.05*noise(fx*11, 2) + 0.02*noise(fx*37, 3)
			var r, g, b float64
			if fy < hill { // sky: blue gradient with clouds
				c := math.Max(0, noise(fx*4+fy*2, 4)*noise(fx*9-fy*5, 5))
				r, g, b = 90+100*fy+150*c, 140+80*fy+110*c, 220+30*fy+30*c
			} else { // land: grass and rock texture
				t := noise(fx*40+fy*25, 6)*0.5 + noise(fx*130-fy*90, 7)*0.3 + noise(fx*400+fy*300, 8)*0.2
				r, g, b = 60+70*t, 90+80*t, 40+40*t
			}
			grain := rng.NormFloat64() * 6
			rgba.SetRGBA(x, y, color.RGBA{R: clamp(r + grain), G: clamp(g + grain), B: clamp(b + grain), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return withExif(tb, buf.Bytes())
}

// noise is a smooth pseudo-random function of x in about [-1, 1], a sum of sines with
// incommensurate frequencies.
func noise(x float64, seed int) float64 {
	s := float64(seed)
	return (math.Sin(x*1.7+s) + math.Sin(x*2.9+s*1.3)*0.6 + math.Sin(x*5.3+s*2.1)*0.3) / 1.9
}

func clamp(v float64) uint8 { return uint8(math.Max(0, math.Min(255, v))) }

// BenchmarkProcessPhoto measures an upload of a 1200x800 photograph from bytes to the
// stored variants' bytes.
func BenchmarkProcessPhoto(b *testing.B) {
	in := photo(b, 1200, 800)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, _, err := Process(bytes.NewReader(in), DefaultLimits, "file"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeferredVariant measures what the first request of a photograph's 960 variant
// costs, once: decoding the kept 1200x800 file, resampling and encoding.
func BenchmarkDeferredVariant(b *testing.B) {
	vs, bodies, err := Process(bytes.NewReader(photo(b, 1200, 800)), DefaultLimits, "file")
	if err != nil || !vs[1].Deferred {
		b.Fatalf("%v %+v", err, vs)
	}
	kept := bodies[2]
	for b.Loop() {
		img, err := jpeg.Decode(bytes.NewReader(kept))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := encode(img, vs[1]); err != nil {
			b.Fatal(err)
		}
	}
}
