package content

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// afterWrite finishes every write of a page or article in its transaction: the texts, a
// revision of the item as it now is, and an audit entry.
func (s *Service) afterWrite(ctx context.Context, tx bun.IDB, k kind, mid, id uuid.UUID, v *auth.Viewer,
	action string, texts []*preparedText,
) error {
	if err := writeTexts(ctx, tx, k, mid, id, texts); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE "+k.table+" SET updated_at = now() WHERE id = ?", id); err != nil {
		return database.MapError(err, "touch "+k.name, k.name)
	}
	if err := s.saveRevision(ctx, tx, k, mid, id, &v.User.ID); err != nil {
		return err
	}
	fields := make([]string, 0, len(texts))
	for _, t := range texts {
		fields = append(fields, "texts."+t.in.Locale)
	}
	return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: mid, ActorID: &v.User.ID, Action: action,
		ItemType: k.name, ItemID: &id, Fields: fields})
}

// saveRevision stores the item as it is now, in the revisions the catalogue keeps too,
// and drops revisions beyond RevisionsKept. The rendered HTML and text are left out: they
// are rendered again from the blocks on restore.
func (s *Service) saveRevision(ctx context.Context, tx bun.IDB, k kind, mid, id uuid.UUID, author *uuid.UUID) error {
	expr, args := snapshotOf(k, id)
	_, err := tx.ExecContext(ctx, `INSERT INTO revisions (municipality_id, item_type, item_id, author_id, snapshot)
		SELECT ?, ?, ?, ?, `+expr, append([]any{mid, k.name, id, author}, args...)...)
	if err != nil {
		return database.MapError(err, "save revision", "revision")
	}
	kept := s.RevisionsKept
	if kept <= 0 {
		kept = portal.DefaultRevisionsKept
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM revisions WHERE item_id = ? AND id NOT IN (
		SELECT id FROM revisions WHERE item_id = ? ORDER BY created_at DESC, id DESC LIMIT ?)`, id, id, kept)
	return database.MapError(err, "prune revisions", "revision")
}

// snapshotOf returns the SQL expression, and its arguments, of item id as a revision keeps
// it: its row, its texts without the rendered HTML and text, and an article's categories
// and neighbourhoods.
func snapshotOf(k kind, id uuid.UUID) (string, []any) {
	extra := `'{}'::jsonb`
	args := []any{id, id}
	if k == articleKind {
		extra = `jsonb_build_object(
		  'categories', coalesce((SELECT jsonb_agg(c.category_id) FROM article_categories c WHERE c.article_id = ?), '[]'),
		  'neighbourhoods', coalesce((SELECT jsonb_agg(n.neighbourhood_id) FROM article_neighbourhoods n
		    WHERE n.article_id = ?), '[]'))`
		args = append(args, id, id)
	}
	return `jsonb_build_object(
		  'row', (SELECT to_jsonb(x) FROM ` + k.table + ` x WHERE x.id = ?),
		  'texts', coalesce((SELECT jsonb_agg(to_jsonb(t) - 'body_html' - 'body_text' ORDER BY t.locale)
		    FROM ` + k.texts + ` t WHERE t.` + k.key + ` = ?), '[]')) || ` + extra, args
}

// RestoreRevision puts a page or article back as its revision has it: its texts (bodies
// rendered again), and an article's author line, links, hero image, categories and
// neighbourhoods. A page keeps its place in the tree, and every language keeps its
// publication: restoring never publishes or withdraws anything. It records the restore
// as a new revision and returns the item's global ID. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, BAD_USER_INPUT when the revision refers to what no longer exists.
func (s *Service) RestoreRevision(ctx context.Context, gid string) (string, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return "", err
	}
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return "", err
	}
	rid, err := relay.ParseTypedID(gid, "Revision", "id")
	if err != nil {
		return "", err
	}
	rev := new(portal.Revision)
	err = s.db.NewSelect().Model(rev).Where("r.id = ? AND r.municipality_id = ? AND r.item_type IN ('Page', 'Article')",
		rid, t.ID()).Scan(ctx)
	if err != nil {
		return "", database.MapError(err, "find revision", "revision")
	}
	k := pageKind
	if rev.ItemType == "Article" {
		k = articleKind
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := s.mayWrite(ctx, tx, v, t.ID(), k, rev.ItemID); err != nil {
			return err
		}
		if k == articleKind {
			a, err := findArticleForUpdate(ctx, tx, t.ID(), rev.ItemID)
			if err != nil {
				return err
			}
			if held, err := s.changeHeld(ctx, tx, t, v, a); err != nil || held {
				if err == nil {
					err = s.holdChange(ctx, tx, t.ID(), v, &a, func() ([]*preparedText, error) {
						return nil, restoreSnapshot(ctx, tx, k, rev)
					})
				}
				return err
			}
		}
		if err := restoreSnapshot(ctx, tx, k, rev); err != nil {
			return err
		}
		if err := rerender(ctx, tx, k, t.ID(), rev.ItemID); err != nil {
			return err
		}
		return s.afterWrite(ctx, tx, k, t.ID(), rev.ItemID, v, "restore_revision", nil)
	})
	return relay.GlobalID(k.name, rev.ItemID), err
}

// mayWrite checks that v may write the existing item of kind k. Errors: NOT_FOUND,
// FORBIDDEN.
func (s *Service) mayWrite(ctx context.Context, tx bun.IDB, v *auth.Viewer, mid uuid.UUID, k kind, id uuid.UUID) error {
	if k == pageKind {
		if _, err := findPageForUpdate(ctx, tx, mid, id); err != nil {
			return err
		}
		// SECURITY: pages are written by ADMIN and EDITOR only.
		if !v.MunicipalEditor() {
			return apperr.New(apperr.Forbidden, "")
		}
		return nil
	}
	a, err := findArticleForUpdate(ctx, tx, mid, id)
	if err != nil {
		return err
	}
	// SECURITY: as for any change of the article.
	return mayWriteArticle(ctx, tx, v, mid, a.owner())
}

// restoreSnapshot writes a revision's texts and article fields back.
func restoreSnapshot(ctx context.Context, tx bun.IDB, k kind, rev *portal.Revision) error {
	sn := string(rev.Snapshot)
	stmts := []struct {
		q    string
		args []any
	}{
		// Texts of languages the revision has: put back; publication stays as it is now.
		{`INSERT INTO ` + k.texts + ` (` + k.key + `, municipality_id, locale, title, summary, hero_alt, body)
		  SELECT ?, ?, r.locale, r.title, r.summary, r.hero_alt, r.body
		  FROM jsonb_populate_recordset(NULL::` + k.texts + `, ?::jsonb -> 'texts') r
		  ON CONFLICT (` + k.key + `, locale) DO UPDATE SET title = excluded.title, summary = excluded.summary,
		  hero_alt = excluded.hero_alt, body = excluded.body, updated_at = now()`, []any{rev.ItemID, rev.MunicipalityID, sn}},
		// Languages written since, not yet public: gone, as they were not there.
		{`DELETE FROM ` + k.texts + ` WHERE ` + k.key + ` = ? AND publish_at IS NULL AND locale NOT IN
		  (SELECT r.locale FROM jsonb_populate_recordset(NULL::` + k.texts + `, ?::jsonb -> 'texts') r)`, []any{rev.ItemID, sn}},
	}
	if k == articleKind {
		stmts = append(stmts, []struct {
			q    string
			args []any
		}{
			{`UPDATE articles a SET author_line = r.author_line, hero_image_id = r.hero_image_id,
			  about_organisation_id = r.about_organisation_id, about_activity_id = r.about_activity_id
			  FROM jsonb_populate_record(NULL::articles, ?::jsonb -> 'row') r WHERE a.id = ?`, []any{sn, rev.ItemID}},
			{`DELETE FROM article_categories WHERE article_id = ?`, []any{rev.ItemID}},
			{`INSERT INTO article_categories (article_id, category_id, municipality_id)
			  SELECT ?, c::uuid, ? FROM jsonb_array_elements_text(?::jsonb -> 'categories') c
			  WHERE c::uuid IN (SELECT id FROM categories WHERE municipality_id = ?)`,
				[]any{rev.ItemID, rev.MunicipalityID, sn, rev.MunicipalityID}},
			{`DELETE FROM article_neighbourhoods WHERE article_id = ?`, []any{rev.ItemID}},
			{`INSERT INTO article_neighbourhoods (article_id, neighbourhood_id, municipality_id)
			  SELECT ?, n::uuid, ? FROM jsonb_array_elements_text(?::jsonb -> 'neighbourhoods') n
			  WHERE n::uuid IN (SELECT id FROM neighbourhoods WHERE municipality_id = ?)`,
				[]any{rev.ItemID, rev.MunicipalityID, sn, rev.MunicipalityID}},
		}...)
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return database.MapError(err, "restore revision", "revision")
		}
	}
	return nil
}

// rerender renders every language's body of an item again from its blocks.
func rerender(ctx context.Context, tx bun.IDB, k kind, mid, id uuid.UUID) error {
	var rows []struct {
		Locale string `bun:"locale"`
		Body   []byte `bun:"body"`
	}
	err := tx.NewSelect().
		TableExpr(k.texts).
		Column("locale", "body").
		Where(k.key+" = ?", id).
		Scan(ctx, &rows)
	if err != nil {
		return database.MapError(err, "find texts", "text")
	}
	for _, r := range rows {
		doc, refs, err := ParseDoc(r.Body, "body")
		if err != nil {
			return err
		}
		images, err := checkRefs(ctx, tx, mid, refs)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE "+k.texts+" SET body_html = ?, body_text = ? WHERE "+k.key+" = ? AND locale = ?",
			doc.RenderHTML(images), doc.PlainText(), id, r.Locale)
		if err != nil {
			return database.MapError(err, "render texts", "text")
		}
	}
	return nil
}

// RequireWriter returns nil when the viewer may write the page or article with id.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) RequireWriter(ctx context.Context, id uuid.UUID) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return err
	}
	k := articleKind
	isPage, err := s.db.NewSelect().TableExpr("pages").Where("municipality_id = ? AND id = ?", t.ID(), id).Exists(ctx)
	if err != nil {
		return database.MapError(err, "find page", "page")
	}
	if isPage {
		k = pageKind
	}
	// SECURITY: as for any change of the item (see mayWrite).
	return s.mayWrite(ctx, s.db, v, t.ID(), k, id)
}
