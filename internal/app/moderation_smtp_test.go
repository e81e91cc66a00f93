package app_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/fritid/fritid/internal/platform/config"
)

// smtpInbox is a local SMTP server that keeps each message's data by recipient.
type smtpInbox struct {
	mu   sync.Mutex
	byTo map[string][]string
}

type smtpSession struct {
	box *smtpInbox
	to  []string
}

func (s *smtpSession) Reset()                                    { s.to = nil }
func (s *smtpSession) Logout() error                             { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	for _, to := range s.to {
		s.box.byTo[to] = append(s.box.byTo[to], string(b))
	}
	return nil
}

// startSMTPInbox starts the inbox on a free local port and returns it with its smtp:// URL.
func startSMTPInbox(t *testing.T) (*smtpInbox, string) {
	t.Helper()
	box := &smtpInbox{byTo: map[string][]string{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{box: box}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return box, "smtp://" + ln.Addr().String()
}

// delivered sends what the outbox holds and returns the messages to address, each as its
// decoded subject and body.
func (b *smtpInbox) delivered(t *testing.T, s *testServer, to string) []string {
	t.Helper()
	if _, err := s.app.Mail.SendDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, len(b.byTo[to]))
	for i, raw := range b.byTo[to] {
		out[i] = readable(t, raw)
	}
	return out
}

// readable returns a message's subject and body as a person reads them.
func readable(t *testing.T, raw string) string {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	body := io.Reader(m.Body)
	if m.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
		body = quotedprintable.NewReader(body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return subject + "\n\n" + string(text)
}

// TestModerationMailIsDelivered follows the moderation e-mails through SMTP as a person
// reads them: the administrator's notice with its link, and the owner's rejection with
// the reason, in the municipality's language.
func TestModerationMailIsDelivered(t *testing.T) {
	t.Parallel()
	box, url := startSMTPInbox(t)
	s := newServer(t, func(c *config.Config) { c.SMTPURL, c.PublicURL = url, "https://fritid.example" })
	createAdmin(t, s, "admin@example.no")
	id := registerOrg(t, s, "Stavern Sjakklubb", "leder@sjakk.no", "Leder")

	got := box.delivered(t, s, "admin@example.no")
	if len(got) != 1 || !strings.Contains(got[0], "Stavern Sjakklubb har registrert seg") ||
		!strings.Contains(got[0], "https://fritid.example") || strings.Contains(got[0], "leder@sjakk.no") {
		t.Fatalf("the administrator's notice (%d):\n%s", len(got), strings.Join(got, "\n---\n"))
	}
	admin := login(t, s, "admin@example.no", "Accept-Language: en")
	ok(t, s.post(t, `mutation($id: ID!) { rejectOrganisation(id: $id, reason: "Klubben finnes fra før") { status } }`,
		map[string]any{"id": id}, admin, "Accept-Language: en"))
	var rejection string
	for _, m := range box.delivered(t, s, "leder@sjakk.no") {
		if strings.Contains(m, "godkjente ikke") {
			rejection = m
		}
	}
	if !strings.Contains(rejection, "Klubben finnes fra før") {
		t.Errorf("the owner's rejection, in Norwegian although the administrator reads English:\n%s", rejection)
	}
}
