package content

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// Municipal approval of organisations' articles, in one place. With the municipality's
// ApproveOrganisationArticles on, an organisation's OWNER and EDITOR members only ask:
//
//   - publishing or scheduling a language marks it awaiting approval (SetStatus);
//   - changing an article while any of its languages is public or scheduled (update or
//     restore) leaves what the public sees as it is: the article as it would be waits as a
//     pending change, which a further change builds on, until the municipality's ADMIN or
//     EDITOR applies it (ApproveArticleChanges) or turns it down (RejectArticleChanges).
//
// Withdrawing, archiving and deleting their own article are never held.

// PendingChange is an organisation's change to a public article waiting for approval.
type PendingChange struct {
	ArticleID   uuid.UUID       `bun:"article_id,type:uuid"`
	Snapshot    json.RawMessage `bun:"snapshot,type:jsonb"`
	AuthorID    *uuid.UUID      `bun:"author_id,type:uuid"`
	RequestedAt time.Time       `bun:"requested_at"`
}

// changeHeld reports whether v's change of article a waits for approval: the municipality
// approves organisations' articles, a is an organisation's, a language of it is public or
// scheduled, and v is not the municipality's ADMIN or EDITOR.
func (s *Service) changeHeld(ctx context.Context, tx bun.IDB, t *tenant.Tenant, v *auth.Viewer, a *Article) (bool, error) {
	// SECURITY: with municipal approval on, only the municipality's ADMIN and EDITOR change
	// what the public sees of an organisation's article.
	if !t.Municipality.ApproveOrganisationArticles || a.OrganisationID == nil || v.MunicipalEditor() {
		return false, nil
	}
	out, err := tx.NewSelect().TableExpr("article_translations").
		Where("article_id = ? AND publish_at IS NOT NULL AND (unpublish_at IS NULL OR unpublish_at > ?)", a.ID, s.now()).
		Exists(ctx)
	return out, database.MapError(err, "find publication", "text")
}

// holdChange makes change on top of the article's pending change, if any, takes the
// result as the new pending change, and undoes it all in the table the public reads: a
// savepoint is rolled back. *a is the article as the change leaves it.
func (s *Service) holdChange(ctx context.Context, tx bun.Tx, mid uuid.UUID, v *auth.Viewer, a **Article,
	change func() ([]*preparedText, error),
) error {
	id := (*a).ID
	if _, err := tx.ExecContext(ctx, "SAVEPOINT held_change"); err != nil {
		return database.MapError(err, "hold change", "article")
	}
	pending, err := findPendingChange(ctx, tx, id)
	if err != nil {
		return err
	}
	if pending != nil {
		if err := applyChange(ctx, tx, pending); err != nil {
			return err
		}
		fresh, err := findArticleForUpdate(ctx, tx, mid, id)
		if err != nil {
			return err
		}
		*a = fresh
	}
	texts, err := change()
	if err != nil {
		return err
	}
	if err := writeTexts(ctx, tx, articleKind, mid, id, texts); err != nil {
		return err
	}
	expr, args := snapshotOf(articleKind, id)
	var snap string
	if err := tx.NewRaw("SELECT "+expr, args...).Scan(ctx, &snap); err != nil {
		return database.MapError(err, "hold change", "article")
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT held_change"); err != nil {
		return database.MapError(err, "hold change", "article")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO article_pending_changes (article_id, municipality_id, snapshot, author_id)
		VALUES (?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET snapshot = excluded.snapshot,
		author_id = excluded.author_id, requested_at = now()`, id, mid, snap, v.User.ID)
	if err != nil {
		return database.MapError(err, "hold change", "article")
	}
	fields := make([]string, 0, len(texts))
	for _, t := range texts {
		fields = append(fields, "texts."+t.in.Locale)
	}
	return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: mid, ActorID: &v.User.ID, Action: "request_article_change",
		ItemType: "Article", ItemID: &id, Fields: fields})
}

func findPendingChange(ctx context.Context, db bun.IDB, id uuid.UUID) (*PendingChange, error) {
	p := new(PendingChange)
	err := db.NewSelect().
		TableExpr("article_pending_changes").
		Column("article_id", "snapshot", "author_id", "requested_at").
		Where("article_id = ?", id).
		Scan(ctx, p)
	if apperr.CodeOf(database.MapError(err, "", "")) == apperr.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, database.MapError(err, "find pending change", "article")
	}
	return p, nil
}

// applyChange writes a pending change into the article: what a restore writes, and its slug.
func applyChange(ctx context.Context, tx bun.IDB, p *PendingChange) error {
	rev := &portal.Revision{ItemID: p.ArticleID, Snapshot: p.Snapshot}
	if err := tx.NewSelect().TableExpr("articles").Column("municipality_id").Where("id = ?", p.ArticleID).
		Scan(ctx, &rev.MunicipalityID); err != nil {
		return database.MapError(err, "find article", "article")
	}
	if err := restoreSnapshot(ctx, tx, articleKind, rev); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE articles a SET slug = r.slug
		FROM jsonb_populate_record(NULL::articles, ?::jsonb -> 'row') r WHERE a.id = ?`, string(p.Snapshot), p.ArticleID)
	return articleSlugError(database.MapError(err, "apply change", "article"))
}

// requireApprover returns the viewer when it is the municipality's ADMIN or EDITOR.
// Errors: UNAUTHENTICATED, FORBIDDEN.
func requireApprover(ctx context.Context) (*auth.Viewer, error) {
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: only the municipality's ADMIN and EDITOR decide on organisations' changes.
	if !v.MunicipalEditor() {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	return v, nil
}

// ApproveArticleChanges applies the pending change of the article with global ID gid, so
// the public sees it, with a revision and an audit entry. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND, CONFLICT when no change waits.
func (s *Service) ApproveArticleChanges(ctx context.Context, gid string) (uuid.UUID, error) {
	return s.decideChange(ctx, gid, true)
}

// RejectArticleChanges drops the pending change of the article with global ID gid; the
// article stays as the public sees it. Errors as ApproveArticleChanges.
func (s *Service) RejectArticleChanges(ctx context.Context, gid string) (uuid.UUID, error) {
	return s.decideChange(ctx, gid, false)
}

func (s *Service) decideChange(ctx context.Context, gid string, approve bool) (uuid.UUID, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	v, err := requireApprover(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := relay.ParseTypedID(gid, "Article", "id")
	if err != nil {
		return uuid.Nil, err
	}
	return id, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := findArticleForUpdate(ctx, tx, t.ID(), id); err != nil {
			return err
		}
		p, err := findPendingChange(ctx, tx, id)
		if err != nil {
			return err
		}
		if p == nil {
			return apperr.New(apperr.Conflict, "NoPendingChange")
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM article_pending_changes WHERE article_id = ?", id); err != nil {
			return database.MapError(err, "decide change", "article")
		}
		if !approve {
			return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
				Action: "reject_article_change", ItemType: "Article", ItemID: &id})
		}
		if err := applyChange(ctx, tx, p); err != nil {
			return err
		}
		if err := rerender(ctx, tx, articleKind, t.ID(), id); err != nil {
			return err
		}
		return s.afterWrite(ctx, tx, articleKind, t.ID(), id, v, "approve_article_change", nil)
	})
}

// PendingChangeOf returns the change waiting for approval of article a, to those who may
// write it or approve it; nil when there is none or for anyone else.
func (s *Service) PendingChangeOf(ctx context.Context, a *Article) (*PendingChange, error) {
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return nil, nil
	}
	// SECURITY: a pending change is shown to those who may write the article only.
	if err := mayWriteArticle(ctx, s.db, v, a.MunicipalityID, a.owner()); err != nil {
		if apperr.CodeOf(err) == apperr.Forbidden {
			return nil, nil
		}
		return nil, err
	}
	return findPendingChange(ctx, s.db, a.ID)
}

var awaitingSort = keyset.Spec{Order: "AWAITING", Expr: "w.asked_at", Cast: "timestamptz", IDCol: "a.id"}

type awaitingRow struct {
	Article `bun:",extend"`
	SortKey string `bun:"sort_key,scanonly"`
}

func (r *awaitingRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// FindArticlesAwaitingApproval returns a page of the municipality's articles with a
// language whose publication was asked for or a pending change, longest waiting first,
// each with its texts in every language as their writers see them. Errors:
// UNAUTHENTICATED, FORBIDDEN (not ADMIN or EDITOR), BAD_USER_INPUT naming "after".
func (s *Service) FindArticlesAwaitingApproval(ctx context.Context, page relay.Page) (*ArticleConnection, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := requireApprover(ctx); err != nil {
		return nil, err
	}
	base := func() *bun.SelectQuery {
		return s.db.NewSelect().TableExpr("articles AS a").
			Join(`JOIN LATERAL (SELECT least(
				(SELECT min(rt.review_requested_at) FROM article_translations rt WHERE rt.article_id = a.id),
				(SELECT pc.requested_at FROM article_pending_changes pc WHERE pc.article_id = a.id)) AS asked_at) AS w
				ON w.asked_at IS NOT NULL`).
			Where("a.municipality_id = ?", t.ID())
	}
	q, err := awaitingSort.Apply(withLinks(base(), t.ID()), page)
	if err != nil {
		return nil, err
	}
	var rows []*awaitingRow
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find articles", "article")
	}
	rows, cursors, info := keyset.Paginate(rows, (*awaitingRow).key, awaitingSort.Order, page)
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	texts, err := loadTexts(ctx, s.db, articleKind, t.ID(), ids, false, s.now())
	if err != nil {
		return nil, err
	}
	conn := &ArticleConnection{PageInfo: info, count: keyset.CountOf(base(), "article"), Edges: []*ArticleEdge{}}
	for i, r := range rows {
		a := &r.Article
		a.Texts, _ = resolve(texts[a.ID], chainOf(ctx), allLanguages, false)
		a.Texts.PublishedAt = nil
		conn.Edges = append(conn.Edges, &ArticleEdge{Cursor: cursors[i], Node: a})
	}
	return conn, nil
}
