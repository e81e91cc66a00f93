package portal

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// findCategories returns every category of the municipality with its translations, in
// display order: two queries whatever the size of the tree.
func findCategories(ctx context.Context, db bun.IDB, municipalityID uuid.UUID) ([]*Category, error) {
	var cats []*Category
	err := db.NewSelect().Model(&cats).
		Relation("Translations", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("municipality_id = ?", municipalityID)
		}).
		Where("category.municipality_id = ?", municipalityID).
		Order("category.sort_order", "category.slug").
		Scan(ctx)
	return cats, database.MapError(err, "find categories", "category")
}

func insertCategory(ctx context.Context, db bun.IDB, c *Category) error {
	if _, err := db.NewInsert().Model(c).Returning("created_at, updated_at").Exec(ctx); err != nil {
		return database.MapError(err, "insert category", "category")
	}
	for _, t := range c.Translations {
		t.CategoryID, t.MunicipalityID = c.ID, c.MunicipalityID
	}
	if len(c.Translations) == 0 {
		return nil
	}
	_, err := db.NewInsert().Model(&c.Translations).Exec(ctx)
	return database.MapError(err, "insert category translations", "category")
}
