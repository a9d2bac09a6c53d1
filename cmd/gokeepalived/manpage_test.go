package main

import (
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/cli"
)

// TestManPageListsEveryFlag checks that the page is generated from the
// flag sets: every visible flag, every subcommand with its flags and its
// exit status, and the daemon's exit status appear, in roff form.
func TestManPageListsEveryFlag(t *testing.T) {
	var b bytes.Buffer
	if err := writeManPage(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	var want, missing []string
	newFlagSet(&Options{}, io.Discard).VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			want = append(want, `\fB\-\-`+roff(f.Name)+`\fR`)
		}
	})
	// Every subcommand, hidden or not, by name: a new one cannot be left out.
	for _, c := range commands() {
		if c.Hidden {
			continue
		}
		want = append(want, ".B gokeepalived "+c.Name, `\fBgokeepalived `+c.Name+`\fR`+"\n"+roff(c.Exit))
		for _, f := range visibleFlags(c.Flags) {
			want = append(want, `\fB`+roff(strings.TrimSpace(cli.FlagName(f)))+`\fR`)
		}
	}
	want = append(want, ".TH GOKEEPALIVED 8", ".SH OPTIONS", ".SH SIGNALS", `\fBSIGHUP\fR`, ".SH EXIT STATUS", roff(daemonExit))
	for _, w := range want {
		if !strings.Contains(page, w) {
			missing = append(missing, w)
		}
	}
	if diff := cmp.Diff([]string(nil), missing); diff != "" {
		t.Errorf("missing from the page (-want +got):\n%s", diff)
	}
}

// TestManPageRenders runs groff over the page with warnings on, when
// groff is installed.
func TestManPageRenders(t *testing.T) {
	groff, err := exec.LookPath("groff")
	if err != nil {
		t.Skip("groff is not installed; the roff is checked by TestManPageListsEveryFlag only")
	}
	var b bytes.Buffer
	if err := writeManPage(&b); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(groff, "-man", "-ww", "-z")
	cmd.Stdin = &b
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("groff -man -ww: %v\n%s", err, out)
	}
}

func TestRoff(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"--flag", `\-\-flag`},
		{`a\b`, `a\eb`},
		{".starts with a dot", `\&.starts with a dot`},
		{"'quote", `\&'quote`},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, roff(tt.in)); diff != "" {
			t.Errorf("roff(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
