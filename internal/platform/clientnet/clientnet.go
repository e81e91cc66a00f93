// Package clientnet turns a client's IP address into the network it belongs to, which is
// what logs and traces keep of it: an address identifies a household or a phone, its /24
// (IPv4) or /48 (IPv6) a provider's neighbourhood, which is enough to see where a burst of
// requests comes from and to match the load balancer's own logs, and is not personal data
// on its own.
package clientnet

import (
	"net"
	"net/netip"
)

// Mask returns the network of addr ("203.0.113.9", "[2001:db8::7]:443", "203.0.113.9:5123")
// as a prefix: "203.0.113.0/24", "2001:db8::/48". Something that is not an address gives "".
func Mask(addr string) string {
	a, ok := parse(addr)
	if !ok {
		return ""
	}
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// parse reads an address alone or with a port, an IPv4 address in IPv6 form as IPv4.
func parse(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}
