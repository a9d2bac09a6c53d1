package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeInstancesConfig writes a config of n instances spread over 10 included
// files and returns the main file.
func writeInstancesConfig(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	const files = 10
	for f := 0; f < files; f++ {
		var s strings.Builder
		for i := f; i < n; i += files {
			fmt.Fprintf(&s, "vrrp_instance VI_%d {\n    interface eth%d\n    virtual_router_id %d\n    priority %d\n"+
				"    advert_int 1\n    virtual_ipaddress {\n        10.%d.%d.1/24 dev eth%d\n    }\n}\n",
				i, i/255, i%255+1, i%254+1, i/256%256, i%256, i/255)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("vi%02d.conf", f)), []byte(s.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	main := filepath.Join(dir, "keepalived.conf")
	if err := os.WriteFile(main, []byte("global_defs {\n    router_id bench\n}\ninclude vi*.conf\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	return main
}

// BenchmarkLoad parses and validates a 10,000-instance configuration
// spread over included files.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			path := writeInstancesConfig(b, n)
			b.ReportAllocs()
			for b.Loop() {
				cfg, diags := Load(path, Options{ConfigID: "x"})
				if len(cfg.Instances) != n || HasErrors(diags) {
					b.Fatalf("loaded %d instances, diagnostics: %v", len(cfg.Instances), diags[:min(3, len(diags))])
				}
			}
		})
	}
}
