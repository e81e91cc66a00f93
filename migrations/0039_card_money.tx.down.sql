DROP INDEX audit_log_noted_card_idx;
DROP TABLE card_ledger_entries;
DROP FUNCTION card_ledger_append_only();
DROP TABLE card_invoices;
DROP TABLE card_programme_providers;
ALTER TABLE card_programmes DROP COLUMN grant_ore, DROP COLUMN grant_period, DROP COLUMN grant_grace_days,
  DROP COLUMN budget_warning_percent, DROP COLUMN budget_warned_at;
