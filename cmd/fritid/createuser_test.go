package main

import (
	"strings"
	"testing"
)

// TestAdminCreateUser bootstraps the first administrator with the password on standard
// input. Not parallel: it swaps the package's stdin.
func TestAdminCreateUser(t *testing.T) {
	getenv := envOf(t, map[string]string{"FRITID_DATA_DIR": newDataDir(t)})
	if _, _, err := runCLI(t, getenv, "admin", "create-municipality", "--slug", "larvik", "--name", "Larvik kommune"); err != nil {
		t.Fatal(err)
	}
	old := stdin
	defer func() { stdin = old }()
	tests := []struct {
		name, password string
		args           []string
		wantErr        string
	}{
		{"CreatesAdmin", "riktig hest batteri\n", []string{"--municipality", "larvik", "--email", "Admin@Larvik.no", "--role", "admin"}, ""},
		{"ErrTaken", "riktig hest batteri\n", []string{"--municipality", "larvik", "--email", "admin@larvik.no", "--role", "ADMIN"}, "email"},
		{"ErrShortPassword", "kort\n", []string{"--municipality", "larvik", "--email", "ny@larvik.no", "--role", "ADMIN"}, "password"},
		{"ErrBadRole", "riktig hest batteri\n", []string{"--municipality", "larvik", "--email", "ny@larvik.no", "--role", "KING"}, "role"},
		{"ErrUnknownMunicipality", "riktig hest batteri\n", []string{"--municipality", "oslo", "--email", "ny@larvik.no"}, "oslo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdin = strings.NewReader(tt.password)
			out, _, err := runCLI(t, getenv, append([]string{"admin", "create-user"}, tt.args...)...)
			if tt.wantErr == "" {
				if err != nil || !strings.Contains(out, "created admin@larvik.no in larvik") {
					t.Fatalf("out %q err %v", out, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}
