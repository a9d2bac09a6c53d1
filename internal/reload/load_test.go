package reload

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
)

// TestLoadBoundsErrors: a configuration with thousands of errors is
// refused with the first MaxDiagnostics of them, a count of the rest, and
// never more than control.MaxErrorBytes.
func TestLoadBoundsErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keepalived.conf")
	var b strings.Builder
	// Instances without a virtual_router_id: keepalived refuses each.
	const bad = 5000
	for i := range bad {
		fmt.Fprintf(&b, "vrrp_instance X%d {\n    interface eth1\n}\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags := config.Load(path, config.Options{ConfigID: "x"})
	var nerr int
	for _, d := range diags {
		if d.Fatal {
			nerr++
		}
	}
	if nerr <= MaxDiagnostics { // config.Load keeps config.MaxDiagnostics of the 5,000
		t.Fatalf("the test config has %d refusals, want more than %d", nerr, MaxDiagnostics)
	}
	_, err := Load(path, "x", slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err == nil {
		t.Fatal("Load accepted a broken configuration")
	}
	msg := err.Error()
	want := fmt.Sprintf("... and %d more errors", nerr-MaxDiagnostics)
	if !strings.Contains(msg, want) || len(msg) > control.MaxErrorBytes {
		t.Errorf("error of %d bytes (cap %d), want it to end with %q; tail: %q", len(msg), control.MaxErrorBytes, want, msg[max(0, len(msg)-120):])
	}
	if lines := strings.Count(msg, "\n"+path+":"); lines != MaxDiagnostics {
		t.Errorf("error names %d diagnostics, want the first %d", lines, MaxDiagnostics)
	}
}

// TestLoadLogsInPositionOrder: the diagnostics Load logs at
// start come in file:line:col order, as -t prints them, even where
// config.Load reports a validation finding after a later line.
func TestLoadLogsInPositionOrder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keepalived.conf")
	// The group's unknown instance is found at validation, after the
	// unknown keyword on line 6 was reported.
	conf := "track_group G {\n group {\n  NOPE\n }\n}\nno_such_keyword_b\n"
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	_, diags := config.Load(path, config.Options{ConfigID: "x"})
	var loadLines []int
	for _, d := range diags {
		loadLines = append(loadLines, d.Pos.Line)
	}
	if slices.IsSorted(loadLines) {
		t.Fatalf("config.Load's order is already by position (%v): the test proves nothing", loadLines)
	}
	var buf strings.Builder
	if _, err := Load(path, "x", slog.New(slog.NewTextHandler(&buf, nil)), nil); err != nil {
		t.Fatal(err)
	}
	var logged []int
	for _, l := range strings.Split(buf.String(), "\n") {
		i := strings.Index(l, path+":")
		if i < 0 {
			continue
		}
		var line int
		fmt.Sscanf(l[i+len(path)+1:], "%d", &line)
		logged = append(logged, line)
	}
	if len(logged) != len(loadLines) || !slices.IsSorted(logged) {
		t.Errorf("logged diagnostics at lines %v, want the %d of %v in order\n%s", logged, len(loadLines), loadLines, buf.String())
	}
}
