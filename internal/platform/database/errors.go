package database

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgerrcode"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// MapError translates a driver error at the store boundary: no rows -> NOT_FOUND (naming
// kind), unique violation -> CONFLICT, check or data errors -> BAD_USER_INPUT, and anything
// else wrapped as it is (INTERNAL to clients). what describes the operation for the log.
func MapError(err error, what, kind string) error {
	if err == nil {
		return nil
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
