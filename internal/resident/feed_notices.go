package resident

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/newsletter"
	"github.com/fritid/fritid/internal/platform/database"
)

// KindNotice is the feed item kind of a neighbourhood notice (package talk writes them).
const KindNotice = "notice"

// noticeSummaryLen bounds a notice's text shown as its summary in the feed.
const noticeSummaryLen = 300

// noticeRow is a notice as the feed reads it, with its texts in every language.
type noticeRow struct {
	ID              uuid.UUID `bun:"id,type:uuid"`
	NeighbourhoodID uuid.UUID `bun:"neighbourhood_id,type:uuid"`
	ValidFrom       time.Time `bun:"valid_from"`
	Locales         []string  `bun:"locales,array"`
	Titles          []string  `bun:"titles,array"`
	Bodies          []string  `bun:"bodies,array"`
}

// noticesSQL selects the notices of municipality ?0 shown at ?1 (in their window, not
// withdrawn) that started after ?2, of the neighbourhood ?3, or the notice ?4.
const noticesSQL = `SELECT n.id, n.neighbourhood_id, n.valid_from,
	array_agg(t.locale ORDER BY t.locale) AS locales, array_agg(t.title ORDER BY t.locale) AS titles,
	array_agg(t.body ORDER BY t.locale) AS bodies
	FROM neighbourhood_notices n JOIN neighbourhood_notice_texts t ON t.notice_id = n.id
	WHERE n.municipality_id = ?0 AND n.withdrawn_at IS NULL AND n.valid_from <= ?1 AND n.valid_until > ?1
	AND n.valid_from > ?2 AND (n.neighbourhood_id = ?3 OR n.id = ?4)
	GROUP BY n.id ORDER BY n.valid_from DESC, n.id LIMIT ?5`

// notices returns the notices shown now to a resident of neighbourhood nb that started in
// (since, now], or notice id, as feed items for a reader of chain.
func (s *Service) notices(ctx context.Context, mid uuid.UUID, nb *uuid.UUID, id uuid.UUID, since, now time.Time,
	chain []string) ([]*FeedItem, error) {
	if nb == nil && id == uuid.Nil {
		return nil, nil
	}
	var rows []noticeRow
	// SECURITY: the request's municipality, and only what the public sees now.
	err := s.db.NewRaw(noticesSQL, mid, now, since, nb, id, maxFeedItems).Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "find notices", "notice")
	}
	out := make([]*FeedItem, len(rows))
	for i, r := range rows {
		k := pick(r.Locales, chain)
		out[i] = &FeedItem{NewItem: newsletter.NewItem{Kind: KindNotice, ID: r.ID, PublishedAt: r.ValidFrom,
			NeighbourhoodIDs: []uuid.UUID{r.NeighbourhoodID}, Title: r.Titles[k],
			Summary: clip(r.Bodies[k], noticeSummaryLen), Locale: r.Locales[k]}}
	}
	return out, nil
}

// pick returns the index of the first language of chain among locales, else 0.
func pick(locales, chain []string) int {
	for _, c := range chain {
		if i := slices.Index(locales, c); i >= 0 {
			return i
		}
	}
	return 0
}

// clip returns s cut to at most n characters, with an ellipsis when cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
