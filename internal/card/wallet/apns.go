package wallet

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// APNsURL is Apple's production push service.
const APNsURL = "https://api.push.apple.com"

// ErrGone says the device no longer takes pushes for the pass (APNs 410, or a bad device
// token): its registration should be removed.
var ErrGone = errors.New("wallet: push token no longer valid")

// Pusher tells the devices that registered an Apple pass that it changed: an empty push
// (HTTP/2, authenticated with the pass type certificate) with the pass type as topic; the
// device then asks the web service for the pass.
type Pusher struct {
	// URL is the push service's address (APNsURL by default).
	URL    string
	topic  string
	client *http.Client
}

// NewPusher returns a Pusher for a's pass type, at url (APNsURL when empty), trusting
// roots (nil: the system's) for the push service's certificate.
func NewPusher(a *Apple, pushURL string, roots *x509.CertPool) *Pusher {
	if pushURL == "" {
		pushURL = APNsURL
	}
	cert, key := a.Certificate()
	tlsCert := tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}
	tr := &http.Transport{TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{tlsCert}, RootCAs: roots,
		MinVersion: tls.VersionTLS12}, ForceAttemptHTTP2: true, IdleConnTimeout: 90 * time.Second}
	return &Pusher{URL: strings.TrimRight(pushURL, "/"), topic: a.PassTypeID,
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// Push tells the device with pushToken that its pass changed. Errors: ErrGone when the
// token is no longer valid; others are worth trying again.
func (p *Pusher) Push(ctx context.Context, pushToken string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL+"/3/device/"+url.PathEscape(pushToken),
		strings.NewReader("{}"))
	if err != nil {
		return fmt.Errorf("wallet: push: %w", err)
	}
	req.Header.Set("apns-topic", p.topic)
	req.Header.Set("apns-push-type", "background")
	req.Header.Set("Content-Type", "application/json")
	res, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("wallet: push: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	switch {
	case res.StatusCode == http.StatusOK:
		return nil
	case res.StatusCode == http.StatusGone,
		res.StatusCode == http.StatusBadRequest && strings.Contains(string(body), "BadDeviceToken"):
		return ErrGone
	}
	return fmt.Errorf("wallet: push: %s %s", res.Status, strings.TrimSpace(string(body)))
}
