package main

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestPushKeys: `fritid push keys` prints a pair the settings take: a P-256 public key of
// 65 bytes and a private key of 32, base64url, as two environment lines.
func TestPushKeys(t *testing.T) {
	stdout, _, err := runCLI(t, envOf(t, nil), "push", "keys")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("output %q", stdout)
	}
	for i, c := range []struct {
		prefix string
		bytes  int
	}{{"FRITID_PUSH_VAPID_PUBLIC_KEY=", 65}, {"FRITID_PUSH_VAPID_PRIVATE_KEY=", 32}} {
		v, ok := strings.CutPrefix(lines[i], c.prefix)
		b, err := base64.RawURLEncoding.DecodeString(v)
		if !ok || err != nil || len(b) != c.bytes {
			t.Errorf("line %q: %d bytes (%v), want %s with %d", lines[i], len(b), err, c.prefix, c.bytes)
		}
	}
	if _, _, err := runCLI(t, envOf(t, nil), "push", "nothing"); err == nil {
		t.Error("an unknown subcommand succeeded")
	}
}
