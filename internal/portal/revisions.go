package portal

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// Revision is an organisation or activity as it was after one change.
type Revision struct {
	bun.BaseModel `bun:"table:revisions,alias:r"`

	ID             uuid.UUID       `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID       `bun:"municipality_id,type:uuid"`
	ItemType       string          `bun:"item_type"`
	ItemID         uuid.UUID       `bun:"item_id,type:uuid"`
	Snapshot       json.RawMessage `bun:"snapshot,type:jsonb"`
	AuthorID       *uuid.UUID      `bun:"author_id,type:uuid"`
	CreatedAt      time.Time       `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	// Previous is the snapshot of the revision before it, when kept and read (see Changes).
	Previous json.RawMessage `bun:"previous,scanonly"`
}

// GlobalID returns the revision's global ID.
func (r *Revision) GlobalID() string { return relay.GlobalID("Revision", r.ID) }

// DefaultRevisionsKept is how many revisions are kept per item unless configured.
const DefaultRevisionsKept = 20

func (s *Service) revisionsKept() int {
	if s.RevisionsKept > 0 {
		return s.RevisionsKept
	}
	return DefaultRevisionsKept
}

// snapshots says, per item type, how to read an item's row, texts and categories as JSON.
var snapshots = map[string]struct{ table, texts, textKey, cats, catKey string }{
	"Organisation": {"organisations", "organisation_translations", "organisation_id", "organisation_categories", "organisation_id"},
	"Activity":     {"activities", "activity_translations", "activity_id", "activity_categories", "activity_id"},
}

// saveRevision stores the item as it is now and drops revisions beyond RevisionsKept.
func (s *Service) saveRevision(ctx context.Context, tx bun.IDB, mid uuid.UUID, itemType string, id uuid.UUID, author *uuid.UUID) error {
	sn := snapshots[itemType]
	_, err := tx.ExecContext(ctx, `INSERT INTO revisions (municipality_id, item_type, item_id, author_id, snapshot)
		SELECT ?, ?, ?, ?, jsonb_build_object(
		  'row', (SELECT to_jsonb(x) - 'published' - 'sort_name' FROM `+sn.table+` x WHERE x.id = ?),
		  'texts', coalesce((SELECT jsonb_agg(to_jsonb(t) - 'search') FROM `+sn.texts+` t WHERE t.`+sn.textKey+` = ?), '[]'),
		  'categories', coalesce((SELECT jsonb_agg(c.category_id) FROM `+sn.cats+` c WHERE c.`+sn.catKey+` = ?), '[]'))
		  || CASE WHEN ? = 'Organisation' THEN jsonb_build_object('links', coalesce((
		       SELECT jsonb_agg(jsonb_build_object('kind', l.kind, 'url', l.url) ORDER BY l.sort_order)
		       FROM organisation_links l WHERE l.organisation_id = ?), '[]')) ELSE '{}' END`,
		mid, itemType, id, author, id, id, id, itemType, id)
	if err != nil {
		return database.MapError(err, "save revision", "revision")
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM revisions WHERE item_id = ? AND id NOT IN (
		SELECT id FROM revisions WHERE item_id = ? ORDER BY created_at DESC, id DESC LIMIT ?)`, id, id, s.revisionsKept())
	return database.MapError(err, "prune revisions", "revision")
}

// RevisionConnection is a page of an item's revisions, newest first.
type RevisionConnection struct {
	Edges    []*RevisionEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// RevisionEdge is a revision in a page, with its cursor.
type RevisionEdge struct {
	Cursor string
	Node   *Revision
}

// Nodes returns the page's revisions alone.
func (c *RevisionConnection) Nodes() []*Revision {
	out := make([]*Revision, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// TotalCount returns how many revisions the item has.
func (c *RevisionConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// orderRevision is the one order of an item's revisions; cursors carry it.
const orderRevision Order = "REVISION"

var revisionSort = sortSpec{order: orderRevision, expr: "r.created_at", cast: "timestamptz", desc: true, idCol: "r.id"}

type revisionRow struct {
	Revision `bun:",extend"`
	SortKey  string `bun:"sort_key,scanonly"`
}

func (r *revisionRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// FindRevisions returns a page of an item's revisions, newest first, to those who may edit
// it. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming "after" or
// "before" for a cursor of another list.
func (s *Service) FindRevisions(ctx context.Context, itemID uuid.UUID, page relay.Page) (*RevisionConnection, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.mayReadRevisions(ctx, t.ID(), itemID); err != nil {
		return nil, err
	}
	base := func() *bun.SelectQuery {
		return s.db.NewSelect().Model((*Revision)(nil)).Where("r.item_id = ? AND r.municipality_id = ?", itemID, t.ID())
	}
	q, err := revisionSort.apply(base().ColumnExpr("r.*").ColumnExpr("prev.snapshot AS previous").
		Join(`LEFT JOIN LATERAL (SELECT p.snapshot FROM revisions p WHERE p.item_id = r.item_id
			AND (p.created_at, p.id) < (r.created_at, r.id) ORDER BY p.created_at DESC, p.id DESC LIMIT 1) prev ON true`), page)
	if err != nil {
		return nil, err
	}
	var rows []*revisionRow
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find revisions", "revision")
	}
	rows, cursors, info := pageOf(rows, orderRevision, page)
	conn := &RevisionConnection{PageInfo: info, count: keyset.CountOf(base(), "revision")}
	for i, r := range rows {
		conn.Edges = append(conn.Edges, &RevisionEdge{Cursor: cursors[i], Node: &r.Revision})
	}
	return conn, nil
}

// mayReadRevisions returns nil when the viewer may edit the item, and so read its
// revisions. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) mayReadRevisions(ctx context.Context, mid, itemID uuid.UUID) error {
	orgID, _, err := s.ownerOf(ctx, s.db, mid, itemID)
	if apperr.CodeOf(err) == apperr.NotFound && s.ContentWriter != nil {
		// SECURITY: a page's or article's revisions are shown to those who may write it.
		return s.ContentWriter(ctx, itemID)
	}
	if err != nil {
		return err
	}
	// SECURITY: revisions are shown to those who may edit the item.
	_, _, err = s.canEdit(ctx, s.db, orgID)
	return err
}

// ownerOf returns the organisation an item belongs to (itself, or an activity's) and the
// item's type. Errors: NOT_FOUND.
func (s *Service) ownerOf(ctx context.Context, db bun.IDB, mid, itemID uuid.UUID) (uuid.UUID, string, error) {
	var orgID uuid.UUID
	err := db.NewSelect().TableExpr("activities").Column("organisation_id").Where("id = ? AND municipality_id = ?", itemID, mid).Scan(ctx, &orgID)
	if err == nil {
		return orgID, "Activity", nil
	}
	exists, err := db.NewSelect().TableExpr("organisations").Where("id = ? AND municipality_id = ?", itemID, mid).Exists(ctx)
	if err != nil {
		return uuid.Nil, "", database.MapError(err, "find item", "item")
	}
	if !exists {
		return uuid.Nil, "", apperr.NotFoundf("item")
	}
	return itemID, "Organisation", nil
}

// RestoreRevision puts an item back as it was in a revision (its fields, texts and
// categories; not its status) and stores that as a new revision. It returns the item's ID
// and type. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) RestoreRevision(ctx context.Context, id uuid.UUID) (uuid.UUID, string, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return uuid.Nil, "", err
	}
	rev := new(Revision)
	if err := s.db.NewSelect().Model(rev).Where("r.id = ? AND r.municipality_id = ?", id, t.ID()).Scan(ctx); err != nil {
		return uuid.Nil, "", database.MapError(err, "find revision", "revision")
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		orgID, _, err := s.ownerOf(ctx, tx, t.ID(), rev.ItemID)
		if err != nil {
			return err
		}
		// SECURITY: restoring is editing: the same people may do it.
		_, v, err := s.canEdit(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := restore(ctx, tx, rev); err != nil {
			return err
		}
		if err := restoreLinks(ctx, tx, rev); err != nil {
			return err
		}
		if err := s.replace(ctx, tx, rev); err != nil {
			return err
		}
		if err := s.saveRevision(ctx, tx, t.ID(), rev.ItemType, rev.ItemID, actor(v)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: actor(v), Action: "restore_revision", ItemType: rev.ItemType, ItemID: &rev.ItemID})
	})
	return rev.ItemID, rev.ItemType, err
}

// restoreColumns are the columns a revision restores, per item type (status stays).
var restoreColumns = map[string][]string{
	"Organisation": {"name", "kind", "org_number", "email", "phone", "contact_person", "website", "street", "postal_code", "place", "lat", "lon"},
	"Activity":     {"venue_id", "target_groups", "age_min", "age_max", "accessibility", "price_ore", "languages", "slots", "signup_url", "email", "phone", "accepts_card", "lat", "lon"},
}

var textColumns = map[string]string{
	"Organisation": "organisation_id, municipality_id, locale, summary, description",
	"Activity":     "activity_id, municipality_id, locale, title, summary, description, price_note, schedule",
}

func restore(ctx context.Context, tx bun.IDB, rev *Revision) error {
	sn := snapshots[rev.ItemType]
	set := ""
	for i, c := range restoreColumns[rev.ItemType] {
		if i > 0 {
			set += ", "
		}
		set += c + " = r." + c
	}
	stmts := []string{
		`UPDATE ` + sn.table + ` x SET ` + set + `, updated_at = now() FROM jsonb_populate_record(NULL::` + sn.table + `, ?::jsonb -> 'row') r WHERE x.id = r.id`,
		`DELETE FROM ` + sn.texts + ` WHERE ` + sn.textKey + ` = (?::jsonb -> 'row' ->> 'id')::uuid`,
		`INSERT INTO ` + sn.texts + ` (` + textColumns[rev.ItemType] + `) SELECT ` + textColumns[rev.ItemType] + ` FROM jsonb_populate_recordset(NULL::` + sn.texts + `, ?::jsonb -> 'texts')`,
		`DELETE FROM ` + sn.cats + ` WHERE ` + sn.catKey + ` = (?::jsonb -> 'row' ->> 'id')::uuid`,
		`INSERT INTO ` + sn.cats + ` (` + sn.catKey + `, category_id, municipality_id) SELECT (?::jsonb -> 'row' ->> 'id')::uuid, c::uuid, ?
		   FROM jsonb_array_elements_text(?::jsonb -> 'categories') c WHERE c::uuid IN (SELECT id FROM categories)`,
	}
	args := [][]any{{string(rev.Snapshot)}, {string(rev.Snapshot)}, {string(rev.Snapshot)}, {string(rev.Snapshot)}, {string(rev.Snapshot), rev.MunicipalityID, string(rev.Snapshot)}}
	for i, q := range stmts {
		if _, err := tx.ExecContext(ctx, q, args[i]...); err != nil {
			return database.MapError(err, "restore revision", "revision")
		}
	}
	return nil
}

// replace recomputes the neighbourhoods of a restored item, whose location may have changed.
func (s *Service) replace(ctx context.Context, tx bun.IDB, rev *Revision) error {
	if rev.ItemType == "Organisation" {
		o := new(Organisation)
		if err := tx.NewSelect().Model(o).Where("o.id = ?", rev.ItemID).Scan(ctx); err != nil {
			return database.MapError(err, "find organisation", "organisation")
		}
		return s.relocate(ctx, tx, o)
	}
	a := new(Activity)
	if err := tx.NewSelect().Model(a).Where("a.id = ?", rev.ItemID).Scan(ctx); err != nil {
		return database.MapError(err, "find activity", "activity")
	}
	return setActivityNeighbourhoods(ctx, tx, a)
}

// restoreLinks puts back an organisation's links as a revision has them; a revision made
// before links were kept in revisions leaves them as they are.
func restoreLinks(ctx context.Context, tx bun.IDB, rev *Revision) error {
	if rev.ItemType != "Organisation" {
		return nil
	}
	return execAll(ctx, tx, "restore links", "revision", []stmt{
		{`DELETE FROM organisation_links WHERE organisation_id = ? AND (?::jsonb -> 'links') IS NOT NULL`,
			[]any{rev.ItemID, string(rev.Snapshot)}},
		{`INSERT INTO organisation_links (organisation_id, municipality_id, kind, url, sort_order)
			SELECT ?, ?, l.value ->> 'kind', l.value ->> 'url', l.n
			FROM jsonb_array_elements(coalesce(?::jsonb -> 'links', '[]')) WITH ORDINALITY AS l(value, n)`,
			[]any{rev.ItemID, rev.MunicipalityID, string(rev.Snapshot)}},
	})
}
