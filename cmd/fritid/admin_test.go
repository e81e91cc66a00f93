package main

import (
	"strings"
	"testing"
)

func TestAdminCreateMunicipality(t *testing.T) {
	t.Parallel()
	dataDir := newDataDir(t)
	getenv := envOf(t, map[string]string{"FRITID_DATA_DIR": dataDir})
	// The steps run in order on one database.
	steps := []struct {
		name    string
		args    []string
		wantOut string   // stdout must contain it on success
		wantErr []string // the error must contain each; nil means success
	}{
		{
			name:    "creates a municipality",
			args:    []string{"--slug", "larvik", "--name", "Larvik kommune", "--domain", "portal.larvik.no"},
			wantOut: "created municipality larvik (Larvik kommune) with locales nb, nn, en and the default categories",
		},
		{
			name:    "refuses a slug that is taken",
			args:    []string{"--slug", "larvik", "--name", "Larvik kommune igjen"},
			wantErr: []string{"slug", "already in use"},
		},
		{
			name:    "refuses a domain that is taken",
			args:    []string{"--slug", "larvik-2", "--name", "Larvik kommune", "--domain", "Portal.Larvik.no"},
			wantErr: []string{"domains"},
		},
		{
			name:    "refuses a bad slug",
			args:    []string{"--slug", "Bad Slug", "--name", "Bad kommune"},
			wantErr: []string{"slug", "lowercase letters"},
		},
		{
			name:    "refuses an empty name",
			args:    []string{"--slug", "sandefjord", "--name", "  "},
			wantErr: []string{"name"},
		},
		{
			name:    "refuses an unknown time zone",
			args:    []string{"--slug", "sandefjord", "--name", "Sandefjord kommune", "--time-zone", "Europe/Larvik"},
			wantErr: []string{"timeZone"},
		},
		{
			name:    "creates a second municipality with a time zone",
			args:    []string{"--slug", "sandefjord", "--name", "Sandefjord kommune", "--time-zone", "Europe/Oslo"},
			wantOut: "created municipality sandefjord (Sandefjord kommune)",
		},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			stdout, stderr, err := runCLI(t, getenv, append([]string{"admin", "create-municipality"}, s.args...)...)
			if s.wantErr == nil {
				if err != nil {
					t.Fatalf("error = %v, want success; stderr:\n%s", err, stderr)
				}
				if !strings.Contains(stdout, s.wantOut) {
					t.Errorf("stdout = %q, want it to contain %q", stdout, s.wantOut)
				}
				return
			}
			if err == nil {
				t.Fatalf("succeeded with stdout %q, want an error mentioning %q", stdout, s.wantErr)
			}
			for _, w := range s.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(stdout, "created municipality") {
				t.Errorf("stdout claims success: %q", stdout)
			}
		})
	}
	t.Run("leaves nothing running", func(t *testing.T) {
		if pids := processesUsing(dataDir, clusterDir(dataDir)); len(pids) > 0 {
			t.Errorf("still running: %s", describeProcesses(pids))
		}
	})
}
