package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary text to LoadBytes: it must never panic, and
// every position it reports must lie inside the input.
func FuzzLoad(f *testing.F) {
	AddModelSeeds(f)
	f.Add([]byte("vrrp_instance A {\n virtual_router_id 1\n interface eth0\n}\n"))
	f.Add([]byte("virtual_server fwmark 1 {\n protocol TCP\n real_server 10.0.0.1 80 {\n TCP_CHECK {\n}\n}\n}\n"))
	f.Add([]byte("virtual_server 10.0.0.1 80 {\n protocol sctp\n lb_kind TUN type gue port 6080 csum\n real_server 10.0.0.2 80 {\n lvs_method TUN type\n}\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		const name = "fuzz.conf"
		// A small expansion budget keeps every input fast, as in
		// FuzzParseBytes: a generator may otherwise expand to 64 MiB and
		// outlive the fuzz deadline ("context deadline exceeded").
		opts := Options{ConfigID: "x", ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist }, MaxExpansion: 64 << 10}
		cfg, diags := LoadBytes(name, src, opts)
		if cfg == nil && !HasErrors(diags) {
			t.Fatalf("nil Config without an error")
		}
		lines := strings.Count(string(src), "\n") + 1
		for _, d := range diags {
			if d.Pos.File != name {
				continue // include diagnostics name other files; checked by the syntax fuzzer
			}
			if d.Pos.Line < 1 || d.Pos.Line > lines || d.Pos.Col < 1 {
				t.Errorf("position outside the input: %s", d)
			}
		}
		_ = ExitCode(cfg)
	})
}

// AddModelSeeds adds the model golden inputs to a fuzz corpus (also for
// the fuzz targets of package config_test).
func AddModelSeeds(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/model/*.conf")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
}
