package card

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// Budget is a programme's budget against its use, in øre, as of one day.
//
//   - Spent is money gone: the spends from its cards (accepted invoices, less reversals)
//     and the value of PURCHASED tickets of its cards redeemed.
//   - Committed is money promised but not yet spent: what its cards may still spend (their
//     balances: grants and top-ups neither spent nor past their last day of use), and the
//     value of PURCHASED tickets claimed and not yet used, cancelled or expired, and
//     the money approved on applications with no card to put it on (a fund's).
//   - Left is the budget less both; it is negative when the programme is over its budget.
//
// A budget of 0 is no budget: nothing is refused and no one is warned.
type Budget struct {
	BudgetOre    int64
	CommittedOre int64
	SpentOre     int64
	// WarningPercent is the share of the budget, committed and spent, at which the
	// coordinators are warned; WarnedAt is when they were, once.
	WarningPercent int
	WarnedAt       *time.Time
}

// LeftOre returns the budget less what is committed and spent.
func (b *Budget) LeftOre() int64 { return b.BudgetOre - b.CommittedOre - b.SpentOre }

// crossed reports whether committed and spent money has reached the warning threshold.
func (b *Budget) crossed() bool {
	return b.BudgetOre > 0 && (b.CommittedOre+b.SpentOre)*100 >= b.BudgetOre*int64(b.WarningPercent)
}

// pendingExpiry is what is left of a card's credits past their last day of use (day, a
// date expression) that no EXPIRY entry has written off yet, over the card's ledger
// entries (alias e): the credits expired so far less what the card has consumed (spends,
// less reversals, and expiries), or nothing. Spends count against the credits that expire
// first. Every spend writes this off first (see spendSQL), so no later spend counts
// against money that has expired.
func pendingExpiry(e, day string) string {
	return strings.NewReplacer("e.", e+".", "{day}", day).Replace(`greatest(0,
	coalesce(sum(e.amount_ore) FILTER (WHERE e.kind IN ('GRANT', 'TOP_UP') AND e.use_by < {day}), 0)
	+ coalesce(sum(e.amount_ore) FILTER (WHERE e.kind IN ('SPEND', 'REVERSAL', 'EXPIRY')), 0))`)
}

// budgetSQL counts a programme's (?1) committed and spent money on day ?0 (see Budget).
var budgetSQL = `WITH per_card AS (
	SELECT sum(e.amount_ore) - ` + pendingExpiry("e", "?0::date") + ` AS available,
		coalesce(sum(e.amount_ore) FILTER (WHERE e.kind IN ('SPEND', 'REVERSAL')), 0) AS spent
	FROM card_ledger_entries e WHERE e.programme_id = ?1 GROUP BY e.card_id
), tickets AS (
	SELECT coalesce(sum(t.value_ore) FILTER (WHERE t.status = 'REDEEMED'), 0) AS redeemed,
		coalesce(sum(t.value_ore) FILTER (WHERE t.status = 'CLAIMED'), 0) AS claimed
	FROM card_tickets t JOIN cards c ON c.id = t.card_id
	WHERE c.programme_id = ?1 AND t.source = 'PURCHASED' AND t.status IN ('REDEEMED', 'CLAIMED')
), approved AS (
	SELECT coalesce(sum(a.approved_ore), 0) AS ore FROM card_applications a
	WHERE a.programme_id = ?1 AND a.card_id IS NULL AND a.approved_ore IS NOT NULL
		AND a.status IN ('APPROVED', 'APPEALED')
)
SELECT (SELECT coalesce(sum(available), 0) FROM per_card) + tickets.claimed + approved.ore,
	tickets.redeemed - (SELECT coalesce(sum(spent), 0) FROM per_card)
FROM tickets, approved`

// budgetOf returns programme p's budget against its use on day today.
func budgetOf(ctx context.Context, db bun.IDB, p *Programme, today time.Time) (*Budget, error) {
	b := &Budget{BudgetOre: p.BudgetOre, WarningPercent: p.BudgetWarningPercent, WarnedAt: p.BudgetWarnedAt}
	err := db.NewRaw(budgetSQL, sqlDate(today), p.ID).Scan(ctx, &b.CommittedOre, &b.SpentOre)
	if err != nil {
		return nil, database.MapError(err, "count budget", "programme")
	}
	return b, nil
}

// ProgrammeBudget returns a programme's budget against its use today (card coordinators
// and administrators). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) ProgrammeBudget(ctx context.Context, programmeID uuid.UUID) (*Budget, error) {
	// SECURITY: the programme's staff keep its budget.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	p := new(Programme)
	// SECURITY: only a programme of the request's municipality.
	err = s.db.NewSelect().Model(p).Where("p.id = ? AND p.municipality_id = ?", programmeID, c.mid()).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find programme", "programme")
	}
	return budgetOf(ctx, s.db, p, s.today(c.t))
}

// withinBudget returns nil when ore more committed keeps programme p (locked by the
// caller's transaction) within its budget on day today. Beyond it, a written override
// (at least MinOverrideReason characters) lets it pass, and overridden says so; without
// one it is BAD_USER_INPUT on prefix+"amountOre" with reason OVER_BUDGET, or on
// prefix+"overrideReason" when the reason is too short.
func (s *Service) withinBudget(ctx context.Context, tx bun.IDB, p *Programme, ore int64, today time.Time, prefix,
	override string,
) (overridden bool, err error) {
	if p.BudgetOre == 0 {
		return false, nil
	}
	b, err := budgetOf(ctx, tx, p, today)
	if err != nil {
		return false, err
	}
	if left := b.LeftOre(); ore > left {
		if override == "" {
			return false, apperr.Invalid(prefix+"amountOre", "OverBudget", map[string]any{"Left": kroner(max(left, 0))}).
				WithReason("OVER_BUDGET")
		}
		if len([]rune(override)) < s.opt.MinOverrideReason {
			return false, apperr.Invalid(prefix+"overrideReason", "OverrideReasonTooShort",
				map[string]any{"Min": s.opt.MinOverrideReason})
		}
		return true, nil
	}
	return false, nil
}

// warnOfBudget e-mails the municipality's card coordinators, once, when programme p's
// committed and spent money has passed its warning threshold, in tx. Nothing happens when
// they were warned already or it has not.
func (s *Service) warnOfBudget(ctx context.Context, tx bun.Tx, p *Programme, today time.Time) error {
	if p.BudgetOre == 0 || p.BudgetWarnedAt != nil {
		return nil
	}
	b, err := budgetOf(ctx, tx, p, today)
	if err != nil || !b.crossed() {
		return err
	}
	res, err := tx.ExecContext(ctx,
		"UPDATE card_programmes SET budget_warned_at = ? WHERE id = ? AND budget_warned_at IS NULL", s.now(), p.ID)
	if err != nil {
		return database.MapError(err, "mark budget warned", "programme")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	var muni struct {
		Locale string `bun:"default_locale"`
	}
	if err := tx.NewSelect().Table("municipalities").Column("default_locale").Where("id = ?", p.MunicipalityID).
		Scan(ctx, &muni); err != nil {
		return database.MapError(err, "find municipality", "municipality")
	}
	var name string
	err = tx.NewSelect().Table("card_programme_translations").Column("name").Where("programme_id = ?", p.ID).
		OrderExpr("locale = ? DESC, locale", muni.Locale).Limit(1).Scan(ctx, &name)
	if err != nil {
		return database.MapError(err, "find programme name", "programme")
	}
	var emails []string
	err = tx.NewSelect().TableExpr("municipal_roles r").Join("JOIN users u ON u.id = r.user_id").ColumnExpr("u.email").
		Where("r.municipality_id = ? AND r.role = ? AND u.disabled_at IS NULL", p.MunicipalityID, auth.RoleCardCoordinator).
		OrderExpr("u.email").Scan(ctx, &emails)
	if err != nil {
		return database.MapError(err, "find coordinators", "user")
	}
	data := map[string]any{"Programme": name, "Percent": b.WarningPercent,
		"Used": kroner(b.CommittedOre + b.SpentOre), "Budget": kroner(b.BudgetOre), "Left": kroner(b.LeftOre()),
		"UsedPercent": fmt.Sprint((b.CommittedOre + b.SpentOre) * 100 / b.BudgetOre)}
	for _, to := range emails {
		m := &mail.Message{MunicipalityID: p.MunicipalityID, Template: "CardBudgetWarning", To: to, Locale: muni.Locale, Data: data}
		if err := mail.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: p.MunicipalityID, Action: "warn_card_budget",
		ItemType: "CardProgramme", ItemID: &p.ID, Fields: []string{"budgetWarnedAt"}})
}
