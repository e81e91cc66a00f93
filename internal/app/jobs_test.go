package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/jobs"
)

// TestJobsForAdministrators: an administrator pages through the municipality's jobs (and
// only those), sees why one failed without the address, and queues a discarded one again.
func TestJobsForAdministrators(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	ctx := context.Background()
	if _, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("nabo", "Nabo kommune")); err != nil {
		t.Fatal(err)
	}
	createAdmin(t, s, "admin@example.no")
	createAdminIn(t, s, "nabo", "admin@nabo.no")
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	nabo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "nabo")
	queue := func(mid uuid.UUID, to string) *mail.Message {
		m := &mail.Message{MunicipalityID: mid, Template: "PasswordReset", To: to, Locale: "nb"}
		if err := mail.Enqueue(ctx, s.app.DB, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for i := range 4 {
		queue(demo.ID(), fmt.Sprintf("person%d@example.no", i))
	}
	queue(nabo.ID(), "nabo@example.no")
	failed := queue(demo.ID(), "kari@example.no")
	var failedID jobs.Job
	s.exec(t, `UPDATE river_job SET state = 'discarded', attempt = 8, finalized_at = now(),
		errors = ARRAY['{"at": "2026-01-01T00:00:00Z", "attempt": 8, "error": "550 <k***@example.no> rejected"}'::jsonb]
		WHERE args->>'message_id' = ?`, failed.ID.String())
	if err := s.app.DB.QueryRowContext(ctx, "SELECT id FROM river_job WHERE args->>'message_id' = ?", failed.ID.String()).Scan(&failedID.ID); err != nil {
		t.Fatal(err)
	}
	var want int
	if err := s.app.DB.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE args->>'municipality_id' = ?", demo.ID().String()).Scan(&want); err != nil {
		t.Fatal(err)
	}
	admin := login(t, s, "admin@example.no")

	const page = `query($after: String) { jobs(first: 2, after: $after) {
		nodes { id kind state attempts maxAttempts errors scheduledAt finishedAt }
		pageInfo { hasNextPage endCursor } totalCount } }`
	seen := map[string]bool{}
	var after any
	for range 10 {
		r := ok(t, s.post(t, page, map[string]any{"after": after}, admin))
		if n := int(get(r.Data, "jobs.totalCount").(float64)); n != want {
			t.Errorf("totalCount %d, want %d", n, want)
		}
		for _, n := range get(r.Data, "jobs.nodes").([]any) {
			job := n.(map[string]any)
			seen[job["id"].(string)] = true
			if job["kind"] != "mail" {
				t.Errorf("kind %v", job["kind"])
			}
			if job["id"] == failedID.GlobalID() {
				errs := fmt.Sprint(job["errors"])
				if job["state"] != "DISCARDED" || job["finishedAt"] == nil || !strings.Contains(errs, "k***@example.no") {
					t.Errorf("the failed job: %+v", job)
				}
			}
		}
		if get(r.Data, "jobs.pageInfo.hasNextPage") != true {
			break
		}
		after = get(r.Data, "jobs.pageInfo.endCursor")
	}
	if len(seen) != want || !seen[failedID.GlobalID()] {
		t.Errorf("paged through %d jobs, want %d with the failed one", len(seen), want)
	}
	if r := ok(t, s.post(t, `{ jobs(state: [DISCARDED]) { nodes { id } } }`, nil, admin)); len(get(r.Data, "jobs.nodes").([]any)) != 1 {
		t.Errorf("discarded jobs: %+v", r.Data)
	}

	retry := `mutation($id: ID!) { retryJob(id: $id) { job { id state } } }`
	other := login(t, s, "admin@nabo.no", "X-Municipality: nabo")
	if r := s.post(t, retry, map[string]any{"id": failedID.GlobalID()}, other, "X-Municipality: nabo"); r.code() != "NOT_FOUND" || r.Errors[0].Extensions["field"] != "id" {
		t.Errorf("another municipality's administrator retried it: %+v", r)
	}
	if r := ok(t, s.post(t, `{ jobs { totalCount } }`, nil, other, "X-Municipality: nabo")); get(r.Data, "jobs.totalCount") != float64(1) {
		t.Errorf("the other municipality sees %v jobs, want its one", get(r.Data, "jobs.totalCount"))
	}
	r := ok(t, s.post(t, retry, map[string]any{"id": failedID.GlobalID()}, admin))
	if get(r.Data, "retryJob.job.state") != "AVAILABLE" {
		t.Errorf("after retryJob: %+v", r.Data)
	}
	if r := s.post(t, retry, map[string]any{"id": failedID.GlobalID()}, admin); r.code() != "CONFLICT" {
		t.Errorf("retrying a job that waits already: %+v", r)
	}
	if r := s.post(t, retry, map[string]any{"id": "bm9wZQ"}, admin); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "id" {
		t.Errorf("a bad ID: %+v", r)
	}
	if r := s.post(t, `{ jobs(first: 2, after: "x") { totalCount } }`, nil, admin); r.code() != "BAD_USER_INPUT" {
		t.Errorf("a bad cursor: %+v", r)
	}
	if r := ok(t, s.post(t, `query($id: ID!) { node(id: $id) { ... on Job { state } } }`, map[string]any{"id": failedID.GlobalID()}, admin)); get(r.Data, "node.state") != "AVAILABLE" {
		t.Errorf("node: %+v", r.Data)
	}
}
