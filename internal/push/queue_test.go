package push

import (
	"context"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/jobs"
)

// TestThroughJobQueue: the jobs a campaign writes in its one statement are River's own:
// a running queue works them, and the messages arrive.
func TestThroughJobQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q, err := jobs.New(e.db)
	if err != nil {
		t.Fatal(err)
	}
	jobs.AddWorker(q, &SendWorker{Push: e.svc})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := q.Start(ctx, e.url, jobs.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = q.Stop(context.Background()) })
	for _, path := range []string{"/ok/1", "/ok/2", "/gone/3"} {
		e.subscribe(e.device("nb"), path)
	}
	if n := e.tell("true"); n != 3 {
		t.Fatalf("queued %d", n)
	}
	if err := jobs.WaitIdle(ctx, e.db, JobKind); err != nil {
		t.Fatal(err)
	}
	if n := len(e.rcv.messages()); n != 2 {
		t.Errorf("%d messages arrived, want 2", n)
	}
	if n := e.count("SELECT count(*) FROM river_job WHERE kind = 'push' AND state = 'completed'"); n != 3 {
		t.Errorf("%d jobs completed, want 3", n)
	}
	if n := e.count("SELECT count(*) FROM push_subscriptions"); n != 2 {
		t.Errorf("%d subscriptions left, want the gone one removed", n)
	}
}
