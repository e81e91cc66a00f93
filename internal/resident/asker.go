package resident

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Owner returns the ID of the request's resident, a device or a person signed in with
// ID-porten, making the person's row on db when they keep nothing yet: what a question is
// linked to, so that it goes into the resident's data report and is anonymised when they
// are erased. Errors as MyThings: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) Owner(ctx context.Context, db bun.IDB) (uuid.UUID, error) {
	o, err := s.current(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	return s.ensure(ctx, db, o)
}

// CallerKey returns a stable key of the request's resident, without making a row: the
// owner's ID for a device or a person who keeps something, the identity key for a person
// who keeps nothing; ok is false (and err nil) when the request is no resident (no device
// token, no identity number). Errors: UNAUTHENTICATED for a device token that is not a
// device of this municipality.
func (s *Service) CallerKey(ctx context.Context) (key []byte, ok bool, err error) {
	v := deviceFrom(ctx)
	o, err := s.current(ctx)
	switch {
	case err != nil && !v.present:
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case o.ID != uuid.Nil:
		return append([]byte("owner:"), o.ID[:]...), true, nil
	}
	return append([]byte("person:"), o.Key...), true, nil
}

// PersonOwner returns the owner ID of the person with identityNumber in the request's
// municipality (nil when they keep nothing), for a data-subject request. Administrators
// only. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "identityNumber".
func (s *Service) PersonOwner(ctx context.Context, identityNumber string) (uuid.UUID, error) {
	// SECURITY: only an administrator answers data-subject requests.
	t, _, err := requireAdmin(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	o, err := s.personByNumber(ctx, t, identityNumber)
	if err != nil {
		return uuid.Nil, err
	}
	return o.ID, nil
}
