package auth

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database/testdb"
	"github.com/fritid/fritid/internal/tenant"
)

// TestDummyHashIsARealHash checks that the hash an unknown e-mail is checked against
// takes a whole derivation with the parameters of a new hash: it parses, it has the same
// parameters, and no password matches it.
func TestDummyHashIsARealHash(t *testing.T) {
	real, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hashParams(dummyHash), hashParams(real); got != want {
		t.Errorf("dummy hash parameters %q, a new hash has %q", got, want)
	}
	for _, pw := range []string{"", "not a password anyone has", "correct horse battery"} {
		if ok, err := checkPassword(dummyHash, pw); ok || err != nil {
			t.Errorf("checkPassword(dummyHash, %q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}

// TestLoginVerifiesOnceForEveryAccount checks that every failed login runs exactly one
// argon2id verification with a real hash's parameters, whether the account exists, has no
// password or is disabled, so that the time taken does not tell them apart.
func TestLoginVerifiesOnceForEveryAccount(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	in := tenant.CreateMunicipalityInput{Slug: "larvik", Name: "Larvik kommune"}
	larvik, err := tenant.NewService(db).CreateMunicipality(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(db, "a test secret that is long enough", DefaultOptions)
	var mu sync.Mutex
	var calls []string // the parameters of each hash verified
	s.verify = func(hash, password string) (bool, error) {
		mu.Lock()
		calls = append(calls, hashParams(hash))
		mu.Unlock()
		return checkPassword(hash, password)
	}
	for _, email := range []string{"kari@example.no", "nopassword@example.no", "disabled@example.no"} {
		in := CreateUserInput{MunicipalityID: larvik.ID(), Email: email, Password: "correct horse battery"}
		if _, err := s.CreateUser(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	mustExec(t, db, "UPDATE users SET password_hash = NULL WHERE email = 'nopassword@example.no'")
	mustExec(t, db, "UPDATE users SET disabled_at = now() WHERE email = 'disabled@example.no'")
	real, _ := hashPassword("x")
	cases := []struct{ name, email, password string }{
		{"UnknownEmail", "nobody@example.no", "correct horse battery"},
		{"WrongPassword", "kari@example.no", "wrong horse battery"},
		{"NoPassword", "nopassword@example.no", "correct horse battery"},
		{"Disabled", "disabled@example.no", "correct horse battery"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls = nil
			_, err := s.Login(tenant.WithTenant(ctx, larvik), c.email, c.password, "192.0.2.1")
			if code := apperr.CodeOf(err); code != apperr.Unauthenticated {
				t.Fatalf("Login: %v (code %s), want UNAUTHENTICATED", err, code)
			}
			if len(calls) != 1 || calls[0] != hashParams(real) {
				t.Errorf("verifications %q, want one with %q", calls, hashParams(real))
			}
		})
	}
	t.Run("RightPassword", func(t *testing.T) {
		calls = nil
		_, err := s.Login(tenant.WithTenant(ctx, larvik), "kari@example.no", "correct horse battery", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		if len(calls) != 1 {
			t.Errorf("verifications %q, want one", calls)
		}
	})
}

// hashParams returns the algorithm and parameters of a PHC-format hash and the lengths of
// its salt and key: what decides how much work verifying it takes.
func hashParams(hash string) string {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 {
		return "malformed"
	}
	lengths := strconv.Itoa(len(parts[4])) + "," + strconv.Itoa(len(parts[5]))
	return strings.Join([]string{parts[1], parts[2], parts[3], lengths}, "$")
}

func mustExec(t *testing.T, db *bun.DB, query string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), query); err != nil {
		t.Fatal(err)
	}
}
