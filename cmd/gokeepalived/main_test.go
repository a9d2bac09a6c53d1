package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

func writeConf(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "keepalived.conf")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodConf = `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        10.0.0.1
    }
}
`

const badConf = `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 300
    virtual_ipaddress {
        10.0.0.1
    }
}
`

// TestRun runs the command line for everything but the daemon itself:
// no row may reach runDaemon, which would act on this host's network.
func TestRun(t *testing.T) {
	good, bad := writeConf(t, goodConf), writeConf(t, badConf)
	noEffect := writeConf(t, "global_defs {\n    checker_no_swap\n}\n"+goodConf)
	binFile := writeConf(t, "vrrp_instance VI_1 {\x00\x01\xff\n")
	bgp := writeConf(t, "global_defs {\n    bgp_speaker {\n        local_as 65001\n    }\n}\n"+goodConf)
	lvs := writeConf(t, goodConf+"virtual_server 10.0.0.9 80 {\n    protocol TCP\n    lb_algo rr\n    lb_kind NAT\n    real_server 10.0.1.1 80 {\n    }\n}\n")
	// Configurations keepalived and the daemon both run, which -t reports.
	warned := writeConf(t, "global_defs {\n    frobnicate\n}\n"+goodConf)
	insecure := writeConf(t, "vrrp_script chk {\n    script \"/bin/true\"\n}\n"+
		strings.Replace(goodConf, "virtual_ipaddress", "track_script {\n        chk\n    }\n    virtual_ipaddress", 1))
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // substring
		wantStderr string // substring
	}{
		{"config test ok", []string{"-t", "-f", good}, 0, "", ""},
		{"config test long form", []string{"--config-test", "--use-file=" + good}, 0, "", ""},
		{"config test error", []string{"-t", "-f", bad}, 5, "", bad + ":3:23: error: virtual_router_id: 300 outside range [1, 255]"},
		{"config test names what stops the daemon", []string{"-t", "-f", bad}, 5, "", bad + ":1:15: fatal: (VI_1) the virtual router id must be set"},
		{"config test accepts virtual_server, exit 0", []string{"-t", "-f", lvs}, 0, "", ""},
		{"config test missing file", []string{"-t", "-f", "/nonexistent/keepalived.conf"}, 4, "", "/nonexistent/keepalived.conf"},
		{"check ok", []string{"check", good}, 0, "configuration OK", ""},
		{"check error", []string{"check", bad}, 5, "", ":3:23: error:"},
		{"check with config id", []string{"check", "-i", "node1", good}, 0, "configuration OK", ""},
		{"signum json", []string{"--signum=JSON"}, 0, "36\n", ""},
		{"signum unknown", []string{"--signum=TDATA"}, 1, "", "Unknown sigfunc TDATA"},
		{"version", []string{"-v"}, 0, "gokeepalived ", ""},
		{"version subcommand", []string{"version"}, 0, "gokeepalived ", ""},
		{"dump", []string{"-d", "-f", good}, 0, "    virtual_router_id 51\n", ""},
		{"unknown flag", []string{"--frobnicate"}, 2, "", "unknown flag"},
		{"config test binary file", []string{"-t", "-f", binFile}, 4, "", "this is a binary file"},
		{"config test warning exits 5", []string{"-t", "-f", warned}, 5, "", `unknown keyword "frobnicate"`},
		{"fatal-only: a warning passes", []string{"-t", "--fatal-only", "-f", warned}, 0, "", `unknown keyword "frobnicate"`},
		{"config test insecure scripts exits 6", []string{"-t", "-f", insecure}, 6, "", ""},
		{"fatal-only: insecure scripts pass", []string{"--config-test", "--fatal-only", "--use-file", insecure}, 0, "", "would start"},
		{"fatal-only: a refused config fails", []string{"-t", "--fatal-only", "-f", bad}, 5, "", "fatal: (VI_1) the virtual router id must be set"},
		{"fatal-only: unreadable fails", []string{"-t", "--fatal-only", "-f", "/nonexistent/k.conf"}, 4, "", "/nonexistent/k.conf"},
		{"check fatal-only: a warning passes", []string{"check", "--fatal-only", warned}, 0, "", "frobnicate"},
		{"check fatal-only: a refused config fails", []string{"check", "--fatal-only", bad}, 5, "", "fatal:"},
		// help, did-you-mean and usage errors, the same for every command
		{"help lists the commands", []string{"help"}, 0, "\n  completion   print a shell completion script", ""},
		{"help has the daemon's options", []string{"help"}, 0, "  -f, --use-file FILE ", ""},
		{"-h is help", []string{"-h"}, 0, "Commands:\n  check ", ""},
		{"help COMMAND", []string{"help", "status"}, 0, "Usage: gokeepalived status [--socket PATH]", ""},
		{"help help", []string{"help", "help"}, 0, "Usage: gokeepalived help [COMMAND]", ""},
		{"help of a mistyped command", []string{"help", "relaod"}, 2, "", `unknown command "relaod" (did you mean "reload"?)`},
		{"mistyped command", []string{"stauts"}, 2, "", "gokeepalived: unknown command \"stauts\" (did you mean \"status\"?)\nRun 'gokeepalived help'"},
		{"unknown command, nothing close", []string{"frobnicate"}, 2, "", "unknown command \"frobnicate\"\n"},
		{"mistyped daemon flag", []string{"--dont-frok"}, 2, "", "unknown flag: --dont-frok (did you mean --dont-fork?)"},
		{"mistyped daemon flag with value", []string{"--use-fiel=/x"}, 2, "", "(did you mean --use-file?)"},
		{"mistyped command flag", []string{"check", "--jsn"}, 2, "", "gokeepalived check: unknown flag: --jsn (did you mean --json?)\nRun 'gokeepalived help check' for usage."},
		{"command usage error", []string{"check", "a", "b"}, 2, "", "gokeepalived check: at most one configuration file"},
		{"completion needs a shell", []string{"completion"}, 2, "", "name one shell"},
		{"completion unknown shell", []string{"completion", "tcsh"}, 2, "", `unknown shell "tcsh"`},
		{"version text", []string{"version"}, 0, "gokeepalived " + version + "\n", ""},
		{"version has go", []string{"version"}, 0, "go:         " + runtime.Version(), ""},
		{"version bad format", []string{"version", "-o", "yaml"}, 2, "", `unknown output format "yaml"`},
		{"-v has the details", []string{"-v"}, 0, "go:         " + runtime.Version(), ""},
		{"check lists no-effect keywords", []string{"check", "-D", noEffect}, 0, "configuration OK", "checker_no_swap"},
		{"check lists our BGP keywords", []string{"check", "-D", bgp}, 0, "configuration OK", bgp + ":2:5: bgp_speaker: ours (keepalived ignores it)"},
		{"config test: AS out of range", []string{"-t", "-f", writeConf(t, "global_defs {\n    bgp_speaker {\n        local_as 0\n    }\n}\n"+goodConf)}, 5, "", ":3:18: error: local_as: 0 outside range [1, 4294967295]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout %q does not contain %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

// TestCheckJSON: check --json prints the model with snake_case names and
// durations in seconds.
func TestCheckJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"check", "--json", writeConf(t, goodConf)}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	var got struct {
		Instances []struct {
			Name         string  `json:"name"`
			VRID         int     `json:"vrid"`
			Priority     int     `json:"priority"`
			AdvertInt    float64 `json:"advert_int_seconds"`
			PreemptDelay float64 `json:"preempt_delay_seconds"`
			VIPs         []any   `json:"vips"`
		} `json:"instances"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("check --json output: %v", err)
	}
	if len(got.Instances) != 1 {
		t.Fatalf("check --json: %d instances\n%s", len(got.Instances), stdout.String())
	}
	in := got.Instances[0]
	if in.Name != "VI_1" || in.VRID != 51 || in.Priority != 100 || in.AdvertInt != 1 || len(in.VIPs) != 1 {
		t.Errorf("check --json instance %+v\n%s", in, stdout.String())
	}
	for _, bad := range []string{`"VRID"`, `"AdvertInt"`, `"advert_int":`, `1000000000`} {
		if strings.Contains(stdout.String(), bad) {
			t.Errorf("check --json has %s: Go names or nanoseconds\n%s", bad, stdout.String())
		}
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args []string
		want Options
	}{
		{[]string{"-t"}, Options{ConfigFile: defaultConfigFile, ConfigTest: true, Socket: control.DefaultSocketPath}},
		{[]string{"--config-test=/tmp/log", "-f", "x.conf"}, Options{ConfigFile: "x.conf", ConfigTest: true, ConfigTestLog: "/tmp/log", Socket: control.DefaultSocketPath}},
		{[]string{"-nlD", "-i", "lb1", "-p", "/run/k.pid", "--socket", "/tmp/s", "-s", "ns1"},
			Options{ConfigFile: defaultConfigFile, DontFork: true, LogConsole: true, LogDetail: true, ConfigID: "lb1", PIDFile: "/run/k.pid", Socket: "/tmp/s", Namespace: "ns1"}},
		{[]string{"-P", "-X", "-V", "-R", "--metrics", "127.0.0.1:9650"},
			Options{ConfigFile: defaultConfigFile, VRRPOnly: true, ReleaseVIPs: true, DontReleaseVRRP: true, DontRespawn: true, Socket: control.DefaultSocketPath, Metrics: "127.0.0.1:9650"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			got, err := parseFlags(tt.args, &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("parseFlags (-want +got):\n%s", diff)
			}
		})
	}
}
