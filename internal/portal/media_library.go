package portal

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// ImageUseKind is the kind of place an image is shown in.
type ImageUseKind string

// The places an image can be used.
const (
	UseOrganisationLogo  ImageUseKind = "ORGANISATION_LOGO"
	UseOrganisationCover ImageUseKind = "ORGANISATION_COVER"
	UseActivityImage     ImageUseKind = "ACTIVITY_IMAGE"
)

// ImageUse is one place an image is shown: an organisation's logo or cover, or one of an
// activity's images (ActivityID set; OrganisationID is then the activity's organisation).
type ImageUse struct {
	Kind           ImageUseKind `bun:"kind"`
	MediaID        uuid.UUID    `bun:"media_id"`
	OrganisationID uuid.UUID    `bun:"organisation_id"`
	ActivityID     *uuid.UUID   `bun:"activity_id"`
}

// usesSQL is every place an image is used, as "u": what references images today, an
// organisation's logo_id and cover_id and activity_images. public is whether the place is
// shown to everyone.
const usesSQL = `(SELECT 'ORGANISATION_LOGO' AS kind, o.logo_id AS media_id, o.id AS organisation_id,
		NULL::uuid AS activity_id, o.status = 'PUBLISHED' AS public FROM organisations o WHERE o.logo_id IS NOT NULL
	UNION ALL SELECT 'ORGANISATION_COVER', o.cover_id, o.id, NULL, o.status = 'PUBLISHED'
		FROM organisations o WHERE o.cover_id IS NOT NULL
	UNION ALL SELECT 'ACTIVITY_IMAGE', ai.media_id, a.organisation_id, a.id, a.published
		FROM activity_images ai JOIN activities a ON a.id = ai.activity_id) AS u`

// memberOf is the subquery of the organisations a user belongs to in any role; its one
// placeholder is the user's ID.
const memberOf = `SELECT m.organisation_id FROM organisation_members m WHERE m.user_id = ?`

// libraryWide reports whether v keeps every image of the municipality: administrators,
// municipal editors (who edit every listing's content) and catalogue:write keys.
func libraryWide(v *auth.Viewer) bool {
	return v.Has(auth.RoleAdmin) || v.Has(auth.RoleEditor) || v.HasScope(auth.ScopeCatalogueWrite)
}

// ofOrganisations is the condition that image "media" belongs to the organisations of
// subquery orgs (with its arguments): kept by one of them, or used by one or its activities.
func ofOrganisations(orgs string, args ...any) (string, []any) {
	cond := "(media.organisation_id IN (" + orgs + ") OR EXISTS (SELECT 1 FROM " + usesSQL +
		" WHERE u.media_id = media.id AND u.organisation_id IN (" + orgs + ")))"
	return cond, append(append([]any{}, args...), args...)
}

// imageVisible is the condition under which image "media" may be read by v.
func imageVisible(v *auth.Viewer) (string, []any) {
	// SECURITY: an image used in a published place is public; one that is not (unused, or
	// only on drafts) is seen by the members of the organisations that keep or use it, and
	// by those who keep the whole library.
	if v != nil && libraryWide(v) {
		return "true", nil
	}
	public := "EXISTS (SELECT 1 FROM " + usesSQL + " WHERE u.media_id = media.id AND u.public)"
	if v == nil || v.User == nil {
		return public, nil
	}
	own, args := ofOrganisations(memberOf, v.User.ID)
	return "(" + public + " OR " + own + ")", args
}

// FindImageByID returns the image with id when the caller may see it (see imageVisible),
// with its alt texts. Errors: NOT_FOUND (also for another municipality's image).
func (s *Service) FindImageByID(ctx context.Context, id uuid.UUID) (*Media, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	cond, args := imageVisible(auth.ViewerFrom(ctx))
	m := new(Media)
	err = s.db.NewSelect().Model(m).Relation("Translations").
		Where("media.id = ? AND media.municipality_id = ?", id, t.ID()).
		Where(cond, args...).
		Scan(ctx)
	return m, database.MapError(err, "find image", "image")
}

// ImageFilter narrows the image library. Zero values match everything.
type ImageFilter struct {
	// OrganisationID keeps the images of one organisation: kept by it, or used by it or
	// its activities.
	OrganisationID *uuid.UUID
	// Query keeps images whose alt text in any language contains it, ignoring case.
	Query string
}

// ImageConnection is a page of the image library, newest first.
type ImageConnection struct {
	Edges    []*ImageEdge
	PageInfo *relay.PageInfo

	where func(*bun.SelectQuery) *bun.SelectQuery
}

// ImageEdge is an image in a page, with its cursor.
type ImageEdge struct {
	Cursor string
	Node   *Media
}

// Nodes returns the page's images.
func (c *ImageConnection) Nodes() []*Media {
	out := make([]*Media, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// orderImage is the one order of the image library; cursors carry it.
const orderImage Order = "IMAGE"

var imageSort = sortSpec{
	order: orderImage, expr: "media.created_at", cast: "timestamptz", desc: true, idCol: "media.id",
}

// imageRow is an image with its sort value.
type imageRow struct {
	Media   `bun:",extend"`
	SortKey string `bun:"sort_key,scanonly"`
}

func (r *imageRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// FindImages returns a page of the municipality's image library, newest first, with each
// image's alt texts. Errors: UNAUTHENTICATED; FORBIDDEN for an organisation the caller does
// not own or edit (or, without one, a caller who is neither a member nor keeps the whole
// library); BAD_USER_INPUT naming "filter.query" or a cursor.
func (s *Service) FindImages(ctx context.Context, f ImageFilter, page relay.Page) (*ImageConnection, error) {
	where, err := s.libraryScope(ctx, f)
	if err != nil {
		return nil, err
	}
	var rows []*imageRow
	q := where(s.db.NewSelect().Model(&rows).ColumnExpr("media.*"))
	if q, err = imageSort.apply(q, page); err != nil {
		return nil, err
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find images", "image")
	}
	if err := s.withAlts(ctx, rows); err != nil {
		return nil, err
	}
	rows, cursors, info := pageOf(rows, orderImage, page)
	conn := &ImageConnection{PageInfo: info, where: where, Edges: make([]*ImageEdge, len(rows))}
	for i, r := range rows {
		conn.Edges[i] = &ImageEdge{Cursor: cursors[i], Node: &r.Media}
	}
	return conn, nil
}

// CountImages returns how many images match the page's filter in all.
func (s *Service) CountImages(ctx context.Context, c *ImageConnection) (int, error) {
	n, err := c.where(s.db.NewSelect().Model((*Media)(nil))).Count(ctx)
	return int(n), database.MapError(err, "count images", "image")
}

// withAlts loads the alt texts of rows in one statement.
func (s *Service) withAlts(ctx context.Context, rows []*imageRow) error {
	if len(rows) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var ts []*MediaTranslation
	err := s.db.NewSelect().Model(&ts).Where("media_id IN (?)", bun.In(ids)).Order("media_id", "locale").Scan(ctx)
	byMedia := group(ts, func(t *MediaTranslation) uuid.UUID { return t.MediaID })
	for _, r := range rows {
		r.Translations = byMedia[r.ID]
	}
	return database.MapError(err, "find alt texts", "image")
}

// libraryScope checks who may list which part of the library and returns the conditions
// for it: the municipality, the organisations the caller may see, and the filter.
func (s *Service) libraryScope(ctx context.Context, f ImageFilter) (func(*bun.SelectQuery) *bun.SelectQuery, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	if v == nil || (v.User == nil && v.APIKey == nil) {
		return nil, apperr.New(apperr.Unauthenticated, "")
	}
	query := strings.TrimSpace(f.Query)
	if len([]rune(query)) > 200 {
		return nil, apperr.Invalid("filter.query", "TextTooLong", map[string]any{"Max": 200})
	}
	var conds []string
	var args []any
	// SECURITY: the whole library for administrators, municipal editors and catalogue:write
	// keys; an organisation's OWNER and EDITORs see its images (without an organisation,
	// those of every organisation they own or edit); anyone else FORBIDDEN.
	switch {
	case libraryWide(v) && f.OrganisationID != nil:
		c, a := ofOrganisations("SELECT ?::uuid", *f.OrganisationID)
		conds, args = append(conds, c), append(args, a...)
	case libraryWide(v):
	case v.User == nil:
		return nil, apperr.New(apperr.Forbidden, "")
	case f.OrganisationID != nil:
		if err := s.requireOrganisationEditor(ctx, v, *f.OrganisationID); err != nil {
			return nil, err
		}
		c, a := ofOrganisations("SELECT ?::uuid", *f.OrganisationID)
		conds, args = append(conds, c), append(args, a...)
	default:
		c, a := ofOrganisations(editedBy, v.User.ID)
		conds, args = append(conds, c), append(args, a...)
	}
	if query != "" {
		conds = append(conds, `EXISTS (SELECT 1 FROM media_translations t
			WHERE t.media_id = media.id AND t.alt ILIKE ? ESCAPE '\')`)
		args = append(args, "%"+escapeLike(query)+"%")
	}
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("media.municipality_id = ?", t.ID())
		if len(conds) > 0 {
			q = q.Where(strings.Join(conds, " AND "), args...)
		}
		return q
	}, nil
}

// requireOrganisationEditor returns FORBIDDEN unless the signed-in user owns or edits the
// organisation id.
func (s *Service) requireOrganisationEditor(ctx context.Context, v *auth.Viewer, id uuid.UUID) error {
	ok, err := s.db.NewSelect().Table("organisation_members").
		Where("organisation_id = ? AND user_id = ? AND role IN ('OWNER', 'EDITOR')", id, v.User.ID).
		Exists(ctx)
	if err != nil {
		return database.MapError(err, "check membership", "organisation")
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "")
	}
	return nil
}

// escapeLike escapes the wildcards of a LIKE pattern (with ESCAPE '\').
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ImageUsesOf returns where each of the images ids is used, by image, in a stable order.
// Places the caller may not see (a draft of another organisation) are left out, except for
// those who keep the whole library.
func (s *Service) ImageUsesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*ImageUse, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	var uses []*ImageUse
	q := s.db.NewSelect().TableExpr(usesSQL).
		ColumnExpr("u.kind, u.media_id, u.organisation_id, u.activity_id").
		Where("u.media_id IN (?)", bun.In(ids)).
		Where("u.media_id IN (SELECT id FROM media WHERE municipality_id = ?)", t.ID())
	// SECURITY: the public sees the published places; members also their organisations'.
	switch {
	case v != nil && libraryWide(v):
	case v != nil && v.User != nil:
		q = q.Where("(u.public OR u.organisation_id IN ("+memberOf+"))", v.User.ID)
	default:
		q = q.Where("u.public")
	}
	err = q.OrderExpr("u.media_id, u.kind DESC, u.organisation_id, u.activity_id").Scan(ctx, &uses)
	byImage := group(uses, func(u *ImageUse) uuid.UUID { return u.MediaID })
	return byImage, database.MapError(err, "find image uses", "image")
}

// ImageUseConnection is a page of the places an image is used: logos, then covers, then
// activities' images, each by organisation and activity.
type ImageUseConnection struct {
	Edges    []*ImageUseEdge
	PageInfo *relay.PageInfo
	total    int
}

// ImageUseEdge is a place of use in a page, with its cursor.
type ImageUseEdge struct {
	Cursor string
	Node   *ImageUse
}

// Nodes returns the page's places.
func (c *ImageUseConnection) Nodes() []*ImageUse {
	out := make([]*ImageUse, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// TotalCount returns how many places there are in all.
func (c *ImageUseConnection) TotalCount() int { return c.total }

// orderUse is the one order of an image's places; cursors carry it.
const orderUse Order = "USE"

// key returns u's position in the order of an image's places, as text that sorts so.
func (u *ImageUse) key() string {
	rank := map[ImageUseKind]int{UseOrganisationLogo: 0, UseOrganisationCover: 1, UseActivityImage: 2}[u.Kind]
	activity := ""
	if u.ActivityID != nil {
		activity = u.ActivityID.String()
	}
	return fmt.Sprintf("%d/%s/%s", rank, u.OrganisationID, activity)
}

// PageImageUses returns one page of uses, all the places of one image (as ImageUsesOf gives
// them, in any order). Errors: BAD_USER_INPUT naming "after" or "before" for a cursor that is
// not of this list.
func PageImageUses(uses []*ImageUse, page relay.Page) (*ImageUseConnection, error) {
	sorted := slices.Clone(uses)
	slices.SortFunc(sorted, func(a, b *ImageUse) int { return strings.Compare(a.key(), b.key()) })
	lo, hi := 0, len(sorted)
	for _, c := range []struct{ raw, field string }{{page.After, "after"}, {page.Before, "before"}} {
		if c.raw == "" {
			continue
		}
		var k cursorKey
		if err := relay.DecodeCursor(c.raw, c.field, &k); err != nil || k.O != orderUse {
			return nil, apperr.Invalid(c.field, "InvalidCursor", nil)
		}
		at, _ := slices.BinarySearchFunc(sorted, k.K, func(u *ImageUse, key string) int {
			return strings.Compare(u.key(), key)
		})
		if c.field == "after" {
			for at < len(sorted) && sorted[at].key() <= k.K {
				at++
			}
			lo = max(lo, at)
		} else {
			hi = min(hi, at)
		}
	}
	window := sorted[lo:max(lo, hi)]
	info := &relay.PageInfo{HasPreviousPage: page.After != "", HasNextPage: page.Before != ""}
	if page.Backward {
		info.HasPreviousPage = len(window) > page.Limit
		window = window[max(0, len(window)-page.Limit):]
	} else {
		info.HasNextPage = len(window) > page.Limit
		window = window[:min(len(window), page.Limit)]
	}
	conn := &ImageUseConnection{PageInfo: info, total: len(uses), Edges: make([]*ImageUseEdge, len(window))}
	for i, u := range window {
		cursor := relay.EncodeCursor(cursorKey{O: orderUse, K: u.key(), ID: u.MediaID})
		conn.Edges[i] = &ImageUseEdge{Cursor: cursor, Node: u}
	}
	if len(window) > 0 {
		info.StartCursor, info.EndCursor = &conn.Edges[0].Cursor, &conn.Edges[len(window)-1].Cursor
	}
	return conn, nil
}
