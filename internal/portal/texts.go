package portal

import (
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// chainOrder orders an entity's translation rows "t" along the locale chain (the first
// placeholder): the chain's locales first, in order, then any other locale alphabetically.
const chainOrder = `array_position(?::text[], t.locale) NULLS LAST, t.locale`

// perField returns a lateral subquery over table's rows of one entity (matched by where)
// that picks every field on its own: the first non-empty value along the locale chain,
// else "". text_locale is the locale of the first row along the chain, so of the entity's
// primary text. One aggregate row per entity keeps a list at one statement.
func perField(table, where string, fields ...string) string {
	var b strings.Builder
	b.WriteString("LEFT JOIN LATERAL (SELECT (array_agg(t.locale ORDER BY " + chainOrder + "))[1] AS text_locale")
	for _, f := range fields {
		fmt.Fprintf(&b, ", coalesce((array_agg(t.%[1]s ORDER BY %[2]s) FILTER (WHERE t.%[1]s <> ''))[1], '') AS %[1]s", f, chainOrder)
	}
	fmt.Fprintf(&b, " FROM %s t WHERE %s) AS tx ON true", table, where)
	return b.String()
}

// chainArgs repeats the chain once per placeholder of a perField subquery.
func chainArgs(chain []string, fields int) []any {
	args := make([]any, fields+1)
	for i := range args {
		args[i] = pgdialect.Array(chain)
	}
	return args
}

var (
	activityTextFields     = []string{"title", "summary", "description", "price_note", "schedule"}
	activityTextsJoin      = perField("activity_translations", "t.activity_id = a.id", activityTextFields...)
	organisationTextFields = []string{"summary", "description"}
	organisationTextsJoin  = perField("organisation_translations", "t.organisation_id = o.id", organisationTextFields...)
)

// withActivityTexts adds the texts of each activity "a" along the locale chain to q, each
// field falling back on its own (see perField), so a list needs no second statement for them.
// TextLocale is the title's locale.
func withActivityTexts(q *bun.SelectQuery, chain []string) *bun.SelectQuery {
	return q.Join(activityTextsJoin, chainArgs(chain, len(activityTextFields))...).
		ColumnExpr("tx.text_locale, tx.title, tx.summary, tx.description, tx.price_note, tx.schedule")
}

// withOrganisationTexts is withActivityTexts for organisations "o". TextLocale is the locale
// of the first translation along the chain (an organisation's name is not translated).
func withOrganisationTexts(q *bun.SelectQuery, chain []string) *bun.SelectQuery {
	return q.Join(organisationTextsJoin, chainArgs(chain, len(organisationTextFields))...).
		ColumnExpr("tx.text_locale, tx.summary, tx.description")
}
