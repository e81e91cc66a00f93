package portal

import (
	"context"

	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/auth"
)

// Other domains' lists written as JSON by the database (the event calendar's) show the
// catalogue's venues and organisations as FindActivitiesJSON writes them: these are its
// pieces, for a statement over rows of the list's own.

// GlobalIDSQL is relay.GlobalID(typename, col) in SQL.
func GlobalIDSQL(typename, col string) string { return globalIDSQL(typename, col) }

// ObjectJSONSQL returns the expression of a JSON object with fields, each value written by
// expr, or an error for a key that is not a GraphQL name or a field expr cannot write.
func ObjectJSONSQL(fields []ItemJSONField, expr func(ItemJSONField) (string, error)) (string, error) {
	return object(fields, expr)
}

// JSONStringSQL is the JSON string of the text expression expr (not NULL) as the API's
// executor writes a string: PostgreSQL's to_json, except for the control characters
// to_json escapes otherwise (\b, \f, lowercase \u00xx), which are rare and written one
// character at a time.
func JSONStringSQL(expr string) string {
	return `CASE WHEN ` + expr + ` ~ '[\x08\x0b\x0c\x0e-\x1f]' THEN (SELECT '"' || string_agg(CASE
		WHEN ch = '"' THEN '\"' WHEN ch = '\' THEN '\\' WHEN ch = E'\n' THEN '\n' WHEN ch = E'\r' THEN '\r'
		WHEN ch = E'\t' THEN '\t' WHEN ascii(ch) < 32 THEN '\u00' || upper(lpad(to_hex(ascii(ch)), 2, '0'))
		ELSE ch END, '' ORDER BY n) || '"' FROM regexp_split_to_table(` + expr + `, '') WITH ORDINALITY AS s(ch, n))
		ELSE to_json(` + expr + `)::text END`
}

// JSONJoin is a lateral join that reads an object for each row of a list, and the
// expression of the object's JSON over it.
type JSONJoin struct {
	Join string
	Args []any
	Expr string
}

// VenueJSON returns the join that reads, as "v", the venue whose ID is the expression col
// (of the request's municipality), and the JSON of its fields ("null" when there is none),
// as VenuesByID and Venue's fields give them: CatalogueJSONFields["Venue"] and the address.
func VenueJSON(ctx context.Context, col string, fields []ItemJSONField) (JSONJoin, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return JSONJoin{}, err
	}
	c := &catalogueJSON{fields: Fields{}, exact: true}
	v, err := c.venue(fields)
	if err != nil {
		return JSONJoin{}, err
	}
	return JSONJoin{
		Join: "LEFT JOIN LATERAL (SELECT v.id, v.street, v.postal_code, v.place, " + venueNameSQL(sc) +
			" AS name FROM venues v WHERE v.id = " + col + " AND v.municipality_id = ?) AS v ON true",
		Args: venueNameArgs(sc, sc.municipalityID),
		Expr: "CASE WHEN v.id IS NULL THEN 'null' ELSE " + v + " END",
	}, nil
}

// OrganisationJSON returns the join that reads, as "o", the organisation whose ID is the
// expression col, and the JSON of its fields (CatalogueJSONFields["Organisation"]), "null"
// when there is none or the caller may not read it: the organisations OrganisationsByID
// gives.
func OrganisationJSON(ctx context.Context, col string, fields []ItemJSONField) (JSONJoin, error) {
	sc, err := editorScope(ctx)
	if err != nil {
		return JSONJoin{}, err
	}
	c := &catalogueJSON{fields: Fields{}, exact: true}
	o, err := c.organisation(fields)
	if err != nil {
		return JSONJoin{}, err
	}
	// SECURITY: the organisations OrganisationsByID reads: of the request's municipality,
	// published or the caller's own, and for an administrator those waiting for approval;
	// and the accepted, published shared providers (organisationReadable).
	statuses := []OrganisationStatus{OrganisationPublished}
	if auth.ViewerFrom(ctx).Has(auth.RoleAdmin) {
		statuses = append(statuses, OrganisationPending)
	}
	visible, visibleArgs := sc.organisationReadable(statuses)
	summary := ""
	var args []any
	if c.orgSummary {
		summary = ", coalesce((SELECT t.summary FROM organisation_translations t WHERE t.organisation_id = o.id" +
			" AND t.summary <> '' ORDER BY " + chainOrder + " LIMIT 1), '') AS summary"
		args = append(args, pgdialect.Array(sc.chain))
	}
	args = append(args, visibleArgs...)
	return JSONJoin{
		Join: "LEFT JOIN LATERAL (SELECT o.id, o.name, o.slug" + summary + " FROM organisations o WHERE o.id = " + col +
			" AND " + visible + ") AS o ON true",
		Args: args,
		Expr: "CASE WHEN o.id IS NULL THEN 'null' ELSE " + o + " END",
	}, nil
}
