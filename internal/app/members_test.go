package app_test

import (
	"regexp"
	"testing"
)

func TestInviteAcceptAndHandOverOwnership(t *testing.T) {
	s := newServer(t)
	orgID, owner := newOwnedOrganisation(t, s)
	createAdmin(t, s, "ny@example.no") // an existing account (its role does not matter here)
	invite := `mutation($o: ID!, $e: String!) {
		inviteMember(organisationId: $o, email: $e, role: EDITOR) { organisation { id invitations { email role } } } }`
	inv := ok(t, s.post(t, invite, map[string]any{"o": orgID, "e": "Ny@example.no"}, owner))
	if get(inv.Data, "inviteMember.organisation.id") != orgID || get(inv.Data, "inviteMember.organisation.invitations.0.email") != "ny@example.no" {
		t.Errorf("invite: %+v", inv.Data)
	}
	token := regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindStringSubmatch(outboxLink(t, s, "Invitation", "ny@example.no"))[1]
	accept := `mutation($t: String!) { acceptInvitation(token: $t) { organisation { name } } }`
	if r := s.post(t, accept, map[string]any{"t": token}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("accepting without signing in: %+v", r.Errors)
	}
	newcomer := login(t, s, "ny@example.no")
	if r := ok(t, s.post(t, accept, map[string]any{"t": token}, newcomer)); get(r.Data, "acceptInvitation.organisation.name") != "Sjakklubben" {
		t.Fatalf("accept: %+v", r.Data)
	}
	if r := s.post(t, accept, map[string]any{"t": token}, newcomer); r.code() != "BAD_USER_INPUT" {
		t.Errorf("an invitation used twice: %+v", r.Errors)
	}
	ids := func(auth string) string {
		return get(ok(t, s.post(t, `{ viewer { user { id } } }`, nil, auth)).Data, "viewer.user.id").(string)
	}
	ownerID, newID := ids(owner), ids(newcomer)
	set := `mutation($o: ID!, $u: ID!, $r: OrganisationRole) {
		setMemberRole(organisationId: $o, userId: $u, role: $r) { organisation { id } } }`
	// The answer shows the organisation's members as they are now, to those who may see them.
	handOver := `mutation($o: ID!, $u: ID!) { setMemberRole(organisationId: $o, userId: $u, role: OWNER) {
		organisation { members { user { id } role } } } }`
	// The last owner cannot step down; after handing over, they can.
	if r := s.post(t, set, map[string]any{"o": orgID, "u": ownerID, "r": "EDITOR"}, owner); r.code() != "CONFLICT" {
		t.Errorf("the last owner stepped down: %+v", r.Errors)
	}
	handed := ok(t, s.post(t, handOver, map[string]any{"o": orgID, "u": newID}, owner))
	owners := 0
	for _, m := range items(handed.Data, "setMemberRole.organisation.members") {
		if get(m, "role") == "OWNER" {
			owners++
		}
	}
	if owners != 2 {
		t.Errorf("after handing over, %d owners in %+v, want 2", owners, handed.Data)
	}
	ok(t, s.post(t, set, map[string]any{"o": orgID, "u": ownerID, "r": "EDITOR"}, owner))
	// Removed, the former owner can no longer edit.
	ok(t, s.post(t, set, map[string]any{"o": orgID, "u": ownerID, "r": nil}, newcomer))
	if r := s.post(t, updateMutation, map[string]any{"id": orgID, "in": map[string]any{"place": "Larvik"}}, owner); r.code() != "FORBIDDEN" {
		t.Errorf("a removed member edits: %+v", r.Errors)
	}
	if r := s.post(t, set, map[string]any{"o": orgID, "u": ownerID, "r": nil}, newcomer); r.code() != "NOT_FOUND" {
		t.Errorf("removing a non-member: %+v", r.Errors)
	}
}
