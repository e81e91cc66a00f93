package portal_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// TestPageImageUses pages an image's places in their order (logos, covers, activities),
// forward and backward, and refuses a cursor of another list.
func TestPageImageUses(t *testing.T) {
	org, act1, act2 := uuid.New(), uuid.New(), uuid.New()
	if act2.String() < act1.String() {
		act1, act2 = act2, act1
	}
	uses := []*portal.ImageUse{ // as they may come from the database
		{Kind: portal.UseActivityImage, OrganisationID: org, ActivityID: &act2},
		{Kind: portal.UseOrganisationCover, OrganisationID: org},
		{Kind: portal.UseActivityImage, OrganisationID: org, ActivityID: &act1},
		{Kind: portal.UseOrganisationLogo, OrganisationID: org},
	}
	describe := func(c *portal.ImageUseConnection) []string {
		var out []string
		for _, u := range c.Nodes() {
			d := string(u.Kind)
			if u.ActivityID != nil {
				d = map[uuid.UUID]string{act1: "act1", act2: "act2"}[*u.ActivityID]
			}
			out = append(out, d)
		}
		return out
	}
	first := func(n int) *int { return &n }
	pageOf := func(f, l *int, after, before string) *portal.ImageUseConnection {
		t.Helper()
		p, err := relay.NewPage(f, l, &after, &before, 20)
		if err != nil {
			t.Fatal(err)
		}
		c, err := portal.PageImageUses(uses, p)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	all := pageOf(nil, nil, "", "")
	if got := describe(all); len(got) != 4 || got[0] != "ORGANISATION_LOGO" || got[1] != "ORGANISATION_COVER" ||
		got[2] != "act1" || got[3] != "act2" || all.TotalCount() != 4 {
		t.Fatalf("order %v", got)
	}
	two := pageOf(first(2), nil, "", "")
	next := pageOf(first(2), nil, *two.PageInfo.EndCursor, "")
	got := describe(next)
	if len(got) != 2 || got[0] != "act1" || !two.PageInfo.HasNextPage || next.PageInfo.HasNextPage {
		t.Errorf("second page %v", got)
	}
	back := pageOf(nil, first(1), "", *next.PageInfo.StartCursor)
	if got := describe(back); len(got) != 1 || got[0] != "ORGANISATION_COVER" || !back.PageInfo.HasPreviousPage {
		t.Errorf("backward %v %+v", got, back.PageInfo)
	}
	foreign := relay.EncodeCursor(map[string]any{"o": "NAME", "k": "x", "i": uuid.New()})
	p, _ := relay.NewPage(nil, nil, &foreign, nil, 20)
	_, err := portal.PageImageUses(uses, p)
	if apperr.CodeOf(err) != apperr.BadUserInput || apperr.As(err).Field != "after" {
		t.Errorf("a cursor of another list: %v", err)
	}
}
