package portal

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// TranslationGap is a published activity or organisation of the municipality that has no
// texts in some of its enabled locales. Exactly one of ActivityID and OrganisationID is set.
type TranslationGap struct {
	ActivityID     *uuid.UUID
	OrganisationID *uuid.UUID
	// Missing are the enabled locales the item has no texts in, in the municipality's order.
	Missing []string
}

// TranslationGapConnection is a page of translation gaps: activities first, then
// organisations, each by ID.
type TranslationGapConnection struct {
	Edges    []*TranslationGapEdge
	PageInfo *relay.PageInfo
}

// TranslationGapEdge is a translation gap in a page, with its cursor.
type TranslationGapEdge struct {
	Cursor string
	Node   *TranslationGap
}

// orderGap is the one order of the translation gaps list; cursors carry it.
const orderGap Order = "GAP"

var gapSort = sortSpec{order: orderGap, expr: "g.kind", cast: "text", idCol: "g.id"}

// gapRow is one item lacking texts, with its kind ("a" activity, "o" organisation).
type gapRow struct {
	Kind    string    `bun:"kind"`
	ID      uuid.UUID `bun:"id"`
	Missing []string  `bun:"missing,array"`
	SortKey string    `bun:"sort_key"`
}

func (r *gapRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// gapsSQL lists the published activities and organisations of a municipality with the
// locales (of an ordered list) they have no texts in. Arguments: locales, municipality,
// locales, municipality.
const gapsSQL = `(SELECT 'a' AS kind, a.id, ARRAY(SELECT e.c FROM unnest(?::text[]) WITH ORDINALITY AS e(c, n)
		WHERE NOT EXISTS (SELECT 1 FROM activity_translations t WHERE t.activity_id = a.id AND t.locale = e.c) ORDER BY e.n) AS missing
	FROM activities a WHERE a.municipality_id = ? AND a.published
	UNION ALL
	SELECT 'o', o.id, ARRAY(SELECT e.c FROM unnest(?::text[]) WITH ORDINALITY AS e(c, n)
		WHERE NOT EXISTS (SELECT 1 FROM organisation_translations t WHERE t.organisation_id = o.id AND t.locale = e.c) ORDER BY e.n)
	FROM organisations o WHERE o.municipality_id = ? AND o.status = 'PUBLISHED') AS g`

// FindTranslationGaps returns a page of the municipality's published activities and
// organisations that have no texts in locale (an enabled one), or, when locale is empty, in
// any enabled locale. One statement per page. Errors: UNAUTHENTICATED, FORBIDDEN (neither
// an administrator nor a catalogue:write key), BAD_USER_INPUT naming "locale" or a cursor.
func (s *Service) FindTranslationGaps(ctx context.Context, locale string, page relay.Page) (*TranslationGapConnection, error) {
	// SECURITY: the list is for those who may edit every item, as canEdit: administrators
	// and municipal editors of the request's municipality, and catalogue:write keys.
	if _, err := requireCatalogueEditor(ctx); err != nil {
		return nil, err
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if locale != "" {
		if err := t.CheckEnabled(locale, "locale"); err != nil {
			return nil, err
		}
	}
	codes := pgdialect.Array(t.EnabledCodes())
	var rows []*gapRow
	q := s.db.NewSelect().TableExpr(gapsSQL, codes, t.ID(), codes, t.ID()).ColumnExpr("g.kind, g.id, g.missing")
	if locale != "" {
		q = q.Where("? = ANY(g.missing)", locale)
	} else {
		q = q.Where("cardinality(g.missing) > 0")
	}
	if q, err = gapSort.apply(q, page); err != nil {
		return nil, err
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find translation gaps", "item")
	}
	rows, cursors, info := pageOf(rows, orderGap, page)
	conn := &TranslationGapConnection{PageInfo: info, Edges: make([]*TranslationGapEdge, len(rows))}
	for i, r := range rows {
		g := &TranslationGap{Missing: r.Missing}
		if r.Kind == "a" {
			g.ActivityID = &r.ID
		} else {
			g.OrganisationID = &r.ID
		}
		conn.Edges[i] = &TranslationGapEdge{Cursor: cursors[i], Node: g}
	}
	return conn, nil
}
