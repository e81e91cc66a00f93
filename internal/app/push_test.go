package app_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/push"
)

// withPush gives a server's configuration a fresh VAPID key pair.
func withPush(t *testing.T) func(*config.Config) {
	t.Helper()
	private, public, err := push.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	return func(c *config.Config) {
		c.PushPublicKey, c.PushPrivateKey, c.PushSubject = public, private, "mailto:push@example.no"
	}
}

// pushInput returns a browser's subscription at endpoint, with keys of its own.
func pushInput(t *testing.T, endpoint string) map[string]any {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	enc := base64.RawURLEncoding.EncodeToString
	return map[string]any{"endpoint": endpoint, "p256dh": enc(k.PublicKey().Bytes()), "auth": enc(auth)}
}

const (
	subscribePushQ = `mutation($in: PushSubscriptionInput!) { subscribePush(input: $in) {
		subscription { endpoint locale } } }`
	myPushQ = `{ myPushSubscriptions { endpoint } }`
)

// TestPushResident: a device and a resident signed in with ID-porten subscribe; linking
// the device moves its subscription to the resident; the data report shows them and the
// erasure erases them.
func TestPushResident(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	s := newServer(t, withPush(t), func(c *config.Config) {
		c.OIDCIssuers = []config.OIDCIssuer{{Issuer: iss.URL, Audience: "fritid"}}
	})
	w := &residentWorld{s: s, iss: iss}
	if k := get(ok(t, s.post(t, `{ pushPublicKey }`, nil)).Data, "pushPublicKey"); k != s.app.Config.PushPublicKey {
		t.Errorf("pushPublicKey %v", k)
	}
	dev := w.register(t)
	r := ok(t, s.post(t, subscribePushQ, map[string]any{"in": pushInput(t, "https://fcm.googleapis.com/fcm/send/d")},
		dev, "Accept-Language: en"))
	if get(r.Data, "subscribePush.subscription.locale") != "en" {
		t.Errorf("subscribed %v", r.Data)
	}
	wantResidentError(t, s.post(t, subscribePushQ, map[string]any{"in": pushInput(t, "https://10.0.0.7/x")}, dev),
		"BAD_USER_INPUT", "input.endpoint", "")
	wantResidentError(t, s.post(t, subscribePushQ, map[string]any{"in": pushInput(t, "https://a.example/x")}),
		"UNAUTHENTICATED", "", "")

	number := identityNumber(time.Date(1985, 3, 14, 0, 0, 0, 0, time.UTC), 0)
	now := time.Now()
	bearer := "Authorization: Bearer " + iss.sign(t, iss.key, map[string]any{"iss": iss.URL, "aud": "fritid",
		"sub": "a", "pid": number, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	ok(t, s.post(t, subscribePushQ, map[string]any{"in": pushInput(t, "https://web.push.apple.com/p")}, bearer))
	ok(t, s.post(t, `mutation { linkDevice { myThings { device } } }`, nil, dev, bearer))
	if subs := items(ok(t, s.post(t, myPushQ, nil, bearer)).Data, "myPushSubscriptions"); len(subs) != 2 {
		t.Errorf("the resident's subscriptions after linking: %v", subs)
	}

	createAdmin(t, s, "admin@example.no")
	admin := "Authorization: Bearer " + get(ok(t, s.post(t, loginMutation,
		map[string]any{"e": "admin@example.no", "p": "riktig hest batteri"})).Data, "login.token").(string)
	report := `mutation($n: String!) { personalDataReport(identityNumber: $n) { residentThings {
		pushSubscriptions { endpoint } } } }`
	r = ok(t, s.post(t, report, map[string]any{"n": number}, admin))
	if subs := items(r.Data, "personalDataReport.residentThings.pushSubscriptions"); len(subs) != 2 {
		t.Errorf("report %v", r.Data)
	}
	ok(t, s.post(t, `mutation($n: String!) { erasePersonalData(identityNumber: $n) { erased } }`,
		map[string]any{"n": number}, admin))
	var n int
	if err := s.app.DB.QueryRow("SELECT count(*) FROM push_subscriptions").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d subscriptions after the erasure (%v)", n, err)
	}
}

// TestPushNotAvailable: without the VAPID keys the public key is null and subscribing
// says why, naming the field.
func TestPushNotAvailable(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	w := &residentWorld{s: s}
	if k := get(ok(t, s.post(t, `{ pushPublicKey }`, nil)).Data, "pushPublicKey"); k != nil {
		t.Errorf("pushPublicKey %v without keys", k)
	}
	wantResidentError(t, s.post(t, subscribePushQ, map[string]any{"in": pushInput(t, "https://a.example/x")},
		w.register(t)), "PUSH_NOT_AVAILABLE", "subscribePush", "")
}
