package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"path"
	"slices"
	"strconv"
	"strings"
)

// errNoVariant: the key names no variant that an upload would have made.
var errNoVariant = errors.New("media: no such variant")

// makeDeferred makes and stores the variant at key ("<folder>/<width>.<ext>") from the widest
// variant in its folder, when that is wider: a Deferred variant on its first request. Any
// other key is errNoVariant, so nothing but the widths an upload makes is ever made.
func (s *Store) makeDeferred(ctx context.Context, key string) error {
	folder, name := path.Split(key)
	width, ext, ok := variantName(name)
	if !ok || folder == "" || !slices.Contains(Widths, width) {
		return errNoVariant
	}
	src, srcWidth, err := s.widest(ctx, folder, ext)
	if err != nil {
		return err
	}
	if srcWidth <= width {
		return errNoVariant // the image is not that wide: no upscaling
	}
	data, err := s.b.read(ctx, src)
	if err != nil {
		return err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return err
	}
	v := plan(img.Bounds(), contentType(ext))[slices.Index(Widths, width)]
	body, err := encode(img, v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, v.ContentType, body)
}

// widest returns the key and width of the widest variant with extension ext in folder.
func (s *Store) widest(ctx context.Context, folder, ext string) (string, int, error) {
	keys, err := s.b.list(ctx, folder, false)
	if err != nil {
		return "", 0, err
	}
	best, bestWidth := "", 0
	for _, key := range keys {
		if w, e, ok := variantName(path.Base(key)); ok && e == ext && w > bestWidth {
			best, bestWidth = key, w
		}
	}
	if best == "" {
		return "", 0, errNoVariant
	}
	return best, bestWidth, nil
}

// variantName reads a variant's file name, "<width>.<ext>" with ext jpg or png.
func variantName(name string) (int, string, bool) {
	base, ext, ok := strings.Cut(name, ".")
	if !ok || (ext != "jpg" && ext != "png") {
		return 0, "", false
	}
	w, err := strconv.Atoi(base)
	return w, ext, err == nil && w > 0 && strconv.Itoa(w) == base
}

// contentType is the content type of the variants with extension ext.
func contentType(ext string) string {
	if ext == "png" {
		return "image/png"
	}
	return "image/jpeg"
}
