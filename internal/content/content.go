// Package content is the municipality's headless CMS: information pages in a tree and
// articles (news), with texts and publication per language, rich text bodies as a
// constrained block tree, preview tokens and revisions.
//
// Publication is computed when reading: a language's texts are public while
// publish_at <= now() and (unpublish_at IS NULL OR unpublish_at > now()). A scheduled
// publish or unpublish therefore takes effect at its time without any job; a job queue
// only has side effects (notifications, feeds, caches) to run.
package content

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/portal"
)

// Service reads and writes pages and articles.
type Service struct {
	db *bun.DB
	// Secret signs preview tokens.
	Secret []byte
	// Now is the clock; tests set it. Nil: time.Now.
	Now func() time.Time
	// PreviewTTL is how long a preview token is valid; zero: DefaultPreviewTTL.
	PreviewTTL time.Duration
	// RevisionsKept is how many revisions are kept per item; zero: 20.
	RevisionsKept int
	// Here gives the condition that a row is one of a municipality's, its own or an
	// accepted provider's through a served function (portal.Service.HereCond); nil: its
	// own only.
	Here func(ctx context.Context, mid uuid.UUID, alias, fn string) (string, []any, error)
}

// hereCond is the condition that article "a" is one of municipality mid's: its own, and
// those the providers of other municipalities it has accepted write about themselves,
// which only fritid_served_articles (migration 0051) returns. Each read keeps, as for the
// municipality's own, to the languages public at the time.
func (s *Service) hereCond(ctx context.Context, mid uuid.UUID) (string, []any, error) {
	if s.Here == nil {
		return "a.municipality_id = ?", []any{mid}, nil
	}
	// SECURITY: another municipality's articles only through fritid_served_articles.
	return s.Here(ctx, mid, "a", "fritid_served_articles")
}

// DefaultPreviewTTL is how long a preview token is valid unless configured.
const DefaultPreviewTTL = time.Hour

// NewService returns a Service over db.
func NewService(db *bun.DB) *Service { return &Service{db: db} }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Status is where one language of a page or article stands, computed from its times.
type Status string

// The statuses of a language's texts.
const (
	StatusDraft     Status = "DRAFT"
	StatusScheduled Status = "SCHEDULED"
	StatusPublished Status = "PUBLISHED"
	StatusArchived  Status = "ARCHIVED"
)

// Translation is one language's texts of a page or article, with its publication.
type Translation struct {
	ItemID      uuid.UUID       `bun:"item_id"`
	Locale      string          `bun:"locale"`
	Title       string          `bun:"title"`
	Summary     string          `bun:"summary"`
	HeroAlt     string          `bun:"hero_alt"`
	BodyJSON    json.RawMessage `bun:"body,type:jsonb"`
	BodyHTML    string          `bun:"body_html"`
	BodyText    string          `bun:"body_text"`
	PublishAt   *time.Time      `bun:"publish_at"`
	UnpublishAt *time.Time      `bun:"unpublish_at"`
	UpdatedAt   time.Time       `bun:"updated_at"`
	// ReviewRequestedAt is when an organisation asked for this language of its article to
	// be published, while it waits for the municipality's approval; nil otherwise.
	ReviewRequestedAt *time.Time `bun:"review_requested_at"`
	// SourceHashes are the default language's block fingerprints this body was made from.
	SourceHashes []string `bun:"source_hashes,array"`
	// Stale says how far the body is behind the default language's (Translations sets it).
	Stale *Stale `bun:"-"`

	status Status
}

// Status returns the language's status when it was read.
func (t *Translation) Status() Status { return t.status }

// AwaitingApproval reports whether the language waits for the municipality's approval.
func (t *Translation) AwaitingApproval() bool { return t.ReviewRequestedAt != nil }

// Body returns the language's own body.
func (t *Translation) Body() *RichText {
	return &RichText{JSON: portal.RawJSON(t.BodyJSON), HTML: t.BodyHTML, PlainText: t.BodyText}
}

// statusAt computes the status from the times.
func statusAt(publishAt, unpublishAt *time.Time, now time.Time) Status {
	switch {
	case publishAt == nil:
		return StatusDraft
	case unpublishAt != nil && !unpublishAt.After(now):
		return StatusArchived
	case publishAt.After(now):
		return StatusScheduled
	}
	return StatusPublished
}

// RichText is a body as the API serves it: the block tree, its HTML and its plain text.
type RichText struct {
	JSON      portal.RawJSON
	HTML      string
	PlainText string
}

// Texts are an item's texts as a reader sees them: each field from the first language
// along the locale chain that is public (or previewed) and has it.
type Texts struct {
	Title      string
	Summary    string
	HeroAlt    string
	TextLocale string
	// Body is nil when it was not read (a list that did not ask for it).
	Body        *RichText
	PublishedAt *time.Time
}

// kind names an item type's tables.
type kind struct{ name, table, texts, key string }

var (
	pageKind    = kind{"Page", "pages", "page_translations", "page_id"}
	articleKind = kind{"Article", "articles", "article_translations", "article_id"}
)

// loadTexts returns the translations of the items ids, by item; withBody reads bodies too.
func loadTexts(ctx context.Context, db bun.IDB, k kind, mid uuid.UUID, ids []uuid.UUID, withBody bool,
	now time.Time,
) (map[uuid.UUID][]*Translation, error) {
	out := map[uuid.UUID][]*Translation{}
	if len(ids) == 0 {
		return out, nil
	}
	q := db.NewSelect().TableExpr(k.texts+" AS t").
		ColumnExpr("t."+k.key+" AS item_id, t.locale, t.title, t.summary, t.hero_alt, t.publish_at").
		ColumnExpr("t.unpublish_at, t.updated_at").
		// ids are items the caller may read (a shared provider's article's texts are its
		// home's).
		Where("t."+k.key+" IN (?)", bun.In(ids)).
		Order("locale")
	if k == articleKind {
		q = q.ColumnExpr("t.review_requested_at")
	}
	if withBody {
		q = q.ColumnExpr("t.body, t.body_html, t.body_text, t.source_hashes")
	} else { // whether there is a body, without reading it
		q = q.ColumnExpr("CASE WHEN t.body_html <> '' THEN 'x' ELSE '' END AS body_html")
	}
	var rows []*Translation
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find texts", "text")
	}
	for _, r := range rows {
		r.status = statusAt(r.PublishAt, r.UnpublishAt, now)
		out[r.ItemID] = append(out[r.ItemID], r)
	}
	return out, nil
}

// allLanguages, as resolve's preview, shows every language, published or not: the view of
// those who may write the item.
const allLanguages = "*"

// resolve picks a reader's texts from ts: among the public languages (and preview, the
// language being previewed, put first), each field from the first along chain that has
// it. ok is false when no language is public.
func resolve(ts []*Translation, chain []string, preview string, withBody bool) (Texts, bool) {
	var vis []*Translation
	for _, t := range ts {
		if t.status == StatusPublished || preview == allLanguages || (preview != "" && t.Locale == preview) {
			vis = append(vis, t)
		}
	}
	if len(vis) == 0 {
		return Texts{}, false
	}
	if preview != "" && preview != allLanguages {
		chain = append([]string{preview}, chain...)
	}
	rank := func(t *Translation) int {
		if i := slices.Index(chain, t.Locale); i >= 0 {
			return i
		}
		return len(chain)
	}
	slices.SortStableFunc(vis, func(a, b *Translation) int { return rank(a) - rank(b) })
	tx := Texts{TextLocale: vis[0].Locale}
	for _, t := range vis {
		pick(&tx.Title, t.Title)
		pick(&tx.Summary, t.Summary)
		pick(&tx.HeroAlt, t.HeroAlt)
		if withBody && tx.Body == nil && t.BodyHTML != "" {
			tx.Body = t.Body()
		}
		if t.PublishAt != nil && t.status == StatusPublished && (tx.PublishedAt == nil || t.PublishAt.Before(*tx.PublishedAt)) {
			tx.PublishedAt = t.PublishAt
		}
	}
	if withBody && tx.Body == nil {
		tx.Body = &RichText{JSON: portal.RawJSON(`{"blocks":[]}`)}
	}
	return tx, true
}

func pick(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// chainOf returns the request's locale chain.
func chainOf(ctx context.Context) []string {
	return i18n.FromContext(ctx).Chain
}
