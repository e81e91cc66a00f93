package auth

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "horse") {
		t.Errorf("hash %q", h)
	}
	if ok, err := checkPassword(h, "correct horse battery"); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, _ := checkPassword(h, "correct horse batterY"); ok {
		t.Error("wrong password accepted")
	}
	h2, _ := hashPassword("correct horse battery")
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA"} {
		if _, err := checkPassword(bad, "x"); err == nil {
			t.Errorf("accepted hash %q", bad)
		}
	}
}

func TestNormaliseEmail(t *testing.T) {
	for in, want := range map[string]string{" Kari.Nordmann@Example.NO ": "kari.nordmann@example.no", "a@b.no": "a@b.no"} {
		if got, err := NormaliseEmail(in, "email"); err != nil || got != want {
			t.Errorf("NormaliseEmail(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "kari", "kari@", "Kari <kari@example.no>", "kari@localhost", "a b@example.no"} {
		if _, err := NormaliseEmail(bad, "email"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
