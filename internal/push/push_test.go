package push

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/resident"
)

// codeAndField returns an error's code and field.
func codeAndField(err error) (apperr.Code, string) {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Code, e.Field
	}
	return apperr.Internal, ""
}

// tell queues a neighbourhood news message to the subscriptions matching where.
func (e *env) tell(where string, args ...any) int {
	e.t.Helper()
	var n int
	err := e.db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		n, err = e.svc.enqueue(ctx, tx, &campaign{mid: e.larvik.ID(), kind: KindNeighbourhoodNews, where: where,
			args: args, render: func(locale string) (*Payload, error) {
				return e.svc.texts(locale, "nb", "PushNeighbourhoodNews", map[string]any{"Title": "Nytt bad"},
					"https://larvik.example/nyheter/bad"), nil
			}})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestDeliveryEncryptedAndSigned(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	en, nn := e.device("en"), e.device("nn")
	e.subscribe(en, "/ok/en")
	e.subscribe(nn, "/ok/nn")
	if n := e.tell("true"); n != 2 {
		t.Fatalf("queued %d messages, want 2", n)
	}
	if jobs := e.count("SELECT count(*) FROM river_job WHERE kind = 'push'"); jobs != 2 {
		t.Fatalf("%d push jobs, want 2", jobs)
	}
	for id, err := range e.deliverAll() {
		if err != nil {
			t.Errorf("message %s: %v", id, err)
		}
	}
	got := map[string]Payload{}
	for _, m := range e.rcv.messages() {
		got[m.Path] = m.Payload
		if m.TTL != "86400" {
			t.Errorf("TTL %q", m.TTL)
		}
	}
	want := map[string]Payload{
		"/ok/en": {Title: "News in your neighbourhood", Body: "Nytt bad", URL: "https://larvik.example/nyheter/bad",
			Kind: KindNeighbourhoodNews},
		"/ok/nn": {Title: "Nytt i nærmiljøet ditt", Body: "Nytt bad", URL: "https://larvik.example/nyheter/bad",
			Kind: KindNeighbourhoodNews},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("received %v, want %v", got, want)
	}
	if n := e.count("SELECT count(*) FROM push_messages"); n != 0 {
		t.Errorf("%d messages left after delivery", n)
	}
}

func TestGoneRemovesSubscription(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dev := e.device("nb")
	e.subscribe(dev, "/gone/1")
	kept := e.subscribe(dev, "/ok/1")
	e.tell("true")
	for _, err := range e.deliverAll() {
		if err != nil {
			t.Fatal(err)
		}
	}
	subs, err := e.svc.FindSubscriptions(dev)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].ID != kept.ID {
		t.Errorf("subscriptions after a 410: %+v, want only %s", subs, kept.Endpoint)
	}
	if n := len(e.rcv.messages()); n != 1 {
		t.Errorf("%d messages received, want 1", n)
	}
}

func TestBusyIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dev := e.device("nb")
	e.subscribe(dev, "/busy/1")
	e.tell("true")
	var id uuid.UUID
	if err := e.db.QueryRowContext(context.Background(), "SELECT id FROM push_messages").Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, err := range e.deliverAll() {
		if !errors.Is(err, ErrRetry) {
			t.Fatalf("a 429 gave %v, want ErrRetry", err)
		}
	}
	if n := e.count("SELECT count(*) FROM push_messages"); n != 1 {
		t.Fatalf("%d messages kept for the retry, want 1", n)
	}
	// The last attempt gives the message up, and keeps the subscription.
	if err := e.svc.Deliver(context.Background(), id, true); !errors.Is(err, ErrRetry) {
		t.Fatalf("last attempt: %v", err)
	}
	if n := e.count("SELECT count(*) FROM push_messages"); n != 0 {
		t.Errorf("%d messages after the last attempt, want 0", n)
	}
	if n := e.count("SELECT count(*) FROM push_subscriptions"); n != 1 {
		t.Errorf("%d subscriptions, want 1", n)
	}
}

func TestSubscribeBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	strict := NewService(e.db, e.svc.opt, e.residents, e.cards, e.svc.bundle)
	dev := e.device("nb")
	b := newBrowser(t)
	good := b.input("https://fcm.googleapis.com/fcm/send/abc")
	for _, c := range []struct {
		name  string
		in    SubscriptionInput
		field string
	}{
		{"HTTP", b.input("http://fcm.googleapis.com/fcm/send/abc"), "input.endpoint"},
		{"Loopback", b.input("https://127.0.0.1/x"), "input.endpoint"},
		{"Private", b.input("https://10.1.2.3/x"), "input.endpoint"},
		{"LinkLocal", b.input("https://169.254.169.254/latest"), "input.endpoint"},
		{"IPv6Loopback", b.input("https://[::1]:8443/x"), "input.endpoint"},
		{"IPv4MappedPrivate", b.input("https://[::ffff:192.168.0.1]/x"), "input.endpoint"},
		{"ULA", b.input("https://[fd00::1]/x"), "input.endpoint"},
		{"Localhost", b.input("https://localhost/x"), "input.endpoint"},
		{"LocalName", b.input("https://push.internal/x"), "input.endpoint"},
		{"SingleLabel", b.input("https://intranet/x"), "input.endpoint"},
		{"UserInfo", b.input("https://a:b@fcm.googleapis.com/x"), "input.endpoint"},
		{"Empty", b.input(""), "input.endpoint"},
		{"ShortKey", SubscriptionInput{Endpoint: good.Endpoint, P256dh: encodeKey(make([]byte, 64)), Auth: good.Auth},
			"input.p256dh"},
		{"NotAPoint", SubscriptionInput{Endpoint: good.Endpoint,
			P256dh: encodeKey(append([]byte{4}, make([]byte, 64)...)), Auth: good.Auth}, "input.p256dh"},
		{"AuthLength", SubscriptionInput{Endpoint: good.Endpoint, P256dh: good.P256dh,
			Auth: encodeKey(make([]byte, 15))},
			"input.auth"},
		{"NotBase64", SubscriptionInput{Endpoint: good.Endpoint, P256dh: good.P256dh, Auth: "!!!!"}, "input.auth"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := strict.Subscribe(dev, c.in)
			if code, field := codeAndField(err); code != apperr.BadUserInput || field != c.field {
				t.Errorf("got %v (%s, %s), want BAD_USER_INPUT naming %s", err, code, field, c.field)
			}
		})
	}
	if _, err := strict.Subscribe(dev, good); err != nil {
		t.Errorf("a public endpoint: %v", err)
	}
	if n := e.count("SELECT count(*) FROM push_subscriptions"); n != 1 {
		t.Errorf("%d subscriptions kept, want 1", n)
	}
}

// TestPrivateAddressRefusedAtDial: a name that passed the check at subscription but
// resolves to a private address (DNS rebinding) is refused when the message is sent, and
// the subscription goes.
func TestPrivateAddressRefusedAtDial(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	strict := NewService(e.db, e.svc.opt, e.residents, e.cards, e.svc.bundle)
	dev := e.device("nb")
	s := e.subscribe(dev, "/ok/rebound")
	// As though the name had resolved to a public address when subscribing.
	rebound := "https://localhost:" + e.rcv.srv.URL[len("https://127.0.0.1:"):] + "/ok/rebound"
	e.exec("UPDATE push_subscriptions SET endpoint = ? WHERE id = ?", rebound, s.ID)
	e.tell("true")
	var id uuid.UUID
	if err := e.db.QueryRowContext(context.Background(), "SELECT id FROM push_messages").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if err := strict.Deliver(context.Background(), id, false); err != nil {
		t.Fatal(err)
	}
	if n := len(e.rcv.messages()); n != 0 {
		t.Errorf("the receiver at a private address got %d messages", n)
	}
	if n := e.count("SELECT count(*) FROM push_subscriptions"); n != 0 {
		t.Errorf("%d subscriptions left, want the rebound one removed", n)
	}
}

func TestNotAvailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	off := NewService(e.db, Options{}, e.residents, e.cards, e.svc.bundle)
	if k := off.PublicKey(); k != nil {
		t.Errorf("public key %q without keys", *k)
	}
	if k := e.svc.PublicKey(); k == nil || *k != e.svc.opt.PublicKey {
		t.Errorf("public key %v", k)
	}
	b := newBrowser(t)
	_, err := off.Subscribe(e.device("nb"), b.input("https://fcm.googleapis.com/x"))
	if code, field := codeAndField(err); code != apperr.PushNotAvailable || field != "subscribePush" {
		t.Errorf("subscribe: %v", err)
	}
	_, err = off.SubscribeCard(e.anonymous("nb"), "X", "1", b.input("https://fcm.googleapis.com/x"))
	if code, field := codeAndField(err); code != apperr.PushNotAvailable || field != "subscribeCardPush" {
		t.Errorf("subscribe card: %v", err)
	}
}

func TestSubscribeCallers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	b := newBrowser(t)
	in := b.input("https://fcm.googleapis.com/x")
	strict := NewService(e.db, e.svc.opt, e.residents, e.cards, e.svc.bundle)
	if _, err := strict.Subscribe(e.anonymous("nb"), in); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Errorf("no device: %v", err)
	}
	unknown := resident.WithDevice(e.anonymous("nb"), "fdv_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	if _, err := strict.Subscribe(unknown, in); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Errorf("unknown device: %v", err)
	}
	p := e.device("nb")
	if _, err := strict.Subscribe(p, in); err != nil {
		t.Fatal(err)
	}
	subs, err := strict.FindSubscriptions(p)
	if err != nil || len(subs) != 1 || subs[0].Locale != "nb" || subs[0].Endpoint != in.Endpoint {
		t.Fatalf("the device's subscriptions %+v, %v", subs, err)
	}
	// Another device does not see, nor remove, it.
	other := e.device("nb")
	if removed, err := strict.Unsubscribe(other, in.Endpoint); err != nil || removed {
		t.Errorf("another device removed it: %v %v", removed, err)
	}
	if removed, err := strict.Unsubscribe(p, in.Endpoint); err != nil || !removed {
		t.Errorf("unsubscribe: %v %v", removed, err)
	}
}

// TestLimitUnderConcurrency: at most MaxPerAnchor subscriptions per device, however many
// requests arrive at once.
func TestLimitUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dev := e.device("nb")
	const tries = 25
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBrowser(t)
			_, errs[i] = e.svc.Subscribe(dev, b.input(fmt.Sprintf("https://fcm.googleapis.com/x/%d", i)))
		}()
	}
	wg.Wait()
	ok, tooMany := 0, 0
	for _, err := range errs {
		var ae *apperr.Error
		switch {
		case err == nil:
			ok++
		case errors.As(err, &ae) && ae.Code == apperr.BadUserInput && ae.Reason == "TOO_MANY":
			tooMany++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != DefaultMaxPerAnchor || tooMany != tries-DefaultMaxPerAnchor {
		t.Errorf("%d kept and %d refused, want %d and %d", ok, tooMany, DefaultMaxPerAnchor, tries-DefaultMaxPerAnchor)
	}
	// The same endpoint again replaces it, even at the limit.
	var ep string
	err := e.db.QueryRowContext(context.Background(), "SELECT endpoint FROM push_subscriptions LIMIT 1").Scan(&ep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Subscribe(i18n.WithLocale(dev, i18n.Locale{Code: "en", Chain: []string{"en"}}),
		newBrowser(t).input(ep)); err != nil {
		t.Errorf("resubscribing at the limit: %v", err)
	}
	if n := e.count("SELECT count(*) FROM push_subscriptions WHERE locale = 'en'"); n != 1 {
		t.Errorf("the resubscription's language was not taken")
	}
}

func TestErasedWithDevice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dev := e.device("nb")
	e.subscribe(dev, "/ok/a")
	e.tell("true")
	if err := e.residents.ForgetDevice(dev); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT (SELECT count(*) FROM push_subscriptions) + (SELECT count(*) FROM push_messages)"); n != 0 {
		t.Errorf("%d subscriptions and messages left after forgetting the device", n)
	}
	// Its jobs find nothing to send.
	for _, err := range e.deliverAll() {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(e.rcv.messages()); n != 0 {
		t.Errorf("%d messages sent to a forgotten device", n)
	}
}
