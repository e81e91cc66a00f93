package content

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// Article is a news article by the municipality or by an organisation about itself, with
// its texts as the reader sees them.
type Article struct {
	bun.BaseModel `bun:"table:articles,alias:a"`

	ID                  uuid.UUID   `bun:"id,pk,type:uuid"`
	MunicipalityID      uuid.UUID   `bun:"municipality_id,type:uuid"`
	OrganisationID      *uuid.UUID  `bun:"organisation_id,type:uuid"`
	Slug                string      `bun:"slug"`
	AboutOrganisationID *uuid.UUID  `bun:"about_organisation_id,type:uuid"`
	AboutActivityID     *uuid.UUID  `bun:"about_activity_id,type:uuid"`
	HeroImageID         *uuid.UUID  `bun:"hero_image_id,type:uuid"`
	AuthorLine          string      `bun:"author_line"`
	CategoryIDs         []uuid.UUID `bun:"category_ids,array,scanonly"`
	NeighbourhoodIDs    []uuid.UUID `bun:"neighbourhood_ids,array,scanonly"`
	CreatedAt           time.Time   `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt           time.Time   `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	Texts `bun:"-"`
}

// GlobalID returns the article's global ID.
func (a *Article) GlobalID() string { return relay.GlobalID("Article", a.ID) }

// IsNode marks Article as a Node.
func (*Article) IsNode() {}

func (a *Article) owner() articleOwner {
	return articleOwner{organisationID: a.OrganisationID, neighbourhoodIDs: a.NeighbourhoodIDs}
}

// withLinks adds an article's category and neighbourhood IDs to q.
func withLinks(q *bun.SelectQuery, mid uuid.UUID) *bun.SelectQuery {
	return q.ColumnExpr("a.*").
		// A shared provider's categories as mid's of the same slug, as its activities'.
		ColumnExpr(`CASE WHEN a.municipality_id = ?0
			THEN ARRAY(SELECT c.category_id FROM article_categories c WHERE c.article_id = a.id ORDER BY 1)
			ELSE ARRAY(SELECT DISTINCT here.id FROM article_categories c JOIN categories k ON k.id = c.category_id
				JOIN categories here ON here.municipality_id = ?0 AND here.slug = k.slug WHERE c.article_id = a.id ORDER BY 1)
			END AS category_ids`, mid).
		ColumnExpr(`ARRAY(SELECT n.neighbourhood_id FROM article_neighbourhoods n WHERE n.article_id = a.id
			ORDER BY 1) AS neighbourhood_ids`)
}

// visibleSQL is the condition that an article "a" has a language public at the time given.
const visibleSQL = `EXISTS (SELECT 1 FROM article_translations vt WHERE vt.article_id = a.id
	AND vt.publish_at <= ? AND (vt.unpublish_at IS NULL OR vt.unpublish_at > ?))`

// ArticleFilter narrows the public articles; empty fields do not filter.
type ArticleFilter struct {
	Categories     []uuid.UUID
	Neighbourhoods []uuid.UUID
	// Organisation: articles by it or about it.
	Organisation *uuid.UUID
	// From and To bound the publication time (From inclusive, To exclusive).
	From, To *time.Time
	// Words (from portal.SearchWords): articles whose public languages have every word,
	// as search finds them.
	Words []string
}

// ArticleConnection is a page of articles, newest first.
type ArticleConnection struct {
	Edges    []*ArticleEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// ArticleEdge is an article in a page, with its cursor.
type ArticleEdge struct {
	Cursor string
	Node   *Article
}

// Nodes returns the page's articles alone.
func (c *ArticleConnection) Nodes() []*Article {
	out := make([]*Article, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// TotalCount returns how many articles match the filter.
func (c *ArticleConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

var articleSort = keyset.Spec{Order: "ARTICLE", Expr: "pub.published_at", Cast: "timestamptz", Desc: true, IDCol: "a.id"}

type articleRow struct {
	Article `bun:",extend"`
	SortKey string `bun:"sort_key,scanonly"`
}

func (r *articleRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// FindArticles returns a page of the public articles matching f, newest publication first,
// in the request's language; withBody reads their bodies too. Errors: BAD_USER_INPUT naming
// "after" for a cursor of another list.
func (s *Service) FindArticles(ctx context.Context, f ArticleFilter, page relay.Page, withBody bool) (*ArticleConnection, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	here, hereArgs, err := s.hereCond(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	base := func() *bun.SelectQuery {
		q := s.db.NewSelect().TableExpr("articles AS a").
			Join(`JOIN LATERAL (SELECT min(pt.publish_at) AS published_at FROM article_translations pt
				WHERE pt.article_id = a.id AND pt.publish_at <= ? AND (pt.unpublish_at IS NULL OR pt.unpublish_at > ?))
				AS pub ON pub.published_at IS NOT NULL`, now, now).
			Where(here, hereArgs...)
		return filterArticles(q, f, t.ID(), now)
	}
	q, err := articleSort.Apply(withLinks(base(), t.ID()), page)
	if err != nil {
		return nil, err
	}
	var rows []*articleRow
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find articles", "article")
	}
	rows, cursors, info := keyset.Paginate(rows, (*articleRow).key, articleSort.Order, page)
	arts := make([]*Article, len(rows))
	for i, r := range rows {
		arts[i] = &r.Article
	}
	if err := s.readerTexts(ctx, t.ID(), arts, withBody, nil); err != nil {
		return nil, err
	}
	conn := &ArticleConnection{PageInfo: info, count: keyset.CountOf(base(), "article"), Edges: []*ArticleEdge{}}
	for i, a := range arts {
		conn.Edges = append(conn.Edges, &ArticleEdge{Cursor: cursors[i], Node: a})
	}
	return conn, nil
}

func filterArticles(q *bun.SelectQuery, f ArticleFilter, mid uuid.UUID, now time.Time) *bun.SelectQuery {
	if len(f.Words) > 0 {
		// The search rows of the article's languages public now (see portal.Search).
		q = q.Where(`EXISTS (SELECT 1 FROM search_items si, fritid_search_query(?, ?::text[], 0) sq
			WHERE si.kind = 'Article' AND si.id = a.id AND si.municipality_id = a.municipality_id
			AND si.matches @@ sq.all_words
			AND si.published_from <= ? AND (si.published_until IS NULL OR si.published_until > ?))`,
			mid, pgdialect.Array(f.Words), now, now)
	}
	if len(f.Categories) > 0 {
		// A shared provider's article matches by its categories' slugs.
		q = q.Where(`EXISTS (SELECT 1 FROM article_categories c WHERE c.article_id = a.id AND (c.category_id IN (?0)
			OR c.category_id IN (SELECT k.id FROM categories k JOIN categories f ON f.slug = k.slug
				WHERE f.id IN (?0) AND k.municipality_id = a.municipality_id)))`, bun.In(f.Categories))
	}
	if len(f.Neighbourhoods) > 0 {
		q = q.Where(`EXISTS (SELECT 1 FROM article_neighbourhoods n WHERE n.article_id = a.id
			AND n.neighbourhood_id IN (?))`, bun.In(f.Neighbourhoods))
	}
	if f.Organisation != nil {
		q = q.Where("(a.organisation_id = ? OR a.about_organisation_id = ?)", *f.Organisation, *f.Organisation)
	}
	if f.From != nil {
		q = q.Where("pub.published_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("pub.published_at < ?", *f.To)
	}
	return q
}

// readerTexts sets each article's texts as the reader sees them.
func (s *Service) readerTexts(ctx context.Context, mid uuid.UUID, arts []*Article, withBody bool, grant *previewGrant) error {
	ids := make([]uuid.UUID, len(arts))
	for i, a := range arts {
		ids[i] = a.ID
	}
	texts, err := loadTexts(ctx, s.db, articleKind, mid, ids, withBody, s.now())
	if err != nil {
		return err
	}
	for _, a := range arts {
		lang := ""
		if grant != nil && grant.id == a.ID {
			lang = grant.locale
		}
		a.Texts, _ = resolve(texts[a.ID], chainOf(ctx), lang, withBody)
	}
	return nil
}

// FindArticle returns the public article with id or else slug, with its body; nil when
// there is none. A preview token for it shows its language as it will look. Errors:
// BAD_USER_INPUT naming "previewToken" (forged, expired, another item) or "id".
func (s *Service) FindArticle(ctx context.Context, id *uuid.UUID, slug, previewToken string) (*Article, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	here, hereArgs, err := s.hereCond(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	a := new(Article)
	q := withLinks(s.db.NewSelect().Model(a), t.ID()).Where(here, hereArgs...)
	if id != nil {
		q = q.Where("a.id = ?", *id)
	} else {
		// The municipality's own article first, should a shared provider's have its slug.
		q = q.Where("a.slug = ?", slug).OrderExpr("a.municipality_id = ? DESC", t.ID()).Limit(1)
	}
	if err := q.Scan(ctx); err != nil {
		if apperr.CodeOf(database.MapError(err, "", "")) == apperr.NotFound {
			if previewToken != "" {
				return nil, apperr.Invalid("previewToken", "PreviewTokenInvalid", nil)
			}
			return nil, nil
		}
		return nil, database.MapError(err, "find article", "article")
	}
	var grant *previewGrant
	if previewToken != "" {
		if grant, err = s.verify(previewToken, "Article", a.ID, t.ID()); err != nil {
			return nil, err
		}
	}
	texts, err := loadTexts(ctx, s.db, articleKind, t.ID(), []uuid.UUID{a.ID}, true, s.now())
	if err != nil {
		return nil, err
	}
	lang := ""
	if grant != nil {
		lang = grant.locale
	}
	tx, ok := resolve(texts[a.ID], chainOf(ctx), lang, true)
	if !ok {
		if a.MunicipalityID != t.ID() {
			// SECURITY: a shared provider's article only while public; its drafts are its home's.
			return nil, nil
		}
		return s.unpublishedArticle(ctx, a)
	}
	a.Texts = tx
	return a, nil
}

// unpublishedArticle returns a, with its draft texts, when the viewer may write it; nil
// otherwise.
func (s *Service) unpublishedArticle(ctx context.Context, a *Article) (*Article, error) {
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return nil, nil
	}
	// SECURITY: an article that is not public is shown to those who may write it only.
	if err := mayWriteArticle(ctx, s.db, v, a.MunicipalityID, a.owner()); err != nil {
		if apperr.CodeOf(err) == apperr.Forbidden {
			return nil, nil
		}
		return nil, err
	}
	return a, s.draftTexts(ctx, articleKind, a.MunicipalityID, a.ID, &a.Texts)
}

// findArticleForUpdate locks municipality mid's article id. Errors: NOT_FOUND; FORBIDDEN
// naming "id" (SharedProviderReadOnly) for a shared provider's article shown here, which
// only the provider and its home municipality change.
func findArticleForUpdate(ctx context.Context, tx bun.IDB, mid, id uuid.UUID) (*Article, error) {
	a := new(Article)
	err := withLinks(tx.NewSelect().Model(a), mid).
		Where("a.municipality_id = ? AND a.id = ?", mid, id).
		For("UPDATE OF a").
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		shared, err := tx.NewSelect().TableExpr("fritid_served_articles(?) AS x(id)", mid).Where("x.id = ?", id).Exists(ctx)
		if err != nil {
			return nil, database.MapError(err, "find article", "article")
		}
		if shared {
			return nil, apperr.New(apperr.Forbidden, "SharedProviderReadOnly").WithField("id")
		}
	}
	return a, database.MapError(err, "find article", "article")
}

// ArticlesByID returns the articles with ids as FindArticle does, without their bodies
// (see BodiesOf): the public ones in two statements; one that is not public, to those who
// may write it only, one by one.
func (s *Service) ArticlesByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Article, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*Article, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	here, hereArgs, err := s.hereCond(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	var arts []*Article
	err = withLinks(s.db.NewSelect().Model(&arts), t.ID()).Where(here, hereArgs...).Where("a.id IN (?)", bun.In(ids)).
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find articles", "article")
	}
	texts, err := loadTexts(ctx, s.db, articleKind, t.ID(), ids, false, s.now())
	if err != nil {
		return nil, err
	}
	for _, a := range arts {
		tx, ok := resolve(texts[a.ID], chainOf(ctx), "", false)
		if ok {
			a.Texts = tx
			out[a.ID] = a
			continue
		}
		if a.MunicipalityID != t.ID() {
			// SECURITY: a shared provider's article only while public; its drafts are its home's.
			continue
		}
		// SECURITY: unpublishedArticle shows it to those who may write it only.
		if a, err = s.unpublishedArticle(ctx, a); err != nil {
			return nil, err
		}
		if a != nil {
			out[a.ID] = a
		}
	}
	return out, nil
}
