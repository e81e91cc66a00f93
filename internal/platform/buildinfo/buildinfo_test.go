package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFrom(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "abc123478901234567890abcdef12345678"},
		{Key: "vcs.time", Value: "2026-11-29T21:03:04Z"},
		{Key: "vcs.modified", Value: "false"},
	}
	dirty := append([]debug.BuildSetting{}, vcs...)
	dirty[3].Value = "true"
	tests := []struct {
		name    string
		version string
		bi      *debug.BuildInfo
		want    string
	}{
		{
			name:    "stamped at link time, with VCS",
			version: "v1.2.3",
			bi:      &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			want:    "v1.2.3 (commit abc1234, 2026-11-29, go1.26.8)",
		},
		{
			name: "built from a checkout with changes",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: dirty},
			want: "devel (commit abc1234+changes, 2026-11-29, go1.26.8)",
		},
		{
			name: "go install of a tagged module",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}},
			want: "v1.4.0 (go1.26.8)",
		},
		{
			name:    "stamped, without VCS (a build from an archive)",
			version: "v2.0.0",
			bi:      &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			want:    "v2.0.0 (go1.26.8)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := from(tt.version, tt.bi).String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
