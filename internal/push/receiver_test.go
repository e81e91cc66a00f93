package push

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// browser is a push subscription's keys as a browser makes them: its P-256 key pair and
// authentication secret, so that the test can decrypt what is pushed to it.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newBrowser(t testing.TB) *browser {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a := make([]byte, 16)
	_, _ = rand.Read(a)
	return &browser{key: k, auth: a}
}

// input returns the subscription input of b at endpoint.
func (b *browser) input(endpoint string) SubscriptionInput {
	return SubscriptionInput{Endpoint: endpoint, P256dh: encodeKey(b.key.PublicKey().Bytes()), Auth: encodeKey(b.auth)}
}

// decrypt opens an aes128gcm body (RFC 8188 with RFC 8291's keys) addressed to b.
func (b *browser) decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("short body")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if idlen != 65 || len(body) < 21+idlen || rs < 18 {
		return nil, fmt.Errorf("bad header: idlen %d rs %d", idlen, rs)
	}
	asPublic, ciphertext := body[21:21+idlen], body[21+idlen:]
	pub, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return nil, err
	}
	shared, err := b.key.ECDH(pub)
	if err != nil {
		return nil, err
	}
	prkKey, _ := hkdf.Extract(sha256.New, shared, b.auth)
	info := "WebPush: info\x00" + string(b.key.PublicKey().Bytes()) + string(asPublic)
	ikm, _ := hkdf.Expand(sha256.New, prkKey, info, 32)
	prk, _ := hkdf.Extract(sha256.New, ikm, salt)
	cek, _ := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	nonce, _ := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, err
	}
	// The last record: the data, the delimiter 0x02, zero padding.
	end := bytes.LastIndexFunc(plain, func(r rune) bool { return r != 0 })
	if end < 0 || plain[end] != 0x02 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:end], nil
}

// pushed is a message the receiver took.
type pushed struct {
	Path    string
	Payload Payload
	TTL     string
}

// receiver stands in for a push service: an https server that checks each message's
// VAPID signature (ES256 with the server's public key, aud the endpoint's origin, exp in
// the future, sub the contact) and decrypts its payload with the browser of its path.
// Paths under /gone answer 410, under /busy 429, the rest 201.
type receiver struct {
	t        testing.TB
	srv      *httptest.Server
	vapidPub string
	subject  string

	mu       sync.Mutex
	browsers map[string]*browser
	got      []pushed
	failures []string
}

func newReceiver(t testing.TB, vapidPub, subject string) *receiver {
	r := &receiver{t: t, vapidPub: vapidPub, subject: subject, browsers: map[string]*browser{}}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// endpoint returns an endpoint at path, with a browser of its own.
func (r *receiver) endpoint(path string) (string, *browser) {
	b := newBrowser(r.t)
	r.mu.Lock()
	r.browsers[path] = b
	r.mu.Unlock()
	return r.srv.URL + path, b
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	fail := func(format string, args ...any) {
		r.failures = append(r.failures, fmt.Sprintf(req.URL.Path+": "+format, args...))
		w.WriteHeader(http.StatusBadRequest)
	}
	if req.Method != http.MethodPost || req.Header.Get("Content-Encoding") != "aes128gcm" {
		fail("method %s, encoding %q", req.Method, req.Header.Get("Content-Encoding"))
		return
	}
	if err := r.checkVAPID(req.Header.Get("Authorization")); err != nil {
		fail("VAPID: %v", err)
		return
	}
	b := r.browsers[req.URL.Path]
	if b == nil {
		fail("no such subscription")
		return
	}
	plain, err := b.decrypt(body)
	if err != nil {
		fail("decrypt: %v", err)
		return
	}
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		fail("payload %q: %v", plain, err)
		return
	}
	switch {
	case strings.HasPrefix(req.URL.Path, "/gone"):
		w.WriteHeader(http.StatusGone)
	case strings.HasPrefix(req.URL.Path, "/busy"):
		w.WriteHeader(http.StatusTooManyRequests)
	default:
		r.got = append(r.got, pushed{Path: req.URL.Path, Payload: p, TTL: req.Header.Get("TTL")})
		w.WriteHeader(http.StatusCreated)
	}
}

// checkVAPID verifies an Authorization header "vapid t=<JWT>, k=<public key>" (RFC 8292).
func (r *receiver) checkVAPID(h string) error {
	rest, ok := strings.CutPrefix(h, "vapid t=")
	if !ok {
		return fmt.Errorf("scheme of %q", h)
	}
	jwt, k, ok := strings.Cut(rest, ", k=")
	if !ok || k != r.vapidPub {
		return fmt.Errorf("key %q, want %q", k, r.vapidPub)
	}
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	var header struct{ Alg, Typ string }
	if err := decodeJSON(parts[0], &header); err != nil || header.Alg != "ES256" {
		return fmt.Errorf("header %+v: %v", header, err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(k)
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	if err != nil {
		return err
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return fmt.Errorf("signature: %v", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return errors.New("signature does not verify")
	}
	var claims struct {
		Aud string
		Exp int64
		Sub string
	}
	if err := decodeJSON(parts[1], &claims); err != nil {
		return err
	}
	if claims.Aud != r.srv.URL || claims.Exp <= time.Now().Unix() || claims.Exp > time.Now().Add(24*time.Hour).Unix() ||
		claims.Sub != r.subject {
		return fmt.Errorf("claims %+v, want aud %s and sub %s", claims, r.srv.URL, r.subject)
	}
	return nil
}

func decodeJSON(part string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// messages returns what was received and fails t on any refused message.
func (r *receiver) messages() []pushed {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.failures {
		r.t.Errorf("receiver refused a message: %s", f)
	}
	return append([]pushed(nil), r.got...)
}
