package resident

import (
	"context"
	"regexp"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// maxInterests bounds each kind of interest.
const maxInterests = 50

// localeRE is a language tag such as nb, en or pt-BR.
var localeRE = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// Interests are what a resident cares about: categories (each takes its subcategories
// along in the feed), age groups and languages an activity is held in.
type Interests struct {
	CategoryIDs []uuid.UUID          `bun:"category_ids,array"`
	AgeGroups   []portal.TargetGroup `bun:"age_groups,array"`
	Languages   []string             `bun:"languages,array"`
}

// Categories returns the categories' global IDs.
func (i *Interests) Categories() []string {
	out := make([]string, len(i.CategoryIDs))
	for k, id := range i.CategoryIDs {
		out[k] = relay.GlobalID("Category", id)
	}
	return out
}

// InterestsInput are interests to keep, by the categories' global IDs.
type InterestsInput struct {
	Categories []string
	AgeGroups  []portal.TargetGroup
	Languages  []string
}

// Things are what a resident keeps: favourites, a neighbourhood and interests.
type Things struct {
	// OwnerID is the owner's row (uuid.Nil for a person who has kept nothing yet), for the
	// data-subject report of what other packages keep for it.
	OwnerID uuid.UUID `bun:"-"`
	// Device is true when they are kept for a device, false for a signed-in person.
	Device     bool
	Favourites []*Favourite
	// NeighbourhoodID is the chosen neighbourhood, or nil.
	NeighbourhoodID *uuid.UUID `bun:"neighbourhood_id,type:uuid"`
	Interests
}

// MyThings returns what the caller (a device, or a person signed in with ID-porten) keeps:
// favourites still public, newest first, the neighbourhood and interests. Errors:
// UNAUTHENTICATED, FORBIDDEN.
func (s *Service) MyThings(ctx context.Context) (*Things, error) {
	o, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return s.things(ctx, o)
}

// things reads what o keeps.
func (s *Service) things(ctx context.Context, o *owner) (*Things, error) {
	th := &Things{OwnerID: o.ID, Device: o.device(), Interests: Interests{CategoryIDs: []uuid.UUID{},
		AgeGroups: []portal.TargetGroup{}, Languages: []string{}}}
	if o.ID == uuid.Nil {
		th.Favourites = []*Favourite{}
		return th, nil
	}
	// SECURITY: only the caller's own row.
	err := s.db.NewSelect().
		Table("resident_owners").
		Column("neighbourhood_id", "category_ids", "age_groups", "languages").
		Where("id = ? AND municipality_id = ?", o.ID, o.MID).
		Scan(ctx, th)
	if err != nil {
		return nil, database.MapError(err, "find resident", "resident")
	}
	if th.Favourites, err = s.favourites(ctx, o); err != nil {
		return nil, err
	}
	return th, nil
}

// SetNeighbourhood chooses the caller's neighbourhood (by global ID), or none (nil).
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "neighbourhoodId" for an ID of
// another type, NOT_FOUND naming it for a neighbourhood of another municipality or none.
func (s *Service) SetNeighbourhood(ctx context.Context, gid *string) (*Things, error) {
	o, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	var nb *uuid.UUID
	if gid != nil {
		id, err := relay.ParseTypedID(*gid, "Neighbourhood", "neighbourhoodId")
		if err != nil {
			return nil, err
		}
		// SECURITY: only a neighbourhood of the request's municipality.
		ok, err := s.db.NewSelect().
			Table("neighbourhoods").
			Where("id = ? AND municipality_id = ?", id, o.MID).
			Exists(ctx)
		if err != nil {
			return nil, database.MapError(err, "find neighbourhood", "neighbourhoodId")
		}
		if !ok {
			return nil, apperr.NotFoundf("neighbourhood").WithField("neighbourhoodId")
		}
		nb = &id
	}
	return s.update(ctx, o, func(q *bun.UpdateQuery) *bun.UpdateQuery { return q.Set("neighbourhood_id = ?", nb) })
}

// SetInterests replaces the caller's interests. Errors: UNAUTHENTICATED, FORBIDDEN;
// BAD_USER_INPUT naming "input.categories" (an ID of another type, or more than 50),
// "input.ageGroups" or "input.languages" (not a language tag, or more than 50); NOT_FOUND
// naming "input.categories" for a category of another municipality or none.
func (s *Service) SetInterests(ctx context.Context, in InterestsInput) (*Things, error) {
	o, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	ints, err := s.parseInterests(ctx, o, in)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, o, func(q *bun.UpdateQuery) *bun.UpdateQuery {
		return q.Set("category_ids = ?", pgdialect.Array(ints.CategoryIDs)).
			Set("age_groups = ?", pgdialect.Array(ints.AgeGroups)).
			Set("languages = ?", pgdialect.Array(ints.Languages))
	})
}

// parseInterests validates in against the catalogue of o's municipality.
func (s *Service) parseInterests(ctx context.Context, o *owner, in InterestsInput) (Interests, error) {
	out := Interests{CategoryIDs: []uuid.UUID{}, AgeGroups: dedupe(in.AgeGroups), Languages: dedupe(in.Languages)}
	for field, n := range map[string]int{"input.categories": len(in.Categories), "input.ageGroups": len(in.AgeGroups),
		"input.languages": len(in.Languages)} {
		if n > maxInterests {
			return out, apperr.Invalid(field, "InterestsTooMany", map[string]any{"Max": maxInterests}).
				WithReason("TOO_MANY")
		}
	}
	for _, l := range out.Languages {
		if len(l) > 35 || !localeRE.MatchString(l) {
			return out, apperr.Invalid("input.languages", "LocaleInvalid", nil)
		}
	}
	for _, g := range in.Categories {
		id, err := relay.ParseTypedID(g, "Category", "input.categories")
		if err != nil {
			return out, err
		}
		out.CategoryIDs = append(out.CategoryIDs, id)
	}
	out.CategoryIDs = dedupe(out.CategoryIDs)
	if len(out.CategoryIDs) == 0 {
		return out, nil
	}
	// SECURITY: only categories of the request's municipality.
	n, err := s.db.NewSelect().
		Table("categories").
		Where("municipality_id = ? AND id IN (?)", o.MID, bun.In(out.CategoryIDs)).
		Count(ctx)
	if err != nil {
		return out, database.MapError(err, "find categories", "input.categories")
	}
	if n != int64(len(out.CategoryIDs)) {
		return out, apperr.NotFoundf("category").WithField("input.categories")
	}
	return out, nil
}

// update changes o's row with set, making it for a person who kept nothing yet, and
// returns what o keeps then.
func (s *Service) update(ctx context.Context, o *owner, set func(*bun.UpdateQuery) *bun.UpdateQuery) (*Things, error) {
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		id, err := s.ensure(ctx, tx, o)
		if err != nil {
			return err
		}
		// SECURITY: only the caller's own row.
		_, err = set(tx.NewUpdate().Table("resident_owners")).
			Where("id = ? AND municipality_id = ?", id, o.MID).
			Exec(ctx)
		return database.MapError(err, "keep resident", "resident")
	})
	if err != nil {
		return nil, err
	}
	return s.things(ctx, o)
}

// dedupe returns xs without repeats, in first-seen order, never nil.
func dedupe[T comparable](xs []T) []T {
	out := make([]T, 0, len(xs))
	seen := map[T]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
