package card

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// ProgrammeMoneyInput sets a programme's money: GrantOre for each card per GrantPeriod
// (GrantOre 0 and no period: no grant), usable GrantGraceDays after the period ends, and
// the share of the budget, committed and spent, at which coordinators are warned.
type ProgrammeMoneyInput struct {
	GrantOre             int64
	GrantPeriod          *GrantPeriod
	GrantGraceDays       int
	BudgetWarningPercent int
}

// SetProgrammeMoney sets a programme's grant and budget warning (card coordinators and
// administrators), and gives the usable cards that have no grant for the current period
// theirs at once, as far as the budget allows (the refill job gives the rest when it
// does). A new threshold may warn again. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// BAD_USER_INPUT naming "input.grantOre" (negative, or over 100,000 kroner),
// "input.grantPeriod" (missing for a grant, or invalid), "input.grantGraceDays" (0 to 366)
// or "input.budgetWarningPercent" (1 to 100).
func (s *Service) SetProgrammeMoney(ctx context.Context, programmeID uuid.UUID, in ProgrammeMoneyInput) (*Programme, error) {
	// SECURITY: the programme's staff set its money.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := validateMoney(in); err != nil {
		return nil, err
	}
	if in.GrantOre == 0 {
		in.GrantPeriod = nil
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		p, err := lockProgramme(ctx, tx, c.mid(), programmeID)
		if err != nil {
			return err
		}
		if p.BudgetWarningPercent != in.BudgetWarningPercent {
			p.BudgetWarnedAt = nil
		}
		p.GrantOre, p.GrantPeriod, p.GrantGraceDays = in.GrantOre, in.GrantPeriod, in.GrantGraceDays
		p.BudgetWarningPercent = in.BudgetWarningPercent
		_, err = tx.NewUpdate().Model(p).
			Column("grant_ore", "grant_period", "grant_grace_days", "budget_warning_percent", "budget_warned_at").
			Set("updated_at = now()").
			WherePK().
			Exec(ctx)
		if err != nil {
			return database.MapError(err, "set programme money", "programme")
		}
		err = audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "set_card_programme_money",
			ItemType: "CardProgramme", ItemID: &p.ID,
			Fields: []string{"grantOre", "grantPeriod", "grantGraceDays", "budgetWarningPercent"}})
		if err != nil {
			return err
		}
		today := s.today(c.t)
		if _, _, err := s.grantCards(ctx, tx, p, today, nil); err != nil {
			return err
		}
		return s.warnOfBudget(ctx, tx, p, today)
	})
	if err != nil {
		return nil, err
	}
	return s.findProgramme(ctx, s.db, c, programmeID)
}

func validateMoney(in ProgrammeMoneyInput) error {
	checks := []struct {
		bad   bool
		field string
		msg   string
		data  map[string]any
	}{
		{in.GrantOre < 0, "input.grantOre", "NotNegative", nil},
		{in.GrantOre > maxAmountOre, "input.grantOre", "AmountTooLarge", map[string]any{"Max": kroner(maxAmountOre)}},
		{in.GrantOre > 0 && in.GrantPeriod == nil, "input.grantPeriod", "GrantPeriodRequired", nil},
		{in.GrantPeriod != nil && !in.GrantPeriod.valid(), "input.grantPeriod", "ChoiceInvalid", nil},
		{in.GrantGraceDays < 0, "input.grantGraceDays", "NotNegative", nil},
		{in.GrantGraceDays > maxGraceDays, "input.grantGraceDays", "NumberTooLarge", map[string]any{"Max": maxGraceDays}},
		{in.BudgetWarningPercent < 1, "input.budgetWarningPercent", "AtLeast", map[string]any{"Min": 1}},
		{in.BudgetWarningPercent > 100, "input.budgetWarningPercent", "NumberTooLarge", map[string]any{"Max": 100}},
	}
	for _, ch := range checks {
		if ch.bad {
			return apperr.Invalid(ch.field, ch.msg, ch.data)
		}
	}
	return nil
}
