package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeBigConfig writes a main file including files.conf files that hold
// instances vrrp_instance blocks between them, and returns the main path.
func writeBigConfig(tb testing.TB, dir string, instances, files int) string {
	tb.Helper()
	per := instances / files
	for f := range files {
		var b strings.Builder
		for i := f * per; i < (f+1)*per; i++ {
			fmt.Fprintf(&b, `vrrp_instance VI_%d {
    state BACKUP
    interface eth%d
    virtual_router_id %d
    priority 100
    advert_int 1 # seconds
    authentication {
        auth_type PASS
        auth_pass secret
    }
    virtual_ipaddress {
        10.%d.%d.1/24 dev eth%d label eth%d:vip
    }
    track_script {
        chk_haproxy
    }
    notify_master "/etc/keepalived/notify.sh master VI_%d"
}
`, i, i%4, i%255+1, i/256%256, i%256, i%4, i%4, i)
		}
		name := filepath.Join(dir, "conf.d", fmt.Sprintf("part%03d.conf", f))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	main := filepath.Join(dir, "keepalived.conf")
	src := "global_defs {\n    router_id bench\n}\nvrrp_script chk_haproxy {\n    script \"killall -0 haproxy\"\n}\ninclude conf.d/*.conf\n"
	if err := os.WriteFile(main, []byte(src), 0o644); err != nil {
		tb.Fatal(err)
	}
	return main
}

// BenchmarkParse10k parses 10,000 vrrp_instance blocks spread over 100
// included files (about 190,000 lines), reading them from disk.
func BenchmarkParse10k(b *testing.B) {
	main := writeBigConfig(b, b.TempDir(), 10000, 100)
	b.ReportAllocs()
	for b.Loop() {
		nodes, diags := ParseFile(main, Options{ConfigID: "bench"})
		if len(diags) > 0 || len(nodes) != 10002 {
			b.Fatalf("got %d nodes, diagnostics %v", len(nodes), diags)
		}
	}
}

// BenchmarkParse1k is BenchmarkParse10k at a tenth of the size, to show the
// cost is linear.
func BenchmarkParse1k(b *testing.B) {
	main := writeBigConfig(b, b.TempDir(), 1000, 10)
	for b.Loop() {
		if _, diags := ParseFile(main, Options{ConfigID: "bench"}); len(diags) > 0 {
			b.Fatal(diags)
		}
	}
}
