package metrics

import (
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
)

// BuildInfo is what gokeepalived_build_info reports.
type BuildInfo struct {
	Version   string // the program's version (main.version)
	Revision  string // the commit it was built from, "unknown" when not recorded
	GoVersion string // the Go release that built it
}

// ReadBuildInfo returns the build facts of the running binary: version as
// given, the VCS revision the go command stamped into the binary (with
// "-modified" when the work tree had changes), and runtime.Version.
func ReadBuildInfo(version string) BuildInfo {
	bi := BuildInfo{Version: version, Revision: "unknown", GoVersion: runtime.Version()}
	if info, ok := debug.ReadBuildInfo(); ok {
		bi.Revision = revision(info.Settings)
	}
	return bi
}

// revision reads vcs.revision and vcs.modified from build settings.
func revision(settings []debug.BuildSetting) string {
	rev, modified := "unknown", false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && rev != "unknown" {
		rev += "-modified"
	}
	return rev
}

// newBuildInfo is the constant gauge gokeepalived_build_info, 1 with the
// build facts as labels (the version, revision, goversion labels of
// Prometheus's own *_build_info metrics).
func newBuildInfo(bi BuildInfo) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: namespace, Name: "build_info",
		Help:        "The running gokeepalived's version, the commit it was built from and the Go release; always 1.",
		ConstLabels: prometheus.Labels{"version": bi.Version, "revision": bi.Revision, "goversion": bi.GoVersion},
	}, func() float64 { return 1 })
}
