package daemon

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadConfigStartDecision: the daemon refuses only where keepalived
// refuses (a fatal diagnostic); otherwise it starts and logs every
// problem, and each virtual_server it ignores.
func TestLoadConfigStartDecision(t *testing.T) {
	const vip = "    virtual_ipaddress {\n        10.0.0.1\n    }\n"
	tests := []struct {
		name    string
		body    string
		refuses bool
		logged  string
	}{
		{"track_script typo runs", "    virtual_router_id 1\n    track_script {\n        chk_typo\n    }\n" + vip, false, "track script chk_typo not found"},
		{"state SLAVE runs", "    virtual_router_id 1\n    state SLAVE\n" + vip, false, "defaulting to BACKUP"},
		{"no VRID refuses", vip, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "k.conf")
			text := "vrrp_instance VI_1 {\n    interface eth0\n" + tt.body + "}\nvirtual_server 10.0.0.9 80 {\n}\n"
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			conf, err := loadConfig(Config{File: p, ConfigID: "x", Logger: slog.New(slog.NewTextHandler(&buf, nil))})
			if refused := err != nil; refused != tt.refuses {
				t.Fatalf("refused = %v (%v), want %v", refused, err, tt.refuses)
			}
			if tt.refuses {
				if conf != nil || !strings.Contains(err.Error(), "fatal: (VI_1) the virtual router id must be set") {
					t.Errorf("conf %v, err %v", conf, err)
				}
				return
			}
			if !strings.Contains(buf.String(), tt.logged) {
				t.Errorf("log lacks %q:\n%s", tt.logged, buf.String())
			}
			// The LVS half runs virtual servers now: none is "ignored".
			if strings.Contains(buf.String(), "is not run") {
				t.Errorf("log still calls virtual_server ignored:\n%s", buf.String())
			}
		})
	}
}
