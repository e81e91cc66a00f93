package wallet_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/fritid/fritid/internal/card/wallet"
	"github.com/fritid/fritid/internal/card/wallet/wallettest"
)

const passType = "pass.no.fritid.test"

func testPass() *wallet.Pass {
	start := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	return &wallet.Pass{Serial: "0193a0e4-5f1e-7c3a-9d2b-1f2e3d4c5b6a", AuthToken: "abcdefghijklmnopqrstuvwx",
		Organisation: "Larvik kommune", Description: "Billett: Kino", Title: "Kino: Julefilm", Place: "Larvik kino",
		Start: &start, Expires: start.Add(3 * time.Hour), Message: "FRITID1:larvik:K7QF3MZDX2A",
		AltText: "K7QF-3MZD-X2A", Admits: 2, State: wallet.Active,
		Labels: wallet.Labels{Event: "Arrangement", Time: "Tid", Place: "Sted", Admits: "Gjelder for",
			Status: "Status", Language: "nb", States: map[wallet.State]string{wallet.Active: "Gyldig"}}}
}

func newApple(t *testing.T) (*wallet.Apple, *wallettest.Apple) {
	t.Helper()
	certs := wallettest.NewApple(t, passType)
	a, err := wallet.LoadApple(passType, "TEAM123456", certs.CertPath, certs.KeyPath, certs.WWDRPath)
	if err != nil {
		t.Fatal(err)
	}
	a.WebServiceURL = "https://api.example.no/card/wallet"
	return a, certs
}

func TestApplePass(t *testing.T) {
	t.Parallel()
	a, certs := newApple(t)
	p := testPass()
	b, err := a.Build(p)
	if err != nil {
		t.Fatal(err)
	}
	_, pass := wallettest.CheckPass(t, b, certs.Roots)
	bc := pass["barcodes"].([]any)[0].(map[string]any)
	if bc["message"] != p.Message || bc["altText"] != p.AltText {
		t.Errorf("barcode = %v, want the door's code %q", bc, p.Message)
	}
	if pass["voided"] != false || pass["authenticationToken"] != p.AuthToken ||
		pass["webServiceURL"] != a.WebServiceURL || pass["serialNumber"] != p.Serial {
		t.Errorf("pass.json = %v", pass)
	}
	if pass["relevantDate"] != "2026-12-05T17:00:00Z" || pass["expirationDate"] != "2026-12-05T20:00:00Z" {
		t.Errorf("dates = %v, %v", pass["relevantDate"], pass["expirationDate"])
	}
	et, _ := json.Marshal(pass["eventTicket"])
	for _, want := range []string{"Kino: Julefilm", "Larvik kino", "Gyldig"} {
		if !strings.Contains(string(et), want) {
			t.Errorf("eventTicket %s lacks %q", et, want)
		}
	}

	t.Run("Voided", func(t *testing.T) {
		t.Parallel()
		p := testPass()
		p.State = wallet.Redeemed
		b, err := a.Build(p)
		if err != nil {
			t.Fatal(err)
		}
		_, pass := wallettest.CheckPass(t, b, certs.Roots)
		if pass["voided"] != true {
			t.Errorf("a redeemed ticket's pass is not voided: %v", pass["voided"])
		}
	})
	t.Run("OtherRoot", func(t *testing.T) {
		t.Parallel()
		other := wallettest.NewApple(t, passType)
		ft := &failRecorder{TB: t}
		func() {
			defer func() { _ = recover() }()
			wallettest.CheckPass(ft, b, other.Roots)
		}()
		if !ft.failed {
			t.Error("a pass signed under another root verified")
		}
	})
}

// failRecorder records a fatal failure instead of ending the test.
type failRecorder struct {
	testing.TB
	failed bool
}

func (f *failRecorder) Fatalf(string, ...any) { f.failed = true; panic("fatal") }
func (f *failRecorder) Errorf(string, ...any) { f.failed = true }
func (f *failRecorder) Helper()               {}

func TestLoadAppleErrors(t *testing.T) {
	t.Parallel()
	certs := wallettest.NewApple(t, passType)
	cases := map[string][5]string{
		"NoPassType": {"", "TEAM", certs.CertPath, certs.KeyPath, certs.WWDRPath},
		"NoTeam":     {passType, "", certs.CertPath, certs.KeyPath, certs.WWDRPath},
		"KeyAsCert":  {passType, "TEAM", certs.KeyPath, certs.KeyPath, certs.WWDRPath},
		"CertAsKey":  {passType, "TEAM", certs.CertPath, certs.CertPath, certs.WWDRPath},
		"NoWWDR":     {passType, "TEAM", certs.CertPath, certs.KeyPath, certs.WWDRPath + ".missing"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := wallet.LoadApple(c[0], c[1], c[2], c[3], c[4]); err == nil {
				t.Error("loaded")
			}
		})
	}
}

func TestGoogleSaveURL(t *testing.T) {
	t.Parallel()
	sa := wallettest.NewServiceAccount(t, "https://oauth2.example/token")
	g, err := wallet.LoadGoogle("3388000000022000000", sa.Path)
	if err != nil {
		t.Fatal(err)
	}
	p := testPass()
	link, err := g.SaveURL(p, "offer-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	token, ok := strings.CutPrefix(link, wallet.GoogleSaveURL)
	if !ok {
		t.Fatalf("link %q", link)
	}
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if typ := parsed.Headers[0].ExtraHeaders["typ"]; typ != "JWT" {
		t.Errorf("header typ = %v", typ)
	}
	var claims struct {
		jwt.Claims
		Typ     string `json:"typ"`
		Payload struct {
			Classes []map[string]any `json:"eventTicketClasses"`
			Objects []map[string]any `json:"eventTicketObjects"`
		} `json:"payload"`
	}
	if err := parsed.Claims(&sa.Key.PublicKey, &claims); err != nil {
		t.Fatalf("the JWT does not verify with the service account's key: %v", err)
	}
	if claims.Issuer != sa.Email || !claims.Audience.Contains("google") || claims.Typ != "savetowallet" {
		t.Errorf("claims = %+v", claims)
	}
	if len(claims.Payload.Objects) != 1 || len(claims.Payload.Classes) != 1 {
		t.Fatalf("payload = %+v", claims.Payload)
	}
	obj, class := claims.Payload.Objects[0], claims.Payload.Classes[0]
	// The eventTicketObject's required fields: id (issuer ID, a dot, a suffix), classId, state.
	if id, _ := obj["id"].(string); !strings.HasPrefix(id, "3388000000022000000.") || obj["classId"] != class["id"] ||
		obj["state"] != "ACTIVE" {
		t.Errorf("object = %v", obj)
	}
	if _, ok := obj["ticketHolderName"]; ok {
		t.Error("the object names the holder")
	}
	bc, _ := obj["barcode"].(map[string]any)
	if bc["type"] != "QR_CODE" || bc["value"] != p.Message {
		t.Errorf("barcode = %v", bc)
	}
	// The eventTicketClass's required fields: id, issuerName, eventName, reviewStatus.
	for _, k := range []string{"id", "issuerName", "eventName", "reviewStatus"} {
		if class[k] == nil {
			t.Errorf("class lacks %s: %v", k, class)
		}
	}
}

func TestGoogleUpdateState(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var patched []string
	var sa *wallettest.ServiceAccount
	mux := http.NewServeMux()
	// The token endpoint: a JWT bearer assertion (RFC 7523) signed by the service account.
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		const grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != grant {
			http.Error(w, "bad grant", http.StatusBadRequest)
			return
		}
		a, err := jwt.ParseSigned(r.Form.Get("assertion"), []jose.SignatureAlgorithm{jose.RS256})
		var c struct {
			jwt.Claims
			Scope string `json:"scope"`
		}
		if err != nil || a.Claims(&sa.Key.PublicKey, &c) != nil || c.Issuer != sa.Email ||
			c.Scope != "https://www.googleapis.com/auth/wallet_object.issuer" {
			http.Error(w, "bad assertion", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}`)
	})
	mux.HandleFunc("PATCH /walletobjects/v1/eventTicketObject/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-1" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		patched = append(patched, r.PathValue("id")+"="+body["state"])
		mu.Unlock()
		if strings.HasSuffix(r.PathValue("id"), "unsaved") {
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	sa = wallettest.NewServiceAccount(t, srv.URL+"/token")
	g, err := wallet.LoadGoogle("3388000000022000000", sa.Path)
	if err != nil {
		t.Fatal(err)
	}
	g.APIURL = srv.URL + "/walletobjects/v1"
	ctx := context.Background()
	if err := g.UpdateState(ctx, "ticket-1", wallet.Redeemed); err != nil {
		t.Fatal(err)
	}
	if err := g.UpdateState(ctx, "unsaved", wallet.Cancelled); err != nil {
		t.Fatalf("an object nobody saved: %v", err)
	}
	want := "3388000000022000000.ticket-1=COMPLETED,3388000000022000000.unsaved=INACTIVE"
	if got := strings.Join(patched, ","); got != want {
		t.Errorf("patched %s, want %s", got, want)
	}
	g.APIURL = srv.URL + "/refused"
	mux.HandleFunc("PATCH /refused/eventTicketObject/{id}", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	if err := g.UpdateState(ctx, "ticket-1", wallet.Redeemed); err == nil {
		t.Error("a 503 was taken as done; it must be tried again")
	}
}

// apnsReceiver is a local HTTP/2 TLS push service that asks for a client certificate.
func apnsReceiver(t *testing.T, certs *wallettest.Apple, h http.HandlerFunc) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	clients := x509.NewCertPool()
	clients.AddCert(certs.WWDR)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return srv, roots
}

func TestPush(t *testing.T) {
	t.Parallel()
	a, certs := newApple(t)
	var mu sync.Mutex
	var got []string
	srv, roots := apnsReceiver(t, certs, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Proto+" "+r.URL.Path+" "+r.Header.Get("apns-topic")+" "+
			r.TLS.PeerCertificates[0].Subject.CommonName)
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/gone") {
			w.WriteHeader(http.StatusGone)
			_, _ = io.WriteString(w, `{"reason":"Unregistered"}`)
		}
	})
	p := wallet.NewPusher(a, srv.URL, roots)
	ctx := context.Background()
	if err := p.Push(ctx, "a1b2c3"); err != nil {
		t.Fatal(err)
	}
	if err := p.Push(ctx, "gone"); !errors.Is(err, wallet.ErrGone) {
		t.Errorf("a 410: %v, want ErrGone", err)
	}
	want := "HTTP/2.0 /3/device/a1b2c3 " + passType + " Pass Type ID: " + passType
	if len(got) != 2 || got[0] != want {
		t.Errorf("pushes %q, want first %q", got, want)
	}
}
