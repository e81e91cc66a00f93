package talk

import (
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// TestNoticeWho: a committee editor posts to their own neighbourhood as its committee,
// the municipality's editors to any as the municipality; nobody else, and nothing across
// municipalities.
func TestNoticeWho(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	editor, _ := e.as(e.larvik, auth.RoleEditor)
	coordinator, _ := e.as(e.larvik, auth.RoleCardCoordinator)
	sentrumCommittee := e.committee(e.larvik, e.sentrum)
	otherAdmin, _ := e.as(e.porsgrunn, auth.RoleAdmin)

	n, err := e.svc.PostNotice(sentrumCommittee, gid("Neighbourhood", e.sentrum), notice("Dugnad"))
	if err != nil {
		t.Fatal(err)
	}
	if n.PostedAs != PostedByCommittee || n.Text.Title != "Dugnad" || n.Text.Body != "Dugnad **lørdag**." {
		t.Errorf("committee's notice: %+v %+v", n, n.Text)
	}
	m, err := e.svc.PostNotice(editor, gid("Neighbourhood", e.torget), notice("Vegarbeid"))
	if err != nil || m.PostedAs != PostedByMunicipality {
		t.Fatalf("editor's notice: %+v, %v", m, err)
	}
	cases := []struct {
		name  string
		err   error
		code  apperr.Code
		field string
	}{
		{"committee of another neighbourhood", second(e.svc.PostNotice(sentrumCommittee,
			gid("Neighbourhood", e.torget), notice("x"))), apperr.Forbidden, ""},
		{"card coordinator", second(e.svc.PostNotice(coordinator, gid("Neighbourhood", e.sentrum), notice("x"))),
			apperr.Forbidden, ""},
		{"anonymous", second(e.svc.PostNotice(anonymous(e.larvik), gid("Neighbourhood", e.sentrum), notice("x"))),
			apperr.Unauthenticated, ""},
		{"a device", second(e.svc.PostNotice(e.device(e.larvik), gid("Neighbourhood", e.sentrum), notice("x"))),
			apperr.Unauthenticated, ""},
		{"another municipality's neighbourhood", second(e.svc.PostNotice(editor, gid("Neighbourhood", e.byen),
			notice("x"))), apperr.NotFound, "input.neighbourhoodId"},
		{"another municipality's admin", second(e.svc.PostNotice(otherAdmin, gid("Neighbourhood", e.sentrum),
			notice("x"))), apperr.NotFound, "input.neighbourhoodId"},
		{"committee changes the municipality's", second(e.svc.UpdateNotice(e.committee(e.larvik, e.torget),
			m.GlobalID(), notice("y"))), apperr.Forbidden, ""},
		{"committee withdraws another neighbourhood's", second(e.svc.WithdrawNotice(sentrumCommittee,
			m.GlobalID())), apperr.Forbidden, ""},
		{"another municipality withdraws", second(e.svc.WithdrawNotice(otherAdmin, n.GlobalID())),
			apperr.NotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantCode(t, c.err, c.code, c.field, "") })
	}
	// Another editor of the committee changes its notice; an editor withdraws it.
	_, err = e.svc.UpdateNotice(e.committee(e.larvik, e.sentrum), n.GlobalID(), notice("Dugnad flyttet"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.WithdrawNotice(editor, n.GlobalID()); err != nil {
		t.Fatal(err)
	}
	if got := e.count("SELECT count(*) FROM audit_log WHERE item_id = ?", n.ID); got != 3 {
		t.Errorf("%d audit entries, want 3 (posted, changed, withdrawn)", got)
	}
}

func second[T any](_ T, err error) error { return err }

// TestNoticeInput: bad input is BAD_USER_INPUT naming the field.
func TestNoticeInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	editor, _ := e.as(e.larvik, auth.RoleEditor)
	now := time.Now()
	with := func(f func(*NoticeInput)) NoticeInput { in := notice("Tittel"); f(&in); return in }
	cases := []struct {
		name, field, reason string
		in                  NoticeInput
	}{
		{"no texts", "input.texts", "REQUIRED", with(func(in *NoticeInput) { in.Texts = nil })},
		{"no title", "input.texts[0].title", "REQUIRED", with(func(in *NoticeInput) { in.Texts[0].Title = " " })},
		{"long title", "input.texts[0].title", "", with(func(in *NoticeInput) {
			in.Texts[0].Title = strings.Repeat("å", MaxNoticeTitle+1)
		})},
		{"long text", "input.texts[0].text", "", with(func(in *NoticeInput) {
			in.Texts[0].Text = strings.Repeat("x", MaxNoticeText+1)
		})},
		{"HTML", "input.texts[0].text", "", with(func(in *NoticeInput) { in.Texts[0].Text = "<script>x</script>" })},
		{"language not enabled", "input.texts[1].locale", "", with(func(in *NoticeInput) {
			in.Texts = append(in.Texts, &NoticeTextInput{Locale: "xx", Title: "t"})
		})},
		{"language twice", "input.texts[1].locale", "DUPLICATE", with(func(in *NoticeInput) {
			in.Texts = append(in.Texts, &NoticeTextInput{Locale: "nb", Title: "t"})
		})},
		{"no end", "input.validUntil", "REQUIRED", with(func(in *NoticeInput) { in.ValidUntil = nil })},
		{"end before start", "input.validUntil", "BEFORE_START", with(func(in *NoticeInput) {
			in.ValidFrom, in.ValidUntil = ptr(now.Add(48*time.Hour)), ptr(now.Add(24*time.Hour))
		})},
		{"ended", "input.validUntil", "PAST", with(func(in *NoticeInput) {
			in.ValidFrom, in.ValidUntil = ptr(now.Add(-48*time.Hour)), ptr(now.Add(-24*time.Hour))
		})},
		{"too long", "input.validUntil", "TOO_LONG", with(func(in *NoticeInput) {
			in.ValidUntil = ptr(now.Add(400 * 24 * time.Hour))
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.PostNotice(editor, gid("Neighbourhood", e.sentrum), c.in)
			wantCode(t, err, apperr.BadUserInput, c.field, c.reason)
		})
	}
	_, err := e.svc.PostNotice(editor, gid("Organisation", e.sentrum), notice("x"))
	wantCode(t, err, apperr.BadUserInput, "input.neighbourhoodId", "")
	if n := e.count("SELECT count(*) FROM neighbourhood_notices"); n != 0 {
		t.Errorf("%d notices kept from bad input", n)
	}
}

// TestNoticeLists: the public sees a neighbourhood's notices in their window, in its
// language; keepers see every one with includeInactive.
func TestNoticeLists(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	editor, _ := e.as(e.larvik, auth.RoleEditor)
	committee := e.committee(e.larvik, e.sentrum)
	now := time.Now()
	shown := notice("Vises")
	shown.Texts = append(shown.Texts, &NoticeTextInput{Locale: "en", Title: "Shown", Text: "In English"})
	a, err := e.svc.PostNotice(committee, gid("Neighbourhood", e.sentrum), shown)
	if err != nil {
		t.Fatal(err)
	}
	later := notice("Senere")
	later.ValidFrom = ptr(now.Add(24 * time.Hour))
	b, _ := e.svc.PostNotice(editor, gid("Neighbourhood", e.sentrum), later)
	c, _ := e.svc.PostNotice(editor, gid("Neighbourhood", e.sentrum), notice("Trukket"))
	if _, err := e.svc.WithdrawNotice(committee, c.GlobalID()); err == nil {
		t.Fatal("a committee withdrew the municipality's notice")
	}
	if _, err := e.svc.WithdrawNotice(editor, c.GlobalID()); err != nil {
		t.Fatal(err)
	}
	_, _ = e.svc.PostNotice(editor, gid("Neighbourhood", e.torget), notice("Annet sted"))

	public, err := e.svc.FindNotices(anonymous(e.larvik), gid("Neighbourhood", e.sentrum), false)
	if err != nil || len(public) != 1 || public[0].ID != a.ID || public[0].Text.Title != "Vises" {
		t.Fatalf("public list: %v, %v", public, err)
	}
	all, err := e.svc.FindNotices(committee, gid("Neighbourhood", e.sentrum), true)
	if err != nil || len(all) != 3 || all[0].ID != b.ID {
		t.Fatalf("keeper's list: %d, %v", len(all), err)
	}
	_, err = e.svc.FindNotices(anonymous(e.larvik), gid("Neighbourhood", e.sentrum), true)
	wantCode(t, err, apperr.Unauthenticated, "", "")
	_, err = e.svc.FindNotices(anonymous(e.porsgrunn), gid("Neighbourhood", e.sentrum), false)
	wantCode(t, err, apperr.NotFound, "neighbourhoodId", "")
	for _, x := range []struct {
		name string
		id   string
		want bool
	}{{"shown", a.GlobalID(), true}, {"not yet", b.GlobalID(), false}, {"withdrawn", c.GlobalID(), false},
		{"unknown", relay.GlobalID("NeighbourhoodNotice", e.byen), false}} {
		got, err := e.svc.FindNotice(anonymous(e.larvik), x.id)
		if err != nil || (got != nil) != x.want {
			t.Errorf("%s: %v, %v", x.name, got, err)
		}
	}
	if got, _ := e.svc.FindNotice(editor, b.GlobalID()); got == nil {
		t.Error("an editor cannot read a notice not yet shown")
	}
	if got, _ := e.svc.FindNotice(anonymous(e.porsgrunn), a.GlobalID()); got != nil {
		t.Error("another municipality reads the notice")
	}
}
