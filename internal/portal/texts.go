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
	return perFieldOf(table, where, true, fields)
}

// perFieldOf is perField with text_locale only when locale is set.
func perFieldOf(table, where string, locale bool, fields []string) string {
	var b strings.Builder
	b.WriteString("LEFT JOIN LATERAL (SELECT ")
	sep := ""
	if locale {
		b.WriteString("(array_agg(t.locale ORDER BY " + chainOrder + "))[1] AS text_locale")
		sep = ", "
	}
	for _, f := range fields {
		fmt.Fprintf(&b, "%[3]scoalesce((array_agg(t.%[1]s ORDER BY %[2]s) FILTER (WHERE t.%[1]s <> ''))[1], '') AS %[1]s",
			f, chainOrder, sep)
		sep = ", "
	}
	fmt.Fprintf(&b, " FROM %s t WHERE %s) AS tx ON true", table, where)
	return b.String()
}

// oneField returns a lateral subquery that picks one field as perField does, without
// aggregating: the first row along the chain where it is not empty.
func oneField(table, where, field string) string {
	return fmt.Sprintf("LEFT JOIN LATERAL (SELECT t.%[1]s FROM %[2]s t WHERE %[3]s AND t.%[1]s <> ''"+
		" ORDER BY %[4]s LIMIT 1) AS tx ON true", field, table, where, chainOrder)
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

// withTexts adds to q the texts sel asks for, picked as perField does, from table's rows
// matched by where; nothing when it asks for none.
func withTexts(q *bun.SelectQuery, table, where string, chain []string, sel selection) *bun.SelectQuery {
	switch {
	case len(sel.texts) == 0 && !sel.locale:
		return q
	case len(sel.texts) == 1 && !sel.locale:
		f := sel.texts[0]
		return q.Join(oneField(table, where, f), pgdialect.Array(chain)).ColumnExpr("coalesce(tx." + f + ", '') AS " + f)
	}
	n := len(sel.texts)
	cols := make([]string, 0, n+1)
	if sel.locale {
		cols = append(cols, "tx.text_locale")
		n++
	}
	for _, f := range sel.texts {
		cols = append(cols, "tx."+f)
	}
	return q.Join(perFieldOf(table, where, sel.locale, sel.texts), chainArgs(chain, n-1)...).
		ColumnExpr(strings.Join(cols, ", "))
}

// withActivityTextsOf adds the texts of activities "a" that sel asks for.
func withActivityTextsOf(q *bun.SelectQuery, chain []string, sel selection) *bun.SelectQuery {
	return withTexts(q, "activity_translations", "t.activity_id = a.id", chain, sel)
}

// withOrganisationTextsOf adds the texts of organisations "o" that sel asks for.
func withOrganisationTextsOf(q *bun.SelectQuery, chain []string, sel selection) *bun.SelectQuery {
	return withTexts(q, "organisation_translations", "t.organisation_id = o.id", chain, sel)
}

// withOrganisationTexts is withActivityTexts for organisations "o". TextLocale is the locale
// of the first translation along the chain (an organisation's name is not translated).
func withOrganisationTexts(q *bun.SelectQuery, chain []string) *bun.SelectQuery {
	return q.Join(organisationTextsJoin, chainArgs(chain, len(organisationTextFields))...).
		ColumnExpr("tx.text_locale, tx.summary, tx.description")
}
