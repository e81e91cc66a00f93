package portal

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// maxLinks is how many links an organisation may show.
const maxLinks = 20

// applyLists replaces the organisation's links and categories when p sets them, and returns
// the API names of the lists changed. Categories change only once the municipality has
// approved the organisation: before, they are part of what it decides on. Errors:
// BAD_USER_INPUT naming "input.links[i].url", "input.links" (too many) or "input.categories"
// (an unknown category, or one of another municipality), CONFLICT naming
// "input.categories" (PENDING or REJECTED).
func (s *Service) applyLists(ctx context.Context, tx bun.IDB, o *Organisation, p OrganisationPatch) ([]string, error) {
	var fields []string
	if p.Links.Set {
		if err := writeLinks(ctx, tx, o, p.Links.Value); err != nil {
			return nil, err
		}
		fields = append(fields, "links")
	}
	if p.CategoryIDs.Set {
		if err := s.writeCategories(ctx, tx, o, p.CategoryIDs.Value); err != nil {
			return nil, err
		}
		fields = append(fields, "categories")
	}
	return fields, nil
}

// writeLinks validates links and replaces the organisation's with them, in order.
func writeLinks(ctx context.Context, tx bun.IDB, o *Organisation, links []LinkInput) error {
	if len(links) > maxLinks {
		return apperr.Invalid("input.links", "TooManyLinks", map[string]any{"Max": maxLinks})
	}
	rows := make([]*Link, 0, len(links))
	for i, l := range links {
		url, err := CheckURL(l.URL, fmt.Sprintf("input.links[%d].url", i))
		if err == nil && url == "" {
			err = apperr.Invalid(fmt.Sprintf("input.links[%d].url", i), "URLInvalid", nil)
		}
		if err != nil {
			return err
		}
		rows = append(rows, &Link{ID: newID(), OrganisationID: o.ID, MunicipalityID: o.MunicipalityID,
			Kind: l.Kind, URL: url, SortOrder: i + 1})
	}
	if _, err := tx.NewDelete().Model((*Link)(nil)).Where("organisation_id = ?", o.ID).Exec(ctx); err != nil {
		return database.MapError(err, "write links", "organisation")
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return database.MapError(err, "write links", "organisation")
}

// writeCategories checks ids against the municipality's taxonomy and replaces the
// organisation's categories with them.
func (s *Service) writeCategories(ctx context.Context, tx bun.IDB, o *Organisation, ids []uuid.UUID) error {
	if o.Status == OrganisationPending || o.Status == OrganisationRejected {
		return apperr.New(apperr.Conflict, "CategoriesAfterApproval").WithField("input.categories")
	}
	tax, err := s.FindTaxonomy(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tax.ByID(id); err != nil {
			return apperr.Invalid("input.categories", "UnknownCategory", nil)
		}
	}
	return execAll(ctx, tx, "write categories", "organisation", []stmt{
		{"DELETE FROM organisation_categories WHERE organisation_id = ?", []any{o.ID}},
		{`INSERT INTO organisation_categories (organisation_id, category_id, municipality_id)
			SELECT ?, unnest(?::uuid[]), ? ON CONFLICT DO NOTHING`, []any{o.ID, pgdialect.Array(ids), o.MunicipalityID}},
	})
}
