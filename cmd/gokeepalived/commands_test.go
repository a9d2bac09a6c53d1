package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runCLI runs the command line and returns its exit code and output.
func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestOneHelpLayout: every command's -h, and `help NAME`, print the same
// layout on stdout: usage line, description, flags when it has any, exit
// status.
func TestOneHelpLayout(t *testing.T) {
	for _, c := range commands() {
		if c.Hidden {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			code, dashH, stderr := runCLI(c.Name, "-h")
			if code != 0 || stderr != "" {
				t.Fatalf("%s -h: exit %d, stderr %q", c.Name, code, stderr)
			}
			_, help, _ := runCLI("help", c.Name)
			if diff := cmp.Diff(dashH, help); diff != "" {
				t.Errorf("%s -h and help %s differ (-h +help):\n%s", c.Name, c.Name, diff)
			}
			want := []string{"Usage: gokeepalived " + c.Name, "\n\n" + strings.SplitN(strings.TrimSpace(c.Detail+"\n"+c.Summary), "\n", 2)[0], "\nExit status: "}
			if c.Flags.HasAvailableFlags() {
				want = append(want, "\n\nFlags:\n")
			}
			for _, w := range want {
				if !strings.Contains(help, w) {
					t.Errorf("help lacks %q:\n%s", w, help)
				}
			}
			if !strings.HasPrefix(help, "Usage: gokeepalived "+c.Name) {
				t.Errorf("help does not start with its usage line:\n%s", help)
			}
		})
	}
}

func TestVersionInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-07T13:00:00Z"},
		{Key: "vcs.modified", Value: "true"}, {Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"},
	}}
	want := VersionInfo{Version: version, Commit: "0123abcd", CommitTime: "2026-12-07T13:00:00Z", Modified: true,
		GoVersion: "go1.26.8", OS: "linux", Arch: "arm64"}
	if diff := cmp.Diff(want, versionInfo(bi)); diff != "" {
		t.Errorf("versionInfo (-want +got):\n%s", diff)
	}
	// What the build said with -X, when the binary carries no vcs settings.
	buildDate, commit, modified = "2026-12-08T00:00:00Z", "feedbeef", "true"
	defer func() { buildDate, commit, modified = "", "", "" }()
	got := versionInfo(&debug.BuildInfo{GoVersion: "go1.26.8"})
	if got.Commit != "feedbeef" || got.BuildDate != "2026-12-08T00:00:00Z" || !got.Modified {
		t.Errorf("versionInfo from ldflags = %+v", got)
	}
	code, stdout, _ := runCLI("version", "-o", "json")
	var v map[string]any
	if err := json.Unmarshal([]byte(stdout), &v); err != nil || code != 0 {
		t.Fatalf("version -o json: exit %d, %v\n%s", code, err, stdout)
	}
	for _, k := range []string{"version", "commit", "build_date", "go_version", "os", "arch"} {
		if _, ok := v[k]; !ok {
			t.Errorf("version -o json lacks %q: %s", k, stdout)
		}
	}
}

// completionScript writes the script for shell into a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, stdout, stderr := runCLI("completion", shell)
	if code != 0 {
		t.Fatalf("completion %s: exit %d: %s", shell, code, stderr)
	}
	p := filepath.Join(t.TempDir(), "gokeepalived."+shell)
	if err := os.WriteFile(p, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCompletionBash runs the bash script's function on command lines.
func TestCompletionBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script := completionScript(t, "bash")
	tests := []struct {
		line string // the words; the last is being completed
		want string
	}{
		{"gokeepalived st", "status"},
		{"gokeepalived c", "check completion"},
		{"gokeepalived --use-f", "--use-file"},
		{"gokeepalived -f /etc/k.conf st", "status"},
		{"gokeepalived status --ex", "--exit-code"},
		{"gokeepalived check --fa", "--fatal-only"},
		{"gokeepalived help re", "reload"},
		{"gokeepalived completion z", "zsh"},
		{"gokeepalived version --out", "--output"},
		{"gokeepalived check --config-id ", ""}, // a value: left to files
	}
	for _, tt := range tests {
		words := strings.Split(tt.line, " ")
		prog := ". " + script + "; COMP_WORDS=(" + strings.Join(quoteAll(words), " ") + "); COMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "; _gokeepalived; echo \"${COMPREPLY[*]}\""
		out, err := exec.Command(bash, "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tt.line, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != tt.want {
			t.Errorf("complete %q = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func quoteAll(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = "'" + w + "'"
	}
	return out
}

// TestCompletionFish asks fish itself what it completes.
func TestCompletionFish(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("fish is not installed")
	}
	script := completionScript(t, "fish")
	tests := []struct{ line, want string }{
		{"gokeepalived sta", "status"},
		{"gokeepalived status --exit", "--exit-code"},
		{"gokeepalived completion f", "fish"},
		{"gokeepalived --dont-f", "--dont-fork"},
	}
	for _, tt := range tests {
		out, err := exec.Command(fish, "--no-config", "-c", "source "+script+"; complete -C '"+tt.line+"'").CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tt.line, err, out)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			w, _, _ := strings.Cut(l, "\t")
			got = append(got, w)
		}
		if !slices.Contains(got, tt.want) {
			t.Errorf("fish completes %q to %q, want %q among them", tt.line, got, tt.want)
		}
	}
}

// TestCompletionScripts: each script names every command and every flag
// of each, and parses in its shell when that shell is installed.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			script := completionScript(t, shell)
			b, _ := os.ReadFile(script)
			text := string(b)
			for _, c := range commands() {
				if c.Hidden {
					continue
				}
				if !strings.Contains(text, c.Name) {
					t.Errorf("script lacks the command %s", c.Name)
				}
				for _, f := range visibleFlags(c.Flags) {
					word := "--" + f.Name
					if shell == "fish" {
						word = "-l " + f.Name
					}
					if !strings.Contains(text, word) {
						t.Errorf("script lacks %s's flag %s", c.Name, word)
					}
				}
			}
			sh, err := exec.LookPath(shell)
			if err != nil {
				t.Skipf("%s is not installed: syntax not checked", shell)
			}
			if out, err := exec.Command(sh, "-n", script).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, out)
			}
		})
	}
}
