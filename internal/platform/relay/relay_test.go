package relay

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

func TestGlobalIDRoundTrip(t *testing.T) {
	id := uuid.Must(uuid.NewV7())
	gid := GlobalID("Category", id)
	typ, got, err := ParseGlobalID(gid, "id")
	if err != nil || typ != "Category" || got != id {
		t.Fatalf("ParseGlobalID(%q) = %q %v %v", gid, typ, got, err)
	}
	if _, err := ParseTypedID(gid, "Locale", "id"); apperr.CodeOf(err) != apperr.BadUserInput {
		t.Errorf("wrong type accepted: %v", err)
	}
}

func TestParseGlobalIDRejectsGarbage(t *testing.T) {
	for _, gid := range []string{"", "!!!", GlobalID("X", uuid.Nil)[:5], "Q2F0ZWdvcnk6bm90LWEtdXVpZA"} {
		_, _, err := ParseGlobalID(gid, "id")
		if e := apperr.As(err); e == nil || e.Code != apperr.BadUserInput || e.Field != "id" {
			t.Errorf("ParseGlobalID(%q) err = %v", gid, err)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	type key struct {
		Name string
		ID   uuid.UUID
	}
	in := key{"Øyvind", uuid.Must(uuid.NewV7())}
	var out key
	if err := DecodeCursor(EncodeCursor(in), "after", &out); err != nil || out != in {
		t.Fatalf("round trip: %+v %v", out, err)
	}
	if err := DecodeCursor("not a cursor", "after", &out); apperr.CodeOf(err) != apperr.BadUserInput {
		t.Errorf("garbage cursor: %v", err)
	}
}

func TestNewPage(t *testing.T) {
	n := func(i int) *int { return &i }
	if p, err := NewPage(nil, nil, nil, nil, 20); err != nil || p.Limit != 20 {
		t.Errorf("default: %+v %v", p, err)
	}
	if p, err := NewPage(n(MaxPageSize), nil, nil, nil, 20); err != nil || p.Limit != MaxPageSize {
		t.Errorf("largest page: %+v %v", p, err)
	}
	if _, err := NewPage(n(1000), nil, nil, nil, 20); apperr.As(err).Field != "first" {
		t.Errorf("over the cap: %v", err)
	}
	if p, _ := NewPage(nil, n(5), nil, nil, 20); !p.Backward || p.Limit != 5 {
		t.Errorf("last: %+v", p)
	}
	if _, err := NewPage(n(1), n(1), nil, nil, 20); apperr.As(err).Field != "last" {
		t.Errorf("first+last: %v", err)
	}
	if _, err := NewPage(n(-1), nil, nil, nil, 20); apperr.As(err).Field != "first" {
		t.Errorf("negative: %v", err)
	}
}

// TestGlobalIDIsStable checks that IDs keep the form clients and caches already hold: the
// URL-safe base64 of "Type:uuid", for short and long type names alike.
func TestGlobalIDIsStable(t *testing.T) {
	id := uuid.MustParse("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
	if got, want := GlobalID("Activity", id), "QWN0aXZpdHk6MDE5MGExYjItYzNkNC03ZTVmLThhOWItMGMxZDJlM2Y0YTVi"; got != want {
		t.Errorf("GlobalID = %q, want %q", got, want)
	}
	long := strings.Repeat("VeryLongTypeName", 6)
	for _, typ := range []string{"A", "Organisation", "TranslationGap", long} {
		for range 50 {
			id := uuid.New()
			if got, want := GlobalID(typ, id), GlobalKey(typ, id.String()); got != want {
				t.Fatalf("GlobalID(%q, %s) = %q, want %q", typ, id, got, want)
			}
		}
	}
}
