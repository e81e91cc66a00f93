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

// cgnat is the shared address space of carrier-grade NAT (RFC 6598).
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Refused reports whether a webhook may not reach a: loopback, private (RFC 1918, IPv6
// ULA), link-local (cloud metadata at 169.254.169.254), CGNAT, unspecified, multicast
// and broadcast addresses.
func Refused(a netip.Addr) bool {
	a = a.Unmap()
	return !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() ||
		a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() ||
		a.IsUnspecified() || cgnat.Contains(a) || a == netip.AddrFrom4([4]byte{255, 255, 255, 255})
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
