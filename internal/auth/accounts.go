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

// verificationTTL is how long an e-mail verification link works.
const verificationTTL = 72 * time.Hour

// NewAccount creates an account whose e-mail is not verified yet, inside the caller's
// transaction, and returns it with the verification token for the link (shown only in
// the e-mail). fieldPrefix names the input, e.g. "input.owner". Errors: BAD_USER_INPUT
// naming the field, CONFLICT when the e-mail has an account here.
func (s *Service) NewAccount(ctx context.Context, tx bun.IDB, mid uuid.UUID, email, password, name, fieldPrefix string) (*User, string, error) {
	email, err := NormaliseEmail(email, fieldPrefix+".email")
	if err != nil {
		return nil, "", err
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return nil, "", apperr.Invalid(fieldPrefix+".password", "PasswordTooShort", map[string]any{"Min": MinPasswordLength})
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, "", err
	}
	u := &User{ID: uuid.Must(uuid.NewV7()), MunicipalityID: mid, Email: email, DisplayName: name, PasswordHash: &hash}
	if _, err := tx.NewInsert().Model(u).Returning("created_at, updated_at").Exec(ctx); err != nil {
		if database.IsUniqueViolation(err) {
			return nil, "", &apperr.Error{Code: apperr.Conflict, MessageID: "EmailTaken", Field: fieldPrefix + ".email", Err: err}
		}
		return nil, "", database.MapError(err, "insert user", "user")
	}
	token, err := s.issueVerification(ctx, tx, mid, u.ID)
	if err != nil {
		return nil, "", err
	}
	return u, token, audit.Append(ctx, tx, &audit.Entry{MunicipalityID: mid, Action: "create_user", ItemType: "User", ItemID: &u.ID, Fields: []string{"email"}})
}

// issueVerification stores a new verification token for the user on tx, in place of any
// earlier one (only the newest link works), and returns it for the link.
func (s *Service) issueVerification(ctx context.Context, tx bun.IDB, mid, userID uuid.UUID) (string, error) {
	token, err := NewToken()
	if err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM email_verifications WHERE user_id = ?", userID); err != nil {
		return "", database.MapError(err, "replace verification", "user")
	}
	_, err = tx.ExecContext(ctx,
		"INSERT INTO email_verifications (token_hash, municipality_id, user_id, expires_at) VALUES (?, ?, ?, ?)",
		KeyedHash(s.secret, "verify-email", token), mid, userID, s.now().Add(verificationTTL))
	return token, database.MapError(err, "insert verification", "user")
}

// VerifyEmail marks the account of a verification token as verified, once, and returns
// it. Errors: BAD_USER_INPUT naming "token" when it is unknown, used or expired.
func (s *Service) VerifyEmail(ctx context.Context, mid uuid.UUID, token string) (*User, error) {
	u := new(User)
	// SECURITY: the token is the proof; it works once, in its municipality, before it expires.
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var userID uuid.UUID
		err := tx.NewRaw(`DELETE FROM email_verifications WHERE token_hash = ? AND municipality_id = ? AND expires_at > ? RETURNING user_id`,
			KeyedHash(s.secret, "verify-email", token), mid, s.now()).Scan(ctx, &userID)
		if err != nil {
			return apperr.Invalid("token", "VerificationInvalid", nil)
		}
		_, err = tx.NewUpdate().
			Model(u).
			Set("email_verified_at = ?", s.now()).
			Where("id = ?", userID).
			Returning("*").
			Exec(ctx)
		if err != nil {
			return database.MapError(err, "verify e-mail", "user")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: mid, ActorID: &userID, Action: "verify_email",
			ItemType: "User", ItemID: &userID, Fields: []string{"emailVerifiedAt"}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ResendConfirmation e-mails a fresh confirmation link to the self-registered account with
// email whose address is not confirmed yet; the earlier link stops working. It answers the
// same whether there is such an account, a confirmed one or none, so it tells nobody which
// addresses have accounts. publicURL starts the link. Errors: BAD_USER_INPUT naming "email"
// for a malformed address, RATE_LIMITED like requestPasswordReset.
func (s *Service) ResendConfirmation(ctx context.Context, email, publicURL string) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	email, err = NormaliseEmail(email, "email")
	if err != nil {
		return err
	}
	keys := [][]byte{KeyedHash(s.secret, "confirm-account", t.ID().String()+"/"+email), KeyedHash(s.secret, "confirm-client", ClientFrom(ctx))}
	// SECURITY: throttled like password resets, so it cannot flood a mailbox.
	if err := s.throttled(ctx, t.ID(), keys); err != nil {
		return err
	}
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := s.recordAttempt(ctx, tx, t.ID(), keys); err != nil {
			return err
		}
		u := new(User)
		err := tx.NewSelect().Model(u).Where("u.municipality_id = ? AND u.email = ?", t.ID(), email).
			Where("u.email_verified_at IS NULL AND u.disabled_at IS NULL AND u.password_hash IS NOT NULL").Scan(ctx)
		if err != nil {
			return nil //nolint:nilerr // no such account: the same answer, no e-mail
		}
		token, err := s.issueVerification(ctx, tx, t.ID(), u.ID)
		if err != nil {
			return err
		}
		return mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: t.ID(), Template: "VerifyEmail", To: u.Email, Locale: i18n.FromContext(ctx).Code,
			Data: map[string]any{"Municipality": t.Municipality.Name, "Link": publicURL + "/verify-email?token=" + token}})
	})
}

// RequireAdmin returns the viewer when it is an administrator of the request's
// municipality. Errors: UNAUTHENTICATED, FORBIDDEN.
func RequireAdmin(ctx context.Context) (*Viewer, error) { return requireAdmin(ctx) }
