package auth

import (
	"context"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// CreateUserInput describes a new account.
type CreateUserInput struct {
	MunicipalityID uuid.UUID
	Email          string
	DisplayName    string
	Password       string
	Roles          []MunicipalRole
}

// CreateUser creates an account with a password and municipal roles; its e-mail address
// counts as verified, since the operator made it. Errors:
// BAD_USER_INPUT naming the field (e-mail, a password shorter than MinPasswordLength, an
// unknown role), CONFLICT when the e-mail has an account in the municipality.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (*User, error) {
	// SECURITY: no viewer check: only the operator's command line (`fritid admin
	// create-user`) calls this, to make the first administrator. Admin mutations that
	// manage users come with their own checks.
	email, err := NormaliseEmail(in.Email, "email")
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(in.Password) < MinPasswordLength {
		return nil, apperr.Invalid("password", "PasswordTooShort", map[string]any{"Min": MinPasswordLength})
	}
	if badRole(in.Roles) >= 0 {
		return nil, apperr.Invalid("role", "RoleInvalid", nil)
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	// The operator vouches for the address: the account is verified from the start.
	verified := s.now()
	u := &User{ID: uuid.Must(uuid.NewV7()), MunicipalityID: in.MunicipalityID, Email: email, DisplayName: in.DisplayName,
		PasswordHash: &hash, EmailVerifiedAt: &verified}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := insertUser(ctx, tx, u, in.Roles); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: u.MunicipalityID, Action: "create_user", ItemType: "User", ItemID: &u.ID, Fields: []string{"email", "roles"}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// badRole returns the index of the first role that is not a municipal role, or -1.
func badRole(roles []MunicipalRole) int {
	for i, r := range roles {
		switch r {
		case RoleAdmin, RoleEditor, RoleCardCoordinator, RoleCaseworker:
		default:
			return i
		}
	}
	return -1
}

// insertUser writes a new account and its municipal roles on tx. Errors: CONFLICT on
// "email" when the address has an account in the municipality.
func insertUser(ctx context.Context, tx bun.IDB, u *User, roles []MunicipalRole) error {
	if _, err := tx.NewInsert().Model(u).Returning("created_at, updated_at").Exec(ctx); err != nil {
		if e := apperr.As(database.MapError(err, "insert user", "user")); e != nil && e.Code == apperr.Conflict {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "EmailTaken", Field: "email", Err: err}
		}
		return database.MapError(err, "insert user", "user")
	}
	return insertRoles(ctx, tx, u.MunicipalityID, u.ID, roles)
}

// insertRoles gives a user municipal roles (those held already stay).
func insertRoles(ctx context.Context, tx bun.IDB, mid, userID uuid.UUID, roles []MunicipalRole) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO municipal_roles (municipality_id, user_id, role) SELECT ?, ?, unnest(?::text[]) ON CONFLICT DO NOTHING",
		mid, userID, pgdialect.Array(roleArray(roles)))
	return database.MapError(err, "insert roles", "role")
}
