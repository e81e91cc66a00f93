package card

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// The money on a card is kept as an append-only ledger (card_ledger_entries): its balance
// is the sum of its entries, never a column that changes. Credits (GRANT, TOP_UP) carry
// their last day of use; what is left of them after that day is written off by an EXPIRY
// entry, and is never counted meanwhile. Spends are counted against the credits that
// expire first, so a family loses as little as can be.

// LedgerKind is what a ledger entry records.
type LedgerKind string

// The ledger kinds: GRANT, TOP_UP and REVERSAL add money; SPEND and EXPIRY take it away.
const (
	LedgerGrant    LedgerKind = "GRANT"
	LedgerTopUp    LedgerKind = "TOP_UP"
	LedgerSpend    LedgerKind = "SPEND"
	LedgerReversal LedgerKind = "REVERSAL"
	LedgerExpiry   LedgerKind = "EXPIRY"
)

// LedgerEntry is one line of a card's ledger. AmountOre is signed: positive for GRANT,
// TOP_UP and REVERSAL, negative for SPEND and EXPIRY. Period names a grant's period
// ("2026" or "2026-H2"); UseBy is a credit's last day of use; InvoiceID the invoice a
// SPEND paid or a REVERSAL gave back; ActorID the user who made the entry (nil for the
// refill job and for a holder); Note a coordinator's written reason.
type LedgerEntry struct {
	bun.BaseModel `bun:"table:card_ledger_entries,alias:le"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID  `bun:"municipality_id,type:uuid"`
	CardID         uuid.UUID  `bun:"card_id,type:uuid"`
	ProgrammeID    uuid.UUID  `bun:"programme_id,type:uuid"`
	Kind           LedgerKind `bun:"kind"`
	AmountOre      int64      `bun:"amount_ore"`
	Period         *string    `bun:"period"`
	UseBy          *time.Time `bun:"use_by,type:date"`
	InvoiceID      *uuid.UUID `bun:"invoice_id,type:uuid"`
	ActorID        *uuid.UUID `bun:"actor_id,type:uuid"`
	Note           *string    `bun:"note"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// GlobalID returns the entry's global ID.
func (e *LedgerEntry) GlobalID() string { return relay.GlobalID("CardLedgerEntry", e.ID) }

// GrantPeriod is how often a programme grants each card its amount.
type GrantPeriod string

// The grant periods: a calendar year, or a half year (January to June, July to December).
const (
	GrantYear     GrantPeriod = "YEAR"
	GrantHalfYear GrantPeriod = "HALF_YEAR"
)

func (p GrantPeriod) valid() bool { return p == GrantYear || p == GrantHalfYear }

// periodOf returns the name and last day of the period of p that day falls in.
func periodOf(p GrantPeriod, day time.Time) (string, time.Time) {
	y := day.Year()
	if p == GrantHalfYear {
		if day.Month() <= time.June {
			return fmt.Sprintf("%d-H1", y), time.Date(y, time.June, 30, 0, 0, 0, 0, time.UTC)
		}
		return fmt.Sprintf("%d-H2", y), time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC)
	}
	return fmt.Sprint(y), time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC)
}

// Limits on money, so that a typo cannot move an absurd amount.
const (
	// maxAmountOre is the most one invoice, top-up or grant may be: 100,000 kroner.
	maxAmountOre = 10_000_000
	// maxGraceDays is the longest a grant may be used after its period.
	maxGraceDays = 366
	// maxReason is the longest written reason.
	maxReason = 2000
)

// checkAmount returns BAD_USER_INPUT on field unless ore is a sane amount: at least 1 øre,
// at most maxAmountOre.
func checkAmount(ore int64, field string) error {
	switch {
	case ore < 1:
		return apperr.Invalid(field, "AmountPositive", nil).WithReason("NOT_POSITIVE")
	case ore > maxAmountOre:
		return apperr.Invalid(field, "AmountTooLarge", map[string]any{"Max": kroner(maxAmountOre)}).WithReason("TOO_LARGE")
	}
	return nil
}

// checkReason returns the trimmed reason, or BAD_USER_INPUT on field when it is empty
// (required) or too long.
func checkReason(reason, field string, required bool) (*string, error) {
	r := strings.TrimSpace(reason)
	switch {
	case r == "" && required:
		return nil, apperr.Invalid(field, "ReasonRequired", nil).WithReason("REQUIRED")
	case r == "":
		return nil, nil
	case utf8.RuneCountInString(r) > maxReason || strings.ContainsRune(r, 0):
		return nil, apperr.Invalid(field, "ReasonRequired", nil).WithReason("TOO_LONG")
	}
	return &r, nil
}

// kroner formats øre as kroner for a message: "1 234,50 kr" style without the unit.
func kroner(ore int64) string {
	sign := ""
	if ore < 0 {
		sign, ore = "-", -ore
	}
	whole, frac := ore/100, ore%100
	s := fmt.Sprint(whole)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	if frac == 0 {
		return sign + s
	}
	return fmt.Sprintf("%s%s,%02d", sign, s, frac)
}

// named returns err naming field, when it is an application error; others unchanged.
func named(err error, field string) error {
	if e := apperr.As(err); e != nil {
		return e.WithField(field)
	}
	return err
}
