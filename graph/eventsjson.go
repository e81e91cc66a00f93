package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fritid/fritid/internal/events"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// Lists of events whose selection the database can write as JSON (events.FindEventsJSON,
// events.EventsBetweenJSON): the selection is checked here, field by field, and anything
// else is answered by the executor.

var (
	// eventJSONImplementors are the implementors of each type a list of events written
	// as JSON shows.
	eventJSONImplementors = map[string][]string{"EventConnection": eventConnectionImplementors,
		"EventEdge": eventEdgeImplementors, "Event": eventImplementors, "PageInfo": pageInfoImplementors,
		"Venue": venueImplementors, "Address": addressImplementors, "Organisation": organisationImplementors,
		"Category": categoryImplementors, "Image": imageImplementors, "RichText": richTextImplementors}
	// eventJSONObjects are, by type, the type each of its object fields shows.
	eventJSONObjects = map[string]map[string]string{
		"EventConnection": {"edges": "EventEdge", "nodes": "Event", "pageInfo": "PageInfo"},
		"EventEdge":       {"node": "Event"},
		"Event": {"venue": "Venue", "organisation": "Organisation", "categories": "Category", "images": "Image",
			"description": "RichText"},
		"Venue": {"address": "Address"},
	}
)

// eventJSONWrites reports whether the database writes field of typename.
func eventJSONWrites(typename, field string) bool {
	switch typename {
	case "Venue", "Address", "Organisation":
		return portal.CatalogueJSONFields[typename][field]
	case "Category":
		return categoryJSONFields[field]
	}
	return events.EventJSONFields[typename][field]
}

// eventJSONFields returns the fields sel selects on typename's objects, with those of the
// objects they show, when the database writes them all: none deferred, none with
// arguments, every object showing some field.
func eventJSONFields(op *graphql.OperationContext, sel ast.SelectionSet, typename string,
) ([]portal.ItemJSONField, bool) {
	var out []portal.ItemJSONField
	seen := map[string]bool{}
	for _, it := range graphql.CollectFields(op, sel, eventJSONImplementors[typename]) {
		// A key collected twice (once on a union, once on the type) is written once, the
		// first, as the executor writes it.
		if seen[it.Alias] {
			continue
		}
		seen[it.Alias] = true
		if it.IsDeferred() || len(it.Arguments) > 0 || !eventJSONWrites(typename, it.Name) {
			return nil, false
		}
		f := portal.ItemJSONField{Key: it.Alias, Field: it.Name}
		if sub := eventJSONObjects[typename][it.Name]; sub != "" {
			var ok bool
			if f.Sub, ok = eventJSONFields(op, it.Selections, sub); !ok || len(f.Sub) == 0 {
				return nil, false
			}
		}
		out = append(out, f)
	}
	return out, true
}

// eventCategories returns the categories' JSON for a list showing them with fields cats
// (every categories field of the list), nil when it shows none; ok is false when they
// show different fields, which one text per category cannot serve.
func eventCategories(ctx context.Context, cats [][]portal.ItemJSONField) (_ []portal.CategoryJSON, ok bool,
	_ error) {
	if len(cats) == 0 {
		return nil, true, nil
	}
	for _, c := range cats[1:] {
		if fmt.Sprint(c) != fmt.Sprint(cats[0]) {
			return nil, false, nil
		}
	}
	out, err := categoryJSONs(ctx, cats[0])
	return out, err == nil, err
}

// categoriesOfShape returns the fields of every categories list fields show.
func categoriesOfShape(fields []portal.ItemJSONField) [][]portal.ItemJSONField {
	var out [][]portal.ItemJSONField
	for _, f := range fields {
		switch f.Field {
		case "categories":
			out = append(out, f.Sub)
		case "edges", "node", "nodes":
			out = append(out, categoriesOfShape(f.Sub)...)
		}
	}
	return out
}

// eventsJSON answers events(...) as JSON the database writes when its selection allows;
// ok is false when it must be answered the usual way.
func (r *queryResolver) eventsJSON(ctx context.Context, f events.Filter, order events.Order, page relay.Page,
) (_ *events.Connection, ok bool, _ error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil, false, nil
	}
	shape, ok := eventJSONFields(graphql.GetOperationContext(ctx), fc.Field.Selections, "EventConnection")
	if !ok || len(shape) == 0 {
		return nil, false, nil
	}
	cats, ok, err := eventCategories(ctx, categoriesOfShape(shape))
	if err != nil || !ok {
		return nil, false, err
	}
	raw, ok, err := r.Resolver.Calendar.FindEventsJSON(ctx, f, order, page, shape, cats)
	if err != nil || !ok {
		return nil, false, err
	}
	return &events.Connection{JSON: raw}, true, nil
}

// calendarEventsJSON reads the calendar's events with their JSON written by the database
// (events.EventsBetweenJSON) when the calendar's selection of its events allows; ok is
// false when they must be read the usual way.
func (r *queryResolver) calendarEventsJSON(ctx context.Context, start, end time.Time, f events.Filter,
) (_ []*events.Event, ok bool, _ error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil, false, nil
	}
	op := graphql.GetOperationContext(ctx)
	var item []portal.ItemJSONField
	found := false
	for _, d := range graphql.CollectFields(op, fc.Field.Selections, calendarDayImplementors) {
		if d.Name != "items" {
			continue
		}
		if d.IsDeferred() {
			return nil, false, nil
		}
		fields, ok := eventJSONFields(op, d.Selections, "Event")
		if !ok || (found && fmt.Sprint(fields) != fmt.Sprint(item)) {
			return nil, false, nil
		}
		item, found = fields, true
	}
	if len(item) == 0 {
		return nil, false, nil
	}
	cats, ok, err := eventCategories(ctx, categoriesOfShape(item))
	if err != nil || !ok {
		return nil, false, err
	}
	return r.Resolver.Calendar.EventsBetweenJSON(ctx, start, end, f, item, cats)
}
