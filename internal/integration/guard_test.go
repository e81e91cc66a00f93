package integration_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/fritid/fritid/internal/integration"
)

// TestGuardRefusesAtDialTime dials addresses a webhook may not reach: each is refused by
// the dialer's Control, before connecting, so nothing leaves the machine.
func TestGuardRefusesAtDialTime(t *testing.T) {
	t.Parallel()
	d := integration.NewDialer(false)
	for _, addr := range []string{"127.0.0.1:80", "10.1.2.3:443", "172.16.0.1:443", "192.168.1.1:443", "169.254.169.254:80",
		"100.64.0.1:443", "0.0.0.0:80", "224.0.0.1:80", "[::1]:80", "[fd00::1]:443", "[fe80::1]:443", "[::ffff:127.0.0.1]:80",
		"0.1.2.3:80", "198.18.0.1:80", "255.255.255.255:80", "[64:ff9b::a00:1]:80"} {
		t.Run(addr, func(t *testing.T) {
			conn, err := d.DialContext(context.Background(), "tcp", addr)
			if err == nil {
				conn.Close()
				t.Fatal("dialled")
			}
			if !errors.Is(err, integration.ErrRefusedAddress) {
				t.Errorf("refused for another reason: %v", err)
			}
		})
	}
}

// TestGuardCoversNamesAndRedirects: a name that resolves to loopback is refused when
// dialled, and a receiver's redirect is not followed.
func TestGuardCoversNamesAndRedirects(t *testing.T) {
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	}))
	defer target.Close()
	_, port, _ := net.SplitHostPort(target.Listener.Addr().String())
	if _, err := integration.NewClient(false).Post("http://localhost:"+port+"/", "application/json", nil); !errors.Is(err, integration.ErrRefusedAddress) {
		t.Errorf("localhost: %v", err)
	}
	res, err := integration.NewClient(true).Post(target.URL, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Errorf("the redirect was followed: %d", res.StatusCode)
	}
}

func TestRefusedAllowsPublicAddresses(t *testing.T) {
	for _, a := range []string{"8.8.8.8", "2001:4860:4860::8888", "100.128.0.1", "193.69.1.1"} {
		if integration.Refused(netip.MustParseAddr(a)) {
			t.Errorf("%s refused", a)
		}
	}
}
