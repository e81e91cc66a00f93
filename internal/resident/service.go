// Package resident keeps a resident's own things: favourites (organisations, activities,
// events), a chosen neighbourhood, interests, and the feed "for you" built from them. The
// owner is either a device without any account (an opaque device token; no personal data)
// or a person signed in with ID-porten, known only by the activity card's identity key.
package resident

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/identity"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// The defaults of the service's limits.
const (
	// DefaultIdleAfter is how long a device, or a signed-in resident's things, may go unused
	// before they are erased: 13 months.
	DefaultIdleAfter = 395 * 24 * time.Hour
	// DefaultMaxFavourites bounds one owner's favourites.
	DefaultMaxFavourites = 500
	// DefaultMaxRegistrations bounds the devices registered from one client address in
	// RegistrationWindow.
	DefaultMaxRegistrations = 20
	// RegistrationWindow is the window of the registration throttle; it is the login
	// throttle's, whose table keeps the attempts.
	RegistrationWindow = 15 * time.Minute
	// touchEvery is how stale a device's last use may get before a request writes it again.
	touchEvery = time.Hour
)

// Service keeps residents' own things.
type Service struct {
	db     *bun.DB
	secret string
	// Now is the clock; tests set it. Nil: time.Now.
	Now func() time.Time
	// IdleAfter, MaxFavourites and MaxRegistrations override the defaults when positive.
	IdleAfter        time.Duration
	MaxFavourites    int
	MaxRegistrations int

	// items shares the reads of items announced to the live feeds.
	items itemCache
}

// NewService returns the service over db; secret keys the device tokens' hashes and the
// persons' identity keys (the activity card's).
func NewService(db *bun.DB, secret string) *Service {
	return &Service{db: db, secret: secret}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) idleAfter() time.Duration {
	if s.IdleAfter > 0 {
		return s.IdleAfter
	}
	return DefaultIdleAfter
}

func (s *Service) maxFavourites() int {
	if s.MaxFavourites > 0 {
		return s.MaxFavourites
	}
	return DefaultMaxFavourites
}

// owner is whose things a request reads and writes: a row of resident_owners, or, for a
// signed-in person who has kept nothing yet, none (ID nil).
type owner struct {
	ID  uuid.UUID
	MID uuid.UUID
	// Key is a person's identity key; nil for a device.
	Key []byte
}

// device reports whether the owner is a device.
func (o *owner) device() bool { return o.Key == nil }

// current returns the request's owner: the person signed in with an identity number, or
// else the device whose token the request carries. Errors: UNAUTHENTICATED with
// DeviceRequired (nothing identifies the caller) or DeviceUnknown (a token that is not a
// device of this municipality), FORBIDDEN for a sign-in without an identity number.
func (s *Service) current(ctx context.Context) (*owner, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	mid := t.ID()
	v := auth.ViewerFrom(ctx)
	// SECURITY: a person is known only by the identity number of a verified ID token (never
	// by input), hashed with the municipality's key as the activity card hashes it.
	if v != nil && v.Identity != nil {
		if n, err := identity.Parse(v.Identity.IdentityNumber(), "identity"); err == nil {
			return s.person(ctx, mid, identity.Key(identity.MunicipalKey(s.secret, mid), n))
		}
	}
	d := deviceFrom(ctx)
	switch {
	case d.present:
		return s.deviceOwner(ctx, mid, d)
	case v != nil:
		return nil, apperr.New(apperr.Forbidden, "ResidentIdentityRequired")
	default:
		return nil, apperr.New(apperr.Unauthenticated, "DeviceRequired")
	}
}

// person returns the owner with identity key key in municipality mid (ID nil when they
// have kept nothing).
func (s *Service) person(ctx context.Context, mid uuid.UUID, key []byte) (*owner, error) {
	o := &owner{MID: mid, Key: key}
	var last time.Time
	err := s.db.NewSelect().
		Table("resident_owners").
		Column("id", "last_used_at").
		Where("municipality_id = ? AND identity_key = ?", mid, key).
		Scan(ctx, &o.ID, &last)
	if noRows(err) {
		return o, nil
	} else if err != nil {
		return nil, database.MapError(err, "find resident", "resident")
	}
	return o, s.touch(ctx, o.ID, last)
}

// touch notes that owner id, last used at last, is used now (at most once in touchEvery),
// so that the idle erasure spares it.
func (s *Service) touch(ctx context.Context, id uuid.UUID, last time.Time) error {
	now := s.now()
	if now.Sub(last) <= touchEvery {
		return nil
	}
	_, err := s.db.NewUpdate().
		Table("resident_owners").
		Set("last_used_at = ?", now).
		Where("id = ?", id).
		Exec(ctx)
	return database.MapError(err, "note resident use", "resident")
}

// deviceOwner returns the device with d's token in municipality mid, noting its use.
// Errors: UNAUTHENTICATED (DeviceUnknown) for a malformed, unknown, forgotten or erased
// token, or one of another municipality.
func (s *Service) deviceOwner(ctx context.Context, mid uuid.UUID, d deviceHeader) (*owner, error) {
	if d.token == "" {
		return nil, apperr.New(apperr.Unauthenticated, "DeviceUnknown")
	}
	o := &owner{MID: mid}
	var last time.Time
	// SECURITY: a device token counts only in the municipality it was registered in.
	err := s.db.NewSelect().
		Table("resident_owners").
		Column("id", "last_used_at").
		Where("municipality_id = ? AND token_hash = ?", mid, s.tokenHash(d.token)).
		Scan(ctx, &o.ID, &last)
	if noRows(err) {
		return nil, apperr.New(apperr.Unauthenticated, "DeviceUnknown")
	} else if err != nil {
		return nil, database.MapError(err, "find device", "device")
	}
	return o, s.touch(ctx, o.ID, last)
}

// ensure returns o's row id, making the row of a person who has kept nothing yet, in tx.
func (s *Service) ensure(ctx context.Context, tx bun.IDB, o *owner) (uuid.UUID, error) {
	if o.ID != uuid.Nil {
		return o.ID, nil
	}
	var id uuid.UUID
	err := tx.NewRaw(`INSERT INTO resident_owners (municipality_id, identity_key, last_used_at) VALUES (?, ?, ?)
		ON CONFLICT (municipality_id, identity_key) DO UPDATE SET last_used_at = EXCLUDED.last_used_at
		RETURNING id`, o.MID, o.Key, s.now()).Scan(ctx, &id)
	if err != nil {
		return uuid.Nil, database.MapError(err, "keep resident", "resident")
	}
	o.ID = id
	return id, nil
}

// tokenHash returns the keyed hash a device's token is kept as.
func (s *Service) tokenHash(token string) []byte {
	return auth.KeyedHash([]byte(s.secret), "resident-device", token)
}

// noRows reports whether err is a query's "no rows".
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// CurrentOwner returns the id of the request's owner, as every resident operation finds it
// (the person signed in with an identity number, else the device whose token the request
// carries), for what hangs on an owner elsewhere (Web Push subscriptions). With create, a
// person who has kept nothing yet is kept from now on; without, such a person gives
// uuid.Nil. Errors: those of MyThings (UNAUTHENTICATED, FORBIDDEN).
func (s *Service) CurrentOwner(ctx context.Context, create bool) (uuid.UUID, error) {
	o, err := s.current(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	if o.ID != uuid.Nil || !create {
		return o.ID, nil
	}
	return s.ensure(ctx, s.db, o)
}
