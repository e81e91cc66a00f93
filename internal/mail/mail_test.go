package mail_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// inbox is a local SMTP server that keeps what it receives.
type inbox struct {
	mu   sync.Mutex
	msgs []received
}

type received struct {
	from string
	to   []string
	data string
}

type session struct {
	box *inbox
	cur received
}

func (s *session) Reset()                                      { s.cur = received{} }
func (s *session) Logout() error                               { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	return nil
}

func startInbox(t *testing.T) (*inbox, string) {
	t.Helper()
	box := &inbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{box: box}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = nil
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return box, "smtp://" + ln.Addr().String()
}

func TestOutboxDeliversThroughSMTP(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	tn, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		t.Fatal(err)
	}
	box, url := startInbox(t)
	transport, err := mail.NewSMTP(url, "fritid <noreply@larvik.example>")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*mail.Message{
		{MunicipalityID: tn.ID(), Template: "VerifyEmail", To: "kari@example.no", Locale: "nn", Data: map[string]any{"Municipality": "Larvik kommune", "Link": "https://larvik.example/v/abc"}},
		{MunicipalityID: tn.ID(), Template: "PasswordReset", To: "ola@example.no", Locale: "en", Data: map[string]any{"Municipality": "Larvik kommune", "Link": "https://larvik.example/r/xyz"}},
	} {
		if err := mail.Enqueue(ctx, db, m); err != nil {
			t.Fatal(err)
		}
	}
	s := &mail.Sender{DB: db, Bundle: i18n.MustNewBundle(), Transport: transport, Log: slog.New(slog.DiscardHandler)}
	n, err := s.SendDue(ctx)
	if err != nil || n != 2 {
		t.Fatalf("sent %d, %v", n, err)
	}
	box.mu.Lock()
	defer box.mu.Unlock()
	if len(box.msgs) != 2 {
		t.Fatalf("inbox has %d messages", len(box.msgs))
	}
	byTo := map[string]string{}
	for _, m := range box.msgs {
		byTo[m.to[0]] = m.data
	}
	if d := byTo["kari@example.no"]; !strings.Contains(d, "Stadfest e-postadressa di") || !strings.Contains(d, "https://larvik.example/v/abc") {
		t.Errorf("nynorsk message:\n%s", d)
	}
	if d := byTo["ola@example.no"]; !strings.Contains(d, "Set a new password") {
		t.Errorf("english message:\n%s", d)
	}
	var left int
	db.NewSelect().Table("outbox").ColumnExpr("count(*)").Scan(ctx, &left)
	if left != 0 {
		t.Errorf("%d sent messages left in the outbox (with their addresses)", left)
	}
}

type failing struct{}

func (failing) Send(context.Context, string, string, string) error {
	return errors.New("connection refused")
}

func TestOutboxRetriesLater(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t)
	tn, err := tenant.NewService(db, portal.SeedCategories).CreateMunicipality(ctx, tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"})
	if err != nil {
		t.Fatal(err)
	}
	if err := mail.Enqueue(ctx, db, &mail.Message{MunicipalityID: tn.ID(), Template: "VerifyEmail", To: "kari@example.no", Locale: "nb"}); err != nil {
		t.Fatal(err)
	}
	s := &mail.Sender{DB: db, Bundle: i18n.MustNewBundle(), Transport: failing{}, Log: slog.New(slog.DiscardHandler)}
	if n, err := s.SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("sent %d, %v", n, err)
	}
	var attempts int
	var later bool
	db.NewSelect().Table("outbox").ColumnExpr("attempts, next_attempt_at > now()").Scan(ctx, &attempts, &later)
	if attempts != 1 || !later {
		t.Errorf("attempts %d, backed off %v", attempts, later)
	}
	// Not due yet: the next run leaves it alone.
	if n, _ := s.SendDue(ctx); n != 0 {
		t.Errorf("sent %d before it was due", n)
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
