package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/golden"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// goldenText renders what Load returns for a golden file: the exit code,
// every diagnostic with its exact position, and the model as JSON.
func goldenText(t *testing.T, cfg *Config, diags []Diagnostic) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "exit: %d\n-- diagnostics --\n%s-- model --\n", ExitCode(cfg), diagText(diags))
	js, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b.Write(js)
	b.WriteByte('\n')
	return b.Bytes()
}

// TestModelGolden loads testdata/model/*.conf and compares the result with
// the .golden file next to it (go test -run ModelGolden -update rewrites).
func TestModelGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/model/*.conf")
	if len(files) == 0 {
		t.Fatal("no testdata/model/*.conf")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, diags := Load(f, Options{ConfigID: "test"})
			got := goldenText(t, cfg, diags)
			golden.Check(t, strings.TrimSuffix(f, ".conf")+".golden", got)
		})
	}
}

// modelOpts compares models, ignoring positions.
var modelOpts = cmp.Options{
	cmpopts.IgnoreTypes(Pos{}, []Pos{}),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
}

// TestRoundTrip checks that parse → Dump → Load gives the same model, for
// the test configs and keepalived's samples.
func TestRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/model/*.conf")
	files = append(files, sampleFiles()...)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			opts := Options{ConfigID: "high"}
			nodes, _ := ParseFile(f, opts)
			want, _ := LoadNodes(nodes)
			var buf bytes.Buffer
			if err := Dump(&buf, nodes); err != nil {
				t.Fatal(err)
			}
			got, _ := LoadBytes(f, buf.Bytes(), opts)
			if diff := cmp.Diff(want, got, modelOpts); diff != "" {
				t.Errorf("model after Dump (-want +got):\n%s\ndump:\n%s", diff, buf.String())
			}
		})
	}
}

// sampleFiles lists keepalived's sample configs when ../shared (or
// $GOKEEPALIVED_SHARED) is there, else nothing.
func sampleFiles() []string {
	d := os.Getenv("GOKEEPALIVED_SHARED")
	if d == "" {
		d = filepath.Join("..", "..", "..", "shared")
	}
	files, _ := filepath.Glob(filepath.Join(d, "corpus", "keepalived-samples", "keepalived.conf*"))
	return files
}
