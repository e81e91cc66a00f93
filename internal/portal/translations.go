package portal

import (
	"context"
	"slices"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// Translations is every locale's texts of one item, for those who may edit it.
type Translations[T any] struct {
	// List is the item's texts, one per locale, by locale code.
	List []*T
	// Missing are the municipality's enabled locales the item has no texts in.
	Missing []string
}

// ActivityTranslations returns the translations of those of the activities (of the request's
// municipality) that the viewer may edit; the others are absent from the map. Two
// statements, whatever the number of activities.
func (s *Service) ActivityTranslations(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Translations[ActivityTranslation], error) {
	var ts []*ActivityTranslation
	return translationsOf(ctx, s.db, ids, "activities AS i", "i.organisation_id", &ts,
		func(q *bun.SelectQuery, ids []uuid.UUID) *bun.SelectQuery {
			return q.Where("activity_id IN (?)", bun.In(ids))
		},
		func() []*ActivityTranslation { return ts }, func(t *ActivityTranslation) (uuid.UUID, string) { return t.ActivityID, t.Locale })
}

// OrganisationTranslations is ActivityTranslations for organisations.
func (s *Service) OrganisationTranslations(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Translations[OrganisationTranslation], error) {
	var ts []*OrganisationTranslation
	return translationsOf(ctx, s.db, ids, "organisations AS i", "i.id", &ts,
		func(q *bun.SelectQuery, ids []uuid.UUID) *bun.SelectQuery {
			return q.Where("organisation_id IN (?)", bun.In(ids))
		},
		func() []*OrganisationTranslation { return ts }, func(t *OrganisationTranslation) (uuid.UUID, string) { return t.OrganisationID, t.Locale })
}

// translationsOf reads the translations of the editable ones of ids (items of table, owned
// by the organisation in orgCol) into rows and groups them by item.
func translationsOf[T any](ctx context.Context, db bun.IDB, ids []uuid.UUID, table, orgCol string, rows any,
	where func(*bun.SelectQuery, []uuid.UUID) *bun.SelectQuery, read func() []*T, key func(*T) (uuid.UUID, string),
) (map[uuid.UUID]*Translations[T], error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	editable, err := editableIDs(ctx, db, t.ID(), ids, table, orgCol)
	if err != nil || len(editable) == 0 {
		return nil, err
	}
	err = where(db.NewSelect().Model(rows), editable).Where("municipality_id = ?", t.ID()).Order("locale").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find translations", "translation")
	}
	out := make(map[uuid.UUID]*Translations[T], len(editable))
	for _, id := range editable {
		out[id] = &Translations[T]{List: []*T{}}
	}
	for _, r := range read() {
		id, _ := key(r)
		out[id].List = append(out[id].List, r)
	}
	enabled := t.EnabledCodes()
	for _, tr := range out {
		has := make([]string, 0, len(tr.List))
		for _, r := range tr.List {
			_, loc := key(r)
			has = append(has, loc)
		}
		tr.Missing = []string{}
		for _, code := range enabled {
			if !slices.Contains(has, code) {
				tr.Missing = append(tr.Missing, code)
			}
		}
	}
	return out, nil
}

// editableIDs returns those of ids (items of table in municipality mid) the viewer may edit.
func editableIDs(ctx context.Context, db bun.IDB, mid uuid.UUID, ids []uuid.UUID, table, orgCol string) ([]uuid.UUID, error) {
	v := auth.ViewerFrom(ctx)
	if v == nil || (v.User == nil && v.APIKey == nil) {
		return nil, nil
	}
	q := db.NewSelect().TableExpr(table).Column("i.id").Where("i.municipality_id = ? AND i.id IN (?)", mid, bun.In(ids))
	// SECURITY: every locale's texts are shown to those who may edit the item, as canEdit:
	// OWNER and EDITOR members of its organisation, administrators, municipal editors,
	// catalogue:write keys.
	if !editsEveryListing(v) {
		if v.User == nil {
			return nil, nil
		}
		q = q.Where("EXISTS (SELECT 1 FROM organisation_members m WHERE m.organisation_id = "+orgCol+
			" AND m.user_id = ? AND m.role IN ('OWNER', 'EDITOR'))", v.User.ID)
	}
	var out []uuid.UUID
	err := q.Scan(ctx, &out)
	return out, database.MapError(err, "find editable items", "item")
}
