package wallet_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/card/wallet"
	"github.com/fritid/fritid/internal/card/wallet/wallettest"
)

// FuzzParseGoogle: any key file is refused with an error or gives a maker whose save
// links carry the object of its issuer; nothing panics.
func FuzzParseGoogle(f *testing.F) {
	sa := wallettest.NewServiceAccount(f, "https://oauth2.example/token")
	good, err := os.ReadFile(sa.Path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("3388000000022000000", good)
	f.Add("3388", []byte(`{"client_email":"a@b",
		"private_key":"-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----"}`))
	f.Add("", []byte(`{}`))
	f.Add("12", []byte(`[`))
	f.Fuzz(func(t *testing.T, issuer string, keyFile []byte) {
		g, err := wallet.ParseGoogle(issuer, keyFile)
		if err != nil {
			return
		}
		if issuer == "" || strings.Trim(issuer, "0123456789") != "" {
			t.Fatalf("issuer %q accepted", issuer)
		}
		p := &wallet.Pass{Serial: "s/1", Title: "Kino", Message: "FRITID1:x:1", Expires: time.Now(),
			State: wallet.Active}
		link, err := g.SaveURL(p, "offer", time.Now())
		if err != nil || !strings.HasPrefix(link, wallet.GoogleSaveURL) {
			t.Fatalf("save link %q: %v", link, err)
		}
		if id := g.ObjectID(p.Serial); id != issuer+".s_1" {
			t.Fatalf("object ID %q", id)
		}
	})
}
