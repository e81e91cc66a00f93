package media

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// bucket is where variants are kept: a directory (fileBucket) or an S3 bucket (s3Bucket).
// Keys are slash-separated paths such as "<municipality>/<image>/<file>/320.jpg".
type bucket interface {
	// put writes body under key, replacing what was there.
	put(ctx context.Context, key, contentType, cacheControl string, body []byte) error
	// stat returns key's attributes, or errNotFound.
	stat(ctx context.Context, key string) (attrs, error)
	// read returns key's bytes, or errNotFound.
	read(ctx context.Context, key string) ([]byte, error)
	// list returns the keys starting with prefix; with recursive false, only those with no
	// further "/" after the prefix.
	list(ctx context.Context, prefix string, recursive bool) ([]string, error)
	// remove deletes key; a key that is not there is no error.
	remove(ctx context.Context, key string) error
}

// attrs are what Store.Handler needs to know of a stored variant.
type attrs struct {
	contentType string
	// etag is the store's tag of this content, unquoted.
	etag string
}

// errNotFound: no variant is stored under the key.
var errNotFound = errors.New("media: not found")

// Open opens the store at rawURL: file:///path, a directory that must exist (or
// file:///path?create_dir=true), or s3://bucket?region=...; see openS3 for the parameters.
func Open(_ context.Context, rawURL string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("media URL: %w", err)
	}
	var b bucket
	switch u.Scheme {
	case "file":
		b, err = openFile(u)
	case "s3":
		b, err = openS3(u)
	default:
		err = fmt.Errorf("scheme %q is not supported (file:// or s3://)", u.Scheme)
	}
	if err != nil {
		return nil, fmt.Errorf("media bucket %s: %w", redact(u), err)
	}
	return &Store{b: b}, nil
}

// redact is u without its user information, for error messages.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

// modTag is an ETag made of a file's size and modification time.
func modTag(size int64, mod time.Time) string {
	return fmt.Sprintf("%x-%x", size, mod.UnixNano())
}
