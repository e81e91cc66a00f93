package auth

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// Options tune sessions and the login throttle.
type Options struct {
	// SessionTTL is how long a session lasts at most; IdleTimeout ends it sooner when
	// unused.
	SessionTTL, IdleTimeout time.Duration
	// MaxFailures failed logins per account (or MaxFailures*4 per client address) within
	// FailureWindow lock further attempts out until the window has passed.
	MaxFailures   int
	FailureWindow time.Duration
	// Issuers are the OpenID Connect issuers whose ID tokens are accepted.
	Issuers []Issuer
	// HTTPClient fetches the issuers' discovery documents and keys; nil is
	// http.DefaultClient.
	HTTPClient *http.Client
}

// DefaultOptions are the defaults: 30 days, 7 days idle, 5 failures in 15 minutes.
var DefaultOptions = Options{SessionTTL: 30 * 24 * time.Hour, IdleTimeout: 7 * 24 * time.Hour, MaxFailures: 5, FailureWindow: 15 * time.Minute}

// Service signs users in and out and tells who a token belongs to.
type Service struct {
	db     *bun.DB
	secret []byte
	opt    Options
	now    func() time.Time
	oidc   *oidcVerifiers
	// verify checks a password against a hash (checkPassword; tests count its calls).
	verify func(hash, password string) (bool, error)
}

// NewService returns a Service; secret keys the token and throttle hashes.
func NewService(db *bun.DB, secret string, opt Options) *Service {
	return &Service{db: db, secret: []byte(secret), opt: opt, now: time.Now, verify: checkPassword,
		oidc: &oidcVerifiers{issuers: opt.Issuers, client: opt.HTTPClient, byURL: map[string]*oidc.IDTokenVerifier{}}}
}

// NormaliseEmail returns the e-mail address trimmed and in lower case. Errors:
// BAD_USER_INPUT naming field when it is not an address.
func NormaliseEmail(email, field string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") {
		return "", apperr.Invalid(field, "EmailInvalid", nil)
	}
	return e, nil
}

// LoginResult is what a successful login gives: the token (shown only now), when the
// session ends at the latest, and the viewer the token stands for, exactly as Authenticate
// gives it for the token (the user with their roles and the session).
type LoginResult struct {
	Token     string
	ExpiresAt time.Time
	Viewer    *Viewer
}

// errBadLogin is the one answer for an unknown e-mail and a wrong password.
var errBadLogin = apperr.New(apperr.Unauthenticated, "LoginFailed")

// errNotVerified answers the right password of an account whose address is not confirmed.
var errNotVerified = apperr.New(apperr.EmailNotVerified, "")

// Login checks the e-mail and password and starts a session. clientKey identifies the
// client (its address) for throttling; it is only ever stored as a keyed hash. Errors:
// UNAUTHENTICATED (the same for unknown e-mail and wrong password), EMAIL_NOT_VERIFIED for
// the right password of an account whose e-mail address is not confirmed yet, RATE_LIMITED
// with retry-after seconds in Data.
func (s *Service) Login(ctx context.Context, email, password, clientKey string) (*LoginResult, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	keys := [][]byte{KeyedHash(s.secret, "login-account", t.ID().String()+"/"+email), KeyedHash(s.secret, "login-client", clientKey)}
	// SECURITY: throttle before any password work, per account and per client address; the
	// attempt is counted first, so the limit holds across instances and concurrent attempts.
	release, err := s.reserve(ctx, t.ID(), keys)
	if err != nil {
		return nil, err
	}
	u, err := s.findUserByEmail(ctx, t.ID(), email)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		release()
		return nil, err
	}
	hash := dummyHash
	if u != nil && u.PasswordHash != nil && u.DisabledAt == nil {
		hash = *u.PasswordHash
	}
	// SECURITY: exactly one argon2id verification whether or not the account exists, so
	// that the time taken does not tell which addresses have accounts.
	ok, err := s.verify(hash, password)
	if err != nil {
		release()
		return nil, err
	}
	// SECURITY: a missing, disabled or password-less account fails exactly like a wrong password.
	if !ok || u == nil || u.PasswordHash == nil || u.DisabledAt != nil {
		return nil, s.fail(ctx, t.ID(), keys, u)
	}
	release() // the right password is no failure
	// SECURITY: only after the right password: a self-registered account signs in once its
	// address is confirmed, so this answer reveals nothing a guesser does not know already.
	if u.EmailVerifiedAt == nil {
		return nil, errNotVerified
	}
	return s.startSession(ctx, u)
}

func (s *Service) findUserByEmail(ctx context.Context, mid uuid.UUID, email string) (*User, error) {
	u := new(User)
	err := s.db.NewSelect().Model(u).Where("u.municipality_id = ? AND u.email = ?", mid, email).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find user", "user")
	}
	return u, nil
}

func (s *Service) startSession(ctx context.Context, u *User) (*LoginResult, error) {
	token, err := NewToken()
	if err != nil {
		return nil, err
	}
	now := s.now()
	sess := &Session{ID: uuid.Must(uuid.NewV7()), MunicipalityID: u.MunicipalityID, UserID: u.ID,
		TokenHash: KeyedHash(s.secret, "session", token), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.opt.SessionTTL)}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(sess).Exec(ctx); err != nil {
			return database.MapError(err, "insert session", "session")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: u.MunicipalityID, ActorID: &u.ID, Action: "login", ItemType: "User", ItemID: &u.ID})
	})
	if err != nil {
		return nil, err
	}
	v, err := s.sessionViewer(ctx, u, sess.ID)
	if err != nil {
		return nil, err
	}
	return &LoginResult{Token: token, ExpiresAt: sess.ExpiresAt, Viewer: v}, nil
}

// Authenticate returns the viewer a session token belongs to in the request's
// municipality. Errors: UNAUTHENTICATED for an unknown, expired or idle token, or one of
// another municipality.
func (s *Service) Authenticate(ctx context.Context, mid uuid.UUID, token string) (*Viewer, error) {
	sess := new(Session)
	err := s.db.NewSelect().Model(sess).Where("s.token_hash = ?", KeyedHash(s.secret, "session", token)).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthenticated, "TokenInvalid")
	} else if err != nil {
		return nil, database.MapError(err, "find session", "session")
	}
	now := s.now()
	// SECURITY: a session only works in its own municipality, before it expires, while used.
	if sess.MunicipalityID != mid || now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.opt.IdleTimeout {
		return nil, apperr.New(apperr.Unauthenticated, "TokenInvalid")
	}
	u := new(User)
	err = s.db.NewSelect().Model(u).Where("u.id = ? AND u.disabled_at IS NULL", sess.UserID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) { // disabled or gone
		return nil, apperr.Wrap(apperr.Unauthenticated, "TokenInvalid", err)
	} else if err != nil {
		return nil, database.MapError(err, "find session user", "user") // an outage is 503, not 401
	}
	if now.Sub(sess.LastSeenAt) > time.Minute { // keep idle time current without a write per request
		s.db.NewUpdate().Model(sess).Set("last_seen_at = ?", now).WherePK().Exec(ctx) //nolint:errcheck // best effort
	}
	return s.sessionViewer(ctx, u, sess.ID)
}

// sessionViewer returns the viewer of user u's session: the user with their roles. Login
// and Authenticate both build it here, so a login's answer is what the token then gives.
func (s *Service) sessionViewer(ctx context.Context, u *User, sessionID uuid.UUID) (*Viewer, error) {
	roles, err := s.roles(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return &Viewer{User: u, SessionID: sessionID, Roles: roles}, nil
}

func (s *Service) roles(ctx context.Context, userID uuid.UUID) ([]MunicipalRole, error) {
	var roles []MunicipalRole
	err := s.db.NewSelect().Table("municipal_roles").Column("role").Where("user_id = ?", userID).Order("role").Scan(ctx, &roles)
	return roles, database.MapError(err, "find roles", "role")
}

// Logout ends the viewer's session. Errors: UNAUTHENTICATED when anonymous.
func (s *Service) Logout(ctx context.Context) error {
	v := ViewerFrom(ctx)
	// SECURITY: only a signed-in viewer, and only its own session.
	if v == nil || v.User == nil {
		return apperr.New(apperr.Unauthenticated, "")
	}
	return s.endSessions(ctx, v, "logout", "id = ?", v.SessionID)
}

// LogoutEverywhere ends every session of the viewer and returns how many. Errors:
// UNAUTHENTICATED when anonymous.
func (s *Service) LogoutEverywhere(ctx context.Context) (int, error) {
	v := ViewerFrom(ctx)
	// SECURITY: only a signed-in viewer, and only its own sessions.
	if v == nil || v.User == nil {
		return 0, apperr.New(apperr.Unauthenticated, "")
	}
	var n int
	err := s.endSessionsCount(ctx, v, &n)
	return n, err
}

func (s *Service) endSessions(ctx context.Context, v *Viewer, action, where string, args ...any) error {
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ?", v.User.ID).Where(where, args...).Exec(ctx); err != nil {
			return database.MapError(err, "end session", "session")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: v.User.MunicipalityID, ActorID: &v.User.ID, Action: action, ItemType: "User", ItemID: &v.User.ID})
	})
}

func (s *Service) endSessionsCount(ctx context.Context, v *Viewer, n *int) error {
	count, err := s.db.NewSelect().Model((*Session)(nil)).Where("user_id = ?", v.User.ID).Count(ctx)
	if err != nil {
		return database.MapError(err, "count sessions", "session")
	}
	*n = int(count)
	return s.endSessions(ctx, v, "logout_everywhere", "TRUE")
}
