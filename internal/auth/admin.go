package auth

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// UserWithRoles is an account as administrators see it.
type UserWithRoles struct {
	User
	Roles []MunicipalRole `bun:"roles,array"`
}

// Account returns the user.
func (u *UserWithRoles) Account() *User { return &u.User }

// Disabled reports whether the account is switched off.
func (u *UserWithRoles) Disabled() bool { return u.DisabledAt != nil }

// SetUserRoles replaces a user's municipal roles and can disable or enable the account
// (administrators only; an administrator cannot remove their own ADMIN role or disable
// themselves, so the municipality never locks itself out by mistake). Disabling ends the
// user's sessions. It returns the account as changed. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, BAD_USER_INPUT naming "roles" or "disabled".
func (s *Service) SetUserRoles(
	ctx context.Context, userID uuid.UUID, roles []MunicipalRole, disabled *bool,
) (*UserWithRoles, error) {
	v, err := s.setUserRoles(ctx, userID, roles, disabled)
	if err != nil {
		return nil, err
	}
	return s.findUserWithRoles(ctx, v.User.MunicipalityID, userID)
}

// findUserWithRoles returns an account of municipality mid with its roles. Errors: NOT_FOUND.
func (s *Service) findUserWithRoles(ctx context.Context, mid, id uuid.UUID) (*UserWithRoles, error) {
	out := new(UserWithRoles)
	err := s.db.NewSelect().
		Model((*User)(nil)).
		ColumnExpr("u.*").
		ColumnExpr("ARRAY(SELECT r.role FROM municipal_roles r WHERE r.user_id = u.id ORDER BY r.role) AS roles").
		Where("u.id = ? AND u.municipality_id = ?", id, mid).
		Scan(ctx, out)
	if err != nil {
		return nil, database.MapError(err, "find user", "user")
	}
	return out, nil
}

// setUserRoles changes the roles as SetUserRoles says and returns the administrator.
func (s *Service) setUserRoles(
	ctx context.Context, userID uuid.UUID, roles []MunicipalRole, disabled *bool,
) (*Viewer, error) {
	// SECURITY: only an administrator, and only for accounts of their municipality.
	v, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if userID == v.User.ID {
		keepsAdmin := false
		for _, r := range roles {
			keepsAdmin = keepsAdmin || r == RoleAdmin
		}
		if !keepsAdmin {
			return nil, apperr.Invalid("roles", "OwnAdminRole", nil)
		}
		if disabled != nil && *disabled {
			return nil, apperr.Invalid("disabled", "OwnAdminRole", nil)
		}
	}
	return v, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		ok, err := tx.NewSelect().Model((*User)(nil)).Where("u.id = ? AND u.municipality_id = ?", userID, v.User.MunicipalityID).Exists(ctx)
		if err != nil || !ok {
			return apperr.NotFoundf("user")
		}
		stmts := []struct {
			q    string
			args []any
		}{
			{"DELETE FROM municipal_roles WHERE user_id = ?", []any{userID}},
			{"INSERT INTO municipal_roles (municipality_id, user_id, role) SELECT ?, ?, unnest(?::text[]) ON CONFLICT DO NOTHING", []any{v.User.MunicipalityID, userID, pgdialect.Array(roleArray(roles))}},
		}
		if disabled != nil {
			stmts = append(stmts, struct {
				q    string
				args []any
			}{"UPDATE users SET disabled_at = CASE WHEN ? THEN coalesce(disabled_at, now()) END, updated_at = now() WHERE id = ?", []any{*disabled, userID}})
			if *disabled {
				stmts = append(stmts, struct {
					q    string
					args []any
				}{"DELETE FROM sessions WHERE user_id = ?", []any{userID}})
			}
		}
		for _, st := range stmts {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return database.MapError(err, "set user roles", "user")
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: v.User.MunicipalityID, ActorID: &v.User.ID, Action: "set_user_roles", ItemType: "User", ItemID: &userID, Fields: []string{"roles", "disabled"}})
	})
}

func roleArray(roles []MunicipalRole) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return out
}

// staffInviteTTL is how long the link in a staff invitation works.
const staffInviteTTL = 7 * 24 * time.Hour

// InviteUser creates an account for a member of the municipality's staff with the given
// roles and e-mails them a link to choose a password (administrators only). The link is a
// password-reset token that works once, for a week; choosing the password also verifies
// the address. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming the field (the
// address, the name, an unknown role), CONFLICT on "email" when the address has an account
// already (change its roles with SetUserRoles instead).
func (s *Service) InviteUser(ctx context.Context, email, name string, roles []MunicipalRole, publicURL string) (*UserWithRoles, error) {
	// SECURITY: only an administrator adds staff, and only to their own municipality.
	v, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	email, err = NormaliseEmail(email, "email")
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return nil, apperr.Invalid("displayName", "NameRequired", nil)
	}
	if i := badRole(roles); i >= 0 {
		return nil, apperr.Invalid(fmt.Sprintf("roles[%d]", i), "RoleInvalid", nil)
	}
	token, err := NewToken()
	if err != nil {
		return nil, err
	}
	u := &UserWithRoles{User: User{ID: uuid.Must(uuid.NewV7()), MunicipalityID: v.User.MunicipalityID, Email: email, DisplayName: name}, Roles: roles}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := insertUser(ctx, tx, &u.User, roles); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO password_resets (token_hash, municipality_id, user_id, expires_at) VALUES (?, ?, ?, ?)",
			KeyedHash(s.secret, "reset", token), u.MunicipalityID, u.ID, s.now().Add(staffInviteTTL)); err != nil {
			return database.MapError(err, "insert invitation", "user")
		}
		if err := audit.Append(ctx, tx, &audit.Entry{MunicipalityID: u.MunicipalityID, ActorID: &v.User.ID, Action: "invite_user", ItemType: "User", ItemID: &u.ID, Fields: []string{"email", "displayName", "roles"}}); err != nil {
			return err
		}
		return mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: u.MunicipalityID, Template: "StaffInvitation", To: email, Locale: i18n.FromContext(ctx).Code,
			Data: map[string]any{"Municipality": t.Municipality.Name, "Inviter": v.User.DisplayName, "Link": publicURL + "/reset-password?token=" + token}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
