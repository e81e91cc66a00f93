package migrations_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
	"github.com/fritid/fritid/migrations"
)

// TestJobQueueKeepsWaitingMail upgrades a database whose outbox holds mail: each message
// becomes a job in the state its outbox row was in, and the queue then delivers the due
// one, so no mail is lost by the upgrade.
func TestJobQueueKeepsWaitingMail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, dbURL := testdb.NewWithURL(t)
	tn, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.JobQueueDown(ctx, db); err != nil {
		t.Fatal(err)
	}
	ids := map[string]uuid.UUID{}
	for _, row := range []struct {
		to, retry string
		attempts  int
	}{{"due@example.no", "now()", 0}, {"later@example.no", "now() + interval '1 hour'", 2}, {"given-up@example.no", "now()", 8}} {
		id := uuid.Must(uuid.NewV7())
		ids[row.to] = id
		if _, err := db.ExecContext(ctx, `INSERT INTO outbox (id, municipality_id, template, to_address, locale, attempts, next_attempt_at)
			VALUES (?, ?, 'PasswordReset', ?, 'nb', ?, `+row.retry+`)`, id, tn.ID(), row.to, row.attempts); err != nil {
			t.Fatal(err)
		}
	}
	if err := migrations.JobQueueUp(ctx, db); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"due@example.no": "available", "later@example.no": "scheduled", "given-up@example.no": "discarded"}
	for to, state := range want {
		var got string
		err := db.QueryRowContext(ctx, "SELECT state FROM river_job WHERE kind = 'mail' AND args->>'message_id' = ? AND args->>'municipality_id' = ?",
			ids[to].String(), tn.ID().String()).Scan(&got)
		if err != nil || got != state {
			t.Errorf("%s: job %q (%v), want %s", to, got, err, state)
		}
	}

	box, smtpURL := mailtest.Start(t)
	transport, err := mail.NewSMTP(smtpURL, "noreply@larvik.example")
	if err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(db)
	if err != nil {
		t.Fatal(err)
	}
	jobs.AddWorker(q, &mail.Sender{DB: db, Bundle: i18n.MustNewBundle(), Transport: transport, Log: slog.New(slog.DiscardHandler)})
	if err := q.Start(ctx, dbURL, jobs.Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) }) //nolint:errcheck // the test is over
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := jobs.WaitIdle(wctx, db, mail.Kind); err != nil {
		t.Fatal(err)
	}
	if got := box.To("due@example.no"); len(got) != 1 || len(box.Messages()) != 1 {
		t.Errorf("delivered %d to the due address, %d in all; want 1, 1", len(got), len(box.Messages()))
	}
}
