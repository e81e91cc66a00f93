// Package buildinfo says which build of fritid is running: the version stamped in at link
// time, else what the Go toolchain recorded about the module and its version control.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version is the release, set when linking:
//
//	go build -ldflags "-X github.com/fritid/fritid/internal/platform/buildinfo.Version=v1.2.3" ./cmd/fritid
//
// When it is empty, Get falls back to the module version the toolchain recorded.
var Version string

// Info describes a build.
type Info struct {
	// Version is the release (v1.2.3), the module's pseudo-version when installed with
	// `go install`, or "devel".
	Version string
	// Commit is the VCS revision, shortened to 7 characters as git does; empty when unknown.
	Commit string
	// Time is when that revision was committed, RFC 3339; empty when unknown.
	Time string
	// Modified is true when the working tree had changes the commit does not hold.
	Modified bool
	// Go is the toolchain that built the binary.
	Go string
}

// Get returns this binary's build information.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return from(Version, bi)
}

// from builds Info from a link-time version and the toolchain's record (nil when none).
func from(version string, bi *debug.BuildInfo) Info {
	in := Info{Version: version, Go: runtime.Version()}
	if bi == nil {
		if in.Version == "" {
			in.Version = "devel"
		}
		return in
	}
	if bi.GoVersion != "" {
		in.Go = bi.GoVersion
	}
	if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		in.Version = bi.Main.Version
	}
	if in.Version == "" {
		in.Version = "devel"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit = s.Value
			if len(in.Commit) > 7 {
				in.Commit = in.Commit[:7]
			}
		case "vcs.time":
			in.Time = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	return in
}

// String is the one-line form `fritid --version` prints after the program's name:
// "v1.2.3 (commit abc1234, 2026-11-29, go1.26.8)", with "+changes" after the commit
// when the tree was modified, and only what is known.
func (in Info) String() string {
	var parts []string
	if in.Commit != "" {
		c := "commit " + in.Commit
		if in.Modified {
			c += "+changes"
		}
		parts = append(parts, c)
	}
	if in.Time != "" {
		day, _, _ := strings.Cut(in.Time, "T")
		parts = append(parts, day)
	}
	parts = append(parts, in.Go)
	return fmt.Sprintf("%s (%s)", in.Version, strings.Join(parts, ", "))
}
