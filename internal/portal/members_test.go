package portal_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// club is a municipality with a published organisation (an owner, an editor, a DRAFT
// activity), a second organisation with its own owner, and an administrator.
type club struct {
	svc                            *portal.Service
	ctx                            context.Context
	org, other, draft              uuid.UUID
	owner, editor, stranger, admin *auth.Viewer
}

func newClub(t *testing.T) *club {
	t.Helper()
	db := testdb.New(t)
	ctx := context.Background()
	tn, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "m", Name: "M"})
	if err != nil {
		t.Fatal(err)
	}
	c := &club{svc: portal.NewService(db), ctx: tenant.WithTenant(ctx, tn)}
	user := func(email string, roles ...auth.MunicipalRole) *auth.Viewer {
		u := &auth.User{MunicipalityID: tn.ID(), Email: email, DisplayName: email}
		mustExec(t, db, "INSERT INTO users (municipality_id, email, display_name) VALUES (?, ?, ?) RETURNING id", &u.ID, tn.ID(), email, email)
		return &auth.Viewer{User: u, Roles: roles}
	}
	c.owner, c.editor, c.stranger = user("eier@lag.no"), user("redaktor@lag.no"), user("eier@annet.no")
	c.admin = user("admin@m.no", auth.RoleAdmin)
	mustExec(t, db, "INSERT INTO organisations (municipality_id, slug, name, kind, status) VALUES (?, 'lag', 'Lag', 'VOLUNTARY', 'PUBLISHED') RETURNING id", &c.org, tn.ID())
	mustExec(t, db, "INSERT INTO organisations (municipality_id, slug, name, kind) VALUES (?, 'annet', 'Annet', 'VOLUNTARY') RETURNING id", &c.other, tn.ID())
	mustExec(t, db, "INSERT INTO activities (municipality_id, organisation_id, slug) VALUES (?, ?, 'utkast') RETURNING id", &c.draft, tn.ID(), c.org)
	for _, m := range []struct {
		org  uuid.UUID
		v    *auth.Viewer
		role string
	}{{c.org, c.owner, "OWNER"}, {c.org, c.editor, "EDITOR"}, {c.other, c.stranger, "OWNER"}} {
		mustExec(t, db, "INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, ?)", nil, tn.ID(), m.org, m.v.User.ID, m.role)
	}
	return c
}

// mustExec runs query, scanning its one returned value into dest when dest is not nil.
func mustExec(t *testing.T, db *bun.DB, query string, dest any, args ...any) {
	t.Helper()
	var err error
	if dest != nil {
		err = db.QueryRowContext(context.Background(), query, args...).Scan(dest)
	} else {
		_, err = db.ExecContext(context.Background(), query, args...)
	}
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (c *club) as(v *auth.Viewer) context.Context {
	if v == nil {
		return c.ctx
	}
	return auth.WithViewer(c.ctx, v)
}

func TestMembersAreForOwners(t *testing.T) {
	t.Parallel()
	c := newClub(t)
	tests := []struct {
		name   string
		viewer *auth.Viewer
		code   apperr.Code
	}{
		{"Owner", c.owner, ""},
		{"Administrator", c.admin, ""},
		{"ErrEditor", c.editor, apperr.Forbidden},
		{"ErrStranger", c.stranger, apperr.Forbidden},
		{"ErrAnonymous", nil, apperr.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.svc.InviteMember(c.as(c.owner), c.org, "ny@lag.no", portal.MemberEditor); err != nil {
				t.Fatal(err)
			}
			lists, err := c.svc.MemberListsOf(c.as(tt.viewer), []uuid.UUID{c.org, c.other})
			if err != nil {
				t.Fatal(err)
			}
			l := lists[c.org]
			if apperr.CodeOf(l.Err) != tt.code && !(tt.code == "" && l.Err == nil) {
				t.Fatalf("err %v, want %q", l.Err, tt.code)
			}
			if tt.code != "" {
				if len(l.Members) != 0 || len(l.Invitations) != 0 {
					t.Errorf("denied, yet shown %+v", l)
				}
				return
			}
			if len(l.Members) != 2 || l.Members[0].User.Email != "eier@lag.no" || l.Members[0].Role != portal.MemberOwner ||
				len(l.Invitations) == 0 || l.Invitations[0].Email != "ny@lag.no" {
				t.Errorf("members %+v, invitations %+v", l.Members, l.Invitations)
			}
		})
	}
	t.Run("EachOrganisationOnItsOwn", func(t *testing.T) {
		lists, err := c.svc.MemberListsOf(c.as(c.owner), []uuid.UUID{c.org, c.other})
		if err != nil {
			t.Fatal(err)
		}
		if lists[c.org].Err != nil || apperr.CodeOf(lists[c.other].Err) != apperr.Forbidden || len(lists[c.other].Members) != 0 {
			t.Errorf("own %+v, other %+v", lists[c.org], lists[c.other])
		}
	})
}

func TestDraftsAreForTheirEditors(t *testing.T) {
	t.Parallel()
	c := newClub(t)
	tests := []struct {
		name   string
		viewer *auth.Viewer
		sees   bool
	}{
		{"Owner", c.owner, true},
		{"Editor", c.editor, true},
		{"Anonymous", nil, false},
		{"AnotherOrganisationsOwner", c.stranger, false},
		{"Administrator", c.admin, true}, // what one may edit, one may read
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			byID, err := c.svc.ActivitiesByID(c.as(tt.viewer), []uuid.UUID{c.draft})
			if err != nil {
				t.Fatal(err)
			}
			lists, err := c.svc.ActivitiesOf(c.as(tt.viewer), portal.ByOrganisation, []uuid.UUID{c.org}, nil, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			n, err := c.svc.CountActivities(c.as(tt.viewer), lists[c.org])
			if err != nil {
				t.Fatal(err)
			}
			if (byID[c.draft] != nil) != tt.sees || (len(lists[c.org].Edges) == 1) != tt.sees || (n == 1) != tt.sees {
				t.Errorf("by id %v, listed %d, counted %d; want seen: %v", byID[c.draft] != nil, len(lists[c.org].Edges), n, tt.sees)
			}
		})
	}
}

func TestStatusFilterNeverWidens(t *testing.T) {
	t.Parallel()
	c := newClub(t)
	tests := []struct {
		name     string
		viewer   *auth.Viewer
		statuses []portal.ActivityStatus
		want     int
	}{
		{"OwnerDrafts", c.owner, []portal.ActivityStatus{portal.ActivityDraft}, 1},
		{"OwnerArchived", c.owner, []portal.ActivityStatus{portal.ActivityArchived}, 0},
		{"StrangerDrafts", c.stranger, []portal.ActivityStatus{portal.ActivityDraft}, 0},
		{"AnonymousDrafts", nil, []portal.ActivityStatus{portal.ActivityDraft}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lists, err := c.svc.ActivitiesOf(c.as(tt.viewer), portal.ByOrganisation, []uuid.UUID{c.org}, nil, nil, tt.statuses, nil)
			if err != nil {
				t.Fatal(err)
			}
			n, err := c.svc.CountActivities(c.as(tt.viewer), lists[c.org])
			if err != nil {
				t.Fatal(err)
			}
			if len(lists[c.org].Edges) != tt.want || n != tt.want {
				t.Errorf("listed %d, counted %d, want %d", len(lists[c.org].Edges), n, tt.want)
			}
		})
	}
}

func TestOwnerRoleRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		run   func(c *club) error
		code  apperr.Code
		field string
	}{
		{"ErrEditorInvitesOwner", func(c *club) error {
			return c.svc.InviteMember(c.as(c.editor), c.org, "ny@lag.no", portal.MemberOwner)
		}, apperr.Forbidden, ""},
		{"ErrEditorPromotesThemself", func(c *club) error {
			return c.svc.SetMemberRole(c.as(c.editor), c.org, c.editor.User.ID, portal.MemberOwner)
		}, apperr.Forbidden, ""},
		{"ErrEditorDemotesOwner", func(c *club) error {
			return c.svc.SetMemberRole(c.as(c.editor), c.org, c.owner.User.ID, portal.MemberEditor)
		}, apperr.Forbidden, ""},
		{"ErrEditorRemovesOwner", func(c *club) error {
			return c.svc.SetMemberRole(c.as(c.editor), c.org, c.owner.User.ID, "")
		}, apperr.Forbidden, ""},
		{"EditorRemovesThemself", func(c *club) error {
			return c.svc.SetMemberRole(c.as(c.editor), c.org, c.editor.User.ID, "")
		}, "", ""},
		{"ErrLastOwnerDemoted", func(c *club) error {
			return c.svc.SetMemberRole(c.as(c.owner), c.org, c.owner.User.ID, portal.MemberEditor)
		}, apperr.Conflict, "role"},
		{"ErrLastOwnerRemoved", func(c *club) error {
			return c.svc.SetMemberRole(c.as(c.admin), c.org, c.owner.User.ID, "")
		}, apperr.Conflict, "role"},
		{"OwnerInvitesOwner", func(c *club) error {
			return c.svc.InviteMember(c.as(c.owner), c.org, "ny@lag.no", portal.MemberOwner)
		}, "", ""},
		{"AdministratorMakesOwner", func(c *club) error {
			return c.svc.SetMemberRole(c.as(c.admin), c.org, c.editor.User.ID, portal.MemberOwner)
		}, "", ""},
		{"EditorInvitesEditor", func(c *club) error {
			return c.svc.InviteMember(c.as(c.editor), c.org, "ny@lag.no", portal.MemberEditor)
		}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.run(newClub(t))
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := apperr.As(err)
			if e == nil || e.Code != tt.code || e.Field != tt.field {
				t.Fatalf("err %v, want %s on %q", err, tt.code, tt.field)
			}
		})
	}
}

func TestMemberships(t *testing.T) {
	t.Parallel()
	c := newClub(t)
	tests := []struct {
		name   string
		viewer *auth.Viewer
		org    string
		role   portal.MemberRole
	}{
		{"Owner", c.owner, "Lag", portal.MemberOwner},
		{"Editor", c.editor, "Lag", portal.MemberEditor},
		{"OwnerOfAPendingOrganisation", c.stranger, "Annet", portal.MemberOwner},
		{"NoMemberships", c.admin, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := c.svc.FindMemberships(c.as(tt.viewer), tt.viewer)
			if err != nil {
				t.Fatal(err)
			}
			if tt.org == "" {
				if len(ms) != 0 {
					t.Errorf("memberships %+v", ms)
				}
				return
			}
			if len(ms) != 1 || ms[0].Organisation.Name != tt.org || ms[0].Role != tt.role {
				t.Errorf("memberships %+v", ms)
			}
		})
	}
}
