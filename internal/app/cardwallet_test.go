package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fritid/fritid/internal/card/wallet/wallettest"
	"github.com/fritid/fritid/internal/platform/config"
)

const walletPassType = "pass.no.fritid.test"

// withAppleWallet sets Apple Wallet up with test certificates under a fake WWDR root.
func withAppleWallet(certs *wallettest.Apple) func(*config.Config) {
	return func(c *config.Config) {
		c.Wallet.ApplePassTypeID, c.Wallet.AppleTeamID = walletPassType, "TEAM123456"
		c.Wallet.AppleCert, c.Wallet.AppleKey, c.Wallet.AppleWWDR = certs.CertPath, certs.KeyPath, certs.WWDRPath
	}
}

// cardWalletAccessCases are the wallet's rows of the access matrix: the holder of an
// anonymous card (its number and PIN) gets the pass of its ticket, whoever they are.
func cardWalletAccessCases(anonymousTicket func() (any, string, map[string]any), anyone map[string]outcome,
) []accessCase {
	return []accessCase{
		{"issueWalletPass", `mutation($id: ID!, $a: CardPinInput) {
			issueWalletPass(ticketId: $id, wallet: APPLE, access: $a) { url } }`, func() map[string]any {
			id, _, access := anonymousTicket()
			return map[string]any{"id": id, "a": access}
		}, anyone},
		{"cardWallets", `{ cardWallets }`, nil, anyone},
	}
}

const issueWalletQ = `mutation($id: ID!, $w: WalletKind!, $a: CardPinInput) {
	issueWalletPass(ticketId: $id, wallet: $w, access: $a) { wallet url expiresAt } }`

func TestWalletPassEndToEnd(t *testing.T) {
	t.Parallel()
	certs := wallettest.NewApple(t, walletPassType)
	s := newServer(t, withAppleWallet(certs))
	r := ok(t, s.post(t, `{ cardWallets }`, nil))
	if got, _ := json.Marshal(r.Data["cardWallets"]); string(got) != `["APPLE"]` {
		t.Errorf("cardWallets = %s", got)
	}
	lc := newLiveCard(t, s)
	tks := lc.tickets(t, 2)
	tk := tks[0]

	r = s.post(t, issueWalletQ, map[string]any{"id": tk.id, "w": "GOOGLE", "a": tk.access})
	if r.code() != "WALLET_NOT_AVAILABLE" || r.Errors[0].Extensions["field"] != "wallet" {
		t.Errorf("Google without its settings: %+v", r.Errors)
	}
	r = s.post(t, issueWalletQ, map[string]any{"id": tk.id, "w": "APPLE", "a": tks[1].access})
	if r.code() != "NOT_FOUND" {
		t.Errorf("another card's PIN: %s", r.code())
	}
	if _, err := s.app.Tenants.CreateMunicipality(t.Context(), tenantInput("larvik", "Larvik kommune")); err != nil {
		t.Fatal(err)
	}
	r = s.post(t, issueWalletQ, map[string]any{"id": tk.id, "w": "APPLE", "a": tk.access}, "X-Municipality: larvik")
	if r.code() != "NOT_FOUND" {
		t.Errorf("another municipality: %s", r.code())
	}
	if r = s.post(t, issueWalletQ, map[string]any{"id": tk.id, "w": "APPLE"}); r.code() != "UNAUTHENTICATED" {
		t.Errorf("no PIN: %s", r.code())
	}

	r = ok(t, s.post(t, issueWalletQ, map[string]any{"id": tk.id, "w": "APPLE", "a": tk.access}))
	link, err := url.Parse(get(r.Data, "issueWalletPass.url").(string))
	if err != nil {
		t.Fatal(err)
	}
	if link.Query().Get("pin") != "" || link.Query().Get("number") != "" {
		t.Errorf("the link carries the card's access: %s", link)
	}
	send := func(method, path, body string, headers ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}
	get1 := func(path string, headers ...string) (*http.Response, []byte) {
		t.Helper()
		return send("GET", path, "", headers...)
	}
	if res, _ := get1(link.RequestURI(), "X-Municipality", "larvik"); res.StatusCode != http.StatusNotFound {
		t.Errorf("the link in another municipality: %d", res.StatusCode)
	}
	res, pkpass := get1(link.RequestURI())
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.apple.pkpass" {
		t.Fatalf("download: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	_, pass := wallettest.CheckPass(t, pkpass, certs.Roots)
	bc := pass["barcodes"].([]any)[0].(map[string]any)
	if bc["message"] != "FRITID1:demo:"+tk.code && bc["altText"] != tk.code {
		t.Errorf("barcode %v, want the door's code %s", bc, tk.code)
	}
	token := pass["authenticationToken"].(string)
	if pass["webServiceURL"] != "http://127.0.0.1:8080/card/wallet" {
		t.Errorf("webServiceURL = %v", pass["webServiceURL"])
	}

	// The device registers, the door checks the ticket in, the device fetches the pass.
	reg, _ := send("POST", "/card/wallet/v1/devices/d1/registrations/"+walletPassType+"/"+passSerial(t, pass),
		`{"pushToken":"p1"}`, "Authorization", "ApplePass "+token, "Content-Type", "application/json")
	if reg.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d", reg.StatusCode)
	}
	lc.redeem(t, s, tk.code)
	var queued int
	if err := s.app.DB.QueryRowContext(t.Context(), `SELECT count(*) FROM river_job
		WHERE kind = 'card_wallet_update' AND args->>'ticket_id' = ?`, passSerial(t, pass)).Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if queued != 1 {
		t.Errorf("%d wallet update jobs queued, want 1", queued)
	}
	res, updated := get1("/card/wallet/v1/passes/"+walletPassType+"/"+passSerial(t, pass),
		"Authorization", "ApplePass "+token)
	if res.StatusCode != 200 {
		t.Fatalf("the pass now: %d", res.StatusCode)
	}
	if _, now := wallettest.CheckPass(t, updated, certs.Roots); now["voided"] != true {
		t.Errorf("the checked-in ticket's pass is not voided")
	}
	r = s.post(t, issueWalletQ, map[string]any{"id": tk.id, "w": "APPLE", "a": tk.access})
	if r.code() != "CONFLICT" {
		t.Errorf("a pass for a used ticket: %s", r.code())
	}
}

// passSerial returns the pass's serial number: its ticket's ID.
func passSerial(t *testing.T, pass map[string]any) string {
	t.Helper()
	s, _ := pass["serialNumber"].(string)
	return s
}
