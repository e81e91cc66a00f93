// Package relay holds the Relay basics every list uses: opaque global IDs for the Node
// interface, and opaque keyset cursors for connections.
package relay

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// Node is any object the API can fetch again by its global ID.
type Node interface{}

// GlobalID returns the opaque global ID of the object of type typ with id.
// It is GlobalKey(typ, id.String()) built in one buffer: lists make hundreds of them.
func GlobalID(typ string, id uuid.UUID) string {
	var raw [80]byte
	b := append(raw[:0], typ...)
	b = append(b, ':')
	for i, c := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0x0f])
	}
	var enc [112]byte
	n := base64.RawURLEncoding.EncodedLen(len(b))
	if n > len(enc) {
		return base64.RawURLEncoding.EncodeToString(b)
	}
	base64.RawURLEncoding.Encode(enc[:n], b)
	return string(enc[:n])
}

const hexDigits = "0123456789abcdef"

// GlobalKey returns the opaque global ID of the object of type typ whose key is not a UUID
// (a locale: municipality ID and code).
func GlobalKey(typ, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + key))
}

// ParseGlobalKey returns the type and key inside a global ID. Errors: BAD_USER_INPUT naming
// field when the ID is not one of ours.
func ParseGlobalKey(gid, field string) (string, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(gid)
	if err != nil || len(gid) > 200 {
		return "", "", apperr.Invalid(field, "InvalidID", nil)
	}
	typ, key, ok := strings.Cut(string(raw), ":")
	if !ok || typ == "" || key == "" {
		return "", "", apperr.Invalid(field, "InvalidID", nil)
	}
	return typ, key, nil
}

// ParseGlobalID returns the type and UUID inside a global ID. Errors: BAD_USER_INPUT naming
// field when the ID is not one of ours.
func ParseGlobalID(gid, field string) (string, uuid.UUID, error) {
	typ, key, err := ParseGlobalKey(gid, field)
	if err != nil {
		return "", uuid.Nil, err
	}
	id, err := uuid.Parse(key)
	if err != nil {
		return "", uuid.Nil, apperr.Invalid(field, "InvalidID", nil)
	}
	return typ, id, nil
}

// ParseTypedID returns the ID inside a global ID that must be of type typ. Errors:
// BAD_USER_INPUT naming field.
func ParseTypedID(gid, typ, field string) (uuid.UUID, error) {
	t, id, err := ParseGlobalID(gid, field)
	if err != nil {
		return uuid.Nil, err
	}
	if t != typ {
		return uuid.Nil, apperr.Invalid(field, "InvalidID", nil)
	}
	return id, nil
}

// EncodeCursor returns an opaque cursor for a keyset position (the sort key values of a row).
func EncodeCursor(key any) string {
	b, _ := json.Marshal(key) //nolint:errchkjson // keys are plain values
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor made by EncodeCursor into key. Errors: BAD_USER_INPUT naming
// field when the cursor is not one of ours, or holds a NUL character, which no cursor of
// ours does and PostgreSQL cannot store.
func DecodeCursor(cursor, field string, key any) error {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(cursor) > 1024 || bytes.Contains(b, []byte(`\u0000`)) || json.Unmarshal(b, key) != nil {
		return apperr.Invalid(field, "InvalidCursor", nil)
	}
	return nil
}

// MaxPageSize is the largest page any connection returns.
const MaxPageSize = 100

// Page is a validated request for one page of a connection.
type Page struct {
	// Limit is the number of edges wanted (1..MaxPageSize).
	Limit int
	// After or Before is the decoded cursor position; at most one is set.
	After, Before string
	// Backward is true when paging with last/before.
	Backward bool
}

// NewPage validates Relay paging arguments: first and last are not both given, and each is
// between 0 and MaxPageSize; def is used when neither is given. Errors: BAD_USER_INPUT
// naming the argument.
func NewPage(first, last *int, after, before *string, def int) (Page, error) {
	p := Page{Limit: def}
	switch {
	case first != nil && last != nil:
		return p, apperr.Invalid("last", "FirstAndLast", nil)
	case first != nil && *first < 0:
		return p, apperr.Invalid("first", "PageSizeNegative", nil)
	case last != nil && *last < 0:
		return p, apperr.Invalid("last", "PageSizeNegative", nil)
	case first != nil && *first > MaxPageSize:
		return p, apperr.Invalid("first", "PageSizeTooLarge", map[string]any{"Max": MaxPageSize})
	case last != nil && *last > MaxPageSize:
		return p, apperr.Invalid("last", "PageSizeTooLarge", map[string]any{"Max": MaxPageSize})
	case first != nil:
		p.Limit = *first
	case last != nil:
		p.Limit, p.Backward = *last, true
	}
	p.Limit = min(p.Limit, MaxPageSize)
	if after != nil {
		p.After = *after
	}
	if before != nil {
		p.Before = *before
		if last == nil && first == nil {
			p.Backward = true
		}
	}
	return p, nil
}

// PageInfo says where a page of a connection starts and ends and whether there is more.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}
