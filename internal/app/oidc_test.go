package app_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/fritid/fritid/internal/platform/config"
)

// testIssuer is a local OpenID Connect issuer with its own signing key.
type testIssuer struct {
	*httptest.Server
	key *rsa.PrivateKey
}

// newIssuer starts an issuer; wrap, when given, wraps its handler.
func newIssuer(t *testing.T, wrap ...func(http.Handler) http.Handler) *testIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &testIssuer{key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": iss.URL, "jwks_uri": iss.URL + "/keys",
			"authorization_endpoint": iss.URL + "/auth", "token_endpoint": iss.URL + "/token", "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	var h http.Handler = mux
	for _, w := range wrap {
		h = w(h)
	}
	iss.Server = httptest.NewServer(h)
	t.Cleanup(iss.Close)
	return iss
}

// sign makes an ID token with the issuer's key (or another key).
func (i *testIssuer) sign(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestOIDCBearerTokens(t *testing.T) {
	iss := newIssuer(t)
	s := newServer(t, func(c *config.Config) {
		c.OIDCIssuers = []config.OIDCIssuer{{Issuer: iss.URL, Audience: "fritid"}}
	})
	createAdmin(t, s, "kari@example.no")
	now := time.Now()
	claims := func(over map[string]any) map[string]any {
		c := map[string]any{"iss": iss.URL, "aud": "fritid", "sub": "abc-123", "email": "Kari@example.no",
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		for k, v := range over {
			c[k] = v
		}
		return c
	}
	q := `{ viewer { user { email } roles } }`
	r := ok(t, s.post(t, q, nil, "Authorization: Bearer "+iss.sign(t, iss.key, claims(nil))))
	if get(r.Data, "viewer.user.email") != "kari@example.no" || !has(get(r.Data, "viewer.roles"), "ADMIN") {
		t.Errorf("staff token: %+v", r.Data)
	}
	resident := ok(t, s.post(t, q, nil, "Authorization: Bearer "+iss.sign(t, iss.key, claims(map[string]any{"email": "innbygger@example.no"}))))
	if get(resident.Data, "viewer") == nil || get(resident.Data, "viewer.user") != nil {
		t.Errorf("a resident without an account: %+v", resident.Data)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, tok := range map[string]string{
		"WrongAudience":  iss.sign(t, iss.key, claims(map[string]any{"aud": "someone-else"})),
		"Expired":        iss.sign(t, iss.key, claims(map[string]any{"exp": now.Add(-time.Hour).Unix()})),
		"WrongSignature": iss.sign(t, other, claims(nil)),
		"UnknownIssuer":  iss.sign(t, iss.key, claims(map[string]any{"iss": "https://evil.example"})),
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, q, nil, "Authorization: Bearer "+tok)
			if r.Status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
				t.Errorf("%d %+v", r.Status, r.Errors)
			}
		})
	}
}
