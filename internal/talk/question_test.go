package talk

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

func ask(subject, name, text string) AskInput {
	return AskInput{SubjectID: subject, DisplayName: name, Text: text}
}

// TestQuestionAsk: a device asks on an activity or event, shown with the display name
// only; off by default, closed by an organisation, and bad input refused with reasons.
func TestQuestionAsk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, act, ev := e.organisation(e.larvik, "laget")
	_, otherAct, _ := e.organisation(e.porsgrunn, "nabo")
	dev := e.device(e.larvik)

	q, err := e.svc.AskQuestion(dev, ask(gid("Activity", act), "  Kari   (mor) ", "Når starter høstsesongen?"))
	if err != nil {
		t.Fatal(err)
	}
	if *q.DisplayName != "Kari (mor)" || q.SubjectKind != "ACTIVITY" || q.OrganisationID == nil ||
		*q.OrganisationID != org {
		t.Errorf("question: %+v", q)
	}
	if _, err := e.svc.AskQuestion(dev, ask(gid("Event", ev), "Kari", "Er det gratis?")); err != nil {
		t.Fatal(err)
	}
	page, err := e.svc.FindQuestions(anonymous(e.larvik), gid("Activity", act), relay.Page{Limit: 10})
	if err != nil || len(page.Edges) != 1 || !page.Open || page.Edges[0].Node.Body != "Når starter høstsesongen?" {
		t.Fatalf("public list: %+v, %v", page, err)
	}

	long := strings.Repeat("å", MaxQuestion+1)
	cases := []struct {
		name          string
		ctx           context.Context
		in            AskInput
		code          apperr.Code
		field, reason string
	}{
		{"anonymous", anonymous(e.larvik), ask(gid("Activity", act), "Kari", "Hei hei"), apperr.Unauthenticated,
			"", ""},
		{"staff without a device", func() context.Context { c, _ := e.as(e.larvik, auth.RoleEditor); return c }(),
			ask(gid("Activity", act), "Kari", "Hei hei"), apperr.Forbidden, "", ""},
		{"another municipality's device", e.device(e.porsgrunn), ask(gid("Activity", act), "Kari", "Hei hei"),
			apperr.QuestionsDisabled, "", "MUNICIPALITY"},
		{"another municipality's activity", dev, ask(gid("Activity", otherAct), "Kari", "Hei hei"),
			apperr.NotFound, "input.subjectId", ""},
		{"an organisation", dev, ask(gid("Organisation", org), "Kari", "Hei hei"), apperr.BadUserInput,
			"input.subjectId", "KIND"},
		{"short name", dev, ask(gid("Activity", act), "K", "Hei hei"), apperr.BadUserInput, "input.displayName",
			"LENGTH"},
		{"long name", dev, ask(gid("Activity", act), strings.Repeat("K", 41), "Hei hei"), apperr.BadUserInput,
			"input.displayName", "LENGTH"},
		{"a web address as name", dev, ask(gid("Activity", act), "kjøp.no", "Hei hei"), apperr.BadUserInput,
			"input.displayName", "URL"},
		{"an e-mail address as name", dev, ask(gid("Activity", act), "kari@epost", "Hei hei"), apperr.BadUserInput,
			"input.displayName", "URL"},
		{"an identity number as name", dev, ask(gid("Activity", act), "Kari 010203 12345", "Hei hei"),
			apperr.BadUserInput, "input.displayName", "IDENTITY_NUMBER"},
		{"markup in the name", dev, ask(gid("Activity", act), "<b>Kari</b>", "Hei hei"), apperr.BadUserInput,
			"input.displayName", "CHARACTERS"},
		{"empty question", dev, ask(gid("Activity", act), "Kari", "  "), apperr.BadUserInput, "input.text", "LENGTH"},
		{"long question", dev, ask(gid("Activity", act), "Kari", long), apperr.BadUserInput, "input.text", "LENGTH"},
		{"HTML question", dev, ask(gid("Activity", act), "Kari", "<img src=x>"), apperr.BadUserInput, "input.text",
			"HTML"},
		{"an identity number in the question", dev, ask(gid("Activity", act), "Kari", "Sønnen min er 01020312345"),
			apperr.BadUserInput, "input.text", "IDENTITY_NUMBER"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.AskQuestion(c.ctx, c.in)
			wantCode(t, err, c.code, c.field, c.reason)
		})
	}
	t.Run("closed by the organisation", func(t *testing.T) {
		owner := e.member(e.larvik, org, "OWNER")
		if _, err := e.svc.SetOrganisationQuestions(owner, gid("Organisation", org), false); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.AskQuestion(dev, ask(gid("Event", ev), "Kari", "Hei hei"))
		wantCode(t, err, apperr.QuestionsDisabled, "", "ORGANISATION")
		p, _ := e.svc.FindQuestions(anonymous(e.larvik), gid("Event", ev), relay.Page{Limit: 10})
		if p.Open || len(p.Edges) != 1 {
			t.Errorf("closed: open %v, %d questions still shown", p.Open, len(p.Edges))
		}
		if _, err := e.svc.SetOrganisationQuestions(owner, gid("Organisation", org), true); err != nil {
			t.Fatal(err)
		}
	})
	if n := e.count("SELECT count(*) FROM resident_questions"); n != 2 {
		t.Errorf("%d questions kept, want 2", n)
	}
}

// TestQuestionRateLimit: a device asks at most MaxQuestions in the window, also when it
// sends them at once; another device is not held back.
func TestQuestionRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.svc.MaxQuestions = 3
	_, act, _ := e.organisation(e.larvik, "laget")
	dev := e.device(e.larvik)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.AskQuestion(dev, ask(gid("Activity", act), "Kari", fmt.Sprintf("Spørsmål nr %d", i)))
		}()
	}
	wg.Wait()
	limited := 0
	for _, err := range errs {
		if err != nil {
			wantCode(t, err, apperr.RateLimited, "", "")
			if apperr.As(err).Data["RetryAfter"].(int) < 1 {
				t.Errorf("no RetryAfter: %v", apperr.As(err).Data)
			}
			limited++
		}
	}
	if limited != 5 || e.count("SELECT count(*) FROM resident_questions") != 3 {
		t.Errorf("%d refused, %d kept; want 5 and 3", limited, e.count("SELECT count(*) FROM resident_questions"))
	}
	if _, err := e.svc.AskQuestion(e.device(e.larvik), ask(gid("Activity", act), "Per", "Mitt spørsmål")); err != nil {
		t.Errorf("another device: %v", err)
	}
}

// TestQuestionAnswer: the organisation's OWNER and EDITOR and the municipality's editors
// answer; others may not.
func TestQuestionAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, act, _ := e.organisation(e.larvik, "laget")
	other, _, _ := e.organisation(e.larvik, "annet")
	q, err := e.svc.AskQuestion(e.device(e.larvik), ask(gid("Activity", act), "Kari", "Trengs det utstyr?"))
	if err != nil {
		t.Fatal(err)
	}
	editor, _ := e.as(e.larvik, auth.RoleEditor)
	otherAdmin, _ := e.as(e.porsgrunn, auth.RoleAdmin)
	for _, c := range []struct {
		name string
		ctx  context.Context
		code apperr.Code
	}{
		{"owner", e.member(e.larvik, org, "OWNER"), ""},
		{"editor member", e.member(e.larvik, org, "EDITOR"), ""},
		{"municipal editor", editor, ""},
		{"ticket checker", e.member(e.larvik, org, "TICKET_CHECKER"), apperr.Forbidden},
		{"another organisation's owner", e.member(e.larvik, other, "OWNER"), apperr.Forbidden},
		{"a device", e.device(e.larvik), apperr.Unauthenticated},
		{"another municipality's admin", otherAdmin, apperr.NotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := e.svc.AnswerQuestion(c.ctx, q.GlobalID(), "Bare joggesko. ("+c.name+")")
			if c.code == "" {
				if err != nil || *a.Answer != "Bare joggesko. ("+c.name+")" || a.AnsweredAt == nil {
					t.Fatalf("%+v, %v", a, err)
				}
				return
			}
			wantCode(t, err, c.code, "", "")
		})
	}
	_, err = e.svc.AnswerQuestion(editor, q.GlobalID(), strings.Repeat("x", MaxAnswer+1))
	wantCode(t, err, apperr.BadUserInput, "text", "LENGTH")
}
