package control

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRenderTableGolden(t *testing.T) {
	failed := fixture(false)
	failed.Config.LastReloadAt = failed.Time.Add(-90 * time.Second)
	failed.Config.LastReloadError = "keepalived.conf:12:3: unknown keyword \"priorty\""
	tests := []struct {
		name string
		snap Snapshot
	}{
		{"master", fixture(true)},
		{"backup-reload-failed", failed},
		{"script", fixtureScript()},
		{"script-errors", fixtureScriptErrors()},
		{"empty", Snapshot{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := RenderTable(&b, tt.snap, tt.snap.Time); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "table-"+tt.name+".golden", b.String())
		})
	}
}

func TestRenderInstanceGolden(t *testing.T) {
	s := fixtureScript()
	backup, _ := fixtureInstances(false)
	backup.Nopreempt, backup.PreemptDelay = false, sec(30)
	tests := []struct {
		name string
		in   Instance
	}{
		{"master", s.Instances[0]},
		{"master-v3", s.Instances[1]},
		{"backup", backup},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := RenderInstance(&b, tt.in, s.Time); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "instance-"+tt.name+".golden", b.String())
		})
	}
}

func TestAge(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0s"},
		{0, "0s"},
		{59*time.Second + 999*time.Millisecond, "59s"},
		{time.Minute, "1m"},
		{59*time.Minute + 59*time.Second, "59m"},
		{time.Hour + 5*time.Minute, "1h5m"},
		{49*time.Hour + 30*time.Minute, "2d1h"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Age(tt.d)); diff != "" {
			t.Errorf("Age(%v) (-want +got):\n%s", tt.d, diff)
		}
	}
}

func TestRunStatus(t *testing.T) {
	snap := fixture(true)
	s := startServer(t, Config{Source: SourceFunc(func() Snapshot { return snap })})
	faulty := fixture(true)
	faulty.Instances[1].State = StateFault
	f := startServer(t, Config{Source: SourceFunc(func() Snapshot { return faulty })})
	tests := []struct {
		name     string
		args     []string
		wantCode int
		// wantOut are substrings of stdout; wantErr of stderr.
		wantOut, wantErr []string
	}{
		{"table", []string{"--socket", s.Addr()}, ExitOK,
			[]string{"INSTANCE", "VI_1", "MASTER", "150/150", "✓192.168.200.16/24", "G1"}, nil},
		{"one instance", []string{"-s", s.Addr(), "VI_6"}, ExitOK,
			[]string{"VI_6", "VRRPv3", "✓ fd00::16/64 dev veth0"}, nil},
		{"unknown instance", []string{"-s", s.Addr(), "VI_9"}, ExitError,
			nil, []string{`no instance named "VI_9"`, "404"}},
		{"no daemon", []string{"--socket", s.Addr() + ".missing"}, ExitError,
			nil, []string{"is the daemon running?"}},
		{"two names", []string{"-s", s.Addr(), "a", "b"}, ExitUsage, nil, []string{"at most one instance"}},
		{"bad flag", []string{"--sock", "x"}, ExitUsage, nil, []string{"unknown flag"}},
		{"mistyped flag", []string{"--exit-cod"}, ExitUsage, nil, []string{"did you mean --exit-code?"}},
		{"help", []string{"--help"}, ExitOK, []string{"Usage: gokeepalived status", "--json", "Exit status:"}, nil},
		{"exit-code, no fault", []string{"-s", s.Addr(), "--exit-code"}, ExitOK, []string{"VI_6"}, nil},
		{"fault without exit-code", []string{"-s", f.Addr()}, ExitOK, []string{"FAULT"}, nil},
		{"exit-code, a fault", []string{"-s", f.Addr(), "--exit-code"}, ExitFault, []string{"FAULT"}, []string{"VI_6 is in FAULT"}},
		{"exit-code, json too", []string{"-s", f.Addr(), "--exit-code", "--json"}, ExitFault, []string{`"FAULT"`}, nil},
		{"exit-code, the faulty instance", []string{"-s", f.Addr(), "--exit-code", "VI_6"}, ExitFault, nil, nil},
		{"exit-code, a healthy instance", []string{"-s", f.Addr(), "--exit-code", "VI_1"}, ExitOK, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := RunStatus(tt.args, &out, &errb)
			if diff := cmp.Diff(tt.wantCode, code); diff != "" {
				t.Errorf("exit code (-want +got):\n%s\nstderr: %s", diff, errb.String())
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := RunStatus([]string{"--json", "-s", s.Addr()}, &out, &errb); code != ExitOK {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		var got Snapshot
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(overAPI(snap), got, addrs); diff != "" {
			t.Errorf("--json (-want +got):\n%s", diff)
		}
	})
}

func TestRunReload(t *testing.T) {
	s := startServer(t, Config{
		Source:   SourceFunc(func() Snapshot { return Snapshot{Config: ConfigStatus{File: "/etc/k.conf"}} }),
		Reloader: ReloaderFunc(func(ctx context.Context) error { return nil }),
	})
	var out, errb bytes.Buffer
	if code := RunReload([]string{"-s", s.Addr()}, &out, &errb); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if diff := cmp.Diff("reloaded /etc/k.conf\n", out.String()); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
}
