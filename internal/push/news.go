package push

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"time"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// scanNews queues the messages of the news articles published (in the municipality's
// default language) for one or more neighbourhoods, to the residents who chose one of them.
func (s *Service) scanNews(ctx context.Context, tx bun.Tx, now time.Time) (int, int, error) {
	var items []item
	err := tx.NewRaw(`WITH a AS (INSERT INTO push_announced (municipality_id, kind, item_id)
			SELECT a.municipality_id, ?0, a.id FROM articles a
			JOIN municipalities m ON m.id = a.municipality_id
			JOIN article_translations t ON t.article_id = a.id AND t.locale = m.default_locale
			WHERE t.publish_at > ?1 AND t.publish_at <= ?2 AND (t.unpublish_at IS NULL OR t.unpublish_at > ?2)
			AND EXISTS (SELECT 1 FROM article_neighbourhoods n WHERE n.article_id = a.id)
			AND NOT EXISTS (SELECT 1 FROM push_announced pa WHERE pa.kind = ?0 AND pa.item_id = a.id)
			ORDER BY t.publish_at LIMIT ?3
			ON CONFLICT DO NOTHING RETURNING municipality_id, item_id)
		SELECT a.municipality_id, a.item_id, ar.slug, m.time_zone, m.default_locale
		FROM a JOIN articles ar ON ar.id = a.item_id JOIN municipalities m ON m.id = a.municipality_id`,
		KindNeighbourhoodNews, now.Add(-Lookback), now, scanBatch).Scan(ctx, &items)
	if err != nil {
		return 0, 0, database.MapError(err, "announce articles", "push")
	}
	total := 0
	for _, it := range items {
		n, err := s.enqueue(ctx, tx, &campaign{mid: it.MunicipalityID, kind: KindNeighbourhoodNews,
			where: `s.owner_id IN (SELECT ro.id FROM resident_owners ro JOIN article_neighbourhoods n
				ON n.neighbourhood_id = ro.neighbourhood_id WHERE n.article_id = ?)`,
			args: []any{it.ID}, render: s.articleTexts(ctx, tx, it, now)})
		if err != nil {
			return 0, 0, err
		}
		total += n
	}
	return len(items), total, nil
}

// articleTexts returns the renderer of an article's message: its title in the language
// asked if that one is public by now, else in the default language.
func (s *Service) articleTexts(ctx context.Context, tx bun.IDB, it item, now time.Time) func(string) (*Payload, error) {
	return func(locale string) (*Payload, error) {
		var title string
		err := tx.NewSelect().Table("article_translations").Column("title").
			Where("article_id = ? AND title <> '' AND publish_at <= ? AND (unpublish_at IS NULL OR unpublish_at > ?)",
				it.ID, now, now).
			OrderExpr("locale = ? DESC, locale = ? DESC, locale", locale, it.DefaultLocale).Limit(1).
			Scan(ctx, &title)
		if err != nil && !noRows(err) {
			return nil, database.MapError(err, "find article title", "push")
		}
		link := s.opt.PublicURL + "/nyheter/" + url.PathEscape(it.Slug) + "?lang=" + url.QueryEscape(locale)
		return s.texts(locale, it.DefaultLocale, "PushNeighbourhoodNews", map[string]any{"Title": title}, link), nil
	}
}

// noRows reports whether err is a query's "no rows".
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
