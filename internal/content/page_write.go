package content

import (
	"context"
	"regexp"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// CreatePageInput is a new page: where it goes in the tree and its texts.
type CreatePageInput struct {
	ParentID *string
	Slug     string
	Order    *int
	Texts    []*TextsInput
}

// UpdatePageInput changes a page's slug, order or texts; what is left out stays.
type UpdatePageInput struct {
	ID    string
	Slug  *string
	Order *int
	Texts []*TextsInput
}

// MovePageInput puts a page under another parent (none: the top) at an order.
type MovePageInput struct {
	ID       string
	ParentID *string
	Order    *int
}

var slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func checkSlug(slug, field string) error {
	if len(slug) > 100 || !slugRe.MatchString(slug) {
		return apperr.Invalid(field, "SlugInvalid", nil)
	}
	return nil
}

// CreatePage writes a new page with its texts (as drafts), a revision and an audit entry.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming the field (a slug path in use:
// "input.slug").
func (s *Service) CreatePage(ctx context.Context, in CreatePageInput) (uuid.UUID, error) {
	t, v, err := s.pageWriter(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	if err := checkSlug(in.Slug, "input.slug"); err != nil {
		return uuid.Nil, err
	}
	parent, err := optionalID(in.ParentID, "Page", "input.parentId")
	if err != nil {
		return uuid.Nil, err
	}
	p := &Page{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), ParentID: parent, Slug: in.Slug}
	if in.Order != nil {
		p.SortOrder = *in.Order
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		texts, err := prepareTexts(ctx, tx, t, in.Texts, "input.texts")
		if err != nil {
			return err
		}
		if p.Path, err = pathUnder(ctx, tx, t.ID(), parent, in.Slug, "input.parentId"); err != nil {
			return err
		}
		if err := freePath(ctx, tx, t.ID(), p.Path, uuid.Nil); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(p).Exec(ctx); err != nil {
			return slugError(database.MapError(err, "create page", "page"))
		}
		return s.afterWrite(ctx, tx, pageKind, t.ID(), p.ID, v, "create_page", texts)
	})
	return p.ID, err
}

// UpdatePage changes a page's slug (the paths below follow), order and texts. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming the field.
func (s *Service) UpdatePage(ctx context.Context, in UpdatePageInput) (uuid.UUID, error) {
	t, v, err := s.pageWriter(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := relay.ParseTypedID(in.ID, "Page", "input.id")
	if err != nil {
		return uuid.Nil, err
	}
	if in.Slug != nil {
		if err := checkSlug(*in.Slug, "input.slug"); err != nil {
			return uuid.Nil, err
		}
	}
	return id, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		p, err := findPageForUpdate(ctx, tx, t.ID(), id)
		if err != nil {
			return err
		}
		texts, err := prepareTexts(ctx, tx, t, in.Texts, "input.texts")
		if err != nil {
			return err
		}
		if in.Order != nil {
			p.SortOrder = *in.Order
		}
		if in.Slug != nil && *in.Slug != p.Slug {
			if err := s.relocate(ctx, tx, p, p.ParentID, *in.Slug, "input.slug"); err != nil {
				return err
			}
		}
		if err := saveOrder(ctx, tx, p); err != nil {
			return database.MapError(err, "update page", "page")
		}
		return s.afterWrite(ctx, tx, pageKind, t.ID(), p.ID, v, "update_page", texts)
	})
}

// MovePage puts a page under another parent at an order; the paths below follow. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming "input.parentId" for a
// parent that is the page or below it (PageCycle), "input.slug"-style SlugTaken for a path
// in use there.
func (s *Service) MovePage(ctx context.Context, in MovePageInput) (uuid.UUID, error) {
	t, v, err := s.pageWriter(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := relay.ParseTypedID(in.ID, "Page", "input.id")
	if err != nil {
		return uuid.Nil, err
	}
	parent, err := optionalID(in.ParentID, "Page", "input.parentId")
	if err != nil {
		return uuid.Nil, err
	}
	return id, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		p, err := findPageForUpdate(ctx, tx, t.ID(), id)
		if err != nil {
			return err
		}
		if parent != nil {
			if err := refuseCycle(ctx, tx, t.ID(), id, *parent); err != nil {
				return err
			}
		}
		if in.Order != nil {
			p.SortOrder = *in.Order
		}
		if err := s.relocate(ctx, tx, p, parent, p.Slug, "input.parentId"); err != nil {
			return err
		}
		if err := saveOrder(ctx, tx, p); err != nil {
			return database.MapError(err, "move page", "page")
		}
		return s.afterWrite(ctx, tx, pageKind, t.ID(), p.ID, v, "move_page", nil)
	})
}

// DeletePage removes a page with its texts (its revisions stay in the audit trail's
// reach until pruned). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT while pages
// are below it.
func (s *Service) DeletePage(ctx context.Context, gid string) (uuid.UUID, error) {
	t, v, err := s.pageWriter(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := relay.ParseTypedID(gid, "Page", "id")
	if err != nil {
		return uuid.Nil, err
	}
	return id, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := findPageForUpdate(ctx, tx, t.ID(), id); err != nil {
			return err
		}
		has, err := tx.NewSelect().TableExpr("pages").Where("parent_id = ?", id).Exists(ctx)
		if err != nil {
			return database.MapError(err, "find child pages", "page")
		}
		if has {
			return apperr.New(apperr.Conflict, "PageHasChildren").WithField("id")
		}
		if _, err := tx.NewDelete().TableExpr("pages").Where("id = ?", id).Exec(ctx); err != nil {
			return database.MapError(err, "delete page", "page")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: "delete_page",
			ItemType: "Page", ItemID: &id})
	})
}

func (s *Service) pageWriter(ctx context.Context) (*tenant.Tenant, *auth.Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, err
	}
	v, err := requirePageEditor(ctx)
	return t, v, err
}

func findPageForUpdate(ctx context.Context, tx bun.IDB, mid, id uuid.UUID) (*Page, error) {
	p := new(Page)
	err := tx.NewSelect().Model(p).Where("p.municipality_id = ? AND p.id = ?", mid, id).For("UPDATE").Scan(ctx)
	return p, database.MapError(err, "find page", "page")
}

// optionalID parses an optional global ID of typ; nil or "" is none.
func optionalID(gid *string, typ, field string) (*uuid.UUID, error) {
	if gid == nil || *gid == "" {
		return nil, nil
	}
	id, err := relay.ParseTypedID(*gid, typ, field)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// pathUnder returns the path of slug under parent (nil: the top). Errors: BAD_USER_INPUT
// naming field when the parent is not the municipality's page.
func pathUnder(ctx context.Context, tx bun.IDB, mid uuid.UUID, parent *uuid.UUID, slug, field string) (string, error) {
	if parent == nil {
		return slug, nil
	}
	var path string
	err := tx.NewSelect().
		TableExpr("pages").
		Column("path").
		Where("municipality_id = ? AND id = ?", mid, *parent).
		Scan(ctx, &path)
	if apperr.CodeOf(database.MapError(err, "", "")) == apperr.NotFound {
		return "", apperr.Invalid(field, "ReferenceNotFound", map[string]any{"Type": "Page"})
	}
	return path + "/" + slug, database.MapError(err, "find parent page", "page")
}

// freePath returns BAD_USER_INPUT naming "input.slug" when another page than self has path.
func freePath(ctx context.Context, tx bun.IDB, mid uuid.UUID, path string, self uuid.UUID) error {
	taken, err := tx.NewSelect().
		TableExpr("pages").
		Where("municipality_id = ? AND path = ? AND id <> ?", mid, path, self).
		Exists(ctx)
	if err != nil {
		return database.MapError(err, "find page path", "page")
	}
	if taken {
		return apperr.Invalid("input.slug", "SlugTaken", map[string]any{"Path": path})
	}
	return nil
}

// slugError turns a unique violation of the page path into BAD_USER_INPUT on the slug.
func slugError(err error) error {
	if apperr.CodeOf(err) == apperr.Conflict {
		return apperr.Invalid("input.slug", "SlugTaken", nil)
	}
	return err
}

// refuseCycle returns BAD_USER_INPUT naming "input.parentId" when parent is the page id
// or lies below it.
func refuseCycle(ctx context.Context, tx bun.IDB, mid, id, parent uuid.UUID) error {
	var below bool
	err := tx.NewRaw(`WITH RECURSIVE up AS (
		SELECT id, parent_id FROM pages WHERE id = ? AND municipality_id = ?
		UNION SELECT p.id, p.parent_id FROM pages p JOIN up ON p.id = up.parent_id)
		SELECT EXISTS (SELECT 1 FROM up WHERE id = ?)`, parent, mid, id).Scan(ctx, &below)
	if err != nil {
		return database.MapError(err, "check page tree", "page")
	}
	if below {
		return apperr.Invalid("input.parentId", "PageCycle", nil)
	}
	return nil
}

// relocate gives p a new parent and slug, and the pages below it their new paths.
func (s *Service) relocate(ctx context.Context, tx bun.IDB, p *Page, parent *uuid.UUID, slug, field string) error {
	path, err := pathUnder(ctx, tx, p.MunicipalityID, parent, slug, field)
	if err != nil {
		return err
	}
	if err := freePath(ctx, tx, p.MunicipalityID, path, p.ID); err != nil {
		return err
	}
	old := p.Path
	_, err = tx.ExecContext(ctx, `UPDATE pages SET path = ? || substr(path, ?) WHERE municipality_id = ?
		AND (id = ? OR path LIKE ? ESCAPE '\')`, path, len(old)+1, p.MunicipalityID, p.ID, escapeLike(old)+"/%")
	if err != nil {
		return slugError(database.MapError(err, "move pages", "page"))
	}
	_, err = tx.ExecContext(ctx, `UPDATE pages SET parent_id = ?, slug = ? WHERE id = ?`, parent, slug, p.ID)
	p.ParentID, p.Slug, p.Path = parent, slug, path
	return database.MapError(err, "move page", "page")
}

func escapeLike(s string) string {
	r := []rune{}
	for _, c := range s {
		if c == '%' || c == '_' || c == '\\' {
			r = append(r, '\\')
		}
		r = append(r, c)
	}
	return string(r)
}

// saveOrder writes a page's place among its siblings, and that it changed.
func saveOrder(ctx context.Context, tx bun.Tx, p *Page) error {
	_, err := tx.NewUpdate().
		Model(p).
		Column("sort_order").
		Set("updated_at = now()").
		WherePK().
		Exec(ctx)
	return err
}
