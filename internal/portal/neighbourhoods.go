package portal

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// Neighbourhoods is a municipality's set of neighbourhoods with their texts and committees,
// loaded whole (without areas) once per request.
type Neighbourhoods struct {
	List    []*Neighbourhood
	byID    map[uuid.UUID]*Neighbourhood
	slugs   map[string]*Neighbourhood
	texts   map[uuid.UUID][]*NeighbourhoodTranslation
	members map[uuid.UUID][]*CommitteeMember
}

// FindNeighbourhoods returns the request's municipality's neighbourhoods. They are public.
func (s *Service) FindNeighbourhoods(ctx context.Context) (*Neighbourhoods, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: scoped to the request's municipality; neighbourhoods are public within it.
	ns, ts, ms, err := findNeighbourhoods(ctx, s.reader(ctx), sc.municipalityID)
	if err != nil {
		return nil, err
	}
	set := &Neighbourhoods{List: ns, byID: byID(ns, func(n *Neighbourhood) uuid.UUID { return n.ID }),
		slugs: map[string]*Neighbourhood{}, texts: group(ts, func(t *NeighbourhoodTranslation) uuid.UUID { return t.NeighbourhoodID }),
		members: group(ms, func(m *CommitteeMember) uuid.UUID { return m.NeighbourhoodID })}
	for _, n := range ns {
		set.slugs[n.Slug] = n
	}
	return set, nil
}

// ByID returns the neighbourhood with id. Errors: NOT_FOUND.
func (ns *Neighbourhoods) ByID(id uuid.UUID) (*Neighbourhood, error) {
	if n := ns.byID[id]; n != nil {
		return n, nil
	}
	return nil, apperr.NotFoundf("neighbourhood")
}

// BySlug returns the neighbourhood with slug. Errors: NOT_FOUND.
func (ns *Neighbourhoods) BySlug(slug string) (*Neighbourhood, error) {
	if n := ns.slugs[slug]; n != nil {
		return n, nil
	}
	return nil, apperr.NotFoundf("neighbourhood")
}

// Text returns the neighbourhood's texts along chain, each field falling back on its own;
// Locale is the name's.
func (ns *Neighbourhoods) Text(n *Neighbourhood, chain []string) *NeighbourhoodTranslation {
	ts := ns.texts[n.ID]
	locale := func(t *NeighbourhoodTranslation) string { return t.Locale }
	t := pickTranslation(chain, ts, locale)
	if t == nil {
		return &NeighbourhoodTranslation{NeighbourhoodID: n.ID}
	}
	out := *t
	out.Name = pickField(chain, ts, locale, func(t *NeighbourhoodTranslation) string { return t.Name })
	out.Description = pickField(chain, ts, locale, func(t *NeighbourhoodTranslation) string { return t.Description })
	return &out
}

// Members returns the committee's public members in order.
func (ns *Neighbourhoods) Members(n *Neighbourhood) []*CommitteeMember { return ns.members[n.ID] }

// Check returns BAD_USER_INPUT naming field unless every id is one of the neighbourhoods.
func (ns *Neighbourhoods) Check(ids []uuid.UUID, field string) error {
	for _, id := range ids {
		if ns.byID[id] == nil {
			return apperr.Invalid(field, "UnknownNeighbourhood", nil)
		}
	}
	return nil
}

// Only returns the neighbourhoods of the set with the given IDs, in display order; unknown
// IDs are left out.
func (ns *Neighbourhoods) Only(ids []uuid.UUID) []*Neighbourhood {
	want := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	out := []*Neighbourhood{}
	for _, n := range ns.List {
		if want[n.ID] {
			out = append(out, n)
		}
	}
	return out
}
