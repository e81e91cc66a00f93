package portal

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// Membership is an organisation the signed-in user belongs to, with their role in it.
type Membership struct {
	Organisation *Organisation
	Role         MemberRole
}

// Member is a user of an organisation with their role.
type Member struct {
	User  *auth.User
	Role  MemberRole
	Since time.Time
}

// Invitation is an invitation to join an organisation not yet accepted.
type Invitation struct {
	Email     string     `bun:"email"`
	Role      MemberRole `bun:"role"`
	InvitedAt time.Time  `bun:"created_at"`
	ExpiresAt time.Time  `bun:"expires_at"`
}

// membershipRow is an organisation with the user's role in it.
type membershipRow struct {
	Organisation `bun:",extend"`
	MemberRole   MemberRole `bun:"member_role,scanonly"`
}

// memberRow is a member as the members query returns it.
type memberRow struct {
	auth.User `bun:",extend"`
	Role      MemberRole `bun:"member_role,scanonly"`
	Since     time.Time  `bun:"member_since,scanonly"`
}

// FindMemberships returns the organisations v's user belongs to, in any status, by name,
// with the user's role in each; nil for an API key. v must be the caller: the request's
// viewer, or the one login has just signed in.
func (s *Service) FindMemberships(ctx context.Context, v *auth.Viewer) ([]*Membership, error) {
	sc, err := currentScope(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: one's own memberships only (the graph hands only the caller's Viewer);
	// API keys have none.
	if v == nil || v.User == nil {
		return nil, nil
	}
	var rows []*membershipRow
	err = withOrganisationTexts(s.db.NewSelect().Model(&rows).ColumnExpr("o.*"), sc.chain).
		ColumnExpr("m.role AS member_role").
		Join("JOIN organisation_members m ON m.organisation_id = o.id").
		Where("m.user_id = ? AND o.municipality_id = ?", v.User.ID, sc.municipalityID).
		OrderExpr("o.name, o.id").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find memberships", "organisation")
	}
	out := make([]*Membership, len(rows))
	for i, r := range rows {
		out[i] = &Membership{Organisation: &r.Organisation, Role: r.MemberRole}
	}
	return out, nil
}

// FindMembers returns an organisation's members by name, for its owners and the
// municipality's administrators. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindMembers(ctx context.Context, orgID uuid.UUID) ([]*Member, error) {
	if err := s.canManageMembers(ctx, s.db, orgID); err != nil {
		return nil, err
	}
	var rows []*memberRow
	err := s.db.NewSelect().Model(&rows).
		ColumnExpr("u.*, m.role AS member_role, m.created_at AS member_since").
		Join("JOIN organisation_members m ON m.user_id = u.id").
		Where("m.organisation_id = ?", orgID).
		OrderExpr("u.display_name, u.email").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find members", "organisation")
	}
	out := make([]*Member, len(rows))
	for i, r := range rows {
		out[i] = &Member{User: &r.User, Role: r.Role, Since: r.Since}
	}
	return out, nil
}

// FindInvitations returns an organisation's invitations not yet accepted nor expired,
// newest first, for whom FindMembers allows. Errors as FindMembers.
func (s *Service) FindInvitations(ctx context.Context, orgID uuid.UUID) ([]*Invitation, error) {
	if err := s.canManageMembers(ctx, s.db, orgID); err != nil {
		return nil, err
	}
	var out []*Invitation
	err := s.db.NewSelect().TableExpr("invitations").Column("email", "role", "created_at", "expires_at").
		Where("organisation_id = ? AND expires_at > now()", orgID).
		OrderExpr("created_at DESC, email").Scan(ctx, &out)
	if err != nil {
		return nil, database.MapError(err, "find invitations", "organisation")
	}
	return out, nil
}

// canManageMembers checks that the caller may see who belongs to the organisation.
func (s *Service) canManageMembers(ctx context.Context, db bun.IDB, orgID uuid.UUID) error {
	v := auth.ViewerFrom(ctx)
	if v == nil || (v.User == nil && v.APIKey == nil) {
		return apperr.New(apperr.Unauthenticated, "")
	}
	// SECURITY: members and invitations are personal data: the organisation's owners and
	// the municipality's administrators only (not editors, not API keys).
	if v.User == nil {
		return apperr.New(apperr.Forbidden, "")
	}
	if v.Has(auth.RoleAdmin) {
		return nil
	}
	owner, err := isOwner(ctx, db, orgID, v.User.ID)
	if err != nil {
		return err
	}
	if !owner {
		return apperr.New(apperr.Forbidden, "")
	}
	return nil
}

// isOwner reports whether the user owns the organisation.
func isOwner(ctx context.Context, db bun.IDB, orgID, userID uuid.UUID) (bool, error) {
	ok, err := db.NewSelect().Table("organisation_members").
		Where("organisation_id = ? AND user_id = ? AND role = 'OWNER'", orgID, userID).Exists(ctx)
	return ok, database.MapError(err, "check ownership", "organisation")
}
