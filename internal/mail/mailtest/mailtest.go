// Package mailtest is a local SMTP server for tests: it keeps every message it receives,
// so a test can read what fritid really sent through its SMTP transport.
package mailtest

import (
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Message is one message the inbox received: the envelope and the raw data.
type Message struct {
	From string
	To   []string
	Data string
}

// Body returns the message's text as the recipient reads it: its body decoded from the
// transfer encoding (quoted-printable or base64) a single-part message uses.
func (m Message) Body() (string, error) {
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return "", err
	}
	r := msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

// Inbox is a running local SMTP server and what it has received.
type Inbox struct {
	mu   sync.Mutex
	msgs []Message
}

// Start runs an inbox on a free local port until the test ends and returns it with its
// smtp:// URL (for mail.NewSMTP or FRITID_SMTP_URL).
func Start(t testing.TB) (*Inbox, string) {
	t.Helper()
	box := &Inbox{}
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

// Messages returns a copy of every message received so far, oldest first.
func (b *Inbox) Messages() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Message(nil), b.msgs...)
}

// To returns the messages received for address, oldest first.
func (b *Inbox) To(address string) []Message {
	var out []Message
	for _, m := range b.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, address) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

type session struct {
	box *Inbox
	cur Message
}

func (s *session) Reset()                                      { s.cur = Message{} }
func (s *session) Logout() error                               { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.cur.From = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

// Data keeps the message; the server acknowledges it only after this returns, so a sender
// that has finished sending finds it in the inbox.
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = string(b)
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.cur)
	s.box.mu.Unlock()
	return nil
}
