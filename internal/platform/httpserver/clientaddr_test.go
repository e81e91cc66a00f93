package httpserver

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestTrustProxies(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name, remote, forwarded, want string
	}{
		{"ClientThroughProxy", "10.1.2.3:5000", "198.51.100.7", "198.51.100.7:0"},
		{"RightmostUntrustedHop", "10.1.2.3:5000", "203.0.113.9, 198.51.100.7, 10.9.9.9", "198.51.100.7:0"},
		{"SpoofedHeaderFromOutside", "198.51.100.7:5000", "203.0.113.9", "198.51.100.7:5000"},
		{"NoHeader", "10.1.2.3:5000", "", "10.1.2.3:5000"},
		{"GarbageHop", "10.1.2.3:5000", "not-an-address", "10.1.2.3:5000"},
		{"IPv6Client", "10.1.2.3:5000", "2001:db8::1", "[2001:db8::1]:0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got string
			h := TrustProxies(trusted)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.RemoteAddr }))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.RemoteAddr = tt.remote
			if tt.forwarded != "" {
				req.Header.Set("X-Forwarded-For", tt.forwarded)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			if got != tt.want {
				t.Errorf("RemoteAddr = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBodyLimitsByContentType(t *testing.T) {
	t.Parallel()
	h := BodyLimits(1000, 100)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, tt := range []struct {
		contentType string
		size        int
		want        int
	}{
		{"application/json", 101, http.StatusRequestEntityTooLarge},
		{"application/json", 100, http.StatusOK},
		{"multipart/form-data; boundary=x", 500, http.StatusOK},
		{"multipart/form-data; boundary=x", 1001, http.StatusRequestEntityTooLarge},
	} {
		req := httptest.NewRequest(http.MethodPost, "/", nil)
		req.ContentLength = int64(tt.size)
		req.Header.Set("Content-Type", tt.contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s of %d bytes: %d, want %d", tt.contentType, tt.size, rec.Code, tt.want)
		}
	}
}
