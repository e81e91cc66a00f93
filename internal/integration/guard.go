package integration

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// DeliveryTimeout bounds one delivery: connecting, sending and reading the answer.
const DeliveryTimeout = 10 * time.Second

// ErrRefusedAddress is the error of a dial to an address webhooks may not reach.
var ErrRefusedAddress = errors.New("webhook: address not allowed")

// refusedPrefixes are the special ranges netip has no predicate for: "this network"
// (0/8, which Linux dials as the host itself), CGNAT's shared space (RFC 6598), IETF
// protocol assignments, benchmarking, the reserved 240/4 with broadcast, and NAT64
// (whose IPv4 inside may be private).
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), netip.MustParsePrefix("64:ff9b:1::/48"),
}

// Refused reports whether a webhook may not reach a: loopback, private (RFC 1918, IPv6
// ULA), link-local (cloud metadata at 169.254.169.254), CGNAT, unspecified, multicast,
// broadcast and the other special ranges of refusedPrefixes.
func Refused(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return true
	}
	for _, p := range refusedPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// guardControl is a net.Dialer's Control: it runs after DNS resolution, just before the
// socket connects, so it sees the address actually dialled (a name that resolves to a
// private address, or rebinds to one between a check and the dial, is refused too).
func guardControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrRefusedAddress, address)
	}
	if Refused(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrRefusedAddress, ap.Addr())
	}
	return nil
}

// NewDialer returns the dialer of webhook deliveries: with the address guard unless
// allowPrivate (tests and development only).
func NewDialer(allowPrivate bool) *net.Dialer {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !allowPrivate {
		d.Control = guardControl
	}
	return d
}

// NewClient returns the HTTP client of webhook deliveries: guarded dialer, no proxy (a
// proxy would dial for us, past the guard), no redirects (a 3xx answer is a failure), and
// DeliveryTimeout in all.
func NewClient(allowPrivate bool) *http.Client {
	tr := &http.Transport{
		DialContext:           NewDialer(allowPrivate).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: DeliveryTimeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       DeliveryTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
