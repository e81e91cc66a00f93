package content

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// CreateArticleInput is a new article. OrganisationID makes it the organisation's own;
// without it, it is the municipality's.
type CreateArticleInput struct {
	Slug                string
	OrganisationID      *string
	AboutOrganisationID *string
	AboutActivityID     *string
	HeroImageID         *string
	AuthorLine          *string
	CategoryIDs         []string
	NeighbourhoodIDs    []string
	Texts               []*TextsInput
}

// UpdateArticleInput changes an article; a field left out (nil) stays, an empty ID clears
// a link or the hero image, and a list given replaces the article's.
type UpdateArticleInput struct {
	ID                  string
	Slug                *string
	AboutOrganisationID *string
	AboutActivityID     *string
	HeroImageID         *string
	AuthorLine          *string
	CategoryIDs         []string
	NeighbourhoodIDs    []string
	Texts               []*TextsInput
}

// CreateArticle writes a new article with its texts (as drafts), a revision and an audit
// entry. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming the field, CONFLICT for
// a slug in use.
func (s *Service) CreateArticle(ctx context.Context, in CreateArticleInput) (uuid.UUID, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	a := &Article{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), Slug: in.Slug}
	if a.OrganisationID, err = optionalID(in.OrganisationID, "Organisation", "input.organisationId"); err != nil {
		return uuid.Nil, err
	}
	upd := UpdateArticleInput{Slug: &in.Slug, AboutOrganisationID: in.AboutOrganisationID,
		AboutActivityID: in.AboutActivityID, HeroImageID: in.HeroImageID, AuthorLine: in.AuthorLine,
		CategoryIDs: orEmpty(in.CategoryIDs), NeighbourhoodIDs: orEmpty(in.NeighbourhoodIDs), Texts: in.Texts}
	if err := applyArticle(a, upd); err != nil {
		return uuid.Nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: the writer must own the article as it will be: its organisation or its
		// neighbourhoods (see mayWriteArticle).
		if err := mayWriteArticle(ctx, tx, v, t.ID(), a.owner()); err != nil {
			return err
		}
		texts, err := prepareTexts(ctx, tx, t, in.Texts, "input.texts")
		if err != nil {
			return err
		}
		if err := checkArticleRefs(ctx, tx, t.ID(), a); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return articleSlugError(database.MapError(err, "create article", "article"))
		}
		if err := writeArticleLinks(ctx, tx, a); err != nil {
			return err
		}
		return s.afterWrite(ctx, tx, articleKind, t.ID(), a.ID, v, "create_article", texts)
	})
	return a.ID, err
}

func orEmpty(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// UpdateArticle changes an article. Errors: UNAUTHENTICATED, FORBIDDEN (for the article
// as it is or as it would be), NOT_FOUND, BAD_USER_INPUT naming the field, CONFLICT.
func (s *Service) UpdateArticle(ctx context.Context, in UpdateArticleInput) (uuid.UUID, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := relay.ParseTypedID(in.ID, "Article", "input.id")
	if err != nil {
		return uuid.Nil, err
	}
	return id, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		a, err := findArticleForUpdate(ctx, tx, t.ID(), id)
		if err != nil {
			return err
		}
		// SECURITY: the writer must own the article as it is ...
		if err := mayWriteArticle(ctx, tx, v, t.ID(), a.owner()); err != nil {
			return err
		}
		change := func() ([]*preparedText, error) {
			if err := applyArticle(a, in); err != nil {
				return nil, err
			}
			// SECURITY: ... and as it will be (a committee editor cannot move it elsewhere).
			if err := mayWriteArticle(ctx, tx, v, t.ID(), a.owner()); err != nil {
				return nil, err
			}
			texts, err := prepareTexts(ctx, tx, t, in.Texts, "input.texts")
			if err != nil {
				return nil, err
			}
			if err := checkArticleRefs(ctx, tx, t.ID(), a); err != nil {
				return nil, err
			}
			_, err = tx.NewUpdate().Model(a).Column("slug", "about_organisation_id", "about_activity_id", "hero_image_id",
				"author_line").WherePK().Exec(ctx)
			if err != nil {
				return nil, articleSlugError(database.MapError(err, "update article", "article"))
			}
			return texts, writeArticleLinks(ctx, tx, a)
		}
		held, err := s.changeHeld(ctx, tx, t, v, a)
		if err != nil || held {
			if err == nil {
				err = s.holdChange(ctx, tx, t.ID(), v, &a, change)
			}
			return err
		}
		texts, err := change()
		if err != nil {
			return err
		}
		return s.afterWrite(ctx, tx, articleKind, t.ID(), a.ID, v, "update_article", texts)
	})
}

// DeleteArticle removes an article. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) DeleteArticle(ctx context.Context, gid string) (uuid.UUID, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := relay.ParseTypedID(gid, "Article", "id")
	if err != nil {
		return uuid.Nil, err
	}
	return id, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := s.mayWrite(ctx, tx, v, t.ID(), articleKind, id); err != nil {
			return err
		}
		if _, err := tx.NewDelete().TableExpr("articles").Where("id = ?", id).Exec(ctx); err != nil {
			return database.MapError(err, "delete article", "article")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: "delete_article",
			ItemType: "Article", ItemID: &id})
	})
}

// applyArticle sets in's fields on a. Errors: BAD_USER_INPUT naming the field.
func applyArticle(a *Article, in UpdateArticleInput) error {
	var err error
	if in.Slug != nil {
		if err := checkSlug(*in.Slug, "input.slug"); err != nil {
			return err
		}
		a.Slug = *in.Slug
	}
	if in.AuthorLine != nil {
		if utf8.RuneCountInString(*in.AuthorLine) > 200 || !utf8.ValidString(*in.AuthorLine) {
			return apperr.Invalid("input.authorLine", "TextTooLong", map[string]any{"Max": 200})
		}
		a.AuthorLine = *in.AuthorLine
	}
	for _, f := range []struct {
		in    *string
		dst   **uuid.UUID
		typ   string
		field string
	}{{in.AboutOrganisationID, &a.AboutOrganisationID, "Organisation", "input.aboutOrganisationId"},
		{in.AboutActivityID, &a.AboutActivityID, "Activity", "input.aboutActivityId"},
		{in.HeroImageID, &a.HeroImageID, "Image", "input.heroImageId"}} {
		if f.in != nil {
			if *f.dst, err = optionalID(f.in, f.typ, f.field); err != nil {
				return err
			}
		}
	}
	if in.CategoryIDs != nil {
		if a.CategoryIDs, err = parseIDs(in.CategoryIDs, "Category", "input.categoryIds"); err != nil {
			return err
		}
	}
	if in.NeighbourhoodIDs != nil {
		if a.NeighbourhoodIDs, err = parseIDs(in.NeighbourhoodIDs, "Neighbourhood", "input.neighbourhoodIds"); err != nil {
			return err
		}
	}
	return nil
}

func parseIDs(gids []string, typ, field string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(gids))
	for i, g := range gids {
		id, err := relay.ParseTypedID(g, typ, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return uniq(out), nil
}

// checkArticleRefs returns BAD_USER_INPUT naming the field of a link, image, category or
// neighbourhood that the municipality does not have.
func checkArticleRefs(ctx context.Context, tx bun.IDB, mid uuid.UUID, a *Article) error {
	one := []struct {
		id           *uuid.UUID
		table, field string
	}{{a.OrganisationID, "organisations", "input.organisationId"},
		{a.AboutOrganisationID, "organisations", "input.aboutOrganisationId"},
		{a.AboutActivityID, "activities", "input.aboutActivityId"},
		{a.HeroImageID, "media", "input.heroImageId"}}
	for _, r := range one {
		if r.id == nil {
			continue
		}
		if err := exists(ctx, tx, r.table, mid, []uuid.UUID{*r.id}, r.field); err != nil {
			return err
		}
	}
	if err := exists(ctx, tx, "categories", mid, a.CategoryIDs, "input.categoryIds"); err != nil {
		return err
	}
	return exists(ctx, tx, "neighbourhoods", mid, a.NeighbourhoodIDs, "input.neighbourhoodIds")
}

func exists(ctx context.Context, tx bun.IDB, table string, mid uuid.UUID, ids []uuid.UUID, field string) error {
	if len(ids) == 0 {
		return nil
	}
	n, err := tx.NewSelect().TableExpr(table).Where("municipality_id = ? AND id IN (?)", mid, bun.In(ids)).Count(ctx)
	if err != nil {
		return database.MapError(err, "find "+table, table)
	}
	if int(n) != len(ids) {
		return apperr.Invalid(field, "ReferenceNotFound", map[string]any{"Type": table})
	}
	return nil
}

// writeArticleLinks replaces an article's categories and neighbourhoods.
func writeArticleLinks(ctx context.Context, tx bun.IDB, a *Article) error {
	stmts := []struct {
		q    string
		args []any
	}{
		{"DELETE FROM article_categories WHERE article_id = ?", []any{a.ID}},
		{"DELETE FROM article_neighbourhoods WHERE article_id = ?", []any{a.ID}},
	}
	for _, c := range a.CategoryIDs {
		stmts = append(stmts, struct {
			q    string
			args []any
		}{"INSERT INTO article_categories (article_id, category_id, municipality_id) VALUES (?, ?, ?)",
			[]any{a.ID, c, a.MunicipalityID}})
	}
	for _, n := range a.NeighbourhoodIDs {
		stmts = append(stmts, struct {
			q    string
			args []any
		}{"INSERT INTO article_neighbourhoods (article_id, neighbourhood_id, municipality_id) VALUES (?, ?, ?)",
			[]any{a.ID, n, a.MunicipalityID}})
	}
	for _, st := range stmts {
		if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
			return database.MapError(err, "save article links", "article")
		}
	}
	return nil
}

func articleSlugError(err error) error {
	if apperr.CodeOf(err) == apperr.Conflict {
		return apperr.New(apperr.Conflict, "SlugTaken").WithField("input.slug")
	}
	return err
}
