package card

import (
	"context"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// The yearly report of a programme, for the municipality and its grant report to Bufdir:
// whom the cards reached, what they were used for and what it cost. Its counts are
// suppressed by the rule of the statistics (see MinCellCount) in one table, so that no
// count of the report can be worked out from the others either.
//
// The words of the report:
//   - a card is held in the period when it was issued before the period ended and was
//     valid on a day of it; it is issued in the period when it was issued in it; it is
//     used when a ticket was claimed or redeemed with it in the period or it paid a fee;
//   - a holder is the person a card is for; an anonymous card, or a card whose holder's
//     personal data has been erased, counts as a holder of its own. A holder with several
//     cards counts once, in the agency and age band of the last card issued to them;
//   - a holder took part in an organised activity when a ticket of theirs was redeemed in
//     the period or a card of theirs paid a fee in it, once whichever and however often;
//   - a fee is an invoice accepted against a card in the period and not given back.

// CardYearlyReport is a programme's report for a period, with small counts suppressed.
type CardYearlyReport struct {
	ProgrammeID      uuid.UUID
	ProgrammeName    string
	MunicipalityName string
	// From and To are the period's first and last days.
	From, To time.Time
	// HoldersReached held a card in the period; HoldersTookPart took part in an activity.
	HoldersReached, HoldersTookPart Count
	HoldersByAgency                 []*YearlyHolders
	HoldersByAgeBand                []*YearlyHolders
	// CardsHeld, CardsIssued and CardsUsed are cards held, issued and used in the period;
	// CardsUsedShare is used / held, nil when either is hidden or none were held.
	CardsHeld, CardsIssued, CardsUsed Count
	CardsUsedShare                    *float64
	// Activity is the tickets and fees of all the programme's cards; ByCategory the tickets
	// by the offers' activity category (an invoice has none, so the fees are by purpose);
	// ByProvider the tickets and fees of each provider organisation.
	Activity      *YearlyActivity
	ByCategory    []*YearlyActivity
	ByProvider    []*YearlyActivity
	FeesByPurpose []*YearlyFees
	Money         *YearlyMoney
}

// YearlyHolders are the holders of an agency (Name empty: the anonymous cards) or an age
// band (Name the band, or "ANONYMOUS").
type YearlyHolders struct {
	Name              string
	Reached, TookPart Count
}

// YearlyActivity are the tickets and fees of the programme's cards in the period, of all,
// of an activity category (Name empty: offers with none) or of a provider. Claimed,
// Redeemed and Expired count what happened to tickets in the period; NoShows are the
// expired ones of an event that nobody came with. Fees are the fees paid, FeeOre their sum.
type YearlyActivity struct {
	Name                                string
	Claimed, Redeemed, NoShows, Expired Count
	// Fees and FeeOre are nil for a category: an invoice has none.
	Fees   *Count
	FeeOre *Amount
}

// YearlyFees are the fees paid in the period for one purpose.
type YearlyFees struct {
	Purpose InvoicePurpose
	Fees    Count
	Ore     Amount
}

// YearlyMoney is the programme's money against its budget: in the period, Granted and
// ToppedUp put on its cards, Spent on fees, Tickets the value of PURCHASED tickets
// redeemed, and Expired written off unused; and, on the day AsOf (today), what is
// Committed and Left of the budget (see Budget). A sum is hidden when the count of entries
// (or tickets) it adds up is, Committed and Left when the cards held are.
type YearlyMoney struct {
	BudgetOre                                  int64
	Granted, ToppedUp, Spent, Tickets, Expired Amount
	Committed, Left                            Amount
	AsOf                                       time.Time
}

// Message IDs of reasons the report refuses a period.
const (
	msgYearInvalid      = "YearlyReportYearInvalid"
	msgPeriodIncomplete = "YearlyReportPeriodIncomplete"
)

// YearlyReport returns programme programmeID's yearly report (see CardYearlyReport) for
// card coordinators and administrators: for year (0: this year in the municipality), or
// for the days from to to when both are given. Errors: UNAUTHENTICATED, FORBIDDEN
// (caseworkers too: they see people, not statistics), NOT_FOUND, BAD_USER_INPUT naming
// "year" (outside 2000 to 2100, or given with from and to), "from" or "to" (one without
// the other) or "to" (before from).
func (s *Service) YearlyReport(ctx context.Context, programmeID uuid.UUID, year int, from, to time.Time) (
	*CardYearlyReport, error,
) {
	// SECURITY: the programme's staff see its report, as its statistics.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	from, to, err = s.yearlyPeriod(c, year, from, to)
	if err != nil {
		return nil, err
	}
	// SECURITY: only a programme of the request's municipality.
	p := new(Programme)
	err = s.db.NewSelect().Model(p).Where("p.id = ? AND p.municipality_id = ?", programmeID, c.mid()).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find programme", "programme")
	}
	r := &CardYearlyReport{ProgrammeID: p.ID, MunicipalityName: c.t.Municipality.Name, From: from, To: to}
	if r.ProgrammeName, err = s.programmeName(ctx, c, p.ID); err != nil {
		return nil, err
	}
	lo, hi := periodBounds(c.t, from, to)
	q := yearlyQuery{s: s, c: c, p: p, lo: lo, hi: hi, from: from, to: to, tab: &statTable{}}
	if err := q.run(ctx); err != nil {
		return nil, err
	}
	y := q.cells()
	q.tab.suppress()
	q.fill(r, y)
	return r, nil
}

// yearlyPeriod resolves the report's period: year, or from and to, or this year.
func (s *Service) yearlyPeriod(c caller, year int, from, to time.Time) (time.Time, time.Time, error) {
	switch {
	case from.IsZero() != to.IsZero():
		field := "to"
		if from.IsZero() {
			field = "from"
		}
		return from, to, apperr.Invalid(field, msgPeriodIncomplete, nil).WithReason("PERIOD_INCOMPLETE")
	case !from.IsZero() && year != 0:
		return from, to, apperr.Invalid("year", msgYearInvalid, nil).WithReason("YEAR_AND_PERIOD")
	case !from.IsZero():
		if dateOf(to).Before(dateOf(from)) {
			return from, to, apperr.Invalid("to", "ValidityInverted", nil)
		}
		return dateOf(from), dateOf(to), nil
	case year == 0:
		year = s.today(c.t).Year()
	case year < 2000 || year > 2100:
		return from, to, apperr.Invalid("year", msgYearInvalid, nil).WithReason("YEAR_OUT_OF_RANGE")
	}
	return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC), nil
}

// programmeName returns the programme's name in the request's locale, or the nearest.
func (s *Service) programmeName(ctx context.Context, c caller, programmeID uuid.UUID) (string, error) {
	var name string
	err := s.db.NewSelect().Table("card_programme_translations").Column("name").
		Where("programme_id = ?", programmeID).
		OrderExpr("array_position(?::text[], locale) NULLS LAST, locale", pgdialect.Array(c.chain(ctx))).
		Limit(1).
		Scan(ctx, &name)
	if err != nil {
		return "", database.MapError(err, "find programme name", "programme")
	}
	return name, nil
}

// CsvPath returns the path of the report as CSV: the HTTP endpoint with its programme
// and period.
func (r *CardYearlyReport) CsvPath() string { return r.path("/card/yearly-report.csv") }

// PagePath returns the path of the report as a printable HTML page.
func (r *CardYearlyReport) PagePath() string { return r.path("/card/yearly-report.html") }

func (r *CardYearlyReport) path(endpoint string) string {
	q := url.Values{"programme": {relay.GlobalID("CardProgramme", r.ProgrammeID)},
		"from": {r.From.Format(time.DateOnly)}, "to": {r.To.Format(time.DateOnly)}}
	return endpoint + "?" + q.Encode()
}
