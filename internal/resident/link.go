package resident

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// LinkDevice moves what the request's device keeps to the resident signed in with
// ID-porten on the same request, and forgets the device: its favourites are merged (those
// kept by both once, up to MaxFavourites; "tell me about new dates" if either asked), and
// its neighbourhood and interests are taken where the resident has chosen none, its push
// subscriptions are the resident's from then on. It returns
// what the resident keeps then. Errors: UNAUTHENTICATED (no device, or one unknown, or no
// sign-in), FORBIDDEN for a sign-in without an identity number.
func (s *Service) LinkDevice(ctx context.Context) (*Things, error) {
	o, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: only a person proven by an ID token takes a device's things, and only of the
	// device whose token this very request carries, in the request's municipality.
	if o.device() {
		return nil, apperr.New(apperr.Unauthenticated, "ResidentIdentityRequired")
	}
	d := deviceFrom(ctx)
	if !d.present {
		return nil, apperr.New(apperr.Unauthenticated, "DeviceRequired")
	}
	dev, err := s.deviceOwner(ctx, o.MID, d)
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		person, err := s.lockOwner(ctx, tx, o)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO resident_favourites (owner_id, municipality_id, kind, item_id,
			notify_new_dates, created_at)
			SELECT ?, f.municipality_id, f.kind, f.item_id, f.notify_new_dates, f.created_at
			FROM resident_favourites f WHERE f.owner_id = ?
			ORDER BY f.created_at DESC
			LIMIT greatest(0, ? - (SELECT count(*) FROM resident_favourites WHERE owner_id = ?))
			ON CONFLICT (owner_id, kind, item_id) DO UPDATE
			SET notify_new_dates = resident_favourites.notify_new_dates OR EXCLUDED.notify_new_dates`,
			person, dev.ID, s.maxFavourites(), person)
		if err != nil {
			return database.MapError(err, "merge favourites", "favourites")
		}
		_, err = tx.ExecContext(ctx, `UPDATE resident_owners p SET
			neighbourhood_id = coalesce(p.neighbourhood_id, d.neighbourhood_id),
			category_ids = CASE WHEN cardinality(p.category_ids) = 0 THEN d.category_ids ELSE p.category_ids END,
			age_groups = CASE WHEN cardinality(p.age_groups) = 0 THEN d.age_groups ELSE p.age_groups END,
			languages = CASE WHEN cardinality(p.languages) = 0 THEN d.languages ELSE p.languages END
			FROM resident_owners d WHERE p.id = ? AND d.id = ?`, person, dev.ID)
		if err != nil {
			return database.MapError(err, "merge interests", "resident")
		}
		// The device's push subscriptions go with its things (those the resident has already
		// stay as they are).
		_, err = tx.ExecContext(ctx, `UPDATE push_subscriptions d SET owner_id = ? WHERE d.owner_id = ?
			AND NOT EXISTS (SELECT 1 FROM push_subscriptions p WHERE p.owner_id = ? AND p.endpoint = d.endpoint)`,
			person, dev.ID, person)
		if err != nil {
			return database.MapError(err, "move push subscriptions", "resident")
		}
		return s.deleteOwner(ctx, tx, dev.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.things(ctx, o)
}
