package portal

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// MemberRole is a role in an organisation.
type MemberRole string

// The organisation roles.
const (
	MemberOwner         MemberRole = "OWNER"
	MemberEditor        MemberRole = "EDITOR"
	MemberTicketChecker MemberRole = "TICKET_CHECKER"
)

// invitationTTL is how long an invitation link works.
const invitationTTL = 7 * 24 * time.Hour

// InviteMember e-mails an invitation to join the organisation with role. Only owners and
// administrators invite owners. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// BAD_USER_INPUT naming "email".
func (s *Service) InviteMember(ctx context.Context, orgID uuid.UUID, email string, role MemberRole) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	email, err = auth.NormaliseEmail(email, "email")
	if err != nil {
		return err
	}
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: those who manage the organisation's members invite to it (not a
		// municipal editor: content, not people).
		o, v, err := s.canManage(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := canGrant(ctx, tx, o.ID, v, role); err != nil {
			return err
		}
		token, err := auth.NewToken()
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO invitations (token_hash, municipality_id, organisation_id, email, role, invited_by, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?))`, s.tokenHash(token), t.ID(), o.ID, email, role, actor(v), invitationTTL.Seconds())
		if err != nil {
			return database.MapError(err, "insert invitation", "invitation")
		}
		if err := mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: t.ID(), Template: "Invitation", To: email, Locale: i18n.FromContext(ctx).Code,
			Data: map[string]any{"Name": o.Name, "Municipality": t.Municipality.Name, "Link": s.PublicURL + "/invitation?token=" + token}}); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: actor(v), Action: "invite_member", ItemType: "Organisation", ItemID: &o.ID, Fields: []string{"role"}})
	})
}

// AcceptInvitation makes the signed-in user a member with the invitation's role, once.
// Errors: UNAUTHENTICATED (sign in or make an account first), BAD_USER_INPUT naming
// "token" (unknown, used or expired).
func (s *Service) AcceptInvitation(ctx context.Context, token string) (*Organisation, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	// SECURITY: the token is the proof of the invitation; the member is the signed-in user.
	if v == nil || v.User == nil {
		return nil, apperr.New(apperr.Unauthenticated, "")
	}
	o := new(Organisation)
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var inv struct {
			OrganisationID uuid.UUID `bun:"organisation_id,type:uuid"`
			Role           string    `bun:"role"`
		}
		err := tx.NewRaw(`DELETE FROM invitations WHERE token_hash = ? AND municipality_id = ? AND expires_at > now() RETURNING organisation_id, role`,
			s.tokenHash(token), t.ID()).Scan(ctx, &inv)
		if err != nil {
			return apperr.Invalid("token", "VerificationInvalid", nil)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, ?)
			ON CONFLICT (organisation_id, user_id) DO UPDATE SET role = EXCLUDED.role`, t.ID(), inv.OrganisationID, v.User.ID, inv.Role)
		if err != nil {
			return database.MapError(err, "add member", "organisation")
		}
		if err := tx.NewSelect().Model(o).Where("o.id = ?", inv.OrganisationID).Scan(ctx); err != nil {
			return database.MapError(err, "find organisation", "organisation")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: "accept_invitation", ItemType: "Organisation", ItemID: &o.ID, Fields: []string{"members"}})
	})
	return o, err
}

// SetMemberRole changes a member's role, or removes the member when role is "". An
// organisation always keeps at least one owner; only owners and administrators make,
// demote or remove owners. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT naming "role" (the last
// owner would go).
func (s *Service) SetMemberRole(ctx context.Context, orgID, userID uuid.UUID, role MemberRole) error {
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: its OWNER and EDITOR members, administrators and catalogue:write keys
		// manage its members; a municipal editor does not (canManage).
		o, v, err := s.canManage(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := canGrant(ctx, tx, o.ID, v, role); err != nil {
			return err
		}
		if err := canChange(ctx, tx, o.ID, v, userID); err != nil {
			return err
		}
		var res sql.Result
		if role == "" {
			res, err = tx.ExecContext(ctx, "DELETE FROM organisation_members WHERE organisation_id = ? AND user_id = ?", o.ID, userID)
		} else {
			res, err = tx.ExecContext(ctx, "UPDATE organisation_members SET role = ? WHERE organisation_id = ? AND user_id = ?", role, o.ID, userID)
		}
		if err != nil {
			return database.MapError(err, "change member", "organisation")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("member")
		}
		owners, err := tx.NewSelect().Table("organisation_members").Where("organisation_id = ? AND role = 'OWNER'", o.ID).Count(ctx)
		if err != nil {
			return database.MapError(err, "count owners", "organisation")
		}
		if owners == 0 {
			return apperr.New(apperr.Conflict, "LastOwner").WithField("role")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: o.MunicipalityID, ActorID: actor(v), Action: "set_member_role", ItemType: "Organisation", ItemID: &o.ID, Fields: []string{"members"}})
	})
}

// canGrant checks that v may give role in the organisation: OWNER only by its owners and
// the municipality's administrators.
func canGrant(ctx context.Context, db bun.IDB, orgID uuid.UUID, v *auth.Viewer, role MemberRole) error {
	// SECURITY: an editor (or an API key) cannot make anyone, themselves included, an owner.
	if role != MemberOwner || v.Has(auth.RoleAdmin) {
		return nil
	}
	if v.User != nil {
		owner, err := isOwner(ctx, db, orgID, v.User.ID)
		if err != nil || owner {
			return err
		}
	}
	return apperr.New(apperr.Forbidden, "OwnersGrantOwner")
}

// canChange checks that v may change or remove member userID: an owner only by the
// organisation's owners and the municipality's administrators.
func canChange(ctx context.Context, db bun.IDB, orgID uuid.UUID, v *auth.Viewer, userID uuid.UUID) error {
	target, err := isOwner(ctx, db, orgID, userID)
	if err != nil || !target {
		return err
	}
	// SECURITY: an editor cannot demote or remove an owner.
	if err := canGrant(ctx, db, orgID, v, MemberOwner); err != nil {
		return apperr.New(apperr.Forbidden, "OwnersChangeOwners")
	}
	return nil
}

// tokenHash keys an invitation token with the service's secret.
func (s *Service) tokenHash(token string) []byte {
	return auth.KeyedHash(s.Secret, "invitation", token)
}
