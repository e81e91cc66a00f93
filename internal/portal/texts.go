package portal

import (
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// withActivityTexts adds the texts of each activity "a" in the locale chain (the first
// locale of the chain it has, else any) to q, so a list needs no second statement for them.
func withActivityTexts(q *bun.SelectQuery, chain []string) *bun.SelectQuery {
	return q.Join(`LEFT JOIN LATERAL (
		SELECT t.locale AS text_locale, t.title, t.summary, t.description, t.price_note, t.schedule
		FROM activity_translations t WHERE t.activity_id = a.id
		ORDER BY array_position(?::text[], t.locale) NULLS LAST, t.locale LIMIT 1) AS tx ON true`, pgdialect.Array(chain)).
		ColumnExpr("tx.text_locale, tx.title, tx.summary, tx.description, tx.price_note, tx.schedule")
}

// withOrganisationTexts is withActivityTexts for organisations "o".
func withOrganisationTexts(q *bun.SelectQuery, chain []string) *bun.SelectQuery {
	return q.Join(`LEFT JOIN LATERAL (
		SELECT t.locale AS text_locale, t.summary, t.description
		FROM organisation_translations t WHERE t.organisation_id = o.id
		ORDER BY array_position(?::text[], t.locale) NULLS LAST, t.locale LIMIT 1) AS tx ON true`, pgdialect.Array(chain)).
		ColumnExpr("tx.text_locale, tx.summary, tx.description")
}
