package resident

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// DeviceHeader is the HTTP header an app sends its device token in.
const DeviceHeader = "X-Fritid-Device"

// devicePrefix starts every device token, so that a token found somewhere is known for what
// it is; 43 base64url characters (256 random bits) follow it.
const (
	devicePrefix   = "fdv_"
	deviceTokenLen = len(devicePrefix) + 43
)

// deviceHeader is what a request's DeviceHeader held.
type deviceHeader struct {
	// present: the header was sent (even empty or malformed).
	present bool
	// token is the well-formed token, or "" for a malformed one.
	token string
}

type deviceKey struct{}

// ParseDeviceToken returns the device token in a DeviceHeader value, trimmed, and whether it
// is well-formed: the prefix and 43 base64url characters. Anything else is no token.
func ParseDeviceToken(h string) (string, bool) {
	h = strings.TrimSpace(h)
	if len(h) != deviceTokenLen || !strings.HasPrefix(h, devicePrefix) {
		return "", false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(h[len(devicePrefix):])
	if err != nil || len(b) != 32 {
		return "", false
	}
	return h, true
}

// Middleware puts the request's device token (DeviceHeader) in the context for the
// service, unchecked: only the resident's own queries and mutations read it, and answer
// UNAUTHENTICATED for one that is not a device of the request's municipality.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		vs, ok := r.Header[http.CanonicalHeaderKey(DeviceHeader)]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		d := deviceHeader{present: true}
		if len(vs) == 1 {
			d.token, _ = ParseDeviceToken(vs[0])
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), deviceKey{}, d)))
	})
}

// WithDevice returns ctx carrying the device token header value h, as Middleware does.
func WithDevice(ctx context.Context, h string) context.Context {
	d := deviceHeader{present: true}
	d.token, _ = ParseDeviceToken(h)
	return context.WithValue(ctx, deviceKey{}, d)
}

func deviceFrom(ctx context.Context) deviceHeader {
	d, _ := ctx.Value(deviceKey{}).(deviceHeader)
	return d
}

// newDeviceToken returns a fresh device token: the prefix and 256 random bits.
func newDeviceToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return devicePrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// RegisterDevice registers a device of the request's municipality and returns its token,
// shown this once (only its keyed hash is kept). Anyone may; it keeps no personal data.
// Errors: RATE_LIMITED (RetryAfter seconds in Data) when the client address registered
// too many devices in RegistrationWindow.
func (s *Service) RegisterDevice(ctx context.Context) (string, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return "", err
	}
	mid, now := t.ID(), s.now()
	key := auth.KeyedHash([]byte(s.secret), "device-client", auth.ClientFrom(ctx))
	// SECURITY: registrations are counted per client address, recorded before counting so
	// that the limit holds for requests arriving at once on any number of instances.
	release, err := auth.RecordAttempt(ctx, s.db.DB, mid, key, now)
	if err != nil {
		return "", err
	}
	if err := s.registrationsOver(ctx, mid, key, now); err != nil {
		release()
		return "", err
	}
	token, err := newDeviceToken()
	if err != nil {
		release()
		return "", err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO resident_owners (municipality_id, token_hash, created_at, last_used_at)
		VALUES (?, ?, ?, ?)`, mid, s.tokenHash(token), now, now)
	if err != nil {
		release()
		return "", database.MapError(err, "register device", "device")
	}
	return token, nil
}

// registrationsOver returns RATE_LIMITED when client key has more registrations in the
// window than allowed, its own (just recorded) included.
func (s *Service) registrationsOver(ctx context.Context, mid uuid.UUID, key []byte, now time.Time) error {
	limit := DefaultMaxRegistrations
	if s.MaxRegistrations > 0 {
		limit = s.MaxRegistrations
	}
	var n int
	var oldest time.Time
	err := s.db.NewSelect().
		Table("login_failures").
		ColumnExpr("count(*), coalesce(min(failed_at), ?)", now).
		Where("municipality_id = ? AND key_hash = ? AND failed_at > ?", mid, key, now.Add(-RegistrationWindow)).
		Scan(ctx, &n, &oldest)
	if err != nil {
		return database.MapError(err, "count registrations", "device")
	}
	if n <= limit {
		return nil
	}
	wait := oldest.Add(RegistrationWindow).Sub(now)
	return &apperr.Error{Code: apperr.RateLimited, MessageID: "DeviceRateLimited",
		Data: map[string]any{"RetryAfter": int(math.Ceil(max(wait.Seconds(), 1)))}}
}

// ForgetDevice erases the request's device and everything kept for it (its favourites,
// neighbourhood and interests); its token is unknown from then on. Only the device itself
// may. Errors: UNAUTHENTICATED (DeviceRequired, DeviceUnknown).
func (s *Service) ForgetDevice(ctx context.Context) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	d := deviceFrom(ctx)
	if !d.present {
		return apperr.New(apperr.Unauthenticated, "DeviceRequired")
	}
	// SECURITY: a device forgets only itself: the one whose token the request carries, in
	// the request's municipality.
	o, err := s.deviceOwner(ctx, t.ID(), d)
	if err != nil {
		return err
	}
	return s.deleteOwner(ctx, s.db, o.ID)
}

// deleteOwner erases an owner and, by the foreign keys, everything kept for it.
func (s *Service) deleteOwner(ctx context.Context, db bun.IDB, id uuid.UUID) error {
	_, err := db.NewDelete().
		Table("resident_owners").
		Where("id = ?", id).
		Exec(ctx)
	return database.MapError(err, "erase resident", "resident")
}

// EraseIdleDevices erases, in every municipality, the devices, and the things of residents
// signed in with ID-porten, not used since IdleAfter before now, with everything kept for
// them, and returns how many owners.
func (s *Service) EraseIdleDevices(ctx context.Context, now time.Time) (int, error) {
	res, err := s.db.NewDelete().
		Table("resident_owners").
		Where("last_used_at < ?", now.Add(-s.idleAfter())).
		Exec(ctx)
	if err != nil {
		return 0, database.MapError(err, "erase idle devices", "device")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// IdleDeviceInterval is how often the idle devices are erased.
const IdleDeviceInterval = 24 * time.Hour

// IdleDeviceArgs is the job that erases idle devices and residents' things. It belongs to every municipality, so
// it carries no municipality id.
type IdleDeviceArgs struct{}

// Kind names the job.
func (IdleDeviceArgs) Kind() string { return "resident_idle_devices" }

// InsertOpts makes the job unique per period.
func (IdleDeviceArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: IdleDeviceInterval}}
}

// IdleDeviceWorker runs the erasure of idle devices.
type IdleDeviceWorker struct {
	river.WorkerDefaults[IdleDeviceArgs]
	Residents *Service
}

// Work runs EraseIdleDevices at the service clock's now; it logs a count, never a device.
func (w *IdleDeviceWorker) Work(ctx context.Context, _ *river.Job[IdleDeviceArgs]) error {
	n, err := w.Residents.EraseIdleDevices(ctx, w.Residents.now())
	if n > 0 {
		slog.InfoContext(ctx, "idle device erasure job", "devices", n)
	}
	if err != nil && ctx.Err() == nil {
		slog.ErrorContext(ctx, "idle device erasure job", "err", err)
	}
	return err
}
