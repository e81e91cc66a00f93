package portal

import (
	"context"

	"github.com/google/uuid"
)

// The methods here serve the per-request loaders: each takes many parent IDs and answers
// for all of them with one statement, scoped to the request's municipality. They return
// only what the parents' own visibility already allows (the parents were checked).

// Links returns organisations' links in display order, by organisation.
func (s *Service) Links(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*Link, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	ls, err := findLinks(ctx, s.reader(ctx), sc.municipalityID, ids)
	return group(ls, func(l *Link) uuid.UUID { return l.OrganisationID }), err
}

// Relation names a link table between a parent and its children.
type Relation int

// The relations the loaders follow.
const (
	ActivityCategories Relation = iota
	OrganisationCategories
	ActivityNeighbourhoods
	OrganisationNeighbourhoods
	VenueNeighbourhoods
	ActivityImages
)

var relations = map[Relation][4]string{ // table, parent, child, order
	ActivityCategories:         {"activity_categories", "activity_id", "category_id", ""},
	OrganisationCategories:     {"organisation_categories", "organisation_id", "category_id", ""},
	ActivityNeighbourhoods:     {"activity_neighbourhoods", "activity_id", "neighbourhood_id", ""},
	OrganisationNeighbourhoods: {"organisation_neighbourhoods", "organisation_id", "neighbourhood_id", ""},
	VenueNeighbourhoods:        {"venue_neighbourhoods", "venue_id", "neighbourhood_id", ""},
	ActivityImages:             {"activity_images", "activity_id", "media_id", "sort_order"},
}

// Related returns the child IDs of each parent through rel.
func (s *Service) Related(ctx context.Context, rel Relation, ids []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	r := relations[rel]
	return findPairs(ctx, s.reader(ctx), r[0], r[1], r[2], r[3], sc.municipalityID, ids)
}

// VenuesByID returns venues by ID.
func (s *Service) VenuesByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Venue, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	vs, err := findVenuesByIDs(ctx, s.reader(ctx), sc.municipalityID, ids)
	return byID(vs, func(v *Venue) uuid.UUID { return v.ID }), err
}

// MediaByID returns images with their alt texts by ID.
func (s *Service) MediaByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Media, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := findMediaByIDs(ctx, s.reader(ctx), sc.municipalityID, ids)
	return byID(ms, func(m *Media) uuid.UUID { return m.ID }), err
}

// NeighbourhoodAreas returns neighbourhoods' areas as GeoJSON, by ID.
func (s *Service) NeighbourhoodAreas(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]byte, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	ns, err := findNeighbourhoodAreas(ctx, s.reader(ctx), sc.municipalityID, ids)
	out := make(map[uuid.UUID][]byte, len(ns))
	for _, n := range ns {
		out[n.ID] = n.Area
	}
	return out, err
}

func group[T any](items []*T, key func(*T) uuid.UUID) map[uuid.UUID][]*T {
	m := map[uuid.UUID][]*T{}
	for _, it := range items {
		m[key(it)] = append(m[key(it)], it)
	}
	return m
}
