package content

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

func TestStatusAt(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	cases := []struct {
		name       string
		pub, unpub *time.Time
		want       Status
	}{
		{"Draft", nil, nil, StatusDraft},
		{"PublishedNow", at(0), nil, StatusPublished},
		{"Scheduled", at(time.Second), nil, StatusScheduled},
		{"PublishedUntilLater", at(-time.Hour), at(time.Second), StatusPublished},
		{"ArchivedAtItsTime", at(-time.Hour), at(0), StatusArchived},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := statusAt(c.pub, c.unpub, now); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestResolvePicksEachFieldAlongTheChainAmongPublicLanguages(t *testing.T) {
	ts := []*Translation{
		{Locale: "nb", Title: "nb-tittel", Summary: "nb-ingress", BodyHTML: "<p>nb</p>", status: StatusPublished},
		{Locale: "en", Title: "en-title", BodyHTML: "", status: StatusPublished},
		{Locale: "ar", Title: "ar-title", Summary: "ar-summary", status: StatusDraft},
	}
	chain := []string{"ar", "en", "nb"}
	got, ok := resolve(ts, chain, "", true)
	if !ok || got.Title != "en-title" || got.Summary != "nb-ingress" || got.TextLocale != "en" || got.Body.HTML != "<p>nb</p>" {
		t.Fatalf("got %+v", got)
	}
	got, _ = resolve(ts, chain, "ar", true) // previewing ar
	if got.Title != "ar-title" || got.Summary != "ar-summary" || got.TextLocale != "ar" {
		t.Fatalf("preview got %+v", got)
	}
	if _, ok := resolve(ts[2:], chain, "", false); ok {
		t.Fatal("a draft alone is public")
	}
}

func TestPreviewToken(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := &Service{Secret: []byte("hemmelig"), Now: func() time.Time { return now }}
	id, mid := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	tok := s.sign(previewGrant{typ: "Page", id: id, mid: mid, locale: "en"}, now.Add(time.Hour))
	if g, err := s.verify(tok, "Page", id, mid); err != nil || g.locale != "en" {
		t.Fatalf("valid token: %v %v", g, err)
	}
	other := &Service{Secret: []byte("annen"), Now: s.Now}
	for name, c := range map[string]struct {
		s        *Service
		tok, typ string
		id, mid  uuid.UUID
		msg      string
	}{
		"ErrOtherItem":         {s, tok, "Page", uuid.Must(uuid.NewV7()), mid, "PreviewTokenInvalid"},
		"ErrOtherType":         {s, tok, "Article", id, mid, "PreviewTokenInvalid"},
		"ErrOtherMunicipality": {s, tok, "Page", id, uuid.Must(uuid.NewV7()), "PreviewTokenInvalid"},
		"ErrOtherSecret":       {other, tok, "Page", id, mid, "PreviewTokenInvalid"},
		"ErrGarbage":           {s, "x.y", "Page", id, mid, "PreviewTokenInvalid"},
		"ErrExpired": {&Service{Secret: s.Secret, Now: func() time.Time { return now.Add(time.Hour) }}, tok, "Page", id, mid,
			"PreviewTokenExpired"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.s.verify(c.tok, c.typ, c.id, c.mid)
			if e := apperr.As(err); e == nil || e.Code != apperr.BadUserInput || e.Field != "previewToken" || e.MessageID != c.msg {
				t.Fatalf("got %v, want %s", err, c.msg)
			}
		})
	}
}
