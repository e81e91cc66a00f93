package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// fileBucket keeps each key as a file under dir, written to a temporary file and renamed
// into place, so a reader never sees half a variant. The content type is the file
// extension's. Files ending in ".attrs" (the metadata a former store kept beside each
// file) and names starting with "." are neither listed nor served.
type fileBucket struct{ dir string }

// openFile opens file:///path. The directory must exist unless create_dir=true.
func openFile(u *url.URL) (*fileBucket, error) {
	if u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("a file URL has no host: file:///path")
	}
	if u.Path == "" {
		return nil, fmt.Errorf("a file URL needs a directory: file:///path")
	}
	create := false
	for param, values := range u.Query() {
		switch param {
		case "create_dir":
			var err error
			if create, err = strconv.ParseBool(values[0]); err != nil {
				return nil, fmt.Errorf("invalid value for create_dir: %w", err)
			}
		case "metadata": // a former store's option; nothing is kept beside the files
		default:
			return nil, fmt.Errorf("unknown query parameter %q", param)
		}
	}
	dir := filepath.FromSlash(u.Path)
	if create {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	return &fileBucket{dir: dir}, nil
}

// path returns key's file, or errNotFound for a key that is not one a store writes: empty
// segments, ".", "..", names starting with ".", backslashes and metadata files.
func (b *fileBucket) path(key string) (string, error) {
	if key == "" || strings.ContainsAny(key, "\\\x00") || strings.HasSuffix(key, ".attrs") {
		return "", errNotFound
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg[0] == '.' {
			return "", errNotFound
		}
	}
	return filepath.Join(b.dir, filepath.FromSlash(key)), nil
}

func (b *fileBucket) put(_ context.Context, key, _, _ string, body []byte) error {
	p, err := b.path(key)
	if err != nil {
		return fmt.Errorf("media: invalid key %q", key)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(body)
	err = errors.Join(err, f.Chmod(0o644), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name()) //nolint:errcheck // best effort; the name is hidden from listings
	}
	return err
}

func (b *fileBucket) stat(_ context.Context, key string) (attrs, error) {
	p, err := b.path(key)
	if err != nil {
		return attrs{}, err
	}
	info, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) || err == nil && !info.Mode().IsRegular() {
		return attrs{}, errNotFound
	}
	if err != nil {
		return attrs{}, err
	}
	ct := mime.TypeByExtension(path.Ext(key))
	if ct == "" {
		ct = "application/octet-stream"
	}
	return attrs{contentType: ct, etag: modTag(info.Size(), info.ModTime())}, nil
}

func (b *fileBucket) read(_ context.Context, key string) ([]byte, error) {
	p, err := b.path(key)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNotFound
	}
	return data, err
}

func (b *fileBucket) list(_ context.Context, prefix string, recursive bool) ([]string, error) {
	folder := prefix[:strings.LastIndex(prefix, "/")+1] // the directory the prefix is in
	root := filepath.Join(b.dir, filepath.FromSlash(folder))
	var keys []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		if d.IsDir() {
			if !recursive {
				return fs.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(b.dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if _, err := b.path(key); err == nil && d.Type().IsRegular() && strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	return keys, err
}

func (b *fileBucket) remove(_ context.Context, key string) error {
	p, err := b.path(key)
	if err != nil {
		return nil // nothing is stored under such a key
	}
	var errs []error
	for _, f := range []string{p, p + ".attrs"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
