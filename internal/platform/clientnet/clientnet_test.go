package clientnet

import "testing"

func TestMask(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"203.0.113.9", "203.0.113.0/24"},
		{"203.0.113.9:5123", "203.0.113.0/24"},
		{"127.0.0.1:80", "127.0.0.0/24"},
		{"2001:db8:1:2::7", "2001:db8:1::/48"},
		{"[2001:db8:1:2::7]:443", "2001:db8:1::/48"},
		{"fe80::1%eth0", "fe80::/48"},
		{"::ffff:198.51.100.20", "198.51.100.0/24"},
		{"", ""},
		{"portal.example.no:443", ""},
		{"not an address", ""},
	} {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"203.0.113.9", "[::1]:80", "x", "1.2.3.4:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := Mask(s)
		if m != "" && Mask(m[:len(m)-3]) != m {
			t.Errorf("Mask(%q) = %q, which does not mask to itself", s, m)
		}
	})
}
