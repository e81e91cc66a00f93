package wallet_test

import (
	"testing"
	"time"

	"github.com/fritid/fritid/internal/card/wallet"
	"github.com/fritid/fritid/internal/card/wallet/wallettest"
)

// BenchmarkApplePass builds and signs one .pkpass (pass.json, icons, manifest, PKCS#7
// signature with a P-256 pass certificate, zip): the work of one download or update.
func BenchmarkApplePass(b *testing.B) {
	certs := wallettest.NewApple(b, passType)
	a, err := wallet.LoadApple(passType, "TEAM123456", certs.CertPath, certs.KeyPath, certs.WWDRPath)
	if err != nil {
		b.Fatal(err)
	}
	p := testPass()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Build(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoogleSaveURL signs one Save to Google Wallet link (RS256, 2048-bit key).
func BenchmarkGoogleSaveURL(b *testing.B) {
	sa := wallettest.NewServiceAccount(b, "https://oauth2.example/token")
	g, err := wallet.LoadGoogle("3388000000022000000", sa.Path)
	if err != nil {
		b.Fatal(err)
	}
	p := testPass()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.SaveURL(p, "offer-1", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
