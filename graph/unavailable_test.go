package graph

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// TestRawDriverErrorDuringOutage: a resolver's driver error that never passed through
// database.MapError is still SERVICE_UNAVAILABLE when it says the database is away.
func TestRawDriverErrorDuringOutage(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, connErr := pgx.Connect(t.Context(), "postgres://postgres@"+addr+"/fritid?sslmode=disable")
	if connErr == nil {
		t.Fatalf("connected to %s, where nothing should listen", addr)
	}
	wrapped := gqlerror.WrapPath(ast.Path{ast.PathName("organisations")}, connErr)
	if e, _ := classify(t.Context(), wrapped, wrapped); e.Code != apperr.ServiceUnavailable {
		t.Errorf("classify(%v) = %s, want SERVICE_UNAVAILABLE", connErr, e.Code)
	}
}

func TestUnavailableAnswerStatus(t *testing.T) {
	tests := []struct {
		name, body string
		want       int
	}{
		{"NoData", `{"errors":[{"message":"m","extensions":{"code":"SERVICE_UNAVAILABLE"}}],"data":null}`, 503},
		{"OnlyNullFields", `{"errors":[{"message":"m","extensions":{"code":"SERVICE_UNAVAILABLE"}}],"data":{"a":null,"b":null}}`, 503},
		{"SomeData", `{"errors":[{"message":"m","extensions":{"code":"SERVICE_UNAVAILABLE"}}],"data":{"a":null,"b":{"x":1}}}`, 200},
		{"OtherErrorToo", `{"errors":[{"message":"m","extensions":{"code":"SERVICE_UNAVAILABLE"}},{"message":"n","extensions":{"code":"NOT_FOUND"}}],"data":null}`, 200},
		{"DataMentionsTheCode", `{"data":{"title":"SERVICE_UNAVAILABLE"}}`, 200},
		{"Success", `{"data":{"a":1}}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w := &requestErrorWriter{ResponseWriter: rec}
			w.Write([]byte(tt.body))
			w.finish()
			if rec.Code != tt.want {
				t.Errorf("status %d, want %d", rec.Code, tt.want)
			}
			if retry := rec.Header().Get("Retry-After"); (retry == "2") != (tt.want == http.StatusServiceUnavailable) {
				t.Errorf("Retry-After = %q with status %d", retry, rec.Code)
			}
			if rec.Body.String() != tt.body {
				t.Errorf("body changed to %s", rec.Body.String())
			}
		})
	}
}
