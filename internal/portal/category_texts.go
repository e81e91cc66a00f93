package portal

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// SetCategoryTexts writes a category's name and description in one enabled locale, leaving
// its place in the taxonomy (slug, parent, icon, order) as it is. A locale without texts yet
// needs a name; clearing the name removes the locale's texts, except in the default
// language, where the name is required. Errors: UNAUTHENTICATED, FORBIDDEN (administrators,
// municipal editors and catalogue:write keys only), NOT_FOUND, BAD_USER_INPUT naming
// "locale", "input.name" or "input.description".
func (s *Service) SetCategoryTexts(ctx context.Context, id uuid.UUID, locale string,
	name, description Patch[string]) (*Category, error) {
	// SECURITY: the texts of the taxonomy are content: those who keep every listing.
	v, err := requireCatalogueEditor(ctx)
	if err != nil {
		return nil, err
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.CheckEnabled(locale, "locale"); err != nil {
		return nil, err
	}
	if name.Value, err = CheckText(name.Value, 200, "input.name"); err != nil {
		return nil, err
	}
	if description.Value, err = CheckText(description.Value, 5000, "input.description"); err != nil {
		return nil, err
	}
	tax, err := s.FindTaxonomy(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: the request's municipality's taxonomy only; another's category is NOT_FOUND.
	c, err := tax.ByID(id)
	if err != nil {
		return nil, err
	}
	tr := &CategoryTranslation{CategoryID: c.ID, MunicipalityID: t.ID(), Locale: locale}
	for _, old := range c.Translations {
		if old.Locale == locale {
			*tr = *old
		}
	}
	if name.Set {
		tr.Name = name.Value
	}
	if description.Set {
		tr.Description = description.Value
	}
	if tr.Name == "" && (locale == t.Municipality.DefaultLocale || tr.Description != "") {
		return nil, apperr.Invalid("input.name", "NameRequired", nil)
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := writeCategoryText(ctx, tx, tr); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: actor(v), Action: "set_category_texts",
			ItemType: "Category", ItemID: &c.ID, Fields: []string{"name", "description"}})
	})
	if err != nil {
		return nil, err
	}
	s.InvalidateCategories()
	return c, nil
}

// writeCategoryText stores tr, or removes its locale's texts when it has no name.
func writeCategoryText(ctx context.Context, tx bun.IDB, tr *CategoryTranslation) error {
	var err error
	if tr.Name == "" {
		_, err = tx.NewDelete().Model(tr).WherePK().Exec(ctx)
	} else {
		_, err = tx.NewInsert().Model(tr).
			On("CONFLICT (category_id, locale) DO UPDATE").
			Set("name = EXCLUDED.name, description = EXCLUDED.description").
			Exec(ctx)
	}
	if err != nil {
		return database.MapError(err, "write category texts", "category")
	}
	_, err = tx.ExecContext(ctx, "UPDATE categories SET updated_at = now() WHERE id = ?", tr.CategoryID)
	return database.MapError(err, "write category texts", "category")
}
