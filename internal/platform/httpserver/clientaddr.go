package httpserver

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustProxies sets a request's RemoteAddr to its client's address when it comes through
// one of the trusted proxies (load balancers): the right-most address in X-Forwarded-For
// that is not itself a trusted proxy. Requests from anywhere else keep their RemoteAddr,
// whatever X-Forwarded-For they send, so a client cannot pose as another. Without trusted
// proxies it does nothing.
func TrustProxies(trusted []netip.Prefix) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if len(trusted) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if addr, ok := forwardedClient(r, trusted); ok {
				r2 := r.Clone(r.Context())
				r2.RemoteAddr = net.JoinHostPort(addr.String(), "0")
				r = r2
			}
			next.ServeHTTP(w, r)
		})
	}
}

// forwardedClient returns the client address named by a trusted proxy's X-Forwarded-For.
func forwardedClient(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	peer, ok := remoteAddr(r.RemoteAddr)
	if !ok || !isTrusted(peer, trusted) {
		return netip.Addr{}, false
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false // a hop we cannot read: trust nothing before it
		}
		if a = a.Unmap(); !isTrusted(a, trusted) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

func remoteAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(s)
	return a.Unmap(), err == nil
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
