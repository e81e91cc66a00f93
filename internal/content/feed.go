package content

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// FeedItem is an article as a feed of one language shows it.
type FeedItem struct {
	*Article
	// PublishedAt is when the feed's language went out; UpdatedAt when its texts last changed.
	PublishedAt time.Time
	UpdatedAt   time.Time
	// Categories are the names of the article's categories in the feed's language (or its
	// fallback).
	Categories []string
}

// FeedArticles returns up to limit articles whose texts in locale are public now, newest
// publication of that language first, with their bodies; each field from locale, or along
// its fallback chain when locale's text leaves it empty. An article whose language locale
// is not public is not in locale's feed, even when another language of it is. Errors:
// BAD_USER_INPUT naming "lang" when locale is not enabled.
func (s *Service) FeedArticles(ctx context.Context, locale string, f ArticleFilter, limit int) ([]*FeedItem, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.CheckEnabled(locale, "lang"); err != nil {
		return nil, err
	}
	now := s.now()
	here, hereArgs, err := s.hereCond(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	var rows []*articleRow
	q := withLinks(s.db.NewSelect().TableExpr("articles AS a"), t.ID()).
		Join(`JOIN article_translations AS pub ON pub.article_id = a.id AND pub.locale = ?
			AND pub.publish_at <= ? AND (pub.unpublish_at IS NULL OR pub.unpublish_at > ?)`, locale, now, now).
		ColumnExpr("pub.publish_at::text AS sort_key").
		Where(here, hereArgs...).
		OrderExpr("pub.publish_at DESC, a.id DESC").Limit(int64(limit))
	// SECURITY: only the tenant's articles whose language is public now.
	if err := filterArticles(q, ArticleFilter{Categories: f.Categories, Neighbourhoods: f.Neighbourhoods,
		Organisation: f.Organisation}, t.ID(), now).Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find feed articles", "article")
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	texts, err := loadTexts(ctx, s.db, articleKind, t.ID(), ids, true, now)
	if err != nil {
		return nil, err
	}
	chain := i18n.Chain(locale, t.FallbackOf, t.Municipality.DefaultLocale)
	names, err := s.categoryNames(ctx, t.ID(), rows, chain)
	if err != nil {
		return nil, err
	}
	out := make([]*FeedItem, 0, len(rows))
	for _, r := range rows {
		a := &r.Article
		a.Texts, _ = resolve(texts[a.ID], chain, "", true)
		it := &FeedItem{Article: a}
		for _, tr := range texts[a.ID] {
			if tr.Locale == locale && tr.PublishAt != nil {
				it.PublishedAt, it.UpdatedAt = *tr.PublishAt, tr.UpdatedAt
			}
		}
		if it.UpdatedAt.Before(it.PublishedAt) {
			it.UpdatedAt = it.PublishedAt
		}
		for _, c := range a.CategoryIDs {
			if n := names[c]; n != "" {
				it.Categories = append(it.Categories, n)
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// categoryNames returns the names of the rows' categories, each in the first language of
// chain that has it.
func (s *Service) categoryNames(ctx context.Context, mid uuid.UUID, rows []*articleRow, chain []string) (
	map[uuid.UUID]string, error,
) {
	var ids []uuid.UUID
	for _, r := range rows {
		ids = append(ids, r.CategoryIDs...)
	}
	out := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var names []struct {
		ID     uuid.UUID `bun:"category_id,type:uuid"`
		Locale string    `bun:"locale"`
		Name   string    `bun:"name"`
	}
	err := s.db.NewSelect().TableExpr("category_translations").Column("category_id", "locale", "name").
		Where("municipality_id = ? AND category_id IN (?) AND locale IN (?)", mid, bun.In(ids), bun.In(chain)).
		Scan(ctx, &names)
	if err != nil {
		return nil, database.MapError(err, "find category names", "category")
	}
	byID := map[uuid.UUID]map[string]string{}
	for _, n := range names {
		if byID[n.ID] == nil {
			byID[n.ID] = map[string]string{}
		}
		byID[n.ID][n.Locale] = n.Name
	}
	for id, m := range byID {
		out[id], _, _ = i18n.Pick(chain, m)
	}
	return out, nil
}

// FeedRef returns the ID of the tenant's category or neighbourhood (typ) with the global
// ID or slug ref. Errors: BAD_USER_INPUT naming field when it has none.
func (s *Service) FeedRef(ctx context.Context, typ, ref, field string) (uuid.UUID, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	table := map[string]string{"Category": "categories", "Neighbourhood": "neighbourhoods"}[typ]
	q := s.db.NewSelect().TableExpr(table).Column("id").Where("municipality_id = ?", t.ID())
	if gt, id, err := relay.ParseGlobalID(ref, field); err == nil && gt == typ {
		q = q.Where("id = ?", id)
	} else {
		q = q.Where("slug = ?", ref)
	}
	var id uuid.UUID
	if err := q.Limit(1).Scan(ctx, &id); err != nil {
		if apperr.CodeOf(database.MapError(err, "", "")) == apperr.NotFound {
			return uuid.Nil, apperr.Invalid(field, "ReferenceNotFound", nil)
		}
		return uuid.Nil, database.MapError(err, "find "+typ, typ)
	}
	return id, nil
}
