package portal

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/database"
)

// Feature is an item on the map: a published activity or organisation with a location.
type Feature struct {
	ID         uuid.UUID `bun:"id,type:uuid"`
	Slug       string    `bun:"slug"`
	Name       string    `bun:"name"`
	Free       bool      `bun:"free"`
	Lat        float64   `bun:"lat"`
	Lon        float64   `bun:"lon"`
	Categories []string  `bun:"categories,array"`
}

// MaxFeatures is the most features one map request returns; narrow with within.
const MaxFeatures = 5000

// ActivityFeatures returns the published activities with a location that match f, by name,
// at most MaxFeatures, and whether there were more. Errors as FindActivities.
func (s *Service) ActivityFeatures(ctx context.Context, f Filter) ([]Feature, bool, error) {
	// SECURITY: published activities of the request's municipality only (whereActivities).
	sc, _, err := s.prepare(ctx, &f, nil, "filter")
	if err != nil {
		return nil, false, err
	}
	var out []Feature
	q := s.reader(ctx).NewSelect().TableExpr("activities AS a").
		ColumnExpr("a.id, a.slug, a.lat, a.lon, a.price_ore = 0 AS free").
		ColumnExpr(nameExpr(sc) + " AS name").
		ColumnExpr("ARRAY(SELECT c.slug FROM activity_categories ac JOIN categories c ON c.id = ac.category_id WHERE ac.activity_id = a.id ORDER BY c.sort_order) AS categories").
		Where("a.lat IS NOT NULL")
	q = whereActivities(q, sc, &f).OrderExpr(nameExpr(sc) + ", a.id").Limit(MaxFeatures + 1)
	if err := q.Scan(ctx, &out); err != nil {
		return nil, false, database.MapError(err, "activity features", "activity")
	}
	return trimFeatures(out)
}

// OrganisationFeatures returns the published organisations with a location that match f;
// an organisation is free when it has a free published activity.
func (s *Service) OrganisationFeatures(ctx context.Context, f Filter) ([]Feature, bool, error) {
	// SECURITY: published organisations of the request's municipality only.
	sc, _, err := s.prepare(ctx, &f, nil, "filter")
	if err != nil {
		return nil, false, err
	}
	var out []Feature
	q := s.reader(ctx).NewSelect().TableExpr("organisations AS o").
		ColumnExpr("o.id, o.slug, o.name, o.lat, o.lon").
		ColumnExpr("EXISTS (SELECT 1 FROM activities a WHERE a.organisation_id = o.id AND a.published AND a.price_ore = 0) AS free").
		ColumnExpr("ARRAY(SELECT c.slug FROM organisation_categories oc JOIN categories c ON c.id = oc.category_id WHERE oc.organisation_id = o.id ORDER BY c.sort_order) AS categories").
		Where("o.lat IS NOT NULL")
	q = whereOrganisations(q, sc, &f).OrderExpr(`o.name COLLATE "nb-x-icu", o.id`).Limit(MaxFeatures + 1)
	if err := q.Scan(ctx, &out); err != nil {
		return nil, false, database.MapError(err, "organisation features", "organisation")
	}
	return trimFeatures(out)
}

func trimFeatures(fs []Feature) ([]Feature, bool, error) {
	if len(fs) > MaxFeatures {
		return fs[:MaxFeatures], true, nil
	}
	return fs, false, nil
}
