package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// auth_hmac (issue 18) is parsed into typed values with keepalived
// 2.4.3's checks, and until gokeepalived sends and checks the trailer the
// instance refuses to start and -t says why (never two masters).
func TestAuthHMAC(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open")
	if err := os.WriteFile(open, []byte("hex:"+strings.Repeat("ab", 32)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	block := " auth_hmac {\n  key 1 hex:" + strings.Repeat("0f", 32) + "\n  key 7 " + strings.Repeat("k", 40) +
		"\n  key 9 file:" + open + "\n  key 2 short\n  key 1 " + strings.Repeat("x", 32) +
		"\n  active_key 7\n  anti_replay monotonic\n  time_window 30\n  mode permissive\n }\n"
	src := inst(block + " virtual_ipaddress {\n  10.0.0.1\n }\n")
	cfg, diags := load1(t, src)
	a := cfg.Instances[0].AuthHMAC
	if a == nil {
		t.Fatal("no AuthHMAC")
	}
	var ids []uint8
	for _, k := range a.Keys {
		ids = append(ids, k.ID)
	}
	if len(ids) != 3 || ids[0] != 1 || ids[1] != 7 || ids[2] != 9 || a.Keys[0].Key[0] != 0x0f ||
		string(a.Keys[1].Key) != strings.Repeat("k", 40) || len(a.Keys[2].Key) != 32 || a.Keys[2].Key[0] != 0xab {
		t.Errorf("keys %v %+v", ids, a.Keys)
	}
	if a.ActiveKey != 7 || !a.Monotonic || a.TimeWindow != 30 || a.Mode != "permissive" {
		t.Errorf("AuthHMAC %+v", a)
	}
	joined := strings.Join(diags, "\n")
	for _, want := range []string{"is readable by group or others", "auth_hmac key 2 length 5 not in range [32, 64]",
		"duplicate auth_hmac key id 1", "(A) auth_hmac is not supported yet"} {
		if !strings.Contains(joined, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, joined)
		}
	}
	if ExitCode(cfg) == 0 {
		t.Error("-t exits 0 with auth_hmac")
	}
	_, raw := LoadBytes("t.conf", []byte(src), Options{ConfigID: "x"})
	if !Refuses(cfg, raw) {
		t.Error("the daemon would start an instance with auth_hmac: unsigned adverts next to signing peers")
	}
}
