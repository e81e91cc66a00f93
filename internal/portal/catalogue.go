package portal

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// ActivityConnection is a page of activities.
type ActivityConnection struct {
	Edges    []*ActivityEdge
	PageInfo *relay.PageInfo
	// JSON, when set, is the whole answer for this list, written by the database (see
	// ListJSON): the API writes it out as it is, and Edges and PageInfo are empty.
	JSON []byte

	sc     scope
	filter *Filter
}

// ActivityEdge is an activity in a page, with its cursor (Cursor).
type ActivityEdge struct {
	edgeCursor
	Node *Activity
}

// OrganisationConnection is a page of organisations.
type OrganisationConnection struct {
	Edges    []*OrganisationEdge
	PageInfo *relay.PageInfo
	// JSON, when set, is the whole answer for this list, written by the database (see
	// FindOrganisationsJSON): the API writes it out as it is, and Edges and PageInfo are empty.
	JSON []byte

	sc     scope
	filter *Filter
}

// OrganisationEdge is an organisation in a page, with its cursor (Cursor).
type OrganisationEdge struct {
	edgeCursor
	Node *Organisation
}

// currentScope returns the request's municipality and locale chain.
func currentScope(ctx context.Context) (scope, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return scope{}, err
	}
	return scope{municipalityID: t.ID(), chain: i18n.FromContext(ctx).Chain, defaultLocale: t.Municipality.DefaultLocale}, nil
}

// prepare validates a filter and an order for field, resolves category IDs to include their
// children, and returns the scope and order to use.
func (s *Service) prepare(ctx context.Context, f *Filter, order *Order, field string) (scope, Order, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return sc, "", err
	}
	if sc, err = s.withHomes(ctx, sc); err != nil {
		return sc, "", err
	}
	if err := f.validate(field); err != nil {
		return sc, "", err
	}
	o, err := checkOrder(order, f, "orderBy")
	if err != nil {
		return sc, "", err
	}
	if len(f.CategoryIDs) > 0 {
		tax, err := s.FindTaxonomy(ctx)
		if err != nil {
			return sc, "", err
		}
		if f.CategoryIDs, err = tax.withDescendants(f.CategoryIDs, field+".categories"); err != nil {
			return sc, "", err
		}
	}
	return sc, o, nil
}

// FindActivities returns a page of the published activities that match f, in order (the
// default: relevance with a query, distance with near, else name), holding fields (nil:
// every field). Errors: BAD_USER_INPUT naming the field for a bad filter, order or cursor.
func (s *Service) FindActivities(ctx context.Context, f Filter, order *Order, page relay.Page,
	fields Fields) (*ActivityConnection, error) {
	// SECURITY: only published activities of published organisations of the request's
	// municipality; the filter is applied inside that scope.
	sc, o, err := s.prepare(ctx, &f, order, "filter")
	if err != nil {
		return nil, err
	}
	rows, err := findActivities(ctx, s.reader(ctx), sc, &f, o, page, activityColumns.selectionOf(fields))
	if err != nil {
		return nil, err
	}
	rows, info := windowOf(rows, o, page)
	conn := &ActivityConnection{PageInfo: info, sc: sc, filter: &f, Edges: make([]*ActivityEdge, len(rows))}
	for i, r := range rows {
		conn.Edges[i] = &ActivityEdge{edgeCursor: edgeCursor{o, r.SortKey, r.ID}, Node: &r.Activity}
	}
	return conn, nil
}

// CountActivities returns how many activities the connection's filter matches in all.
func (s *Service) CountActivities(ctx context.Context, c *ActivityConnection) (int, error) {
	return countActivities(ctx, s.reader(ctx), c.sc, c.filter)
}

// FindOrganisations returns a page of the published organisations that match f, holding
// fields (nil: every field). Errors as FindActivities.
func (s *Service) FindOrganisations(ctx context.Context, f Filter, order *Order, page relay.Page,
	fields Fields) (*OrganisationConnection, error) {
	// SECURITY: only published organisations of the request's municipality.
	sc, o, err := s.prepare(ctx, &f, order, "filter")
	if err != nil {
		return nil, err
	}
	rows, err := findOrganisations(ctx, s.reader(ctx), sc, &f, o, page, organisationColumns.selectionOf(fields))
	if err != nil {
		return nil, err
	}
	rows, info := windowOf(rows, o, page)
	conn := &OrganisationConnection{PageInfo: info, sc: sc, filter: &f, Edges: make([]*OrganisationEdge, len(rows))}
	for i, r := range rows {
		conn.Edges[i] = &OrganisationEdge{edgeCursor: edgeCursor{o, r.SortKey, r.ID}, Node: &r.Organisation}
	}
	return conn, nil
}

// CountOrganisations returns how many organisations the connection's filter matches in all.
func (s *Service) CountOrganisations(ctx context.Context, c *OrganisationConnection) (int, error) {
	return countOrganisations(ctx, s.reader(ctx), c.sc, c.filter)
}

// ActivitiesByID returns the activities with ids in the request's municipality that the
// caller may read, keyed by ID: published ones, and for a signed-in user those of the
// organisations they own or edit in every status; missing ones are absent.
func (s *Service) ActivitiesByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Activity, error) {
	return s.ActivitiesByIDWith(ctx, ids, nil)
}

// ActivitiesByIDWith is ActivitiesByID for activities that hold fields only (nil: every
// field), as a list's do.
func (s *Service) ActivitiesByIDWith(ctx context.Context, ids []uuid.UUID, fields Fields) (map[uuid.UUID]*Activity,
	error) {
	sc, err := editorScope(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: published or the caller's own (activityVisible), request's municipality only.
	as, err := findActivitiesByIDs(ctx, s.reader(ctx), sc, ids, activityColumns.selectionOf(fields))
	return byID(as, func(a *Activity) uuid.UUID { return a.ID }), err
}

// OrganisationsByID returns the organisations with ids the caller may read, keyed by ID:
// published ones; for an administrator also those waiting for approval (PENDING); for a
// signed-in user also those they own or edit, in every status.
func (s *Service) OrganisationsByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Organisation, error) {
	return s.OrganisationsByIDWith(ctx, ids, nil)
}

// OrganisationsByIDWith is OrganisationsByID for organisations that hold fields only
// (nil: every field), as a list's do.
func (s *Service) OrganisationsByIDWith(ctx context.Context, ids []uuid.UUID, fields Fields) (
	map[uuid.UUID]*Organisation, error) {
	sc, err := editorScope(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: published or the caller's own (organisationVisible), request's municipality
	// only; an administrator of the municipality also reads registrations, to decide on them.
	statuses := []OrganisationStatus{OrganisationPublished}
	if auth.ViewerFrom(ctx).Has(auth.RoleAdmin) {
		statuses = append(statuses, OrganisationPending)
	}
	os, err := findOrganisationsByIDs(ctx, s.reader(ctx), sc, ids, statuses, organisationColumns.selectionOf(fields))
	return byID(os, func(o *Organisation) uuid.UUID { return o.ID }), err
}

// IDBySlug returns the ID of the activity ("activities"), organisation ("organisations") or
// neighbourhood ("neighbourhoods") with slug. Errors: NOT_FOUND.
func (s *Service) IDBySlug(ctx context.Context, table, slug string) (uuid.UUID, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	switch table {
	case "activities", "organisations", "neighbourhoods":
	default:
		return uuid.Nil, apperr.NotFoundf(table)
	}
	return findIDBySlug(ctx, s.reader(ctx), table, sc.municipalityID, slug)
}

func byID[T any](items []*T, id func(*T) uuid.UUID) map[uuid.UUID]*T {
	m := make(map[uuid.UUID]*T, len(items))
	for _, it := range items {
		m[id(it)] = it
	}
	return m
}
