package auth

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// resetTTL is how long a password reset link works.
const resetTTL = time.Hour

// RequestPasswordReset e-mails a reset link to the account with email, if there is one.
// It answers the same whether or not there is, so it tells nobody which addresses have
// accounts. publicURL starts the link. Errors: BAD_USER_INPUT for a malformed address,
// RATE_LIMITED like login for an account asked too often.
func (s *Service) RequestPasswordReset(ctx context.Context, email, publicURL string) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	email, err = NormaliseEmail(email, "email")
	if err != nil {
		return err
	}
	key := [][]byte{KeyedHash(s.secret, "reset-account", t.ID().String()+"/"+email), KeyedHash(s.secret, "reset-client", ClientFrom(ctx))}
	// SECURITY: throttled like failed logins, so it cannot flood a mailbox.
	if err := s.throttled(ctx, t.ID(), key); err != nil {
		return err
	}
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := s.recordAttempt(ctx, tx, t.ID(), key); err != nil {
			return err
		}
		u := new(User)
		if err := tx.NewSelect().Model(u).Where("u.municipality_id = ? AND u.email = ? AND u.disabled_at IS NULL", t.ID(), email).Scan(ctx); err != nil {
			return nil //nolint:nilerr // no account: the same answer, no e-mail
		}
		token, err := NewToken()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO password_resets (token_hash, municipality_id, user_id, expires_at) VALUES (?, ?, ?, ?)",
			KeyedHash(s.secret, "reset", token), t.ID(), u.ID, s.now().Add(resetTTL)); err != nil {
			return database.MapError(err, "insert reset", "user")
		}
		return mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: t.ID(), Template: "PasswordReset", To: u.Email, Locale: i18n.FromContext(ctx).Code,
			Data: map[string]any{"Municipality": t.Municipality.Name, "Link": publicURL + "/reset-password?token=" + token}})
	})
}

// ResetPassword sets a new password with the token from a reset link, once, and ends the
// account's sessions. Errors: BAD_USER_INPUT naming "token" (unknown, used or expired) or
// "password" (too short).
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return apperr.Invalid("password", "PasswordTooShort", map[string]any{"Min": MinPasswordLength})
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	// SECURITY: the token is the proof; it works once, in its municipality, within the hour.
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var userID uuid.UUID
		err := tx.NewRaw(`DELETE FROM password_resets WHERE token_hash = ? AND municipality_id = ? AND expires_at > ? RETURNING user_id`,
			KeyedHash(s.secret, "reset", token), t.ID(), s.now()).Scan(ctx, &userID)
		if err != nil {
			return apperr.Invalid("token", "VerificationInvalid", nil)
		}
		stmts := []struct {
			q    string
			args []any
		}{
			{"UPDATE users SET password_hash = ?, email_verified_at = coalesce(email_verified_at, now()), updated_at = now() WHERE id = ?", []any{hash, userID}},
			{"DELETE FROM sessions WHERE user_id = ?", []any{userID}},
			{"DELETE FROM password_resets WHERE user_id = ?", []any{userID}},
		}
		for _, st := range stmts {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return database.MapError(err, "reset password", "user")
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &userID, Action: "reset_password", ItemType: "User", ItemID: &userID, Fields: []string{"password"}})
	})
}
