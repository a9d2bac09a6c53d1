package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/gokeepalived/gokeepalived/internal/cli"
)

// buildDate, commit and modified ("true": the tree had uncommitted
// changes) are set at build time with -ldflags "-X main.buildDate=..."
// (scripts/build-deb.sh does); empty when the build did not say. The
// binary's own build information (vcs.*, when built with -buildvcs) wins.
var buildDate, commit, modified string

// VersionInfo is what `gokeepalived version` reports.
type VersionInfo struct {
	Version string `json:"version"`
	// Commit is the git commit built (vcs.revision), CommitTime its date
	// and Modified whether the tree had uncommitted changes.
	Commit     string `json:"commit,omitempty"`
	CommitTime string `json:"commit_time,omitempty"`
	Modified   bool   `json:"modified,omitempty"`
	// BuildDate is when the binary was built, when the build said.
	BuildDate string `json:"build_date,omitempty"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

// versionInfo gathers the version from the build settings in bi (nil: none).
func versionInfo(bi *debug.BuildInfo) VersionInfo {
	v := VersionInfo{Version: version, Commit: commit, Modified: modified == "true", BuildDate: buildDate, GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if bi == nil {
		return v
	}
	if bi.GoVersion != "" {
		v.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.CommitTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		case "GOOS":
			v.OS = s.Value
		case "GOARCH":
			v.Arch = s.Value
		}
	}
	return v
}

// readVersion is versionInfo for this binary.
func readVersion() VersionInfo {
	bi, _ := debug.ReadBuildInfo()
	return versionInfo(bi)
}

// writeText prints v for people: the version line keepalived's -v also
// starts with, then one detail a line.
func (v VersionInfo) writeText(w io.Writer) {
	fmt.Fprintf(w, "gokeepalived %s\n", v.Version)
	if v.Commit != "" {
		mod := ""
		if v.Modified {
			mod = " (modified)"
		}
		fmt.Fprintf(w, "commit:     %s%s\n", v.Commit, mod)
	}
	if v.CommitTime != "" {
		fmt.Fprintf(w, "committed:  %s\n", v.CommitTime)
	}
	if v.BuildDate != "" {
		fmt.Fprintf(w, "built:      %s\n", v.BuildDate)
	}
	fmt.Fprintf(w, "go:         %s %s/%s\n", v.GoVersion, v.OS, v.Arch)
}

// versionCommand is `gokeepalived version [-o text|json]`.
func versionCommand() *cli.Command {
	c := cli.New("version", "[-o text|json]", "print the version, commit, build date and Go version")
	c.Exit = "0 printed, 2 usage"
	format := c.Flags.StringP("output", "o", "text", "output `FORMAT`: text or json")
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) > 0 {
			return c.UsageError(stderr, "takes no arguments")
		}
		v := readVersion()
		switch *format {
		case "text":
			v.writeText(stdout)
		case "json":
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(v); err != nil {
				fmt.Fprintf(stderr, "gokeepalived version: %v\n", err)
				return 1
			}
		default:
			return c.UsageError(stderr, fmt.Sprintf("unknown output format %q (text or json)", *format))
		}
		return cli.ExitOK
	}
	return c
}
