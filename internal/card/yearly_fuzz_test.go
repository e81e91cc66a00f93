package card

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// FuzzParseYearlyQuery feeds the yearly report's endpoints any query parameters: they are
// read or refused as BAD_USER_INPUT naming the parameter, never anything else.
func FuzzParseYearlyQuery(f *testing.F) {
	id := relay.GlobalID("CardProgramme", uuid.Must(uuid.NewV7()))
	f.Add(id, "2026", "", "")
	f.Add(id, "", "2026-01-01", "2026-06-30")
	f.Add("x", "20x6", "2026-02-30", "31.12.2026")
	f.Add(id, "-1", "\x00", "9999999999-01-01")
	f.Fuzz(func(t *testing.T, programme, year, from, to string) {
		q := url.Values{"programme": {programme}, "year": {year}, "from": {from}, "to": {to}}
		r := httptest.NewRequest("GET", "/card/yearly-report.csv?"+q.Encode(), nil)
		gotID, _, gotFrom, gotTo, err := parseYearlyQuery(r)
		if err != nil {
			e := apperr.As(err)
			if e == nil || e.Code != apperr.BadUserInput {
				t.Fatalf("%v: not BAD_USER_INPUT", err)
			}
			switch e.Field {
			case "programme", "year", "from", "to":
			default:
				t.Fatalf("%v names %q", err, e.Field)
			}
			return
		}
		if gotID == uuid.Nil || from != "" && gotFrom.IsZero() || to != "" && gotTo.IsZero() {
			t.Fatalf("read %v %v %v from %q", gotID, gotFrom, gotTo, q.Encode())
		}
	})
}
