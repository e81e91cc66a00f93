package graph

import (
	"cmp"
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/portal/geo"
)

// toFilter parses the API's filter into the domain's. Errors: BAD_USER_INPUT naming the
// field for an ID of the wrong kind or an unknown neighbourhood.
func toFilter(ctx context.Context, in *model.CatalogueFilterInput) (portal.Filter, error) {
	var f portal.Filter
	if in == nil {
		return f, nil
	}
	var err error
	if f.CategoryIDs, err = parseIDs(in.Categories, "Category", "filter.categories"); err != nil {
		return f, err
	}
	if f.NeighbourhoodIDs, err = parseIDs(in.Neighbourhoods, "Neighbourhood", "filter.neighbourhoods"); err != nil {
		return f, err
	}
	if len(f.NeighbourhoodIDs) > 0 {
		nbs, err := loadersFor(ctx).neighbourhoods(ctx)
		if err != nil {
			return f, err
		}
		if err := nbs.Check(f.NeighbourhoodIDs, "filter.neighbourhoods"); err != nil {
			return f, err
		}
	}
	f.TargetGroups, f.Age, f.Accessibility, f.Languages = in.TargetGroups, in.Age, in.Accessibility, in.Languages
	f.OrganisationKinds, f.AcceptsCard = in.OrganisationKinds, in.AcceptsCard
	f.FreeOnly = deref(in.FreeOnly, false)
	f.Query = deref(in.Query, "")
	if in.Query != nil && f.Query == "" {
		return f, apperr.Invalid("filter.query", "QueryEmpty", nil)
	}
	if in.Near != nil {
		f.Near = &portal.Near{Point: geo.Point{Lat: in.Near.Lat, Lon: in.Near.Lon}, RadiusKm: in.Near.RadiusKm}
	}
	if w := in.Within; w != nil {
		f.Within = &geo.BBox{MinLat: w.MinLat, MinLon: w.MinLon, MaxLat: w.MaxLat, MaxLon: w.MaxLon}
	}
	return f, nil
}

// parseIDs parses global IDs of one type.
func parseIDs(gids []string, typ, field string) ([]uuid.UUID, error) {
	if len(gids) > 100 {
		return nil, apperr.Invalid(field, "FilterTooLarge", nil)
	}
	ids := make([]uuid.UUID, 0, len(gids))
	for _, g := range gids {
		id, err := relay.ParseTypedID(g, typ, field)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// oneOf parses the (id | slug) arguments of a single-object query: exactly one is given.
func oneOf(ctx context.Context, r *Resolver, id, slug *string, typ, table string) (uuid.UUID, error) {
	if (id == nil) == (slug == nil) {
		return uuid.Nil, apperr.Invalid("id", "OneOfIDOrSlug", nil)
	}
	if id != nil {
		return relay.ParseTypedID(*id, typ, "id")
	}
	return r.Portal.IDBySlug(ctx, table, *slug)
}

// chain returns the request's locale chain.
func chain(ctx context.Context) []string { return i18n.FromContext(ctx).Chain }

// categoriesOf returns the categories with ids, in taxonomy order of the IDs given.
func categoriesOf(ctx context.Context, ids []uuid.UUID) ([]*portal.Category, error) {
	tax, err := loadersFor(ctx).taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*portal.Category, 0, len(ids))
	for _, id := range ids {
		if c, err := tax.ByID(id); err == nil {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b *portal.Category) int {
		return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), cmp.Compare(a.Slug, b.Slug))
	})
	return out, nil
}

// neighbourhoodsOf returns the neighbourhoods with ids.
func neighbourhoodsOf(ctx context.Context, ids []uuid.UUID) ([]*portal.Neighbourhood, error) {
	nbs, err := loadersFor(ctx).neighbourhoods(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*portal.Neighbourhood, 0, len(ids))
	for _, id := range ids {
		if n, err := nbs.ByID(id); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// related returns the neighbourhoods or categories a parent links to.
func related(ctx context.Context, rel portal.Relation, id uuid.UUID) ([]uuid.UUID, error) {
	return loadersFor(ctx).related[rel].get(ctx, id)
}

// mediaOf returns the image with id, or nil.
func mediaOf(ctx context.Context, id *uuid.UUID) (*portal.Media, error) {
	if id == nil {
		return nil, nil
	}
	m, err := loadersFor(ctx).media.get(ctx, *id)
	if m == nil {
		return nil, err
	}
	return m, err
}

// imagesOf returns the images ids that are still in the library, in order.
func imagesOf(ctx context.Context, ids []uuid.UUID) ([]*portal.Media, error) {
	images := make([]*portal.Media, 0, len(ids))
	for _, id := range ids {
		m, err := mediaOf(ctx, &id)
		if err != nil {
			return nil, err
		}
		if m != nil {
			images = append(images, m)
		}
	}
	return images, nil
}

// nonEmpty returns nil for "", else a pointer to s.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// page parses Relay paging arguments with a default size of 20.
func page(first *int, after *string, last *int, before *string) (relay.Page, error) {
	return relay.NewPage(first, last, after, before, 20)
}

func venueNodes(c *portal.VenueConnection) []*portal.Venue {
	out := make([]*portal.Venue, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// seeHits registers search results so they load together.
func seeHits(ctx context.Context, c *portal.SearchConnection) {
	l := loadersFor(ctx)
	orgs, acts := l.organisations, l.activities
	if orgFields, actFields, ok := hitFields(ctx); ok {
		l.mu.Lock()
		if l.hitActivities == nil {
			l.hitActivities = newBatch(func(ctx context.Context, ids []uuid.UUID) (
				map[uuid.UUID]*portal.Activity, error) {
				m, err := l.portal.ActivitiesByIDWith(ctx, ids, actFields)
				l.seeActivitiesFor(actFields, values(m)...)
				return m, err
			})
			l.hitOrganisations = newBatch(func(ctx context.Context, ids []uuid.UUID) (
				map[uuid.UUID]*portal.Organisation, error) {
				m, err := l.portal.OrganisationsByIDWith(ctx, ids, orgFields)
				l.seeOrganisationsFor(orgFields, values(m)...)
				return m, err
			})
		}
		orgs, acts = l.hitOrganisations, l.hitActivities
		l.mu.Unlock()
	}
	for _, e := range c.Edges {
		switch e.Hit.Kind {
		case "Organisation":
			orgs.register(e.Hit.ID)
		case "Activity":
			acts.register(e.Hit.ID)
		case "Page":
			if l.pages != nil {
				l.pages.register(e.Hit.ID)
			}
		case "Article":
			if l.articles != nil {
				l.articles.register(e.Hit.ID)
			}
		case "Event":
			if l.events != nil {
				l.events.event.register(e.Hit.ID)
			}
		}
	}
}

// hitFields returns the fields the current search field shows of its activities and
// organisations (through edges { node } and nodes), when it is the only search of the
// operation, so its hits may be loaded with those fields only (seeHits).
func hitFields(ctx context.Context) (orgs, acts portal.Fields, ok bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return nil, nil, false
	}
	op := graphql.GetOperationContext(ctx)
	if !onlySearch(op) {
		return nil, nil, false
	}
	orgs, acts = portal.Fields{}, portal.Fields{}
	for _, c := range graphql.CollectFields(op, fc.Field.Selections, searchConnectionImplementors) {
		sel := c.Selections
		switch c.Name {
		case "edges":
			for _, e := range graphql.CollectFields(op, c.Selections, searchEdgeImplementors) {
				if e.Name == "node" {
					addFields(op, orgs, e.Selections, organisationImplementors)
					addFields(op, acts, e.Selections, activityImplementors)
				}
			}
			continue
		case "nodes":
		default:
			continue
		}
		addFields(op, orgs, sel, organisationImplementors)
		addFields(op, acts, sel, activityImplementors)
	}
	return orgs, acts, true
}

// onlySearch tells whether the operation is one search field and nothing else, so that
// the hits' loaders serve it alone.
func onlySearch(op *graphql.OperationContext) bool {
	if op.Operation == nil || len(op.Operation.SelectionSet) != 1 {
		return false
	}
	f, ok := op.Operation.SelectionSet[0].(*ast.Field)
	return ok && f.Name == "search"
}
