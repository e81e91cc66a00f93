package push

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/integration"
)

// FuzzParseSubscription: whatever a client sends, parsing never panics, and what it
// accepts is an https URL of a public host with keys of the right lengths.
func FuzzParseSubscription(f *testing.F) {
	b := newBrowser(f)
	good := b.input("https://fcm.googleapis.com/fcm/send/abc:def")
	f.Add(good.Endpoint, good.P256dh, good.Auth)
	f.Add("https://updates.push.services.mozilla.com/wpush/v2/gAAAA", good.P256dh, good.Auth+"==")
	f.Add("https://[::ffff:127.0.0.1]/x", good.P256dh, good.Auth)
	f.Add("https://0x7f.1/x", good.P256dh, good.Auth)
	f.Add("https://127.1:443/x", good.P256dh, good.Auth)
	f.Add("https://fcm.googleapis.com:/x", good.P256dh, good.Auth)
	f.Add("HTTPS://EXAMPLE.COM./x", "", "")
	f.Add("https://exa\x00mple.com/x", good.P256dh, good.Auth)
	f.Fuzz(func(t *testing.T, endpoint, p256dh, auth string) {
		k, err := parseSubscription(SubscriptionInput{Endpoint: endpoint, P256dh: p256dh, Auth: auth}, "input", false)
		if err != nil {
			if k != nil {
				t.Fatal("keys with an error")
			}
			return
		}
		u, perr := url.Parse(k.Endpoint)
		if perr != nil || u.Scheme != "https" || u.User != nil || len(k.Endpoint) > MaxEndpointLength {
			t.Fatalf("accepted endpoint %q", k.Endpoint)
		}
		if a, err := netip.ParseAddr(u.Hostname()); err == nil && integration.Refused(a) {
			t.Fatalf("accepted a refused address: %q", k.Endpoint)
		}
		h := strings.ToLower(u.Hostname())
		if h == "localhost" || !strings.Contains(h, ".") && !strings.Contains(h, ":") {
			t.Fatalf("accepted a local name: %q", k.Endpoint)
		}
		if len(k.P256dh) != 65 || k.P256dh[0] != 4 || len(k.Auth) != 16 {
			t.Fatalf("accepted keys of %d and %d bytes", len(k.P256dh), len(k.Auth))
		}
	})
}
