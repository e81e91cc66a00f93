package mail

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Envelope is one rendered e-mail: plain text, with an HTML alternative when HTML is set,
// and extra header fields (List-Unsubscribe and the like). ReturnPath, when set, is the
// envelope sender (SMTP MAIL FROM, the Return-Path the receiving server records), where a
// bounce is sent; empty: the sender address.
type Envelope struct {
	To, Subject, Text, HTML string
	ReturnPath              string
	Headers                 map[string]string
}

// Transport delivers one rendered e-mail.
type Transport interface {
	Send(ctx context.Context, e *Envelope) error
}

// SMTP delivers through an SMTP server.
type SMTP struct {
	host string
	opts []gomail.Option
	from string
}

// NewSMTP returns an SMTP transport for a URL: smtp://user:pass@host:587 (STARTTLS when the
// server offers it) or smtps://user:pass@host:465 (TLS). from is the sender address.
func NewSMTP(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("FRITID_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
	}
	opts := []gomail.Option{gomail.WithTLSPolicy(gomail.TLSOpportunistic)}
	if u.Scheme == "smtps" {
		opts = []gomail.Option{gomail.WithSSL()}
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("FRITID_SMTP_URL: bad port %q", p)
		}
		opts = append(opts, gomail.WithPort(port))
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	return &SMTP{host: u.Hostname(), opts: opts, from: from}, nil
}

// Send delivers one message as plain text, with its HTML alternative and header fields.
func (s *SMTP) Send(ctx context.Context, e *Envelope) error {
	m := gomail.NewMsg()
	if err := m.From(s.from); err != nil {
		return err
	}
	if e.ReturnPath != "" {
		if err := m.EnvelopeFrom(e.ReturnPath); err != nil {
			return err
		}
	}
	if err := m.To(e.To); err != nil {
		return err
	}
	m.Subject(e.Subject)
	for k, v := range e.Headers {
		m.SetGenHeader(gomail.Header(k), v)
	}
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, m)
}

// Log "delivers" to the log, for development without an SMTP server. The recipient is
// masked: an address is personal data and stays out of logs.
type Log struct{ Logger *slog.Logger }

// Send writes the message to the log.
func (l Log) Send(ctx context.Context, e *Envelope) error {
	l.Logger.InfoContext(ctx, "e-mail (not sent: FRITID_SMTP_URL is unset)", "to", Mask(e.To), "subject", e.Subject,
		"body", e.Text)
	return nil
}

// Mask hides most of an e-mail address: kari@example.no -> k***@example.no.
func Mask(addr string) string {
	at := strings.LastIndex(addr, "@")
	if at < 1 {
		return "***"
	}
	return addr[:1] + "***" + addr[at:]
}
