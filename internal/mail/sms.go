package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
)

// Channels of the outbox: a message goes by e-mail or as a text message.
const (
	ChannelEmail = "EMAIL"
	ChannelSMS   = "SMS"
)

// SMSTransport delivers one text message to a phone number in E.164 form (+4791234567).
type SMSTransport interface {
	SendSMS(ctx context.Context, to, text string) error
}

// SMSGateway delivers text messages through an HTTP gateway: a POST of the JSON
// {"to": "+4791234567", "from": sender, "text": "..."} to URL, with the token as a bearer
// token when set. Any 2xx answer is delivered; anything else an error that names the
// status (never the number). Municipalities' SMS providers take such a request directly
// or through a small adapter.
type SMSGateway struct {
	URL    string
	Token  string
	Sender string
	Client *http.Client
}

// NewSMSGateway returns the gateway at rawURL (https, or http to a loopback address), or
// an error naming the setting.
func NewSMSGateway(rawURL, token, sender string) (*SMSGateway, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) {
		return nil, fmt.Errorf("FRITID_SMS_URL must be an https URL")
	}
	return &SMSGateway{URL: rawURL, Token: token, Sender: sender, Client: &http.Client{Timeout: sendTimeout}}, nil
}

// loopback reports whether host is this machine, where a gateway may speak plain http.
func loopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// SendSMS posts the message to the gateway.
func (g *SMSGateway) SendSMS(ctx context.Context, to, text string) error {
	body, err := json.Marshal(map[string]string{"to": to, "from": g.Sender, "text": text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if g.Token != "" {
		req.Header.Set("Authorization", "Bearer "+g.Token)
	}
	res, err := g.Client.Do(req)
	if err != nil {
		return fmt.Errorf("SMS gateway: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("SMS gateway answered %s", res.Status)
	}
	return nil
}

// LogSMS writes text messages to the log instead, the number masked (development).
type LogSMS struct{ Log *slog.Logger }

// SendSMS logs the message's length and masked number.
func (l LogSMS) SendSMS(ctx context.Context, to, text string) error {
	l.Log.InfoContext(ctx, "text message (no SMS gateway set)", "to", MaskPhone(to), "length", len([]rune(text)))
	return nil
}

// MaskPhone hides all but the last two digits of a phone number.
func MaskPhone(n string) string {
	if len(n) <= 2 {
		return "**"
	}
	return strings.Repeat("*", len(n)-2) + n[len(n)-2:]
}
