package graph

import (
	"context"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fritid/fritid/internal/portal"
)

// The fields an operation selects on the items of a list, so the list reads only the
// columns, texts and relations they need (portal.Fields).

// activityListFields returns the fields selected on the activities of the ActivityConnection
// the current field resolves to, through edges { node } and nodes.
func activityListFields(ctx context.Context) portal.Fields {
	return listFields(ctx, activityConnectionImplementors, activityEdgeImplementors, activityImplementors)
}

// organisationListFields is activityListFields for an OrganisationConnection.
func organisationListFields(ctx context.Context) portal.Fields {
	return listFields(ctx, organisationConnectionImplementors, organisationEdgeImplementors, organisationImplementors)
}

// listFields collects the fields selected on a connection's nodes; nil outside a field.
func listFields(ctx context.Context, conn, edge, node []string) portal.Fields {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	op := graphql.GetOperationContext(ctx)
	f := portal.Fields{}
	for _, c := range graphql.CollectFields(op, fc.Field.Selections, conn) {
		switch c.Name {
		case "edges":
			for _, e := range graphql.CollectFields(op, c.Selections, edge) {
				if e.Name == "node" {
					addFields(op, f, e.Selections, node)
				}
			}
		case "nodes":
			addFields(op, f, c.Selections, node)
		}
	}
	return f
}

// nodeFields returns the fields the current field selects on objects of a type with these
// implementors (a node's, or each of a list's); nil outside a field.
func nodeFields(ctx context.Context, implementors []string) portal.Fields {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil
	}
	f := portal.Fields{}
	addFields(graphql.GetOperationContext(ctx), f, fc.Field.Selections, implementors)
	return f
}

func addFields(op *graphql.OperationContext, f portal.Fields, sel ast.SelectionSet, implementors []string) {
	for _, c := range graphql.CollectFields(op, sel, implementors) {
		f[c.Name] = true
	}
}

// fieldsKey is a stable text for f, to tell lists read with other fields apart.
func fieldsKey(f portal.Fields) string {
	if f == nil {
		return "*"
	}
	names := make([]string, 0, len(f))
	for n := range f {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// activityListJSON returns the shape of the activity list the current field resolves to
// when the database can write it as JSON (portal.ListJSON): its fields are edges { node }
// and nodes only, its items show only portal.ActivityJSONFields, and nothing is deferred.
func activityListJSON(ctx context.Context) (portal.ListJSON, bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil, false
	}
	return activityListJSONOf(graphql.GetOperationContext(ctx), fc.Field.Selections)
}

// activityListJSONOf is activityListJSON for the selection of an activity list.
func activityListJSONOf(op *graphql.OperationContext, sel ast.SelectionSet) (portal.ListJSON, bool) {
	return connectionJSON(op, sel, activityConnectionImplementors, activityEdgeImplementors,
		func(sel ast.SelectionSet) ([]portal.ItemJSONField, bool) {
			var out []portal.ItemJSONField
			for _, it := range graphql.CollectFields(op, sel, activityImplementors) {
				if !portal.ActivityJSONFields[it.Name] || it.IsDeferred() {
					return nil, false
				}
				out = append(out, portal.ItemJSONField{Key: it.Alias, Field: it.Name})
			}
			return out, true
		})
}

// connectionJSON returns the shape of a connection's selection sel when the database can
// write it as JSON: its fields are edges { node } and nodes only, nothing is deferred, and
// items says which fields of its items (given their selection) it writes, and whether it
// can.
func connectionJSON(op *graphql.OperationContext, sel ast.SelectionSet, connection, edge []string,
	items func(ast.SelectionSet) ([]portal.ItemJSONField, bool),
) (portal.ListJSON, bool) {
	var shape portal.ListJSON
	for _, c := range graphql.CollectFields(op, sel, connection) {
		if c.IsDeferred() {
			return nil, false
		}
		f := portal.ListJSONField{Key: c.Alias}
		sel := c.Selections
		switch c.Name {
		case "edges":
			e := graphql.CollectFields(op, c.Selections, edge)
			if len(e) != 1 || e[0].Name != "node" || e[0].IsDeferred() {
				return nil, false
			}
			f.EdgeKey, sel = e[0].Alias, e[0].Selections
		case "nodes":
		default:
			return nil, false
		}
		item, ok := items(sel)
		if !ok {
			return nil, false
		}
		f.Item = item
		shape = append(shape, f)
	}
	return shape, len(shape) > 0
}

// organisationListJSON returns the shape of the organisation list the current field
// resolves to when the database can write it as JSON (portal.FindOrganisationsJSON): its
// fields are edges { node } and nodes only, its items show only
// portal.OrganisationJSONFields, their activities only with a page size (first) and as
// activityListJSON allows, and nothing is deferred.
func organisationListJSON(ctx context.Context) (portal.ListJSON, bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil, false
	}
	op := graphql.GetOperationContext(ctx)
	return connectionJSON(op, fc.Field.Selections, organisationConnectionImplementors, organisationEdgeImplementors,
		func(sel ast.SelectionSet) ([]portal.ItemJSONField, bool) {
			var out []portal.ItemJSONField
			for _, it := range graphql.CollectFields(op, sel, organisationImplementors) {
				if !portal.OrganisationJSONFields[it.Name] || it.IsDeferred() {
					return nil, false
				}
				field := portal.ItemJSONField{Key: it.Alias, Field: it.Name}
				if it.Name == "activities" {
					first, ok := firstOnly(op, it)
					if !ok {
						return nil, false
					}
					if field.List, ok = activityListJSONOf(op, it.Selections); !ok {
						return nil, false
					}
					field.First = first
				} else if len(it.Arguments) > 0 {
					return nil, false
				}
				out = append(out, field)
			}
			return out, true
		})
}

// firstOnly returns the value of field's argument first when it has no other (nil: not
// given or null).
func firstOnly(op *graphql.OperationContext, field graphql.CollectedField) (*int, bool) {
	for _, a := range field.Arguments {
		if a.Name != "first" {
			return nil, false
		}
	}
	v, ok := field.ArgumentMap(op.Variables)["first"]
	if !ok || v == nil {
		return nil, true
	}
	n, err := graphql.UnmarshalInt(v)
	if err != nil {
		return nil, false
	}
	return &n, true
}

// catalogueListJSON is activityListJSON for the catalogue's list (Query.activities), whose
// items may also show their organisation, venue and categories (portal.FindActivitiesJSON):
// the fields of each are portal.CatalogueJSONFields, and nothing is deferred.
func catalogueListJSON(ctx context.Context) (portal.ListJSON, bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil, false
	}
	op := graphql.GetOperationContext(ctx)
	return connectionJSON(op, fc.Field.Selections, activityConnectionImplementors, activityEdgeImplementors,
		func(sel ast.SelectionSet) ([]portal.ItemJSONField, bool) { return jsonFields(op, sel, "Activity") })
}

// jsonTypes are the implementors of the types catalogueListJSON writes, and the type each
// object field shows.
var (
	jsonImplementors = map[string][]string{"Activity": activityImplementors, "Organisation": organisationImplementors,
		"Venue": venueImplementors, "Address": addressImplementors, "Category": categoryImplementors}
	jsonObjects = map[string]string{"organisation": "Organisation", "venue": "Venue", "address": "Address",
		"categories": "Category"}
)

// jsonFields returns the fields sel selects on typename's objects, with those of the
// objects they show, when portal.CatalogueJSONFields (or, for categories, categoryJSON) can
// write them all.
func jsonFields(op *graphql.OperationContext, sel ast.SelectionSet, typename string) ([]portal.ItemJSONField, bool) {
	var out []portal.ItemJSONField
	for _, it := range graphql.CollectFields(op, sel, jsonImplementors[typename]) {
		if it.IsDeferred() || len(it.Arguments) > 0 {
			return nil, false
		}
		if typename == "Category" {
			if !categoryJSONFields[it.Name] {
				return nil, false
			}
		} else if !portal.CatalogueJSONFields[typename][it.Name] {
			return nil, false
		}
		f := portal.ItemJSONField{Key: it.Alias, Field: it.Name}
		if sub := jsonObjects[it.Name]; sub != "" {
			var ok bool
			if f.Sub, ok = jsonFields(op, it.Selections, sub); !ok || len(f.Sub) == 0 {
				return nil, false
			}
		}
		out = append(out, f)
	}
	return out, true
}
