package tenant

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

func findMunicipalityBySlug(ctx context.Context, db bun.IDB, slug string) (*Municipality, error) {
	m := new(Municipality)
	err := db.NewSelect().Model(m).Where("slug = ?", slug).Scan(ctx)
	return m, database.MapError(err, "find municipality", "municipality")
}

func findMunicipalityByHost(ctx context.Context, db bun.IDB, host string) (*Municipality, error) {
	m := new(Municipality)
	err := db.NewSelect().Model(m).
		Where("id = (SELECT municipality_id FROM municipality_domains WHERE host = ?)", host).
		Scan(ctx)
	return m, database.MapError(err, "find municipality by host", "municipality")
}

// findOnlyMunicipality returns the municipality when exactly one exists.
func findOnlyMunicipality(ctx context.Context, db bun.IDB) (*Municipality, error) {
	var ms []*Municipality
	if err := db.NewSelect().Model(&ms).Limit(2).Scan(ctx); err != nil {
		return nil, database.MapError(err, "find municipalities", "municipality")
	}
	if len(ms) != 1 {
		return nil, nil
	}
	return ms[0], nil
}

func findLocales(ctx context.Context, db bun.IDB, municipalityID uuid.UUID) ([]*Locale, error) {
	var ls []*Locale
	err := db.NewSelect().Model(&ls).
		Where("municipality_id = ?", municipalityID).
		Order("sort_order", "code").
		Scan(ctx)
	return ls, database.MapError(err, "find locales", "locale")
}

func countMunicipalities(ctx context.Context, db bun.IDB) (int64, error) {
	n, err := db.NewSelect().Model((*Municipality)(nil)).Count(ctx)
	return n, database.MapError(err, "count municipalities", "municipality")
}

func insertMunicipality(ctx context.Context, db bun.IDB, m *Municipality, locales []*Locale) error {
	if _, err := db.NewInsert().Model(m).Returning("created_at, updated_at").Exec(ctx); err != nil {
		return database.MapError(err, "insert municipality", "municipality")
	}
	for _, l := range locales {
		l.MunicipalityID = m.ID
	}
	// Fallbacks point at earlier rows, so insert one by one in order.
	for _, l := range locales {
		if _, err := db.NewInsert().Model(l).Exec(ctx); err != nil {
			return database.MapError(err, "insert locale", "locale")
		}
	}
	return nil
}

func insertDomain(ctx context.Context, db bun.IDB, d *Domain) error {
	_, err := db.NewInsert().Model(d).Returning("created_at").Exec(ctx)
	return database.MapError(err, "insert domain", "domain")
}
