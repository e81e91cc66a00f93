package talk

import (
	"context"
	"sync"
	"testing"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// TestQuestionReports: each reporter counts once; reporters arriving at once hold the
// question at the municipality's threshold; the moderators' queue puts it first; hiding,
// restoring (old reports no longer count) and deleting.
func TestQuestionReports(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, act, _ := e.organisation(e.larvik, "laget")
	asker := e.device(e.larvik)
	bad, err := e.svc.AskQuestion(asker, ask(gid("Activity", act), "Troll", "Dette er et stygt spørsmål"))
	if err != nil {
		t.Fatal(err)
	}
	mild, _ := e.svc.AskQuestion(e.device(e.larvik), ask(gid("Activity", act), "Per", "Et helt vanlig spørsmål"))
	editor, _ := e.as(e.larvik, auth.RoleEditor)

	// The same reporter twice counts once.
	reporter := e.device(e.larvik)
	for i, want := range []bool{true, false} {
		got, err := e.svc.ReportQuestion(reporter, mild.GlobalID(), "Usaklig")
		if err != nil || got != want {
			t.Fatalf("report %d: %v, %v", i, got, err)
		}
	}
	// Hold at 3 (the default): six reporters at once, the threshold met exactly once.
	reporters := []context.Context{anonymous(e.larvik), e.device(e.larvik), e.device(e.larvik), editor}
	for range 2 {
		c, _ := e.as(e.larvik)
		reporters = append(reporters, c)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(reporters))
	for i, ctx := range reporters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.ReportQuestion(ctx, bad.GlobalID(), "")
		}()
	}
	wg.Wait()
	held := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		// Reports after the question was held find it no more.
		wantCode(t, err, apperr.NotFound, "", "")
		held++
	}
	n := e.count("SELECT count(*) FROM resident_question_reports WHERE question_id = ?", bad.ID)
	if n != 6-held || n < 3 {
		t.Errorf("%d reports kept, %d refused", n, held)
	}
	page, _ := e.svc.FindQuestions(anonymous(e.larvik), gid("Activity", act), relay.Page{Limit: 10})
	if len(page.Edges) != 1 || page.Edges[0].Node.ID != mild.ID {
		t.Fatalf("the held question is shown: %+v", page.Edges)
	}
	queue, err := e.svc.ModerationQueue(editor, nil, 10)
	if err != nil || len(queue) != 2 || queue[0].ID != bad.ID || queue[0].Status != StatusHeld ||
		queue[0].Reports < 3 || queue[1].ID != mild.ID || queue[1].Reports != 1 {
		t.Fatalf("queue: %+v, %v", queue, err)
	}
	for _, c := range []context.Context{asker, anonymous(e.larvik), func() context.Context {
		c, _ := e.as(e.larvik, auth.RoleCardCoordinator)
		return c
	}()} {
		if _, err := e.svc.ModerationQueue(c, nil, 10); apperr.CodeOf(err) != apperr.Unauthenticated &&
			apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a non-moderator reads the queue: %v", err)
		}
		if _, err := e.svc.ModerateQuestion(c, bad.GlobalID(), ModerateRestore); err == nil {
			t.Error("a non-moderator moderates")
		}
	}
	otherAdmin, _ := e.as(e.porsgrunn, auth.RoleAdmin)
	_, err = e.svc.ModerateQuestion(otherAdmin, bad.GlobalID(), ModerateHide)
	wantCode(t, err, apperr.NotFound, "", "")

	// Restored: shown again, and the old reports no longer hold it; new ones do.
	q, err := e.svc.ModerateQuestion(editor, bad.GlobalID(), ModerateRestore)
	if err != nil || q.Status != StatusVisible {
		t.Fatalf("restore: %+v, %v", q, err)
	}
	if queue, _ := e.svc.ModerationQueue(editor, nil, 10); len(queue) != 1 || queue[0].ID != mild.ID {
		t.Errorf("queue after restoring: %+v", queue)
	}
	if got, _ := e.svc.ReportQuestion(e.device(e.larvik), bad.GlobalID(), ""); !got {
		t.Error("a new reporter's report is not kept")
	}
	if st := e.count("SELECT count(*) FROM resident_questions WHERE id = ? AND status = 'VISIBLE'", bad.ID); st != 1 {
		t.Error("old reports held the restored question again")
	}
	q, err = e.svc.ModerateQuestion(editor, bad.GlobalID(), ModerateHide)
	if err != nil || q.Status != StatusHidden {
		t.Fatalf("hide: %+v, %v", q, err)
	}
	if hidden, _ := e.svc.ModerationQueue(editor, ptr(StatusHidden), 10); len(hidden) != 1 {
		t.Errorf("hidden: %+v", hidden)
	}
	_, err = e.svc.ReportQuestion(reporter, bad.GlobalID(), "")
	wantCode(t, err, apperr.NotFound, "", "")
	if q, err := e.svc.ModerateQuestion(editor, bad.GlobalID(), ModerateDelete); err != nil || q != nil {
		t.Fatalf("delete: %+v, %v", q, err)
	}
	if n := e.count("SELECT count(*) FROM resident_question_reports WHERE question_id = ?", bad.ID); n != 0 {
		t.Errorf("%d reports left of a deleted question", n)
	}
}

// TestQuestionErasure: a forgotten device's questions stay, anonymised: no link, no name.
func TestQuestionErasure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, act, _ := e.organisation(e.larvik, "laget")
	dev := e.device(e.larvik)
	q, err := e.svc.AskQuestion(dev, ask(gid("Activity", act), "Kari", "Hvor er garderoben?"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.residents.ForgetDevice(dev); err != nil {
		t.Fatal(err)
	}
	page, _ := e.svc.FindQuestions(anonymous(e.larvik), gid("Activity", act), relay.Page{Limit: 10})
	if len(page.Edges) != 1 || page.Edges[0].Node.DisplayName != nil || page.Edges[0].Node.OwnerID != nil ||
		page.Edges[0].Node.Body != q.Body {
		t.Fatalf("after erasure: %+v", page.Edges[0].Node)
	}
}
