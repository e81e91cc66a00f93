package media

import (
	"image"
	"math"

	"golang.org/x/image/draw"
)

// resize returns img scaled to w x h with the Catmull-Rom kernel. A JPEG or lossy WebP
// decodes to YCbCr planes, and a grey image to one plane: those are resampled plane by plane
// in 8-bit fixed point and stay YCbCr (4:2:0) or grey, which the JPEG encoder takes as they
// are, with no colour conversion on either side. Any other image goes through
// golang.org/x/image/draw into RGBA.
func resize(img image.Image, w, h int) image.Image {
	switch src := img.(type) {
	case *image.YCbCr:
		if src.Rect.Min == (image.Point{}) {
			return resizeYCbCr(src, w, h)
		}
	case *image.Gray:
		if src.Rect.Min == (image.Point{}) {
			dst := image.NewGray(image.Rect(0, 0, w, h))
			scalePlane(dst.Pix, dst.Stride, w, h, src.Pix, src.Stride, src.Rect.Dx(), src.Rect.Dy())
			return dst
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Over, nil)
	return dst
}

// resizeYCbCr scales each plane of src to its place in a 4:2:0 image of w x h.
func resizeYCbCr(src *image.YCbCr, w, h int) *image.YCbCr {
	dst := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	scalePlane(dst.Y, dst.YStride, w, h, src.Y, src.YStride, sw, sh)
	cw, ch := chromaSize(src.SubsampleRatio, sw, sh)
	dcw, dch := (w+1)/2, (h+1)/2
	scalePlane(dst.Cb, dst.CStride, dcw, dch, src.Cb, src.CStride, cw, ch)
	scalePlane(dst.Cr, dst.CStride, dcw, dch, src.Cr, src.CStride, cw, ch)
	return dst
}

// chromaSize returns the size of a w x h image's chroma planes under ratio r.
func chromaSize(r image.YCbCrSubsampleRatio, w, h int) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}

// fracBits is the fixed-point precision of the resampling weights.
const fracBits = 14

// taps are the source samples and weights (summing to 1<<fracBits) of one output sample.
type taps struct {
	first   int
	weights []int32
}

// kernelTaps returns, for each of n output samples taken from m input samples, which input
// samples it weighs and how much. When shrinking, the kernel is widened by the ratio so that
// every input sample counts (no aliasing), as golang.org/x/image/draw does.
func kernelTaps(n, m int) []taps {
	scale := float64(m) / float64(n)
	widen := math.Max(scale, 1)
	support := 2 * widen
	out := make([]taps, n)
	for i := range out {
		centre := (float64(i)+0.5)*scale - 0.5
		lo, hi := int(math.Floor(centre-support))+1, int(math.Floor(centre+support))
		ws := make([]float64, 0, hi-lo+1)
		sum := 0.0
		for j := lo; j <= hi; j++ {
			w := catmullRom((float64(j) - centre) / widen)
			ws, sum = append(ws, w), sum+w
		}
		out[i] = fixedTaps(lo, ws, sum, m)
	}
	return out
}

// fixedTaps normalises ws (for input samples from lo on) to fixed point, folding taps that
// fall outside 0..m-1 onto the nearest edge sample.
func fixedTaps(lo int, ws []float64, sum float64, m int) taps {
	first, last := max(lo, 0), min(lo+len(ws)-1, m-1)
	t := taps{first: first, weights: make([]int32, last-first+1)}
	total := int32(0)
	for k, w := range ws {
		j := min(max(lo+k, first), last)
		v := int32(math.Round(w / sum * (1 << fracBits)))
		t.weights[j-first] += v
		total += v
	}
	t.weights[len(t.weights)/2] += 1<<fracBits - total // rounding left-over
	return t
}

// catmullRom is the Catmull-Rom cubic kernel.
func catmullRom(x float64) float64 {
	x = math.Abs(x)
	switch {
	case x < 1:
		return (1.5*x-2.5)*x*x + 1
	case x < 2:
		return ((-0.5*x+2.5)*x-4)*x + 2
	}
	return 0
}

// scalePlane resamples a sw x sh plane of 8-bit samples into a dw x dh one: rows first into
// a temporary plane, then columns.
func scalePlane(dst []byte, dstride, dw, dh int, src []byte, sstride, sw, sh int) {
	tmp := make([]byte, dw*sh)
	xt := kernelTaps(dw, sw)
	for y := 0; y < sh; y++ {
		row, out := src[y*sstride:y*sstride+sw], tmp[y*dw:(y+1)*dw]
		for x, t := range xt {
			acc := int32(1 << (fracBits - 1))
			in := row[t.first:]
			in = in[:len(t.weights)] // one bounds check for the loop
			for k, w := range t.weights {
				acc += int32(in[k]) * w
			}
			out[x] = clamp8(acc)
		}
	}
	acc := make([]int32, dw)
	for y, t := range kernelTaps(dh, sh) {
		for x := range acc {
			acc[x] = 1 << (fracBits - 1)
		}
		for k, w := range t.weights {
			row := tmp[(t.first+k)*dw : (t.first+k+1)*dw]
			acc := acc[:len(row)] // one bounds check for the loop
			for x, v := range row {
				acc[x] += int32(v) * w
			}
		}
		out := dst[y*dstride : y*dstride+dw]
		for x, a := range acc {
			out[x] = clamp8(a)
		}
	}
}

// clamp8 turns a fixed-point sum into a sample, clamped to 0..255 (the kernel overshoots).
func clamp8(acc int32) byte {
	v := acc >> fracBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return byte(v)
}
