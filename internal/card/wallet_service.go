package card

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// The PassKit web service: the devices that hold an Apple pass register for its updates
// and fetch it again when told it changed. Its requests carry no session and no
// municipality: a pass is known by its serial number (the ticket's ID) and proved by its
// web service token (Authorization: ApplePass <token>), of which only the hash is kept.

// walletMaxDevices is how many devices may register one pass for updates.
const walletMaxDevices = 20

// walletTokenOK returns nil when token is one of the pass's web service tokens, for the
// pass type set up. Errors: NOT_FOUND (another pass type, or a serial that is not a
// ticket's ID), UNAUTHENTICATED (the token is not the pass's).
func (s *Service) walletTokenOK(ctx context.Context, passType, serial, token string) (uuid.UUID, error) {
	if s.Wallet.Apple == nil || passType != s.Wallet.Apple.PassTypeID {
		return uuid.Nil, apperr.NotFoundf("pass")
	}
	id, err := uuid.Parse(serial)
	if err != nil {
		return uuid.Nil, apperr.NotFoundf("pass")
	}
	// SECURITY: the web service token proves the pass: one of the kept hashes of the
	// tokens its downloads carried.
	ok, err := s.db.NewSelect().Table("card_wallet_tokens").
		Where("ticket_id = ? AND token_hash = ?", id, walletTokenHash(token)).Exists(ctx)
	if err != nil {
		return uuid.Nil, database.MapError(err, "check wallet token", "pass")
	}
	if !ok || len(token) < 16 {
		return uuid.Nil, apperr.New(apperr.Unauthenticated, "")
	}
	return id, nil
}

// RegisterWalletDevice registers a device for the updates of the pass with serial, to be
// told through pushToken. It reports whether the registration is new. Errors: as
// walletTokenOK, BAD_USER_INPUT naming "deviceLibraryIdentifier" or "pushToken" (empty
// or too long), RATE_LIMITED (too many devices for one pass).
func (s *Service) RegisterWalletDevice(ctx context.Context, device, passType, serial, token, pushToken string,
) (bool, error) {
	id, err := s.walletTokenOK(ctx, passType, serial, token)
	if err != nil {
		return false, err
	}
	switch {
	case device == "" || len(device) > 128:
		return false, apperr.Invalid("deviceLibraryIdentifier", "", nil)
	case pushToken == "" || len(pushToken) > 256:
		return false, apperr.Invalid("pushToken", "", nil)
	}
	var created *bool
	err = s.db.NewRaw(`WITH pass AS (SELECT ticket_id, municipality_id FROM card_wallet_passes WHERE ticket_id = ?0
			AND (SELECT count(*) FROM card_wallet_registrations WHERE ticket_id = ?0) < ?3),
		up AS (INSERT INTO card_wallet_registrations (ticket_id, device_library_id, push_token, municipality_id)
			SELECT ticket_id, ?1, ?2, municipality_id FROM pass
			ON CONFLICT (ticket_id, device_library_id) DO UPDATE SET push_token = EXCLUDED.push_token
			RETURNING xmax = 0 AS created)
		SELECT coalesce((SELECT created FROM up), (SELECT false FROM card_wallet_registrations
			WHERE ticket_id = ?0 AND device_library_id = ?1))`, id, device, pushToken, walletMaxDevices).
		Scan(ctx, &created)
	if err != nil {
		return false, database.MapError(err, "register wallet device", "pass")
	}
	if created == nil { // a new device, and the pass has as many as it may
		return false, apperr.New(apperr.RateLimited, "")
	}
	return *created, nil
}

// UnregisterWalletDevice ends a device's registration for the pass with serial. Errors:
// as walletTokenOK.
func (s *Service) UnregisterWalletDevice(ctx context.Context, device, passType, serial, token string) error {
	id, err := s.walletTokenOK(ctx, passType, serial, token)
	if err != nil {
		return err
	}
	_, err = s.db.NewDelete().Table("card_wallet_registrations").
		Where("ticket_id = ? AND device_library_id = ?", id, device).Exec(ctx)
	return database.MapError(err, "unregister wallet device", "pass")
}

// WalletSerialsUpdated returns the serial numbers of the passes of passType the device
// registered that changed after since (an earlier answer's tag; "" for all), and the tag
// to give next time. None: nil serials. Errors: NOT_FOUND (another pass type),
// BAD_USER_INPUT naming "passesUpdatedSince".
func (s *Service) WalletSerialsUpdated(ctx context.Context, device, passType, since string) ([]string, string,
	error,
) {
	if s.Wallet.Apple == nil || passType != s.Wallet.Apple.PassTypeID {
		return nil, "", apperr.NotFoundf("pass")
	}
	after := time.Time{}
	if since != "" {
		us, err := strconv.ParseInt(since, 10, 64)
		if err != nil {
			return nil, "", apperr.Invalid("passesUpdatedSince", "", nil)
		}
		after = time.UnixMicro(us)
	}
	var rows []struct {
		TicketID  uuid.UUID `bun:"ticket_id"`
		ChangedAt time.Time `bun:"changed_at"`
	}
	// The device's library identifier is its own; it learns no more than which of its
	// passes changed.
	err := s.db.NewRaw(`SELECT p.ticket_id, p.changed_at FROM card_wallet_registrations r
		JOIN card_wallet_passes p ON p.ticket_id = r.ticket_id
		WHERE r.device_library_id = ? AND p.changed_at > ? ORDER BY p.changed_at`, device, after).Scan(ctx, &rows)
	if err != nil {
		return nil, "", database.MapError(err, "find updated passes", "pass")
	}
	if len(rows) == 0 {
		return nil, "", nil
	}
	serials := make([]string, len(rows))
	for i, r := range rows {
		serials[i] = r.TicketID.String()
	}
	return serials, strconv.FormatInt(rows[len(rows)-1].ChangedAt.UnixMicro(), 10), nil
}

// WalletPassUpdate returns the pass with serial as it is now, carrying the token it was
// asked with, and when it last changed; with ifModifiedSince not before that, no pass
// (nil) and no error. Errors: as walletTokenOK.
func (s *Service) WalletPassUpdate(ctx context.Context, passType, serial, token string, ifModifiedSince time.Time,
) ([]byte, time.Time, error) {
	id, err := s.walletTokenOK(ctx, passType, serial, token)
	if err != nil {
		return nil, time.Time{}, err
	}
	p, _, row, err := s.walletPass(ctx, s.db, id)
	if err != nil {
		return nil, time.Time{}, err
	}
	changed := row.ChangedAt.Truncate(time.Second)
	if !ifModifiedSince.IsZero() && !changed.After(ifModifiedSince) {
		return nil, changed, nil
	}
	p.AuthToken = token
	b, err := s.Wallet.Apple.Build(p)
	return b, changed, err
}
