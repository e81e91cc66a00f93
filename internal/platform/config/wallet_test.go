package config

import (
	"bytes"
	"strings"
	"testing"
)

func TestWalletSettings(t *testing.T) {
	apple := map[string]string{"FRITID_WALLET_APPLE_PASS_TYPE_ID": "pass.no.larvik.fritid",
		"FRITID_WALLET_APPLE_TEAM_ID": "TEAM123456", "FRITID_WALLET_APPLE_CERT": "/run/secrets/pass.pem",
		"FRITID_WALLET_APPLE_KEY": "/run/secrets/pass.key", "FRITID_WALLET_APPLE_WWDR": "/run/secrets/wwdr.pem"}
	t.Run("None", func(t *testing.T) {
		c, _, err := Load("serve", nil, env(nil), &bytes.Buffer{})
		if err != nil || c.Wallet.Apple() || c.Wallet.Google() ||
			c.Wallet.AppleAPNsURL != "https://api.push.apple.com" {
			t.Fatalf("%+v %v", c.Wallet, err)
		}
	})
	t.Run("Apple", func(t *testing.T) {
		c, _, err := Load("serve", nil, env(apple), &bytes.Buffer{})
		if err != nil || !c.Wallet.Apple() || c.Wallet.AppleKey != "/run/secrets/pass.key" {
			t.Fatalf("%+v %v", c.Wallet, err)
		}
	})
	for name, tt := range map[string]struct {
		env  map[string]string
		want []string
	}{
		"AppleWithoutKey": {map[string]string{"FRITID_WALLET_APPLE_PASS_TYPE_ID": "pass.x",
			"FRITID_WALLET_APPLE_TEAM_ID": "T"}, []string{"FRITID_WALLET_APPLE_KEY", "FRITID_WALLET_APPLE_CERT",
			"FRITID_WALLET_APPLE_WWDR"}},
		"GoogleWithoutKey": {map[string]string{"FRITID_WALLET_GOOGLE_ISSUER_ID": "3388"},
			[]string{"FRITID_WALLET_GOOGLE_KEY"}},
		"GoogleIssuerLetter": {map[string]string{"FRITID_WALLET_GOOGLE_ISSUER_ID": "abc",
			"FRITID_WALLET_GOOGLE_KEY": "k.json"}, []string{"FRITID_WALLET_GOOGLE_ISSUER_ID"}},
		"PushNotHTTPS": {map[string]string{"FRITID_WALLET_APPLE_APNS_URL": "http://push.example"},
			[]string{"FRITID_WALLET_APPLE_APNS_URL"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Load("serve", nil, env(tt.env), &bytes.Buffer{})
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v does not name %s", err, w)
				}
			}
		})
	}
}
