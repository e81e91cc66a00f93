package relay

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr/apperrtest"
)

// FuzzParseGlobalID: any text is a global ID or BAD_USER_INPUT naming the field, never a
// panic; what parses is built again into an ID that parses to the same type and key.
func FuzzParseGlobalID(f *testing.F) {
	f.Add(GlobalID("Activity", uuid.MustParse("01900000-0000-7000-8000-000000000000")))
	f.Add(GlobalKey("Locale", "01900000-0000-7000-8000-000000000000/nb"))
	f.Fuzz(func(t *testing.T, gid string) {
		typ, key, err := ParseGlobalKey(gid, "id")
		if err != nil {
			apperrtest.BadUserInput(t, err, "id")
			return
		}
		if t2, k2, err := ParseGlobalKey(GlobalKey(typ, key), "id"); err != nil || t2 != typ || k2 != key {
			t.Fatalf("%q: %q %q does not round-trip: %v", gid, typ, key, err)
		}
		if _, _, err := ParseGlobalID(gid, "id"); err != nil {
			apperrtest.BadUserInput(t, err, "id")
		}
		if _, err := ParseTypedID(gid, "Activity", "id"); err != nil {
			apperrtest.BadUserInput(t, err, "id")
		}
	})
}

// cursorKey is the shape of the catalogue's cursors: an order, a sort value as text and an ID.
type cursorKey struct {
	O  string    `json:"o"`
	K  string    `json:"k"`
	ID uuid.UUID `json:"i"`
}

// FuzzDecodeCursor: any text is a cursor or BAD_USER_INPUT naming the argument, never a
// panic; what decodes holds only text PostgreSQL can store, and encodes back to a cursor
// that decodes the same.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(EncodeCursor(cursorKey{O: "NAME", K: "Bølgen kulturhus", ID: uuid.MustParse("01900000-0000-7000-8000-000000000000")}))
	f.Add(EncodeCursor("venue-slug"))
	f.Fuzz(func(t *testing.T, cursor string) {
		var key cursorKey
		if err := DecodeCursor(cursor, "after", &key); err != nil {
			apperrtest.BadUserInput(t, err, "after")
			return
		}
		for _, s := range []string{key.O, key.K} {
			if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
				t.Fatalf("cursor %q decodes to text PostgreSQL cannot store: %q", cursor, s)
			}
		}
		var again cursorKey
		if err := DecodeCursor(EncodeCursor(key), "after", &again); err != nil || again != key {
			t.Fatalf("cursor %q: %+v does not round-trip: %+v %v", cursor, key, again, err)
		}
	})
}
