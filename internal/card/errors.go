package card

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// constraintOf returns the name of the constraint err violates, or "".
func constraintOf(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.ConstraintName
	}
	return ""
}

// findingsKey is where a refusal of IssueCard keeps its findings in apperr.Error.Data.
const findingsKey = "Findings"

// refusal returns the error IssueCard refuses with: CARD_BLOCKED when a finding blocks,
// else OVERRIDE_REQUIRED. Its Reason is the code of the first finding that decides it, and
// its Data carries all the findings (see FindingsOf).
func refusal(findings []*Finding) error {
	code, msg := apperr.OverrideRequired, "OVERRIDE_REQUIRED"
	reason := ""
	for _, f := range findings {
		if f.Severity == SeverityBlock {
			code, msg, reason = apperr.CardBlocked, "CARD_BLOCKED", string(f.Code)
			break
		}
		if reason == "" {
			reason = string(f.Code)
		}
	}
	return &apperr.Error{Code: code, MessageID: msg, Reason: reason, Data: map[string]any{findingsKey: findings}}
}

// FindingsOf returns the findings a refused IssueCard carries in err (CARD_BLOCKED or
// OVERRIDE_REQUIRED), or nil, for the API layer to show beside the error.
func FindingsOf(err error) []*Finding {
	if e := apperr.As(err); e != nil {
		f, _ := e.Data[findingsKey].([]*Finding)
		return f
	}
	return nil
}
