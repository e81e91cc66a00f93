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
	op := graphql.GetOperationContext(ctx)
	var shape portal.ListJSON
	for _, c := range graphql.CollectFields(op, fc.Field.Selections, activityConnectionImplementors) {
		if c.IsDeferred() {
			return nil, false
		}
		f := portal.ListJSONField{Key: c.Alias}
		sel := c.Selections
		switch c.Name {
		case "edges":
			edge := graphql.CollectFields(op, c.Selections, activityEdgeImplementors)
			if len(edge) != 1 || edge[0].Name != "node" || edge[0].IsDeferred() {
				return nil, false
			}
			f.EdgeKey, sel = edge[0].Alias, edge[0].Selections
		case "nodes":
		default:
			return nil, false
		}
		for _, it := range graphql.CollectFields(op, sel, activityImplementors) {
			if !portal.ActivityJSONFields[it.Name] || it.IsDeferred() {
				return nil, false
			}
			f.Item = append(f.Item, portal.ItemJSONField{Key: it.Alias, Field: it.Name})
		}
		shape = append(shape, f)
	}
	return shape, len(shape) > 0
}
