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

// MemberList is an organisation's members and open invitations as its owners see them, or
// why the caller may not see them.
type MemberList struct {
	Members     []*Member
	Invitations []*Invitation
	Err         error // UNAUTHENTICATED or FORBIDDEN: the lists are empty
}

// memberRow is a member as the members query returns it.
type memberRow struct {
	auth.User      `bun:",extend"`
	OrganisationID uuid.UUID  `bun:"organisation_id,scanonly,type:uuid"`
	Role           MemberRole `bun:"member_role,scanonly"`
	Since          time.Time  `bun:"member_since,scanonly"`
}

// invitationRow is an invitation with its organisation.
type invitationRow struct {
	Invitation     `bun:",extend"`
	OrganisationID uuid.UUID `bun:"organisation_id,type:uuid"`
}

// MemberListsOf returns, for each organisation, its members by name and its invitations
// not yet accepted nor expired, newest first: for its owners and the municipality's
// administrators; anyone else gets the list's Err. At most three statements, whatever the
// number of organisations.
func (s *Service) MemberListsOf(ctx context.Context, orgIDs []uuid.UUID) (map[uuid.UUID]*MemberList, error) {
	out := make(map[uuid.UUID]*MemberList, len(orgIDs))
	allowed, err := s.manageableOf(ctx, orgIDs)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, id := range orgIDs {
		out[id] = &MemberList{Err: allowed[id]}
		if allowed[id] == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	return out, s.fillMemberLists(ctx, ids, out)
}

// fillMemberLists reads the members and invitations of ids into out.
func (s *Service) fillMemberLists(ctx context.Context, ids []uuid.UUID, out map[uuid.UUID]*MemberList) error {
	var ms []*memberRow
	err := s.db.NewSelect().Model(&ms).
		ColumnExpr("u.*, m.organisation_id, m.role AS member_role, m.created_at AS member_since").
		Join("JOIN organisation_members m ON m.user_id = u.id").
		Where("m.organisation_id IN (?)", bun.In(ids)).
		OrderExpr("u.display_name, u.email").Scan(ctx)
	if err != nil {
		return database.MapError(err, "find members", "organisation")
	}
	for _, m := range ms {
		l := out[m.OrganisationID]
		l.Members = append(l.Members, &Member{User: &m.User, Role: m.Role, Since: m.Since})
	}
	var is []*invitationRow
	err = s.db.NewSelect().TableExpr("invitations").Column("organisation_id", "email", "role", "created_at", "expires_at").
		Where("organisation_id IN (?) AND expires_at > now()", bun.In(ids)).
		OrderExpr("created_at DESC, email").Scan(ctx, &is)
	if err != nil {
		return database.MapError(err, "find invitations", "organisation")
	}
	for _, i := range is {
		l := out[i.OrganisationID]
		l.Invitations = append(l.Invitations, &i.Invitation)
	}
	return nil
}

// manageableOf returns, for each organisation, nil when the caller may see who belongs to
// it, else the error to answer.
func (s *Service) manageableOf(ctx context.Context, orgIDs []uuid.UUID) (map[uuid.UUID]error, error) {
	out := make(map[uuid.UUID]error, len(orgIDs))
	v := auth.ViewerFrom(ctx)
	var deny error
	// SECURITY: members and invitations are personal data: the organisation's owners and
	// the municipality's administrators only (not editors, not API keys).
	switch {
	case v == nil || (v.User == nil && v.APIKey == nil):
		deny = apperr.New(apperr.Unauthenticated, "")
	case v.User == nil:
		deny = apperr.New(apperr.Forbidden, "")
	case v.Has(auth.RoleAdmin):
		return out, nil // the organisations come from the request's municipality
	}
	var owned []uuid.UUID
	if deny == nil {
		err := s.db.NewSelect().Table("organisation_members").Column("organisation_id").
			Where("user_id = ? AND role = 'OWNER' AND organisation_id IN (?)", v.User.ID, bun.In(orgIDs)).Scan(ctx, &owned)
		if err != nil {
			return nil, database.MapError(err, "check ownership", "organisation")
		}
		deny = apperr.New(apperr.Forbidden, "")
	}
	for _, id := range orgIDs {
		out[id] = deny
	}
	for _, id := range owned {
		out[id] = nil
	}
	return out, nil
}

// isOwner reports whether the user owns the organisation.
func isOwner(ctx context.Context, db bun.IDB, orgID, userID uuid.UUID) (bool, error) {
	ok, err := db.NewSelect().Table("organisation_members").
		Where("organisation_id = ? AND user_id = ? AND role = 'OWNER'", orgID, userID).Exists(ctx)
	return ok, database.MapError(err, "check ownership", "organisation")
}
