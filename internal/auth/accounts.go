package auth

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
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
	token, err := NewToken()
	if err != nil {
		return nil, "", err
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO email_verifications (token_hash, municipality_id, user_id, expires_at) VALUES (?, ?, ?, ?)",
		KeyedHash(s.secret, "verify-email", token), mid, u.ID, s.now().Add(verificationTTL))
	if err != nil {
		return nil, "", database.MapError(err, "insert verification", "user")
	}
	return u, token, audit.Append(ctx, tx, &audit.Entry{MunicipalityID: mid, Action: "create_user", ItemType: "User", ItemID: &u.ID, Fields: []string{"email"}})
}

// VerifyEmail marks the account of a verification token as verified, once. Errors:
// BAD_USER_INPUT naming "token" when it is unknown, used or expired.
func (s *Service) VerifyEmail(ctx context.Context, mid uuid.UUID, token string) error {
	// SECURITY: the token is the proof; it works once, in its municipality, before it expires.
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var userID uuid.UUID
		err := tx.NewRaw(`DELETE FROM email_verifications WHERE token_hash = ? AND municipality_id = ? AND expires_at > ? RETURNING user_id`,
			KeyedHash(s.secret, "verify-email", token), mid, s.now()).Scan(ctx, &userID)
		if err != nil {
			return apperr.Invalid("token", "VerificationInvalid", nil)
		}
		if _, err := tx.NewUpdate().Model((*User)(nil)).Set("email_verified_at = ?", s.now()).Where("id = ?", userID).Exec(ctx); err != nil {
			return database.MapError(err, "verify e-mail", "user")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: mid, ActorID: &userID, Action: "verify_email", ItemType: "User", ItemID: &userID, Fields: []string{"emailVerifiedAt"}})
	})
}

// RequireAdmin returns the viewer when it is an administrator of the request's
// municipality. Errors: UNAUTHENTICATED, FORBIDDEN.
func RequireAdmin(ctx context.Context) (*Viewer, error) { return requireAdmin(ctx) }
