package content

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// Page is an information page in the municipality's tree, with its texts as the reader
// sees them.
type Page struct {
	bun.BaseModel `bun:"table:pages,alias:p"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID  `bun:"municipality_id,type:uuid"`
	ParentID       *uuid.UUID `bun:"parent_id,type:uuid"`
	SortOrder      int        `bun:"sort_order"`
	Slug           string     `bun:"slug"`
	Path           string     `bun:"path"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	Texts `bun:"-"`
	// Parent is the page above, as the reader sees it; nil at the top or when not loaded.
	Parent *Page `bun:"-"`
	// Children are the public pages below, in order.
	Children []*Page `bun:"-"`
}

// GlobalID returns the page's global ID.
func (p *Page) GlobalID() string { return relay.GlobalID("Page", p.ID) }

// IsNode marks Page as a Node.
func (*Page) IsNode() {}

// tree is the municipality's pages with their texts for one reader.
type tree struct {
	all    map[uuid.UUID]*Page
	byPath map[string]*Page
	top    []*Page
	texts  map[uuid.UUID][]*Translation
}

// loadTree reads every page of the municipality and the texts of each (without bodies),
// and links the pages that the reader sees: a page that is not public hides the pages
// below it. preview, when set, makes one page visible in one language.
func (s *Service) loadTree(ctx context.Context, mid uuid.UUID, preview *previewGrant) (*tree, error) {
	var pages []*Page
	if err := s.db.NewSelect().Model(&pages).Where("p.municipality_id = ?", mid).
		Order("p.sort_order", "p.path").Scan(ctx); err != nil {
		return nil, database.MapError(err, "find pages", "page")
	}
	ids := make([]uuid.UUID, len(pages))
	for i, p := range pages {
		ids[i] = p.ID
	}
	texts, err := loadTexts(ctx, s.db, pageKind, mid, ids, false, s.now())
	if err != nil {
		return nil, err
	}
	t := &tree{all: map[uuid.UUID]*Page{}, byPath: map[string]*Page{}, texts: texts}
	chain := chainOf(ctx)
	for _, p := range pages {
		lang := ""
		if preview != nil && preview.id == p.ID {
			lang = preview.locale
		}
		if tx, ok := resolve(texts[p.ID], chain, lang, false); ok {
			p.Texts = tx
			t.all[p.ID] = p
		}
	}
	for _, p := range pages { // pages come parents before children only by chance: link after
		if _, ok := t.all[p.ID]; !ok {
			continue
		}
		if p.ParentID == nil {
			t.top = append(t.top, p)
		} else if parent, ok := t.all[*p.ParentID]; ok {
			p.Parent = parent
			parent.Children = append(parent.Children, p)
		}
	}
	for _, p := range t.top {
		t.index(p)
	}
	return t, nil
}

// index records p and the pages below it by path: only pages reachable from the top are.
func (t *tree) index(p *Page) {
	t.byPath[p.Path] = p
	if p.Children == nil {
		p.Children = []*Page{}
	}
	for _, c := range p.Children {
		t.index(c)
	}
}

// FindPages returns the public pages directly below parent (nil: the top), in order, each
// with the public pages below it in Children: the tree for a menu.
func (s *Service) FindPages(ctx context.Context, parent *uuid.UUID) ([]*Page, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	tr, err := s.loadTree(ctx, t.ID(), nil)
	if err != nil {
		return nil, err
	}
	if parent == nil {
		return nonNil(tr.top), nil
	}
	p, ok := tr.all[*parent]
	if !ok || tr.byPath[p.Path] != p {
		return []*Page{}, nil
	}
	return p.Children, nil
}

func nonNil(ps []*Page) []*Page {
	if ps == nil {
		return []*Page{}
	}
	return ps
}

// FindPageByPath returns the public page at path, with its body; nil when there is none.
// A preview token for the page shows its language as it will look, published or not.
// Errors: BAD_USER_INPUT naming "previewToken" for a token that is forged, expired or for
// another item.
func (s *Service) FindPageByPath(ctx context.Context, path, previewToken string) (*Page, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	path = strings.Trim(path, "/")
	var grant *previewGrant
	if previewToken != "" {
		var id uuid.UUID
		err := s.db.NewSelect().TableExpr("pages").Column("id").
			Where("municipality_id = ? AND path = ?", t.ID(), path).Scan(ctx, &id)
		if err != nil {
			if apperr.CodeOf(database.MapError(err, "", "")) == apperr.NotFound {
				return nil, apperr.Invalid("previewToken", "PreviewTokenInvalid", nil)
			}
			return nil, database.MapError(err, "find page", "page")
		}
		if grant, err = s.verify(previewToken, "Page", id, t.ID()); err != nil {
			return nil, err
		}
	}
	tr, err := s.loadTree(ctx, t.ID(), grant)
	if err != nil {
		return nil, err
	}
	p, ok := tr.byPath[path]
	if !ok && grant != nil { // a previewed page below a page not yet public
		p, ok = tr.all[grant.id]
	}
	if !ok {
		return nil, nil
	}
	return p, s.withBody(ctx, pageKind, t.ID(), p.ID, &p.Texts, grant)
}

// FindPageByID returns the page with id when it is public or the viewer may edit it;
// nil otherwise.
func (s *Service) FindPageByID(ctx context.Context, id uuid.UUID) (*Page, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	tr, err := s.loadTree(ctx, t.ID(), nil)
	if err != nil {
		return nil, err
	}
	if p, ok := tr.all[id]; ok {
		return p, s.withBody(ctx, pageKind, t.ID(), p.ID, &p.Texts, nil)
	}
	// SECURITY: a page that is not public is shown, with its drafts, to its editors only.
	if _, err := requirePageEditor(ctx); err != nil {
		return nil, nil
	}
	p := new(Page)
	err = s.db.NewSelect().Model(p).Where("p.municipality_id = ? AND p.id = ?", t.ID(), id).Scan(ctx)
	if apperr.CodeOf(database.MapError(err, "", "")) == apperr.NotFound {
		return nil, nil
	} else if err != nil {
		return nil, database.MapError(err, "find page", "page")
	}
	p.Children = []*Page{}
	return p, s.draftTexts(ctx, pageKind, t.ID(), p.ID, &p.Texts)
}

// draftTexts sets tx to an item's texts with every language shown, published or not, as
// those who may write it see it.
func (s *Service) draftTexts(ctx context.Context, k kind, mid, id uuid.UUID, tx *Texts) error {
	texts, err := loadTexts(ctx, s.db, k, mid, []uuid.UUID{id}, true, s.now())
	if err != nil {
		return err
	}
	*tx, _ = resolve(texts[id], chainOf(ctx), allLanguages, true)
	if tx.Body == nil {
		tx.Body = &RichText{JSON: []byte(`{"blocks":[]}`)}
	}
	tx.PublishedAt = nil
	return nil
}

// withBody reads the bodies of one item and sets tx's as the reader sees it.
func (s *Service) withBody(ctx context.Context, k kind, mid, id uuid.UUID, tx *Texts, grant *previewGrant) error {
	texts, err := loadTexts(ctx, s.db, k, mid, []uuid.UUID{id}, true, s.now())
	if err != nil {
		return err
	}
	lang := ""
	if grant != nil {
		lang = grant.locale
	}
	full, _ := resolve(texts[id], chainOf(ctx), lang, true)
	tx.Body = full.Body
	return nil
}

// BodiesOf returns the bodies of pages or articles (typ) as the reader sees them, by ID,
// in one statement: for items read without their bodies (a menu's pages).
func (s *Service) BodiesOf(ctx context.Context, typ string, ids []uuid.UUID) (map[uuid.UUID]*RichText, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	k := pageKind
	if typ == "Article" {
		k = articleKind
	}
	texts, err := loadTexts(ctx, s.db, k, t.ID(), ids, true, s.now())
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*RichText, len(ids))
	for _, id := range ids {
		tx, _ := resolve(texts[id], chainOf(ctx), "", true)
		if tx.Body == nil {
			tx.Body = &RichText{JSON: []byte(`{"blocks":[]}`)}
		}
		out[id] = tx.Body
	}
	return out, nil
}

// BodyOf returns the body of one page or article (typ) as the reader sees it.
func (s *Service) BodyOf(ctx context.Context, typ string, id uuid.UUID) (*RichText, error) {
	m, err := s.BodiesOf(ctx, typ, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	return m[id], nil
}

// PagesByID returns the pages with ids as FindPageByID does, without their bodies (see
// BodiesOf): the public ones from one reading of the tree; one that is not public, to its
// editors only, one by one.
func (s *Service) PagesByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*Page, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	tr, err := s.loadTree(ctx, t.ID(), nil)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*Page, len(ids))
	for _, id := range ids {
		if p, ok := tr.all[id]; ok {
			out[id] = p
			continue
		}
		// SECURITY: a page that is not public is shown, with its drafts, to its editors only.
		if _, err := requirePageEditor(ctx); err != nil {
			continue
		}
		p, err := s.FindPageByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if p != nil {
			out[id] = p
		}
	}
	return out, nil
}
