package config

import (
	"bytes"
	"errors"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, rest, err := Load("serve", nil, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.DataDir != "./.fritid" || c.Env != Development || !c.MigrateOnStart || !c.Introspection {
		t.Errorf("defaults: %+v", c)
	}
	if len(rest) != 0 {
		t.Errorf("rest = %v", rest)
	}
}

func TestFlagsWinOverEnv(t *testing.T) {
	c, _, err := Load("serve", []string{"--http-addr", ":9000"}, env(map[string]string{"FRITID_HTTP_ADDR": ":7000", "FRITID_CORS_ORIGINS": "https://a.no, https://b.no/"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":9000" {
		t.Errorf("HTTPAddr = %q", c.HTTPAddr)
	}
	if strings.Join(c.CORSOrigins, "|") != "https://a.no|https://b.no" {
		t.Errorf("CORSOrigins = %v", c.CORSOrigins)
	}
}

func TestLoadErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"ErrEnv", map[string]string{"FRITID_ENV": "prod"}, "FRITID_ENV"},
		{"ErrAddr", map[string]string{"FRITID_HTTP_ADDR": "8080"}, "FRITID_HTTP_ADDR"},
		{"ErrDepth", map[string]string{"FRITID_MAX_QUERY_DEPTH": "deep"}, "FRITID_MAX_QUERY_DEPTH"},
		{"ErrDuration", map[string]string{"FRITID_READ_TIMEOUT": "-1s"}, "FRITID_READ_TIMEOUT"},
		{"ErrDatabaseURL", map[string]string{"FRITID_DATABASE_URL": "mysql://x"}, "FRITID_DATABASE_URL"},
		{"ErrOrigin", map[string]string{"FRITID_CORS_ORIGINS": "portal.no"}, "FRITID_CORS_ORIGINS"},
		{"ErrMetricsAddr", map[string]string{"FRITID_METRICS_ADDR": "9090"}, "FRITID_METRICS_ADDR"},
		{"ErrMetricsAddrIsTheAPI", map[string]string{"FRITID_METRICS_ADDR": ":8080"}, "FRITID_METRICS_ADDR (--metrics-addr) = \":8080\" is the address of the API"},
		{"ErrShortSecret", map[string]string{"FRITID_SECRET_KEY": "short"}, "at least 32"},
		{"ErrProductionNeedsSecret", map[string]string{"FRITID_ENV": "production", "FRITID_DATABASE_URL": "postgres://x/y"}, "FRITID_SECRET_KEY is required in production"},
		{"ErrProductionNeedsDatabase", map[string]string{"FRITID_ENV": "production", "FRITID_SECRET_KEY": strings.Repeat("k", 32)}, "FRITID_DATABASE_URL is required"},
		{"ErrProductionNeedsMedia", map[string]string{"FRITID_ENV": "production", "FRITID_SECRET_KEY": strings.Repeat("k", 32),
			"FRITID_DATABASE_URL": "postgres://x/y"}, "FRITID_MEDIA_URL is required in production"},
		{"ErrIntrospection", map[string]string{"FRITID_INTROSPECTION": "maybe"}, "FRITID_INTROSPECTION"},
		{"ErrBounceAddressWithName", map[string]string{"FRITID_NEWSLETTER_BOUNCE_ADDRESS": "Bounces <b@x.org>",
			"FRITID_NEWSLETTER_INBOUND_SECRET": inbound}, "FRITID_NEWSLETTER_BOUNCE_ADDRESS"},
		{"ErrBounceAddressWithPlus", map[string]string{"FRITID_NEWSLETTER_BOUNCE_ADDRESS": "b+x@x.org",
			"FRITID_NEWSLETTER_INBOUND_SECRET": inbound}, "at most 19 characters without +"},
		{"ErrBounceLocalPartTooLong", map[string]string{
			"FRITID_NEWSLETTER_BOUNCE_ADDRESS": strings.Repeat("b", 20) + "@x.org",
			"FRITID_NEWSLETTER_INBOUND_SECRET": inbound}, "at most 19 characters"},
		{"ErrBounceAddressWithoutSecret", map[string]string{"FRITID_NEWSLETTER_BOUNCE_ADDRESS": "bounces@x.org"},
			"FRITID_NEWSLETTER_INBOUND_SECRET is required with FRITID_NEWSLETTER_BOUNCE_ADDRESS"},
		{"ErrSecretWithoutBounceAddress", map[string]string{"FRITID_NEWSLETTER_INBOUND_SECRET": inbound},
			"set both or neither"},
		{"ErrShortInboundSecret", map[string]string{"FRITID_NEWSLETTER_BOUNCE_ADDRESS": "bounces@x.org",
			"FRITID_NEWSLETTER_INBOUND_SECRET": "short"}, "FRITID_NEWSLETTER_INBOUND_SECRET is too short"},
		{"ErrPushPrivateKeyMissing", map[string]string{"FRITID_PUSH_VAPID_PUBLIC_KEY": pushPublic,
			"FRITID_PUSH_SUBJECT": "mailto:a@x.org"}, "FRITID_PUSH_VAPID_PRIVATE_KEY must be"},
		{"ErrPushPublicKeyShort", map[string]string{"FRITID_PUSH_VAPID_PUBLIC_KEY": pushPublic[:40],
			"FRITID_PUSH_VAPID_PRIVATE_KEY": pushPrivate, "FRITID_PUSH_SUBJECT": "mailto:a@x.org"},
			"FRITID_PUSH_VAPID_PUBLIC_KEY must be"},
		{"ErrPushSubject", map[string]string{"FRITID_PUSH_VAPID_PUBLIC_KEY": pushPublic,
			"FRITID_PUSH_VAPID_PRIVATE_KEY": pushPrivate, "FRITID_PUSH_SUBJECT": "a@x.org"},
			"FRITID_PUSH_SUBJECT must be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Load("serve", nil, env(tt.env), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// A VAPID key pair, as `fritid push keys` makes them.
const (
	pushPublic  = "BN3dCOg4-z8hQ9P9PnKG4vAPOReOre3rGNyVb6-FSRpFrbrCX11gMT7o-OELG6JtlvAcs5v9jQGauh0UcfpkqZ0"
	pushPrivate = "uHzAYM5mpzXABuxqcopeOaRi66_Jmg_TgSwvvb02NAc"
)

// TestPushSettings: a whole pair with a subject is taken.
func TestPushSettings(t *testing.T) {
	c, _, err := Load("serve", nil, env(map[string]string{"FRITID_PUSH_VAPID_PUBLIC_KEY": pushPublic,
		"FRITID_PUSH_VAPID_PRIVATE_KEY": pushPrivate, "FRITID_PUSH_SUBJECT": "https://larvik.kommune.no"}),
		&bytes.Buffer{})
	if err != nil || c.PushPublicKey != pushPublic || c.PushPrivateKey != pushPrivate {
		t.Fatalf("%+v, %v", c, err)
	}
}

// inbound is an inbound secret long enough.
var inbound = strings.Repeat("s", 32)

// TestBounceAddress: a bounce address with its secret is taken, lower-cased.
func TestBounceAddress(t *testing.T) {
	c, _, err := Load("serve", nil, env(map[string]string{"FRITID_NEWSLETTER_BOUNCE_ADDRESS": "Bounces@Bounce.Larvik.no",
		"FRITID_NEWSLETTER_INBOUND_SECRET": inbound}), &bytes.Buffer{})
	if err != nil || c.NewsletterBounceAddress != "bounces@bounce.larvik.no" || c.NewsletterInboundSecret != inbound {
		t.Fatalf("%+v, %v", c, err)
	}
}

// prod is the least configuration production accepts.
var prod = map[string]string{"FRITID_ENV": "production", "FRITID_DATABASE_URL": "postgres://x/y",
	"FRITID_SECRET_KEY": strings.Repeat("k", 32), "FRITID_MEDIA_URL": "file:///srv/fritid/media"}

// TestIntrospectionByMode: on in development and off in production unless set; what is set wins.
func TestIntrospectionByMode(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want bool
	}{
		{"Development", nil, nil, true},
		{"DevelopmentTurnedOff", map[string]string{"FRITID_INTROSPECTION": "false"}, nil, false},
		{"Production", prod, nil, false},
		{"ProductionTurnedOn", with(prod, "FRITID_INTROSPECTION", "true"), nil, true},
		{"ProductionTurnedOnByFlag", prod, []string{"--introspection", "true"}, true},
		{"ProductionByFlag", nil, []string{"--env", "production", "--database-url", "postgres://x/y",
			"--secret-key", strings.Repeat("k", 32), "--media-url", "file:///m"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := Load("serve", tt.args, env(tt.env), &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if c.Introspection != tt.want {
				t.Errorf("Introspection = %v, want %v", c.Introspection, tt.want)
			}
		})
	}
}

func TestMetricsOnMain(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"Development", nil, true},
		{"DevelopmentWithMetricsAddr", map[string]string{"FRITID_METRICS_ADDR": "127.0.0.1:9090"}, false},
		{"Production", prod, false},
		{"ProductionWithMetricsAddr", with(prod, "FRITID_METRICS_ADDR", "127.0.0.1:9090"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := Load("serve", nil, env(tt.env), &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.MetricsOnMain(); got != tt.want {
				t.Errorf("MetricsOnMain() = %v, want %v", got, tt.want)
			}
		})
	}
}

// with returns a copy of m with k set to v.
func with(m map[string]string, k, v string) map[string]string {
	c := maps.Clone(m)
	c[k] = v
	return c
}

func TestHelpListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	_, _, err := Load("fritid serve", []string{"--help"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, s := range Settings {
		if !strings.Contains(out.String(), s.Env) || !strings.Contains(out.String(), "--"+s.Flag) {
			t.Errorf("help lacks %s / --%s", s.Env, s.Flag)
		}
	}
}

func TestEnsureSecretKey(t *testing.T) {
	dir := t.TempDir()
	c := &Config{Env: Development, DataDir: dir}
	if err := c.EnsureSecretKey(); err != nil {
		t.Fatal(err)
	}
	if len(c.SecretKey) != 64 || !c.SecretKeyGenerated {
		t.Fatalf("key %q generated=%v", c.SecretKey, c.SecretKeyGenerated)
	}
	st, err := os.Stat(filepath.Join(dir, "secret-key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	again := &Config{Env: Development, DataDir: dir}
	if err := again.EnsureSecretKey(); err != nil || again.SecretKey != c.SecretKey {
		t.Errorf("second start got another key: %v", err)
	}
	prod := &Config{Env: Production, DataDir: dir}
	if err := prod.EnsureSecretKey(); err == nil {
		t.Error("production generated a key")
	}
}
