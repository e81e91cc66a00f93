package portal

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// A provider of another municipality that the request's municipality has accepted (see
// providers_shared.go) is read here as if it were the municipality's own, but only through
// the database functions fritid_served_organisations, fritid_served_activities and
// fritid_served_media (migration 0049), which return only accepted, published rows. These
// helpers are the one place the read paths name them.

// homesTTL is how long this instance keeps a municipality's providers' home
// municipalities (see withHomes): one accepted on another instance shows here within it.
const homesTTL = 5 * time.Second

type cachedHomes struct {
	ids     []uuid.UUID
	expires time.Time
}

// withHomes returns sc knowing the home municipalities of the providers its municipality
// has accepted, so that a list scans the index of those municipalities only, and no more
// than before when there are none. They narrow the scan and never widen what is read: the
// served functions decide, at the time of the read, what another municipality's row may be
// shown (a provider dropped a moment ago is gone at once).
func (s *Service) withHomes(ctx context.Context, sc scope) (scope, error) {
	now := time.Now()
	s.mu.Lock()
	c, ok := s.homes[sc.municipalityID]
	s.mu.Unlock()
	if !ok || now.After(c.expires) {
		var ids []uuid.UUID
		err := s.reader(ctx).NewSelect().Table("provider_municipalities").
			ColumnExpr("DISTINCT home_municipality_id").
			Where("municipality_id = ? AND status = 'ACCEPTED'", sc.municipalityID).Scan(ctx, &ids)
		if err != nil {
			return sc, database.MapError(err, "find providers' homes", "organisation")
		}
		c = cachedHomes{ids: ids, expires: now.Add(homesTTL)}
		s.mu.Lock()
		if s.homes == nil {
			s.homes = map[uuid.UUID]cachedHomes{}
		}
		s.homes[sc.municipalityID] = c
		s.mu.Unlock()
	}
	sc.homes, sc.homesKnown = c.ids, true
	return sc, nil
}

// HereCond is the condition that row alias of another service's read (events "e",
// articles "a") is municipality mid's: its own, or one the served function fn of its kind
// returns (migration 0051), as here says, with the providers' homes from this instance's
// short cache. Without accepted providers it is the municipality alone, and the indexes on
// the municipality serve it.
func (s *Service) HereCond(ctx context.Context, mid uuid.UUID, alias, fn string) (string, []any, error) {
	sc, err := s.withHomes(ctx, scope{municipalityID: mid})
	if err != nil {
		return "", nil, err
	}
	cond, args := sc.here(alias, fn)
	return cond, args, nil
}

// InvalidateSharedProviders forgets every municipality's cached providers' homes, so the
// next list reads them afresh.
func (s *Service) InvalidateSharedProviders() {
	s.mu.Lock()
	s.homes = nil
	s.mu.Unlock()
}

// forgetHomes drops the cached homes of municipality mid, so a decision shows at once here.
func (s *Service) forgetHomes(mid uuid.UUID) {
	s.mu.Lock()
	delete(s.homes, mid)
	s.mu.Unlock()
}

// here is the condition under which row alias of a list is of the request's municipality's
// catalogue, with fn the served function of its kind: its own, or one fn returns. With the
// homes known (withHomes) the scan keeps to those municipalities, and to its own alone when
// there are none.
func (sc scope) here(alias, fn string) (string, []any) {
	own := alias + ".municipality_id = ?"
	if sc.homesKnown && len(sc.homes) == 0 {
		return own, []any{sc.municipalityID}
	}
	cond := "(" + own + " OR " + alias + ".id IN (SELECT " + fn + "(?)))"
	args := []any{sc.municipalityID, sc.municipalityID}
	if sc.homesKnown {
		cond = alias + ".municipality_id IN (?) AND " + cond
		args = append([]any{bun.In(append([]uuid.UUID{sc.municipalityID}, sc.homes...))}, args...)
	}
	return cond, args
}

// homeRows is the condition that row alias (a translation, say) is of the municipality or
// of one of its providers' homes, with homes known; TRUE without: it narrows a subquery
// whose rows are matched against rows already in scope.
func (sc scope) homeRows(alias string) (string, []any) {
	if !sc.homesKnown {
		return "TRUE", nil
	}
	return alias + ".municipality_id IN (?)", []any{bun.In(append([]uuid.UUID{sc.municipalityID}, sc.homes...))}
}

// organisationsHere is the condition under which organisation alias belongs to the
// request's municipality's catalogue: its own, or an accepted provider's.
func (sc scope) organisationsHere(alias string) (string, []any) {
	// SECURITY: another municipality's organisation only when accepted and published.
	return sc.here(alias, "fritid_served_organisations")
}

// organisationReadable is organisationVisible for a read by ID: of the municipality and
// visible to the caller as organisationVisible says, or an accepted provider's (published
// only, whoever asks: the municipality's administrators and editors do not see a shared
// provider's drafts).
func (sc scope) organisationReadable(statuses []OrganisationStatus) (string, []any) {
	visible, args := sc.organisationVisible(statuses)
	// SECURITY: own rows as organisationVisible; shared ones only published and accepted.
	return "((o.municipality_id = ? AND " + visible + ") OR o.id IN (SELECT fritid_served_organisations(?)))",
		append(append([]any{sc.municipalityID}, args...), sc.municipalityID)
}

// activityReadable is organisationReadable for activities "a".
func (sc scope) activityReadable() (string, []any) {
	visible, args := sc.activityVisible()
	// SECURITY: own rows as activityVisible; shared ones only published and served here.
	if sc.homesKnown && len(sc.homes) == 0 {
		return "(a.municipality_id = ? AND " + visible + ")", append([]any{sc.municipalityID}, args...)
	}
	cond := "((a.municipality_id = ? AND " + visible + ") OR a.id IN (SELECT fritid_served_activities(?)))"
	all := append(append([]any{sc.municipalityID}, args...), sc.municipalityID)
	if sc.homesKnown {
		cond = "a.municipality_id IN (?) AND " + cond
		all = append([]any{bun.In(append([]uuid.UUID{sc.municipalityID}, sc.homes...))}, all...)
	}
	return cond, all
}

// sameSlugCategories is the subquery of the categories, in every municipality, with the
// slug of one of the categories given by its one placeholder: a filter by the request's
// municipality's categories finds a shared provider's items by its home categories of the
// same slug (the taxonomies are seeded alike).
const sameSlugCategories = `SELECT c2.id FROM categories c1 JOIN categories c2 ON c2.slug = c1.slug WHERE c1.id IN (?)`
