package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// startQueue works the mail jobs of db's database through transport until the test ends.
func startQueue(t *testing.T, db *bun.DB, url string, transport mail.Transport) *jobs.Queue {
	t.Helper()
	q, err := jobs.New(db)
	if err != nil {
		t.Fatal(err)
	}
	jobs.AddWorker(q, &mail.Sender{DB: db, Bundle: i18n.MustNewBundle(), Transport: transport, Log: slog.New(slog.DiscardHandler)})
	if err := q.Start(context.Background(), url, jobs.Options{Workers: 4}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := q.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return q
}

func larvik(t *testing.T, db *bun.DB) *tenant.Tenant {
	t.Helper()
	tn, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(context.Background(), tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

func TestOutboxDeliversThroughSMTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, dbURL := testdb.NewWithURL(t)
	tn := larvik(t, db)
	box, url := mailtest.Start(t)
	transport, err := mail.NewSMTP(url, "fritid <noreply@larvik.example>")
	if err != nil {
		t.Fatal(err)
	}
	startQueue(t, db, dbURL, transport)
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, m := range []*mail.Message{
			{MunicipalityID: tn.ID(), Template: "VerifyEmail", To: "kari@example.no", Locale: "nn", Data: map[string]any{"Municipality": "Larvik kommune", "Link": "https://larvik.example/v/abc"}},
			{MunicipalityID: tn.ID(), Template: "PasswordReset", To: "ola@example.no", Locale: "en", Data: map[string]any{"Municipality": "Larvik kommune", "Link": "https://larvik.example/r/xyz"}},
		} {
			if err := mail.Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := jobs.WaitIdle(wctx, db, mail.Kind); err != nil {
		t.Fatal(err)
	}
	msgs := box.Messages()
	if len(msgs) != 2 {
		t.Fatalf("inbox has %d messages", len(msgs))
	}
	byTo := map[string]string{}
	for _, m := range msgs {
		byTo[m.To[0]] = m.Data
	}
	if d := byTo["kari@example.no"]; !strings.Contains(d, "Stadfest e-postadressa di") || !strings.Contains(d, "https://larvik.example/v/abc") {
		t.Errorf("nynorsk message:\n%s", d)
	}
	if d := byTo["ola@example.no"]; !strings.Contains(d, "Set a new password") {
		t.Errorf("english message:\n%s", d)
	}
	var left, completed int
	db.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM river_job WHERE kind = 'mail' AND state = 'completed')").Scan(&left, &completed)
	if left != 0 || completed != 2 {
		t.Errorf("%d sent messages left in the outbox (with their addresses), %d jobs completed", left, completed)
	}
}

// TestEnqueueRollsBack: a message queued in a transaction that rolls back is never sent:
// neither it nor its job is left.
func TestEnqueueRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	tn := larvik(t, db)
	failed := errors.New("the change failed")
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: tn.ID(), Template: "VerifyEmail", To: "kari@example.no", Locale: "nb"}); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatal(err)
	}
	var rows, queued int
	db.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM river_job)").Scan(&rows, &queued)
	if rows != 0 || queued != 0 {
		t.Errorf("after the rollback: %d outbox rows, %d jobs", rows, queued)
	}
}

// refusing is an SMTP server that refuses the recipient, quoting the address.
type refusing struct{}

func (refusing) Send(_ context.Context, e *mail.Envelope) error {
	return fmt.Errorf("550 5.1.1 <%s>: Recipient address rejected", e.To)
}

func TestOutboxRetriesLater(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, dbURL := testdb.NewWithURL(t)
	tn := larvik(t, db)
	q := startQueue(t, db, dbURL, refusing{})
	failures, stop := q.Subscribe(river.EventKindJobFailed)
	defer stop()
	if err := mail.Enqueue(ctx, db, &mail.Message{MunicipalityID: tn.ID(), Template: "VerifyEmail", To: "kari@example.no", Locale: "nb"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-failures:
	case <-time.After(time.Minute):
		t.Fatal("the delivery was not tried")
	}
	var state, errs string
	var attempt int
	var later bool
	err := db.QueryRowContext(ctx, "SELECT state, attempt, scheduled_at > now() + interval '1 minute', array_to_string(errors, ' ') FROM river_job WHERE kind = 'mail'").
		Scan(&state, &attempt, &later, &errs)
	if err != nil {
		t.Fatal(err)
	}
	if state != "retryable" || attempt != 1 || !later {
		t.Errorf("after one failure: %s, attempt %d, backed off %v", state, attempt, later)
	}
	if strings.Contains(errs, "kari@example.no") || !strings.Contains(errs, "k***@example.no") {
		t.Errorf("the recorded error shows the address: %s", errs)
	}
	var kept int
	db.QueryRowContext(ctx, "SELECT count(*) FROM outbox").Scan(&kept)
	if kept != 1 {
		t.Errorf("%d messages kept for the retry", kept)
	}
}

func TestMask(t *testing.T) {
	if got := mail.Mask("kari.nordmann@example.no"); got != "k***@example.no" || strings.Contains(got, "nordmann") {
		t.Errorf("Mask = %q", got)
	}
}

// TestEnqueueKeepsBackslashes: text a user typed goes into the outbox as it was, even when
// it looks like a JSON NUL escape.
func TestEnqueueKeepsBackslashes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.New(t)
	tn, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{`\u0000`, `a\\u0000b`, `'\'`, "Sjakk & bridge"} {
		m := &mail.Message{MunicipalityID: tn.ID(), Template: "OrganisationRegistered", To: "admin@larvik.no", Locale: "nb", Data: map[string]any{"Name": name}}
		if err := mail.Enqueue(ctx, db, m); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		got := new(mail.Message)
		if err := db.NewSelect().Model(got).Where("m.id = ?", m.ID).Scan(ctx); err != nil || got.Data["Name"] != name {
			t.Errorf("%q came back as %q (%v)", name, got.Data["Name"], err)
		}
	}
}

// TestOutboxSendsFromTheReturnPath: a message with a return path goes out with it as the
// SMTP envelope sender (where bounces go) and its own header fields, while the From
// header stays; one without goes out from the sender address.
func TestOutboxSendsFromTheReturnPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, dbURL := testdb.NewWithURL(t)
	tn := larvik(t, db)
	box, url := mailtest.Start(t)
	transport, err := mail.NewSMTP(url, "fritid <noreply@larvik.example>")
	if err != nil {
		t.Fatal(err)
	}
	startQueue(t, db, dbURL, transport)
	for _, m := range []*mail.Message{
		{MunicipalityID: tn.ID(), Template: "VerifyEmail", To: "kari@example.no", Locale: "nb",
			ReturnPath: "bounces+abc234@bounce.larvik.example", Headers: map[string]string{"X-Fritid-Delivery": "abc234"}},
		{MunicipalityID: tn.ID(), Template: "VerifyEmail", To: "ola@example.no", Locale: "nb"},
	} {
		if err := mail.Enqueue(ctx, db, m); err != nil {
			t.Fatal(err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := jobs.WaitIdle(wctx, db, mail.Kind); err != nil {
		t.Fatal(err)
	}
	kari, ola := box.To("kari@example.no"), box.To("ola@example.no")
	if len(kari) != 1 || len(ola) != 1 {
		t.Fatalf("received %d and %d", len(kari), len(ola))
	}
	if kari[0].From != "bounces+abc234@bounce.larvik.example" || ola[0].From != "noreply@larvik.example" {
		t.Errorf("envelope senders %q and %q", kari[0].From, ola[0].From)
	}
	if !strings.Contains(kari[0].Data, "X-Fritid-Delivery: abc234") ||
		!strings.Contains(kari[0].Data, "From: \"fritid\" <noreply@larvik.example>") {
		t.Errorf("the header:\n%s", kari[0].Data)
	}
}
