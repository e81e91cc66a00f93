package portal

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/database"
)

// A nested list whose items show only plain fields (their ID, title, slug) can be written
// as JSON by the database, one text per parent, the way a hand-written query would answer:
// the rows are neither scanned nor marshalled field by field. ListJSON describes that JSON:
// the list's own fields in order, each a list of items, directly (nodes) or each in an edge
// (edges { node }). Every other selection is answered the usual way.

// ListJSON is the shape of a nested list's JSON: its fields in the order they are written.
type ListJSON []ListJSONField

// ListJSONField is one field of a list: Key its key in the answer; EdgeKey, when set, the
// key of the node in each edge (edges { node }), else the field lists the items (nodes).
type ListJSONField struct {
	Key     string
	EdgeKey string
	Item    []ItemJSONField
}

// ItemJSONField is one field of an item: Key in the answer, Field the field it shows, and
// for an object or a list of objects (FindActivitiesJSON), Sub the fields shown of each.
type ItemJSONField struct {
	Key, Field string
	Sub        []ItemJSONField
	// List and First, for a nested list of an item (an organisation's activities in
	// FindOrganisationsJSON): the list's shape and its page size (nil: the default).
	List  ListJSON
	First *int
}

// ActivityJSONFields are the fields of an activity that ListJSON can write.
var ActivityJSONFields = map[string]bool{"id": true, "__typename": true, "title": true, "slug": true}

// jsonKey is what a key must look like: a GraphQL name, so it needs no escaping.
var jsonKey = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

// String is a stable text of the shape, to tell batches apart.
func (l ListJSON) String() string { return fmt.Sprint([]ListJSONField(l)) }

// empty is the JSON of a parent without items.
func (l ListJSON) empty() []byte {
	parts := make([]string, len(l))
	for i, f := range l {
		parts[i] = `"` + f.Key + `":[]`
	}
	return []byte("{" + strings.Join(parts, ",") + "}")
}

// sql returns the aggregate over rows r (with id, title, slug and rn) that writes one
// parent's JSON, or an error for a shape it cannot write.
func (l ListJSON) sql(typename string) (string, error) {
	parts := make([]string, len(l))
	for i, f := range l {
		if !jsonKey.MatchString(f.Key) || (f.EdgeKey != "" && !jsonKey.MatchString(f.EdgeKey)) {
			return "", fmt.Errorf("list JSON: bad key %q", f.Key)
		}
		item := make([]string, len(f.Item))
		for j, it := range f.Item {
			if !jsonKey.MatchString(it.Key) {
				return "", fmt.Errorf("list JSON: bad key %q", it.Key)
			}
			var expr string
			switch it.Field {
			case "id":
				expr = "to_json(" + globalIDSQL(typename, "r.id") + ")::text"
			case "__typename":
				expr = `'"` + typename + `"'`
			case "title", "slug":
				expr = JSONStringSQL("r." + it.Field)
			default:
				return "", fmt.Errorf("list JSON: field %q", it.Field)
			}
			sep := ","
			if j == 0 {
				sep = "{"
			}
			item[j] = `'` + sep + `"` + it.Key + `":' || ` + expr
		}
		obj := strings.Join(item, " || ") + " || '}'"
		if len(f.Item) == 0 {
			obj = "'{}'"
		}
		if f.EdgeKey != "" {
			obj = `'{"` + f.EdgeKey + `":' || ` + obj + ` || '}'`
		}
		sep := ","
		if i == 0 {
			sep = "{"
		}
		parts[i] = `'` + sep + `"` + f.Key + `":[' || string_agg(` + obj + `, ',' ORDER BY r.rn) || ']'`
	}
	return strings.Join(parts, " || ") + " || '}'", nil
}

// globalIDSQL is relay.GlobalID(typename, col) in SQL for a UUID column: "Type:uuid" in
// URL-safe base64 without padding. The prefix's whole groups of three bytes are encoded here
// once; the database encodes the rest of the prefix and the UUID's 36 characters, which make
// no more than one line of base64 (76 characters), so no line breaks need removing. A list's
// IDs are most of its JSON, so this is a fair share of the statement's cost.
func globalIDSQL(typename, col string) string {
	prefix := typename + ":"
	whole := len(prefix) / 3 * 3
	head := base64.RawURLEncoding.EncodeToString([]byte(prefix[:whole]))
	// The rest of the prefix is a GraphQL name's letters and a colon: nothing the cast to
	// bytea reads as an escape.
	tail := "encode(('" + prefix[whole:] + "' || " + col + "::text)::bytea, 'base64')"
	if (len(prefix)-whole+36)%3 != 0 {
		tail = "rtrim(" + tail + ", '=')"
	}
	return "'" + head + "' || translate(" + tail + ", '+/', '-_')"
}

// ActivitiesOfJSON is ActivitiesOf for a list written as JSON (see ListJSON): the first
// page of each parent's activities, as each parent's JSON. The same activities are visible
// as to ActivitiesOf.
func (s *Service) ActivitiesOfJSON(ctx context.Context, g Group, parentIDs []uuid.UUID, first *int,
	statuses []ActivityStatus, shape ListJSON) (map[uuid.UUID][]byte, error) {
	sc, err := currentScope(ctx)
	if g == ByOrganisation {
		sc, err = editorScope(ctx)
	}
	if err != nil {
		return nil, err
	}
	page, err := nestedPage(first, nil)
	if err != nil {
		return nil, err
	}
	agg, err := shape.sql("Activity")
	if err != nil {
		return nil, err
	}
	fields := Fields{}
	for _, f := range shape {
		for _, it := range f.Item {
			fields[it.Field] = true
		}
	}
	// SECURITY: the same activities as ActivitiesOf: published ones of the request's
	// municipality, and an organisation's own for its owners and editors (activityVisible).
	n := s.nestedActivities(sc, g, statuses, fields)
	rows, err := s.nestedRows(ctx, s.db.NewSelect(), sc, n, g, parentIDs, page, page.Limit)
	if err != nil {
		return nil, err
	}
	var res []struct {
		GroupID uuid.UUID `bun:"group_id"`
		JSON    string    `bun:"json"`
	}
	err = s.db.NewSelect().TableExpr("(?) AS r", rows).ColumnExpr("r.group_id").ColumnExpr(agg+" AS json").
		GroupExpr("r.group_id").Scan(ctx, &res)
	if err != nil {
		return nil, database.MapError(err, "find nested activities", "activities")
	}
	out := make(map[uuid.UUID][]byte, len(parentIDs))
	for _, r := range res {
		out[r.GroupID] = []byte(r.JSON)
	}
	for _, id := range parentIDs {
		if out[id] == nil {
			out[id] = shape.empty()
		}
	}
	return out, nil
}
