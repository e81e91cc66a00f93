// Package push sends Web Push messages (RFC 8030, encrypted per RFC 8291, signed per RFC
// 8292 VAPID) to the resident app and to the portal in a browser. A push subscription hangs
// on a resident's device, on a resident signed in with ID-porten, or on an anonymous
// activity card opened by its number and PIN, so that a card's holder hears of an expiring
// ticket with no personal data kept anywhere. Messages are queued on the job queue in the
// transaction of the change that causes them, one set-based insert however many devices
// they reach, and each is delivered by its own job with retries; a subscription the push
// service says is gone (404, 410) is removed. The payload is a small JSON object (title,
// body, url, kind) in the subscriber's language, with nothing personal in it.
package push

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/SherClockHolmes/webpush-go"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/resident"
)

// DefaultMaxPerAnchor bounds the push subscriptions of one device, person or card: a
// family's phones and browsers, not a flood.
const DefaultMaxPerAnchor = 10

// Options are the service's settings.
type Options struct {
	// PublicKey and PrivateKey are the VAPID key pair (base64url); empty: no Web Push.
	PublicKey, PrivateKey string
	// Subject is who the push services may contact: mailto:address or an https:// URL.
	Subject string
	// PublicURL is the portal the messages' links point into.
	PublicURL string
	// MaxPerAnchor overrides DefaultMaxPerAnchor when positive.
	MaxPerAnchor int
}

// Service keeps push subscriptions and sends push messages.
type Service struct {
	db        *bun.DB
	opt       Options
	residents *resident.Service
	cards     *card.Service
	bundle    *i18n.Bundle
	// Now is the clock; tests set it. Nil: time.Now.
	Now func() time.Time

	// allowPrivate lets subscriptions and deliveries reach loopback and private addresses.
	// Only the package's tests set it (with client): no setting reaches it.
	allowPrivate bool
	client       *http.Client
	clientOnce   sync.Once
}

// NewService returns the service over db: residents find a request's device or person,
// cards open an anonymous card by number and PIN, bundle writes the messages' texts.
func NewService(db *bun.DB, opt Options, residents *resident.Service, cards *card.Service,
	bundle *i18n.Bundle,
) *Service {
	opt.PublicURL = strings.TrimRight(opt.PublicURL, "/")
	return &Service{db: db, opt: opt, residents: residents, cards: cards, bundle: bundle}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) maxPerAnchor() int {
	if s.opt.MaxPerAnchor > 0 {
		return s.opt.MaxPerAnchor
	}
	return DefaultMaxPerAnchor
}

// Available reports whether Web Push is set up (the VAPID keys are set).
func (s *Service) Available() bool { return s.opt.PublicKey != "" && s.opt.PrivateKey != "" }

// PublicKey returns the VAPID public key (base64url) that a browser subscribes with
// (applicationServerKey), or nil when Web Push is not set up. Anyone may read it.
func (s *Service) PublicKey() *string {
	if !s.Available() {
		return nil
	}
	k := s.opt.PublicKey
	return &k
}

// requireAvailable returns PUSH_NOT_AVAILABLE naming field when Web Push is not set up.
func (s *Service) requireAvailable(field string) error {
	if s.Available() {
		return nil
	}
	return &apperr.Error{Code: apperr.PushNotAvailable, MessageID: "PushNotAvailable", Field: field}
}

// httpClient returns the deliveries' client, made on first use: the webhooks' guarded
// client, which refuses to connect to private addresses at dial time (after DNS), uses no
// proxy and follows no redirect.
func (s *Service) httpClient() *http.Client {
	s.clientOnce.Do(func() {
		if s.client == nil {
			s.client = integration.NewClient(false)
		}
	})
	return s.client
}

// GenerateKeys returns a new VAPID key pair: the private key (32 bytes) and the public key
// (the uncompressed P-256 point, 65 bytes), both base64url without padding, as the
// settings take them.
func GenerateKeys() (privateKey, publicKey string, err error) {
	return webpush.GenerateVAPIDKeys()
}
