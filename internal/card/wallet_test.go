package card

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/riverqueue/river"

	"github.com/fritid/fritid/internal/card/wallet"
	"github.com/fritid/fritid/internal/card/wallet/wallettest"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

const testPassType = "pass.no.fritid.test"

// walletRig is the card service with both wallets set up against local receivers: an
// HTTP/2 TLS push service that asks for the pass certificate, and a Google token endpoint
// and Wallet API that check the service account's assertion and bearer token.
type walletRig struct {
	certs  *wallettest.Apple
	sa     *wallettest.ServiceAccount
	api    *httptest.Server // the card's HTTP endpoints
	mu     sync.Mutex
	pushes []string // push tokens pushed to
	states []string // Google objects patched: id=state
	// apnsRoots trusts the push service's certificate.
	apnsRoots *x509.CertPool
}

func (e *env) walletRig() *walletRig {
	e.t.Helper()
	r := &walletRig{certs: wallettest.NewApple(e.t, testPassType)}
	apple, err := wallet.LoadApple(testPassType, "TEAM123456", r.certs.CertPath, r.certs.KeyPath, r.certs.WWDRPath)
	if err != nil {
		e.t.Fatal(err)
	}
	b := i18n.MustNewBundle()
	e.svc.Wallet = Wallets{Apple: apple, Localize: func(chain []string, id string) string {
		return b.Localize(chain, id, nil)
	}}
	apnsURL := r.apns(e.t)
	e.svc.Wallet.Pusher = wallet.NewPusher(apple, apnsURL, r.apnsRoots)
	google := r.googleReceiver(e.t)
	r.sa = wallettest.NewServiceAccount(e.t, google.URL+"/token")
	if e.svc.Wallet.Google, err = wallet.LoadGoogle("3388000000022000000", r.sa.Path); err != nil {
		e.t.Fatal(err)
	}
	e.svc.Wallet.Google.APIURL = google.URL + "/walletobjects/v1"
	h := &Handlers{Service: e.svc, Bundle: b, Log: slog.New(slog.DiscardHandler)}
	mux := http.NewServeMux()
	// The tenant middleware's part: every request here is Larvik's.
	mux.Handle("GET /card/tickets/{id}/pass.pkpass", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h.PassFile(w, req.WithContext(tenant.WithTenant(req.Context(), e.larvik)))
	}))
	mux.Handle(WalletServicePath+"/", h.WalletService())
	r.api = httptest.NewServer(mux)
	e.t.Cleanup(r.api.Close)
	e.svc.Wallet.APIURL = r.api.URL
	apple.WebServiceURL = r.api.URL + WalletServicePath
	return r
}

func (r *walletRig) apns(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		token := strings.TrimPrefix(req.URL.Path, "/3/device/")
		if req.ProtoMajor != 2 || req.Header.Get("apns-topic") != testPassType || len(req.TLS.PeerCertificates) == 0 {
			http.Error(w, "bad push", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.pushes = append(r.pushes, token)
		r.mu.Unlock()
		if token == "gone-token" {
			w.WriteHeader(http.StatusGone)
		}
	}))
	srv.EnableHTTP2 = true
	clients := x509.NewCertPool()
	clients.AddCert(r.certs.WWDR)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	r.apnsRoots = x509.NewCertPool()
	r.apnsRoots.AddCert(srv.Certificate())
	return srv.URL
}

func (r *walletRig) googleReceiver(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, req *http.Request) {
		a, err := jwt.ParseSigned(req.FormValue("assertion"), []jose.SignatureAlgorithm{jose.RS256})
		var c jwt.Claims
		if err != nil || a.Claims(&r.sa.Key.PublicKey, &c) != nil || c.Issuer != r.sa.Email {
			http.Error(w, "bad assertion", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"wallet-token","token_type":"Bearer","expires_in":3600}`) //nolint:errcheck
	})
	mux.HandleFunc("PATCH /walletobjects/v1/eventTicketObject/{id}", func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Authorization") != "Bearer wallet-token" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		var body map[string]string
		json.NewDecoder(req.Body).Decode(&body) //nolint:errcheck
		r.mu.Lock()
		r.states = append(r.states, req.PathValue("id")+"="+body["state"])
		r.mu.Unlock()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// download fetches a pass by its link. It returns the status and the body.
func download(t *testing.T, link string) (int, []byte) {
	t.Helper()
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// call makes a web service request with the pass's token and returns the response.
func call(t *testing.T, method, u, token, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "ApplePass "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestWalletApplePass(t *testing.T) {
	e := newEnv(t)
	rig := e.walletRig()
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	f := e.family(p, e.caseworker(nav))
	org := e.organisation("svommehallen")
	o := e.tkOffer(org, []*Programme{p}, 10)
	mother := resident(e.larvik, f.mother)
	tk, err := e.svc.ClaimTicket(mother, f.card.ID, o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}

	link, err := e.svc.IssueWalletPass(mother, tk.ID, WalletApple, nil)
	if err != nil {
		t.Fatal(err)
	}
	if link.ExpiresAt == nil || link.ExpiresAt.Sub(time.Now()) > walletLinkTTL+time.Second {
		t.Errorf("link expires %v", link.ExpiresAt)
	}
	status, pkpass := download(t, link.URL)
	if status != http.StatusOK {
		t.Fatalf("download: %d %s", status, pkpass)
	}
	files, pass := wallettest.CheckPass(t, pkpass, rig.certs.Roots)
	if bc := pass["barcodes"].([]any)[0].(map[string]any); bc["message"] != TicketPayload("larvik", tk.Code) {
		t.Errorf("barcode %v, want the door's code %q", bc["message"], TicketPayload("larvik", tk.Code))
	}
	if pass["serialNumber"] != tk.ID.String() || pass["voided"] != false ||
		pass["organizationName"] != "larvik kommune" {
		t.Errorf("pass.json = %v", pass)
	}
	et, _ := json.Marshal(pass["eventTicket"])
	if !bytes.Contains(et, []byte("Svømmehallen")) || !bytes.Contains(et, []byte("svommehallen")) {
		t.Errorf("eventTicket %s lacks the offer or its place", et)
	}
	for name, b := range files {
		for _, personal := range []string{"Kari", f.child, f.mother, f.father, f.card.Number} {
			if bytes.Contains(b, []byte(personal)) {
				t.Errorf("%s holds %q", name, personal)
			}
		}
	}
	token, _ := pass["authenticationToken"].(string)
	if e.count("SELECT count(*) FROM card_wallet_tokens WHERE ticket_id = ? AND token_hash = ?", tk.ID,
		walletTokenHash(token)) != 1 ||
		e.count("SELECT count(*) FROM card_wallet_tokens WHERE token_hash = ?", []byte(token)) != 0 {
		t.Error("the token's hash is not kept, or the token itself is")
	}

	t.Run("BadLinks", func(t *testing.T) {
		u, _ := url.Parse(link.URL)
		q := u.Query()
		for name, change := range map[string]func(url.Values){
			"Signature": func(q url.Values) { q.Set("sig", q.Get("sig")[1:]) },
			"Expiry":    func(q url.Values) { q.Set("expires", fmt.Sprint(time.Now().Add(time.Hour).Unix())) },
			"Expired":   func(url.Values) {},
		} {
			bad := url.Values{}
			for k, v := range q {
				bad[k] = append([]string{}, v...)
			}
			change(bad)
			u2 := *u
			u2.RawQuery = bad.Encode()
			if name == "Expired" {
				e.svc.now = func() time.Time { return time.Now().Add(walletLinkTTL + time.Minute) }
			}
			if status, _ := download(t, u2.String()); status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", name, status)
			}
			e.svc.now = time.Now
		}
		// Another municipality's link does not open Larvik's ticket.
		other := e.municipality("sandefjord")
		_, err := e.svc.WalletPassFile(anonymous(other), tk.ID, q.Get("expires"), q.Get("sig"))
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("WebService", func(t *testing.T) {
		base := rig.api.URL + WalletServicePath + "/v1"
		regURL := base + "/devices/dev-1/registrations/" + testPassType + "/" + tk.ID.String()
		if res := call(t, "POST", regURL, "wrong-token-wrong-token", `{"pushToken":"push-1"}`); res.StatusCode != 401 {
			t.Errorf("a wrong token registers: %d", res.StatusCode)
		}
		if res := call(t, "POST", regURL, token, `{"pushToken":"push-1"}`); res.StatusCode != 201 {
			t.Errorf("register: %d, want 201", res.StatusCode)
		}
		if res := call(t, "POST", regURL, token, `{"pushToken":"push-1"}`); res.StatusCode != 200 {
			t.Errorf("register again: %d, want 200", res.StatusCode)
		}
		gone := base + "/devices/dev-gone/registrations/" + testPassType + "/" + tk.ID.String()
		if res := call(t, "POST", gone, token, `{"pushToken":"gone-token"}`); res.StatusCode != 201 {
			t.Errorf("register a second device: %d", res.StatusCode)
		}
		if res := call(t, "POST", strings.Replace(regURL, testPassType, "pass.other", 1), token,
			`{"pushToken":"x"}`); res.StatusCode != 404 {
			t.Errorf("another pass type: %d, want 404", res.StatusCode)
		}
		res := call(t, "GET", base+"/devices/dev-1/registrations/"+testPassType, "", "")
		var listed struct {
			LastUpdated   string   `json:"lastUpdated"`
			SerialNumbers []string `json:"serialNumbers"`
		}
		if err := json.NewDecoder(res.Body).Decode(&listed); err != nil || res.StatusCode != 200 ||
			len(listed.SerialNumbers) != 1 || listed.SerialNumbers[0] != tk.ID.String() {
			t.Fatalf("serials: %d %+v %v", res.StatusCode, listed, err)
		}
		since := base + "/devices/dev-1/registrations/" + testPassType + "?passesUpdatedSince=" + listed.LastUpdated
		if res := call(t, "GET", since, "", ""); res.StatusCode != 204 {
			t.Errorf("nothing changed since the tag: %d, want 204", res.StatusCode)
		}
		passURL := base + "/passes/" + testPassType + "/" + tk.ID.String()
		res = call(t, "GET", passURL, token, "")
		lastModified := res.Header.Get("Last-Modified")
		if res.StatusCode != 200 || lastModified == "" {
			t.Fatalf("pass: %d", res.StatusCode)
		}
		if res := call(t, "GET", passURL, token, "", "If-Modified-Since", lastModified); res.StatusCode != 304 {
			t.Errorf("unchanged pass: %d, want 304", res.StatusCode)
		}
		if res := call(t, "POST", base+"/log", "", `{"logs":["a message"]}`); res.StatusCode != 200 {
			t.Errorf("log: %d", res.StatusCode)
		}

		// The door checks the ticket in: the pass is marked changed and its update queued.
		checker := e.member(org, "TICKET_CHECKER")
		if _, err := e.svc.RedeemTicket(checker, tk.Code); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT count(*) FROM river_job WHERE kind = 'card_wallet_update'
			AND args->>'ticket_id' = ?`, tk.ID.String()); n != 1 {
			t.Fatalf("%d update jobs queued, want 1", n)
		}
		w := &WalletUpdateWorker{Cards: e.svc}
		if err := w.Work(context.Background(), &river.Job[WalletUpdateArgs]{Args: WalletUpdateArgs{TicketID: tk.ID,
			MunicipalityID: e.larvik.ID()}}); err != nil {
			t.Fatal(err)
		}
		rig.mu.Lock()
		pushed := strings.Join(rig.pushes, ",")
		rig.mu.Unlock()
		if !strings.Contains(pushed, "push-1") || !strings.Contains(pushed, "gone-token") {
			t.Errorf("pushed to %q, want both devices", pushed)
		}
		if e.count("SELECT count(*) FROM card_wallet_registrations WHERE device_library_id = 'dev-gone'") != 0 {
			t.Error("a device the push service says is gone is still registered")
		}
		res = call(t, "GET", base+"/devices/dev-1/registrations/"+testPassType+"?passesUpdatedSince="+
			listed.LastUpdated, "", "")
		if res.StatusCode != 200 {
			t.Errorf("the redeemed pass is not listed as changed: %d", res.StatusCode)
		}
		res = call(t, "GET", passURL, token, "", "If-Modified-Since", lastModified)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("changed pass: %d", res.StatusCode)
		}
		_, updated := wallettest.CheckPass(t, b, rig.certs.Roots)
		aux, _ := json.Marshal(updated["eventTicket"])
		if updated["voided"] != true || updated["authenticationToken"] != token ||
			!bytes.Contains(aux, []byte("Sjekket inn")) {
			t.Errorf("the redeemed pass: voided %v, token kept %v, %s", updated["voided"],
				updated["authenticationToken"] == token, aux)
		}
		if res := call(t, "DELETE", regURL, token, ""); res.StatusCode != 200 {
			t.Errorf("unregister: %d", res.StatusCode)
		}
	})
}

func TestWalletGooglePass(t *testing.T) {
	e := newEnv(t)
	rig := e.walletRig()
	p := e.programme(nil)
	ac := e.anonymousCard(p)
	org := e.organisation("kino")
	o := e.tkOffer(org, []*Programme{p}, 10)
	access := &CardAccess{Number: ac.Card.Number, PIN: ac.PIN}
	ctx := anonymous(e.larvik)
	tk, err := e.svc.ClaimTicket(ctx, ac.Card.ID, o.ID, access)
	if err != nil {
		t.Fatal(err)
	}
	link, err := e.svc.IssueWalletPass(ctx, tk.ID, WalletGoogle, access)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := jwt.ParseSigned(strings.TrimPrefix(link.URL, wallet.GoogleSaveURL),
		[]jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		jwt.Claims
		Typ     string `json:"typ"`
		Payload struct {
			Objects []map[string]any `json:"eventTicketObjects"`
		} `json:"payload"`
	}
	if err := parsed.Claims(&rig.sa.Key.PublicKey, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.Typ != "savetowallet" || len(claims.Payload.Objects) != 1 {
		t.Fatalf("claims %+v", claims)
	}
	obj := claims.Payload.Objects[0]
	bc, _ := obj["barcode"].(map[string]any)
	if obj["id"] != "3388000000022000000."+tk.ID.String() || obj["state"] != "ACTIVE" || obj["classId"] == nil ||
		bc["type"] != "QR_CODE" || bc["value"] != TicketPayload("larvik", tk.Code) || obj["ticketHolderName"] != nil {
		t.Errorf("object %v", obj)
	}
	if _, err := e.svc.CancelTicket(ctx, tk.ID, access); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.UpdateWallets(context.Background(), tk.ID); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rig.states, ","); got != "3388000000022000000."+tk.ID.String()+"=INACTIVE" {
		t.Errorf("Google objects patched: %q", got)
	}
	_, err = e.svc.IssueWalletPass(ctx, tk.ID, WalletGoogle, access)
	wantCode(t, err, apperr.Conflict, "ticketId", "CANCELLED")
}

func TestWalletAccess(t *testing.T) {
	e := newEnv(t)
	e.walletRig()
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	cw := e.caseworker(nav)
	f := e.family(p, cw)
	o := e.tkOffer(e.organisation("bowling"), []*Programme{p}, 10)
	tk, err := e.svc.ClaimTicket(resident(e.larvik, f.mother), f.card.ID, o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	ac := e.anonymousCard(p)
	other := e.municipality("sandefjord")
	cases := map[string]struct {
		ctx    context.Context
		access *CardAccess
		want   apperr.Code
	}{
		"OtherGuardian":      {resident(e.larvik, e.guardian()), nil, apperr.NotFound},
		"OtherMunicipality":  {resident(other, f.mother), nil, apperr.NotFound},
		"OtherAnonymousCard": {anonymous(e.larvik), &CardAccess{Number: ac.Card.Number, PIN: ac.PIN}, apperr.NotFound},
		"Anonymous":          {anonymous(e.larvik), nil, apperr.Unauthenticated},
		"Caseworker":         {cw, nil, apperr.Forbidden},
		"Coordinator":        {e.coord, nil, apperr.Forbidden},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := e.svc.IssueWalletPass(c.ctx, tk.ID, WalletApple, c.access)
			wantCode(t, err, c.want)
		})
	}
	t.Run("Father", func(t *testing.T) {
		if _, err := e.svc.IssueWalletPass(resident(e.larvik, f.father), tk.ID, WalletApple, nil); err != nil {
			t.Errorf("a guardian: %v", err)
		}
	})
	t.Run("NotSetUp", func(t *testing.T) {
		e.svc.Wallet.Google = nil
		_, err := e.svc.IssueWalletPass(resident(e.larvik, f.mother), tk.ID, WalletGoogle, nil)
		wantCode(t, err, apperr.WalletNotAvailable, "wallet", "GOOGLE")
		if got := e.svc.AvailableWallets(); len(got) != 1 || got[0] != WalletApple {
			t.Errorf("available: %v", got)
		}
	})
}

func TestWalletErasure(t *testing.T) {
	e := newEnv(t)
	rig := e.walletRig()
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	f := e.family(p, e.caseworker(nav))
	o := e.tkOffer(e.organisation("teater"), []*Programme{p}, 10)
	mother := resident(e.larvik, f.mother)
	tk, err := e.svc.ClaimTicket(mother, f.card.ID, o.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	link, err := e.svc.IssueWalletPass(mother, tk.ID, WalletApple, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, pkpass := download(t, link.URL)
	_, pass := wallettest.CheckPass(t, pkpass, rig.certs.Roots)
	token := pass["authenticationToken"].(string)
	if _, err := e.svc.RegisterWalletDevice(context.Background(), "dev-1", testPassType, tk.ID.String(), token,
		"push-1"); err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.PersonalDataReport(e.admin, f.mother)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.CardsAsGuardian()) != 1 || len(rep.CardsAsGuardian()[0].Tickets) != 1 ||
		len(rep.CardsAsGuardian()[0].Tickets[0].WalletDevices) != 1 ||
		rep.CardsAsGuardian()[0].Tickets[0].WalletDevices[0].DeviceLibraryIdentifier != "dev-1" {
		t.Fatalf("the report lacks the wallet device: %+v", rep.CardsAsGuardian())
	}
	// The ticket is used, and the retention period passes.
	if _, err := e.svc.RedeemTicket(e.member(o.OrganisationID, "TICKET_CHECKER"), tk.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, time.Now()); err != nil {
		t.Fatal(err)
	}
	if e.count("SELECT count(*) FROM card_wallet_registrations") != 1 {
		t.Fatal("erased before the retention period")
	}
	later := time.Now().AddDate(0, 0, e.svc.opt.RetentionDays+1)
	if _, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, later); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"card_wallet_registrations", "card_wallet_tokens", "card_wallet_passes"} {
		if n := e.count("SELECT count(*) FROM " + table); n != 0 {
			t.Errorf("%s keeps %d rows past the retention", table, n)
		}
	}
}
