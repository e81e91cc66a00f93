package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// refusedConnectError returns the error pgx gives for a port nothing listens on.
func refusedConnectError(t *testing.T) error {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = pgx.Connect(t.Context(), "postgres://postgres@"+addr+"/fritid?sslmode=disable&connect_timeout=5")
	if err == nil {
		t.Fatalf("connected to %s, where nothing should listen", addr)
	}
	return err
}

func TestIsUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"ConnectionRefused", refusedConnectError(t), true},
		{"UnexpectedEOF", fmt.Errorf("find organisation: %w", io.ErrUnexpectedEOF), true},
		{"EOF", io.EOF, true},
		{"ConnClosed", pgconn.ErrConnClosed, true},
		{"BadConn", driver.ErrBadConn, true},
		{"ConnDone", sql.ErrConnDone, true},
		{"NetError", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}, true},
		{"AdminShutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"CrashShutdown", &pgconn.PgError{Code: "57P02"}, true},
		{"CannotConnectNow", &pgconn.PgError{Code: "57P03"}, true},
		{"ConnectionFailure", &pgconn.PgError{Code: "08006"}, true},
		{"UniqueViolation", &pgconn.PgError{Code: "23505"}, false},
		{"QueryCanceled", &pgconn.PgError{Code: "57014"}, false},
		{"NoRows", sql.ErrNoRows, false},
		{"Canceled", fmt.Errorf("query: %w", context.Canceled), false},
		{"DeadlineExceeded", context.DeadlineExceeded, false},
		{"Other", errors.New("syntax error"), false},
		{"Nil", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsUnavailable(tt.err); got != tt.want {
				t.Errorf("IsUnavailable(%v) = %v, want %v", tt.err, got, tt.want)
			}
			if !tt.want || tt.err == nil {
				return
			}
			mapped := MapError(tt.err, "find organisation", "organisation")
			if code := apperr.CodeOf(mapped); code != apperr.ServiceUnavailable {
				t.Errorf("MapError code = %s, want SERVICE_UNAVAILABLE", code)
			}
			if !errors.Is(mapped, tt.err) {
				t.Errorf("MapError lost the cause: %v", mapped)
			}
		})
	}
}
