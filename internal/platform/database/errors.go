package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// MapError translates a driver error at the store boundary: no rows -> NOT_FOUND (naming
// kind), unique violation -> CONFLICT, check or data errors -> BAD_USER_INPUT, a database
// that cannot be reached -> SERVICE_UNAVAILABLE (see IsUnavailable), a transaction that
// lost a deadlock or a serialisation race -> CONFLICT (nothing was kept; the same request
// again succeeds), and anything else
// wrapped as it is (INTERNAL to clients). what describes the operation for the log.
func MapError(err error, what, kind string) error {
	if err == nil {
		return nil
	}
	if IsUnavailable(err) {
		return &apperr.Error{Code: apperr.ServiceUnavailable, Err: fmt.Errorf("%s: %w", what, err)}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &apperr.Error{Code: apperr.NotFound, Data: map[string]any{"Kind": kind}, Err: err}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == pgerrcode.UniqueViolation:
			return &apperr.Error{Code: apperr.Conflict, Field: columnOf(pg), Err: fmt.Errorf("%s: %w", what, err)}
		case pg.Code == pgerrcode.CheckViolation, pg.Code == pgerrcode.NotNullViolation,
			pg.Code == pgerrcode.ForeignKeyViolation, strings.HasPrefix(pg.Code, "22"):
			return &apperr.Error{Code: apperr.BadUserInput, Field: columnOf(pg), Err: fmt.Errorf("%s: %w", what, err)}
		case pg.Code == pgerrcode.DeadlockDetected, pg.Code == pgerrcode.SerializationFailure:
			return &apperr.Error{Code: apperr.Conflict, Err: fmt.Errorf("%s: %w", what, err)}
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// columnOf names the column a constraint is about, when PostgreSQL says.
func columnOf(pg *pgconn.PgError) string {
	if pg.ColumnName != "" {
		return pg.ColumnName
	}
	// Constraint names follow PostgreSQL's table_column_key / table_column_check pattern.
	c := pg.ConstraintName
	c = strings.TrimPrefix(c, pg.TableName+"_")
	for _, suffix := range []string{"_key", "_check", "_fkey"} {
		c = strings.TrimSuffix(c, suffix)
	}
	return c
}

// IsUniqueViolation reports whether err is a unique-constraint violation.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == pgerrcode.UniqueViolation
}

// IsMissingDatabase reports whether err says that the database connected to does not
// exist (SQLSTATE 3D000).
func IsMissingDatabase(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == pgerrcode.InvalidCatalogName
}

// IsUnavailable reports whether err says the database cannot be reached now, rather than
// that the statement failed: no connection could be made, the connection broke or was
// closed (EOF, a network error, a bad or closed connection), or PostgreSQL refused or ended
// it because it is shutting down, starting up or recovering from a crash (SQLSTATE class
// 08, 57P01, 57P02, 57P03). A cancelled or timed-out request is not an outage.
func IsUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var connect *pgconn.ConnectError
	if errors.As(err, &connect) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return strings.HasPrefix(pg.Code, "08") || pg.Code == pgerrcode.AdminShutdown ||
			pg.Code == pgerrcode.CrashShutdown || pg.Code == pgerrcode.CannotConnectNow
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone)
}
