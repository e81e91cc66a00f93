package portal

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// SetOrganisationTranslation writes an organisation's texts in one locale: an omitted
// field keeps its text, an empty one clears it. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, BAD_USER_INPUT naming "locale" (not enabled in the municipality) or a field.
func (s *Service) SetOrganisationTranslation(ctx context.Context, id uuid.UUID, locale string, summary, description Patch[string]) (*Organisation, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.CheckEnabled(locale, "locale"); err != nil {
		return nil, err
	}
	var fields []string
	tr := &OrganisationTranslation{OrganisationID: id, MunicipalityID: t.ID(), Locale: locale}
	for _, f := range []struct {
		p    Patch[string]
		dst  *string
		name string
		max  int
	}{{summary, &tr.Summary, "summary", 1000}, {description, &tr.Description, "description", 20000}} {
		if !f.p.Set {
			continue
		}
		v, err := CheckText(f.p.Value, f.max, "input."+f.name)
		if err != nil {
			return nil, err
		}
		*f.dst, fields = v, append(fields, f.name)
	}
	var out *Organisation
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		o, v, err := s.canEdit(ctx, tx, id)
		if err != nil {
			return err
		}
		out = o
		if len(fields) == 0 {
			return nil
		}
		q := tx.NewInsert().Model(tr).On("CONFLICT (organisation_id, locale) DO UPDATE")
		for _, f := range fields {
			q = q.Set("? = EXCLUDED.?", bun.Ident(f), bun.Ident(f))
		}
		if _, err := q.Exec(ctx); err != nil {
			return database.MapError(err, "set organisation translation", "organisation")
		}
		if _, err := tx.NewUpdate().Model(o).Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
			return database.MapError(err, "touch organisation", "organisation")
		}
		if err := s.saveRevision(ctx, tx, t.ID(), "Organisation", o.ID, actor(v)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: actor(v), Action: "set_organisation_translation",
			ItemType: "Organisation", ItemID: &o.ID, Fields: prefixed(locale, fields)})
	})
	return out, err
}

func prefixed(locale string, fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f + "." + locale
	}
	return out
}
