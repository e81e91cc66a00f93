package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"net/netip"
	"net/url"
	"strings"

	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// MaxEndpointLength bounds an endpoint URL; the push services' are well under 600.
const MaxEndpointLength = 1024

// SubscriptionInput is a browser's PushSubscription as its toJSON gives it: the endpoint,
// and the keys p256dh and auth in base64url.
type SubscriptionInput struct {
	Endpoint string
	P256dh   string
	Auth     string
}

// keys is a subscription's input, checked.
type keys struct {
	Endpoint string
	P256dh   []byte
	Auth     []byte
}

// parseSubscription checks in and returns it decoded; field prefixes the fields named in
// errors ("input"). The endpoint must be an https URL of a public host (not a literal
// loopback, private, link-local or otherwise special address, nor a local name) unless
// allowPrivate; p256dh must be a P-256 point (65 bytes), auth 16 bytes. Errors:
// BAD_USER_INPUT naming "<field>.endpoint", "<field>.p256dh" or "<field>.auth".
func parseSubscription(in SubscriptionInput, field string, allowPrivate bool) (*keys, error) {
	ep, err := parseEndpoint(in.Endpoint, field+".endpoint", allowPrivate)
	if err != nil {
		return nil, err
	}
	p256dh, ok := decodeKey(in.P256dh, 65)
	if ok {
		_, err := ecdh.P256().NewPublicKey(p256dh)
		ok = err == nil
	}
	if !ok {
		return nil, apperr.Invalid(field+".p256dh", "PushKeyInvalid", map[string]any{"Bytes": 65})
	}
	auth, ok := decodeKey(in.Auth, 16)
	if !ok {
		return nil, apperr.Invalid(field+".auth", "PushKeyInvalid", map[string]any{"Bytes": 16})
	}
	return &keys{Endpoint: ep, P256dh: p256dh, Auth: auth}, nil
}

// parseEndpoint returns the endpoint, trimmed, when it is an https URL that a push
// message may be sent to. Errors: BAD_USER_INPUT naming field.
func parseEndpoint(raw, field string, allowPrivate bool) (string, error) {
	bad := apperr.Invalid(field, "PushEndpointInvalid", nil)
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > MaxEndpointLength || strings.ContainsAny(raw, " \t\r\n\x00\\") {
		return "", bad
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Opaque != "" || u.User != nil || u.Fragment != "" ||
		u.Hostname() == "" {
		return "", bad
	}
	if strings.HasSuffix(u.Host, ":") {
		return "", bad // an empty port
	}
	if !allowPrivate && !publicHost(u.Hostname()) {
		return "", bad
	}
	return raw, nil
}

// publicHost reports whether host, an endpoint's host, may be public: a literal address
// must not be one a webhook may not reach, and a name must have a dot and not be a
// local one (localhost, .local, .internal, .home.arpa, ...). A name resolving to a private
// address is refused again when the message is sent, at dial time.
func publicHost(host string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Zone() == "" && !integration.Refused(a)
	}
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if !strings.Contains(h, ".") {
		return false
	}
	for _, suffix := range []string{".localhost", ".local", ".internal", ".lan", ".home.arpa", ".localdomain"} {
		if strings.HasSuffix(h, suffix) {
			return false
		}
	}
	// A dotted name of digits only (0x7f.1, 127.1) is an address in some resolvers' eyes.
	last := h[strings.LastIndexByte(h, '.')+1:]
	return strings.Trim(last, "0123456789x") != ""
}

// decodeKey decodes s, base64url with or without padding, and reports whether it has n
// bytes.
func decodeKey(s string, n int) ([]byte, bool) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if len(s) > 2*n {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != n {
		return nil, false
	}
	return b, true
}

// encodeKey returns a key as a browser gives it: base64url without padding.
func encodeKey(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
