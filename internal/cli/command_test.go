package cli

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

func testCommand() (*Command, *bool) {
	c := New("status", "[--json] [INSTANCE]", "show the daemon's state")
	c.Detail = "Shows what the daemon does."
	c.Exit = "0 ok, 1 unreachable, 2 usage"
	asJSON := c.Flags.Bool("json", false, "print JSON")
	c.Flags.StringP("socket", "s", "/run/x.sock", "control socket")
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) > 1 {
			return c.UsageError(stderr, "at most one instance")
		}
		stdout.Write([]byte(strings.Join(args, ",")))
		return 0
	}
	return c, asJSON
}

func TestCommandMain(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"run", []string{"--json", "VI_1"}, 0, "VI_1", ""},
		{"help on stdout", []string{"-h"}, 0, "Usage: gokeepalived status [--json] [INSTANCE]\n\nShows what the daemon does.\n\nFlags:\n", ""},
		{"long help", []string{"--help"}, 0, "Exit status: 0 ok, 1 unreachable, 2 usage\n", ""},
		{"mistyped flag", []string{"--jsn"}, 2, "", "gokeepalived status: unknown flag: --jsn (did you mean --json?)\nRun 'gokeepalived help status' for usage.\n"},
		{"mistyped flag with value", []string{"--sokcet=/x"}, 2, "", "(did you mean --socket?)"},
		{"unknown flag, nothing close", []string{"--frobnicate"}, 2, "", "unknown flag: --frobnicate\n"},
		{"usage error", []string{"a", "b"}, 2, "", "gokeepalived status: at most one instance\nRun 'gokeepalived help status'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := testCommand()
			var stdout, stderr bytes.Buffer
			if code := c.Main(tt.args, &stdout, &stderr); code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout %q lacks %q", stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestHelpLayout(t *testing.T) {
	c, _ := testCommand()
	var b bytes.Buffer
	c.Help(&b)
	want := "Usage: gokeepalived status [--json] [INSTANCE]\n\nShows what the daemon does.\n\nFlags:\n" +
		"      --json            print JSON\n  -s, --socket string   control socket (default \"/run/x.sock\")\n" +
		"\nExit status: 0 ok, 1 unreachable, 2 usage\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("help (-want +got):\n%s", diff)
	}
}

func TestFlagError(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.Bool("dont-fork", false, "")
	fs.String("use-file", "", "")
	if got := FlagError(fs, errors.New("unknown flag: --dont-frok")); got != "unknown flag: --dont-frok (did you mean --dont-fork?)" {
		t.Errorf("FlagError = %q", got)
	}
	if got := FlagError(fs, errors.New("unknown shorthand flag: 'q' in -q")); got != "unknown shorthand flag: 'q' in -q" {
		t.Errorf("FlagError = %q", got)
	}
}
