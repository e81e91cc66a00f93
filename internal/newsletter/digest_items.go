package newsletter

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// What a digest's issue holds: the municipality's
//
//   - activities that became public (they and their organisation published) in the period;
//   - events first published in the period that are still to come, published, not
//     cancelled and of the municipality or a published organisation (a recurring series
//     once, by its next occurrence);
//   - articles whose first language still public was published in the period;
//
// each as the public sees it now, at most maxDigestItems of each. An item goes to a reader
// (the list, then each subscriber) when, in each of categories, neighbourhoods and age
// groups, the reader picked nothing, the item names nothing, or they share one: an item
// for everyone goes to all, an interest narrows only what is tagged. A category picked
// takes its subcategories along.

// maxDigestItems bounds each kind of item in one issue.
const maxDigestItems = 50

// itemKind is what a digest item is.
type itemKind string

// The kinds, in the order an issue shows them.
const (
	kindActivity itemKind = "activity"
	kindEvent    itemKind = "event"
	kindArticle  itemKind = "article"
)

// digestItem is one new activity, event or article with its texts in every language.
type digestItem struct {
	Kind        itemKind   `bun:"kind"`
	ID          uuid.UUID  `bun:"id,type:uuid"`
	Slug        string     `bun:"slug"`
	PublishedAt time.Time  `bun:"published_at"`
	StartsAt    *time.Time `bun:"starts_at"`
	AllDay      bool       `bun:"all_day"`
	TimeZone    string     `bun:"time_zone"`
	// OrganisationID is the item's organisation (nil: the municipality's own).
	OrganisationID *uuid.UUID `bun:"organisation_id,type:uuid"`
	// Languages are the languages an activity is held in (empty: not said).
	Languages []string `bun:"languages,array"`
	Interests

	texts map[string]itemText
}

// itemText is an item's title and summary in one language.
type itemText struct {
	ItemID  uuid.UUID `bun:"item_id,type:uuid"`
	Locale  string    `bun:"locale"`
	Title   string    `bun:"title"`
	Summary string    `bun:"summary"`
}

// text returns the item's title and summary for a reader of chain: each field from the
// first language along chain that has it, else from any other (as the portal shows it).
func (it *digestItem) text(chain []string) itemText {
	order := slices.Clone(chain)
	rest := make([]string, 0, len(it.texts))
	for loc := range it.texts {
		if !slices.Contains(chain, loc) {
			rest = append(rest, loc)
		}
	}
	sort.Strings(rest)
	var out itemText
	for _, loc := range append(order, rest...) {
		x, ok := it.texts[loc]
		if !ok {
			continue
		}
		if out.Title == "" {
			out.Title, out.Locale = x.Title, loc
		}
		if out.Summary == "" {
			out.Summary = x.Summary
		}
	}
	return out
}

// digest is what one issue of a digest list takes: the items of its period.
type digest struct {
	tenant       *tenant.Tenant
	list         *List
	since, until time.Time
	items        []*digestItem
}

// itemsFor returns the items of dg for a subscriber with interests ints.
func (dg *digest) itemsFor(ints Interests) []*digestItem {
	var out []*digestItem
	for _, it := range dg.items {
		if takes(ints, it.Interests) {
			out = append(out, it)
		}
	}
	return out
}

// chain returns the order of languages a reader of locale gets texts in.
func (dg *digest) chain(locale string) []string {
	return i18n.Chain(locale, dg.tenant.FallbackOf, dg.tenant.Municipality.DefaultLocale)
}

// takes reports whether an item with interests item goes to a reader who picked reader.
func takes(reader, item Interests) bool {
	return narrows(reader.CategoryIDs, item.CategoryIDs) && narrows(reader.NeighbourhoodIDs, item.NeighbourhoodIDs) &&
		narrows(reader.AgeGroups, item.AgeGroups)
}

// narrows reports whether one dimension lets an item through: either side names nothing,
// or they share one.
func narrows[T comparable](picked, tagged []T) bool {
	if len(picked) == 0 || len(tagged) == 0 {
		return true
	}
	for _, p := range picked {
		if slices.Contains(tagged, p) {
			return true
		}
	}
	return false
}

// loadDigest reads the items l takes for the period since to until, as public at now,
// with l's texts.
func (s *Service) loadDigest(ctx context.Context, db bun.IDB, t *tenant.Tenant, l *List, since, until,
	now time.Time,
) (*digest, error) {
	if err := loadListTexts(ctx, db, l); err != nil {
		return nil, err
	}
	dg := &digest{tenant: t, list: l, since: since, until: until}
	all, err := newItems(ctx, db, t.ID(), since, until, now, maxDigestItems)
	if err != nil {
		return nil, err
	}
	for _, it := range all {
		if takes(l.Interests, it.Interests) {
			dg.items = append(dg.items, it)
		}
	}
	return dg, nil
}

// newItems reads municipality mid's activities, events and articles that became public in
// (since, until], as public at now, at most limit of each kind, with their texts in every
// language and their categories' ancestors; items without any text are left out.
func newItems(ctx context.Context, db bun.IDB, mid uuid.UUID, since, until, now time.Time, limit int,
) ([]*digestItem, error) {
	var all []*digestItem
	queries := []*bun.SelectQuery{newActivities(db, mid, since, until),
		newEvents(db, mid, since, until, now), newArticles(db, mid, since, until, now)}
	for _, q := range queries {
		var items []*digestItem
		if err := q.Limit(int64(limit)).Scan(ctx, &items); err != nil {
			return nil, database.MapError(err, "find digest items", "list")
		}
		all = append(all, items...)
	}
	if err := withTexts(ctx, db, mid, all, now); err != nil {
		return nil, err
	}
	parents, err := categoryParents(ctx, db, mid)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, it := range all {
		it.CategoryIDs = withAncestors(it.CategoryIDs, parents)
		if len(it.texts) > 0 {
			out = append(out, it)
		}
	}
	return out, nil
}

// newActivities selects the activities that became public in (since, until], newest first.
func newActivities(db bun.IDB, mid uuid.UUID, since, until time.Time) *bun.SelectQuery {
	return db.NewSelect().TableExpr("activities AS a").
		Join("JOIN first_publications AS fp ON fp.item_id = a.id").
		ColumnExpr("'activity' AS kind, a.id, a.slug, fp.published_at, a.organisation_id, a.languages").
		ColumnExpr("ARRAY(SELECT c.category_id FROM activity_categories c WHERE c.activity_id = a.id) AS category_ids").
		ColumnExpr(`ARRAY(SELECT n.neighbourhood_id FROM activity_neighbourhoods n WHERE n.activity_id = a.id)
			AS neighbourhood_ids`).
		ColumnExpr("a.target_groups AS age_groups").
		Where("a.municipality_id = ? AND a.published", mid).
		Where("fp.municipality_id = ? AND fp.kind = 'activity' AND fp.published_at > ? AND fp.published_at <= ?",
			mid, since, until).
		OrderExpr("fp.published_at DESC, a.id")
}

// newEvents selects the events first published in (since, until] that are to come at now,
// a series by its next occurrence, soonest first.
func newEvents(db bun.IDB, mid uuid.UUID, since, until, now time.Time) *bun.SelectQuery {
	// A series' occurrences share its first publication (that of its first occurrence
	// published), so later occurrences are not news.
	firsts := db.NewSelect().TableExpr("events AS e").DistinctOn("coalesce(e.series_id, e.id)").
		Join("JOIN first_publications AS fp ON fp.item_id = coalesce(e.series_id, e.id)").
		ColumnExpr("'event' AS kind, e.id, e.slug, e.starts_at, e.all_day, e.time_zone, fp.published_at").
		ColumnExpr("e.organisation_id, '{}'::text[] AS languages").
		ColumnExpr("ARRAY(SELECT c.category_id FROM event_categories c WHERE c.event_id = e.id) AS category_ids").
		ColumnExpr(`ARRAY(SELECT n.neighbourhood_id FROM venue_neighbourhoods n WHERE n.venue_id = e.venue_id)
			AS neighbourhood_ids`).
		ColumnExpr("e.target_groups AS age_groups").
		Where("e.municipality_id = ? AND e.publication = 'PUBLISHED' AND e.status <> 'CANCELLED'", mid).
		Where(organisationPublished).
		Where("e.starts_at > ?", now).
		Where("fp.municipality_id = ? AND fp.kind = 'event' AND fp.published_at > ? AND fp.published_at <= ?",
			mid, since, until).
		OrderExpr("coalesce(e.series_id, e.id), e.starts_at")
	return db.NewSelect().TableExpr("(?) AS f", firsts).ColumnExpr("f.*").OrderExpr("f.starts_at, f.id")
}

// organisationPublished is the condition that event "e" is the municipality's or its
// organisation's, published (as the public calendar has it).
const organisationPublished = `(e.organisation_id IS NULL OR EXISTS (SELECT 1 FROM organisations po
	WHERE po.id = e.organisation_id AND po.status = 'PUBLISHED'))`

// articlePublicSQL is the condition that translation "t" is public at a time.
const articlePublicSQL = "t.publish_at <= ? AND (t.unpublish_at IS NULL OR t.unpublish_at > ?)"

// newArticles selects the articles public at now whose first public language was published
// in (since, until], newest first.
func newArticles(db bun.IDB, mid uuid.UUID, since, until, now time.Time) *bun.SelectQuery {
	return db.NewSelect().TableExpr("articles AS a").
		Join(`JOIN LATERAL (SELECT min(t.publish_at) AS published_at FROM article_translations t
			WHERE t.article_id = a.id AND `+articlePublicSQL+`) AS pub ON pub.published_at IS NOT NULL`, now, now).
		ColumnExpr("'article' AS kind, a.id, a.slug, pub.published_at, a.organisation_id, '{}'::text[] AS languages").
		ColumnExpr("ARRAY(SELECT c.category_id FROM article_categories c WHERE c.article_id = a.id) AS category_ids").
		ColumnExpr(`ARRAY(SELECT n.neighbourhood_id FROM article_neighbourhoods n WHERE n.article_id = a.id)
			AS neighbourhood_ids`).
		ColumnExpr("'{}'::text[] AS age_groups").
		Where("a.municipality_id = ? AND pub.published_at > ? AND pub.published_at <= ?", mid, since, until).
		OrderExpr("pub.published_at DESC, a.id")
}

// withTexts reads the items' titles and summaries in every language (an article's in the
// languages public at now).
func withTexts(ctx context.Context, db bun.IDB, mid uuid.UUID, items []*digestItem, now time.Time) error {
	ids := map[itemKind][]uuid.UUID{}
	byID := map[uuid.UUID]*digestItem{}
	for _, it := range items {
		ids[it.Kind] = append(ids[it.Kind], it.ID)
		byID[it.ID], it.texts = it, map[string]itemText{}
	}
	tables := map[itemKind][2]string{kindActivity: {"activity_translations", "activity_id"},
		kindEvent: {"event_translations", "event_id"}, kindArticle: {"article_translations", "article_id"}}
	for kind, some := range ids {
		var texts []itemText
		q := db.NewSelect().TableExpr(tables[kind][0]+" AS t").
			ColumnExpr("t."+tables[kind][1]+" AS item_id, t.locale, t.title, t.summary").
			Where("t.municipality_id = ? AND t."+tables[kind][1]+" IN (?) AND t.title <> ''", mid, bun.In(some))
		if kind == kindArticle {
			q = q.Where(articlePublicSQL, now, now)
		}
		if err := q.Scan(ctx, &texts); err != nil {
			return database.MapError(err, "find digest texts", "list")
		}
		for _, x := range texts {
			byID[x.ItemID].texts[x.Locale] = x
		}
	}
	return nil
}

// categoryParents returns each subcategory's parent in municipality mid.
func categoryParents(ctx context.Context, db bun.IDB, mid uuid.UUID) (map[uuid.UUID]uuid.UUID, error) {
	var rows []struct {
		ID     uuid.UUID `bun:"id,type:uuid"`
		Parent uuid.UUID `bun:"parent_id,type:uuid"`
	}
	err := db.NewSelect().TableExpr("categories").Column("id", "parent_id").
		Where("municipality_id = ? AND parent_id IS NOT NULL", mid).Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "find categories", "list")
	}
	out := make(map[uuid.UUID]uuid.UUID, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Parent
	}
	return out, nil
}

// withAncestors returns ids with every ancestor category added, so that an item in a
// subcategory reaches those who picked its parent.
func withAncestors(ids []uuid.UUID, parents map[uuid.UUID]uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	for _, id := range ids {
		for p, ok := parents[id]; ok && !slices.Contains(out, p) && len(out) < 64; p, ok = parents[p] {
			out = append(out, p)
		}
	}
	return out
}
