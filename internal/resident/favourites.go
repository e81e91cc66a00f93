package resident

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// FavouriteKind is what a favourite is: an organisation, an activity or an event.
type FavouriteKind string

// The kinds of favourite, with the global ID types they are given by.
const (
	FavouriteOrganisation FavouriteKind = "ORGANISATION"
	FavouriteActivity     FavouriteKind = "ACTIVITY"
	FavouriteEvent        FavouriteKind = "EVENT"
)

// kindOfType maps a global ID's type to the kind of favourite it can be.
var kindOfType = map[string]FavouriteKind{"Organisation": FavouriteOrganisation, "Activity": FavouriteActivity,
	"Event": FavouriteEvent}

// typeOfKind is the global ID type of each kind.
var typeOfKind = map[FavouriteKind]string{FavouriteOrganisation: "Organisation", FavouriteActivity: "Activity",
	FavouriteEvent: "Event"}

// visibleSQL is, per kind, the condition that item "?" is public in municipality "?": what
// anyone may favourite and see among their favourites. Drafts never are.
var visibleSQL = map[FavouriteKind]string{
	FavouriteOrganisation: `EXISTS (SELECT 1 FROM organisations o WHERE o.id = ? AND o.municipality_id = ?
		AND o.status = 'PUBLISHED')`,
	FavouriteActivity: `EXISTS (SELECT 1 FROM activities a WHERE a.id = ? AND a.municipality_id = ? AND a.published)`,
	FavouriteEvent: `EXISTS (SELECT 1 FROM events e WHERE e.id = ? AND e.municipality_id = ?
		AND e.publication = 'PUBLISHED' AND (e.organisation_id IS NULL OR EXISTS (SELECT 1 FROM organisations po
		WHERE po.id = e.organisation_id AND po.status = 'PUBLISHED')))`,
}

// Favourite is an organisation, activity or event a resident keeps.
type Favourite struct {
	Kind   FavouriteKind `bun:"kind"`
	ItemID uuid.UUID     `bun:"item_id,type:uuid"`
	// NotifyNewDates: tell the resident about the item's new dates.
	NotifyNewDates bool      `bun:"notify_new_dates"`
	CreatedAt      time.Time `bun:"created_at"`
}

// ItemGlobalID returns the favourite item's global ID.
func (f *Favourite) ItemGlobalID() string { return relay.GlobalID(typeOfKind[f.Kind], f.ItemID) }

// parseItem returns the kind and id of a favourite's global ID. Errors: BAD_USER_INPUT
// naming field for a malformed ID or one of a type that cannot be a favourite.
func parseItem(gid, field string) (FavouriteKind, uuid.UUID, error) {
	typ, id, err := relay.ParseGlobalID(gid, field)
	if err != nil {
		return "", uuid.Nil, err
	}
	kind, ok := kindOfType[typ]
	if !ok {
		return "", uuid.Nil, apperr.Invalid(field, "FavouriteKindInvalid", nil).WithReason("KIND")
	}
	return kind, id, nil
}

// AddFavourite keeps an organisation, activity or event (by global ID) as the caller's
// favourite, or changes notifyNewDates of one kept already (nil: unchanged, false for a new
// one). Adding twice is adding once. The caller is a device or a person signed in with
// ID-porten (see current). Errors: UNAUTHENTICATED, FORBIDDEN; BAD_USER_INPUT naming
// "itemId" for an ID of another type, or with reason TOO_MANY when MaxFavourites are kept;
// NOT_FOUND naming "itemId" for an item unknown, unpublished or of another municipality.
func (s *Service) AddFavourite(ctx context.Context, itemID string, notifyNewDates *bool) (*Favourite, error) {
	o, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	kind, id, err := parseItem(itemID, "itemId")
	if err != nil {
		return nil, err
	}
	// SECURITY: only a published item of the request's municipality; a draft or another
	// municipality's item is as unknown as one that does not exist.
	var ok bool
	if err := s.db.NewSelect().ColumnExpr(visibleSQL[kind], id, o.MID).Scan(ctx, &ok); err != nil {
		return nil, database.MapError(err, "find favourite item", "itemId")
	}
	if !ok {
		return nil, apperr.NotFoundf("item").WithField("itemId")
	}
	f := &Favourite{}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		owner, err := s.lockOwner(ctx, tx, o)
		if err != nil {
			return err
		}
		return s.upsertFavourite(ctx, tx, o.MID, owner, kind, id, notifyNewDates, f)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// lockOwner returns the owner's row id, making it for a person who kept nothing yet, and
// locks it, so that concurrent additions count one after another against the limit.
func (s *Service) lockOwner(ctx context.Context, tx bun.IDB, o *owner) (uuid.UUID, error) {
	id, err := s.ensure(ctx, tx, o)
	if err != nil {
		return uuid.Nil, err
	}
	_, err = tx.NewSelect().
		Table("resident_owners").
		Column("id").
		Where("id = ?", id).
		For("UPDATE").
		Exec(ctx)
	if err != nil {
		return uuid.Nil, database.MapError(err, "lock resident", "resident")
	}
	return id, nil
}

// upsertFavourite keeps (kind, id) for owner in tx, into f, within the limit.
func (s *Service) upsertFavourite(ctx context.Context, tx bun.IDB, mid, owner uuid.UUID, kind FavouriteKind,
	id uuid.UUID, notify *bool, f *Favourite,
) error {
	var n int
	var kept bool
	err := tx.NewSelect().
		Table("resident_favourites").
		ColumnExpr("count(*), coalesce(bool_or(kind = ? AND item_id = ?), false)", kind, id).
		Where("owner_id = ?", owner).
		Scan(ctx, &n, &kept)
	if err != nil {
		return database.MapError(err, "count favourites", "itemId")
	}
	// SECURITY: a bounded number of favourites per owner, so no device fills the database.
	if !kept && n >= s.maxFavourites() {
		return apperr.Invalid("itemId", "FavouritesTooMany", map[string]any{"Max": s.maxFavourites()}).
			WithReason("TOO_MANY")
	}
	return tx.NewRaw(`INSERT INTO resident_favourites (owner_id, municipality_id, kind, item_id, notify_new_dates,
		created_at) VALUES (?, ?, ?, ?, coalesce(?::boolean, false), ?)
		ON CONFLICT (owner_id, kind, item_id) DO UPDATE
		SET notify_new_dates = coalesce(?::boolean, resident_favourites.notify_new_dates)
		RETURNING kind, item_id, notify_new_dates, created_at`,
		owner, mid, kind, id, notify, s.now(), notify).Scan(ctx, f)
}

// RemoveFavourite stops keeping an item (by global ID) as the caller's favourite; removing
// one not kept does nothing. It returns whether one was kept. Errors: UNAUTHENTICATED,
// FORBIDDEN, BAD_USER_INPUT naming "itemId".
func (s *Service) RemoveFavourite(ctx context.Context, itemID string) (bool, error) {
	o, err := s.current(ctx)
	if err != nil {
		return false, err
	}
	kind, id, err := parseItem(itemID, "itemId")
	if err != nil || o.ID == uuid.Nil {
		return false, err
	}
	// SECURITY: only the caller's own favourites.
	res, err := s.db.NewDelete().
		Table("resident_favourites").
		Where("owner_id = ? AND kind = ? AND item_id = ?", o.ID, kind, id).
		Exec(ctx)
	if err != nil {
		return false, database.MapError(err, "remove favourite", "itemId")
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// favourites returns owner's favourites that are public now, newest first.
func (s *Service) favourites(ctx context.Context, o *owner) ([]*Favourite, error) {
	out := []*Favourite{}
	if o.ID == uuid.Nil {
		return out, nil
	}
	err := s.db.NewSelect().
		TableExpr("resident_favourites AS f").
		Column("f.kind", "f.item_id", "f.notify_new_dates", "f.created_at").
		Where("f.owner_id = ?", o.ID).
		Where(`CASE f.kind WHEN 'ORGANISATION' THEN `+visibleSQL[FavouriteOrganisation]+`
			WHEN 'ACTIVITY' THEN `+visibleSQL[FavouriteActivity]+`
			ELSE `+visibleSQL[FavouriteEvent]+` END`,
			bun.Ident("f.item_id"), o.MID, bun.Ident("f.item_id"), o.MID, bun.Ident("f.item_id"), o.MID).
		OrderExpr("f.created_at DESC, f.item_id").
		Scan(ctx, &out)
	if err != nil {
		return nil, database.MapError(err, "find favourites", "favourites")
	}
	return out, nil
}
