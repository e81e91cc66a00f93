// Package portal holds the association portal's catalogue: categories now; organisations,
// activities, venues, neighbourhoods, search and geo as they arrive.
package portal

import (
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
)

// Category is a node of a municipality's translated category taxonomy (møteplasser).
type Category struct {
	bun.BaseModel `bun:"table:categories"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID  `bun:"municipality_id,type:uuid"`
	ParentID       *uuid.UUID `bun:"parent_id,type:uuid"`
	Slug           string     `bun:"slug"`
	Icon           string     `bun:"icon"`
	SortOrder      int        `bun:"sort_order"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	Translations []*CategoryTranslation `bun:"rel:has-many,join:id=category_id"`
	// Parent and Children are filled when the whole taxonomy is loaded.
	Parent   *Category   `bun:"-"`
	Children []*Category `bun:"-"`

	// Name, Description and TextLocale are the texts in one locale chain, set by
	// Taxonomy.Localise: each falls back along the chain on its own; TextLocale is the name's.
	Name        string `bun:"-"`
	Description string `bun:"-"`
	TextLocale  string `bun:"-"`
}

// GlobalID returns the category's global ID.
func (c *Category) GlobalID() string { return relay.GlobalID("Category", c.ID) }

// Localise sets every category's texts for the locale chain. A taxonomy is localised once,
// for the one request that loaded it.
func (t *Taxonomy) Localise(chain []string) {
	for _, c := range t.byID {
		tr := c.Text(chain)
		c.Name, c.TextLocale = tr.Name, tr.Locale
		c.Description = pickField(chain, c.Translations, func(t *CategoryTranslation) string { return t.Locale },
			func(t *CategoryTranslation) string { return t.Description })
	}
}

// CategoryTranslation is a category's text in one locale.
type CategoryTranslation struct {
	bun.BaseModel `bun:"table:category_translations"`

	CategoryID     uuid.UUID `bun:"category_id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Locale         string    `bun:"locale,pk"`
	Name           string    `bun:"name"`
	Description    string    `bun:"description"`
}

// Text returns the category's translation for the first locale of chain that has one,
// or an empty translation when none has.
func (c *Category) Text(chain []string) *CategoryTranslation {
	byLocale := make(map[string]*CategoryTranslation, len(c.Translations))
	for _, t := range c.Translations {
		byLocale[t.Locale] = t
	}
	if t, _, ok := i18n.Pick(chain, byLocale); ok {
		return t
	}
	if len(c.Translations) > 0 {
		return c.Translations[0]
	}
	return &CategoryTranslation{CategoryID: c.ID}
}

// Taxonomy is a municipality's whole category tree.
type Taxonomy struct {
	// Roots are the top-level categories in display order.
	Roots []*Category
	byID  map[uuid.UUID]*Category
	slugs map[string]*Category
}

// ByID returns the category with id. Errors: NOT_FOUND.
func (t *Taxonomy) ByID(id uuid.UUID) (*Category, error) {
	if c := t.byID[id]; c != nil {
		return c, nil
	}
	return nil, apperr.NotFoundf("category")
}

// All returns every category of the tree, in the order an item's categories are shown:
// by sort order, then slug.
func (t *Taxonomy) All() []*Category {
	out := make([]*Category, 0, len(t.byID))
	for _, c := range t.byID {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *Category) int {
		return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), cmp.Compare(a.Slug, b.Slug))
	})
	return out
}

// BySlug returns the category with slug. Errors: NOT_FOUND.
func (t *Taxonomy) BySlug(slug string) (*Category, error) {
	if c := t.slugs[slug]; c != nil {
		return c, nil
	}
	return nil, apperr.NotFoundf("category")
}

// newTaxonomy links categories (sorted by sort order) into a tree.
func newTaxonomy(cats []*Category) *Taxonomy {
	t := &Taxonomy{byID: make(map[uuid.UUID]*Category, len(cats)), slugs: make(map[string]*Category, len(cats))}
	for _, c := range cats {
		t.byID[c.ID], t.slugs[c.Slug] = c, c
		c.Children = []*Category{}
	}
	for _, c := range cats {
		if c.ParentID == nil {
			t.Roots = append(t.Roots, c)
		} else if p := t.byID[*c.ParentID]; p != nil {
			c.Parent = p
			p.Children = append(p.Children, c)
		}
	}
	return t
}

// withDescendants returns ids with every descendant of each, without duplicates. Errors:
// BAD_USER_INPUT naming field for an ID that is not a category of the municipality.
func (t *Taxonomy) withDescendants(ids []uuid.UUID, field string) ([]uuid.UUID, error) {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	var add func(c *Category)
	add = func(c *Category) {
		if seen[c.ID] {
			return
		}
		seen[c.ID] = true
		out = append(out, c.ID)
		for _, ch := range c.Children {
			add(ch)
		}
	}
	for _, id := range ids {
		c := t.byID[id]
		if c == nil {
			return nil, apperr.Invalid(field, "UnknownCategory", nil)
		}
		add(c)
	}
	return out, nil
}
