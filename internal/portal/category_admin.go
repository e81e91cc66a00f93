package portal

import (
	"context"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// CategoryInput adds a category (ID nil) or replaces one's fields and names.
type CategoryInput struct {
	ID        *uuid.UUID
	Slug      string
	ParentID  *uuid.UUID
	Icon      string
	SortOrder int
	// Names by locale; each locale must be one of the municipality's.
	Names map[string]string
	// Descriptions by locale, beside the names (a description needs a name in its locale).
	Descriptions map[string]string
}

// SaveCategory adds or changes a category of the taxonomy. Errors: UNAUTHENTICATED,
// FORBIDDEN (administrators only), NOT_FOUND, CONFLICT (slug taken), BAD_USER_INPUT naming
// the field (slug, parent that is itself or its own descendant, a name missing in the
// default language, a locale the municipality lacks).
func (s *Service) SaveCategory(ctx context.Context, in CategoryInput) (*Category, error) {
	// SECURITY: only an administrator of the request's municipality changes the taxonomy.
	v, t, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.validateCategory(ctx, t, in)
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewInsert().Model(c).On("CONFLICT (id) DO UPDATE").
			Set("slug = EXCLUDED.slug, parent_id = EXCLUDED.parent_id, icon = EXCLUDED.icon, sort_order = EXCLUDED.sort_order, updated_at = now()")
		if _, err := q.Exec(ctx); err != nil {
			return conflictOn(database.MapError(err, "save category", "category"), "slug")
		}
		if _, err := tx.NewDelete().Model((*CategoryTranslation)(nil)).Where("category_id = ?", c.ID).Exec(ctx); err != nil {
			return database.MapError(err, "save category names", "category")
		}
		if _, err := tx.NewInsert().Model(&c.Translations).Exec(ctx); err != nil {
			return database.MapError(err, "save category names", "category")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: "save_category", ItemType: "Category", ItemID: &c.ID, Fields: []string{"slug", "parent", "icon", "sortOrder", "names"}})
	})
	if err != nil {
		return nil, err
	}
	s.InvalidateCategories()
	return c, nil
}

func (s *Service) validateCategory(ctx context.Context, t *tenant.Tenant, in CategoryInput) (*Category, error) {
	if !slugPattern.MatchString(in.Slug) {
		return nil, apperr.Invalid("input.slug", "SlugInvalid", nil)
	}
	if strings.TrimSpace(in.Names[t.Municipality.DefaultLocale]) == "" {
		return nil, apperr.Invalid("input.names", "NameRequired", nil)
	}
	tax, err := s.FindTaxonomy(ctx)
	if err != nil {
		return nil, err
	}
	c := &Category{ID: newID(), MunicipalityID: t.ID(), Slug: in.Slug, ParentID: in.ParentID, Icon: in.Icon, SortOrder: in.SortOrder}
	if in.ID != nil {
		if _, err := tax.ByID(*in.ID); err != nil {
			return nil, err
		}
		c.ID = *in.ID
	}
	if in.ParentID != nil {
		p, err := tax.ByID(*in.ParentID)
		if err != nil {
			return nil, apperr.Invalid("input.parentId", "UnknownCategory", nil)
		}
		for a := p; a != nil; a = a.Parent { // no cycles: the parent is not the category or below it
			if a.ID == c.ID {
				return nil, apperr.Invalid("input.parentId", "ParentCycle", nil)
			}
		}
	}
	for loc, name := range in.Names {
		if t.Locale(loc) == nil {
			return nil, apperr.Invalid("input.names", "LocaleNotEnabled", map[string]any{"Locale": loc})
		}
		desc, err := CheckText(in.Descriptions[loc], 5000, "input.names")
		if err != nil {
			return nil, err
		}
		if name = strings.TrimSpace(name); name != "" {
			c.Translations = append(c.Translations, &CategoryTranslation{CategoryID: c.ID, MunicipalityID: t.ID(),
				Locale: loc, Name: name, Description: desc})
		}
	}
	return c, nil
}

// DeleteCategory removes a category and its sub-categories; items keep their other
// categories. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) DeleteCategory(ctx context.Context, id uuid.UUID) error {
	// SECURITY: only an administrator of the request's municipality changes the taxonomy.
	v, t, err := requireAdmin(ctx)
	if err != nil {
		return err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*Category)(nil)).Where("id = ? AND municipality_id = ?", id, t.ID()).Exec(ctx)
		if err != nil {
			return database.MapError(err, "delete category", "category")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("category")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: "delete_category", ItemType: "Category", ItemID: &id})
	})
	if err == nil {
		s.InvalidateCategories()
	}
	return err
}

// conflictOn names field on a CONFLICT error.
func conflictOn(err error, field string) error {
	if e := apperr.As(err); e != nil && e.Code == apperr.Conflict {
		return e.WithField("input." + field)
	}
	return err
}

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
