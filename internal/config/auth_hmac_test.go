package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// auth_hmac (issue 18) is parsed into typed values with keepalived
// 2.4.3's checks; bad keys are errors at their position, and a good block
// no longer refuses the instance (the daemon signs and verifies).
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
		"duplicate auth_hmac key id 1"} {
		if !strings.Contains(joined, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, joined)
		}
	}
	if ExitCode(cfg) == 0 {
		t.Error("-t exits 0 with auth_hmac")
	}
	if strings.Contains(joined, "not supported") {
		t.Errorf("auth_hmac still refused:\n%s", joined)
	}
}

// A clean auth_hmac block loads with -t exit 0 and starts; keepalived
// 2.4.3's instance checks drop the legacy authentication, disable a block
// whose active_key is undefined, force enforce under strict mode, and
// derive the time window from advert_int.
func TestAuthHMACComplete(t *testing.T) {
	key := "  key 1 hex:" + strings.Repeat("0f", 32) + "\n"
	vips := " virtual_ipaddress {\n  10.0.0.1\n }\n"
	tests := []struct {
		name, body string
		want       *AuthHMAC // nil: the block is dropped
		diag       string
	}{
		{"clean", " advert_int 1\n auth_hmac {\n" + key + "  active_key 1\n }\n",
			&AuthHMAC{ActiveKey: 1, Mode: "enforce", TimeWindow: 5}, ""},
		{"window from interval", " advert_int 4\n auth_hmac {\n" + key + "  active_key 1\n }\n",
			&AuthHMAC{ActiveKey: 1, Mode: "enforce", TimeWindow: 12}, ""},
		{"window capped", " advert_int 200\n auth_hmac {\n" + key + "  active_key 1\n }\n",
			&AuthHMAC{ActiveKey: 1, Mode: "enforce", TimeWindow: 300}, ""},
		{"monotonic keeps no window", " auth_hmac {\n" + key + "  active_key 1\n  anti_replay monotonic\n }\n",
			&AuthHMAC{ActiveKey: 1, Mode: "enforce", Monotonic: true}, ""},
		{"undefined active key", " auth_hmac {\n" + key + "  active_key 2\n }\n",
			nil, "auth_hmac active_key 2 is not defined, disabling extension"},
		{"strict forces enforce", " strict_mode on\n state BACKUP\n priority 100\n auth_hmac {\n" + key + "  active_key 1\n  mode permissive\n }\n",
			&AuthHMAC{ActiveKey: 1, Mode: "enforce", TimeWindow: 5}, "strict mode requires auth_hmac mode enforce"},
		{"legacy auth dropped", " authentication {\n  auth_type PASS\n  auth_pass secret\n }\n auth_hmac {\n" + key + "  active_key 1\n }\n",
			&AuthHMAC{ActiveKey: 1, Mode: "enforce", TimeWindow: 5}, "auth_hmac cannot be combined with authentication, dropping legacy auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := load1(t, inst(tt.body+vips))
			joined := strings.Join(diags, "\n")
			got := cfg.Instances[0].AuthHMAC
			switch {
			case tt.want == nil && got != nil:
				t.Errorf("block kept: %+v", got)
			case tt.want != nil && got == nil:
				t.Fatalf("block dropped:\n%s", joined)
			case tt.want != nil && (got.ActiveKey != tt.want.ActiveKey || got.Mode != tt.want.Mode ||
				got.TimeWindow != tt.want.TimeWindow || got.Monotonic != tt.want.Monotonic):
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if tt.diag == "" && ExitCode(cfg) != 0 {
				t.Errorf("-t exit %d:\n%s", ExitCode(cfg), joined)
			}
			if tt.diag != "" && !strings.Contains(joined, tt.diag) {
				t.Errorf("diagnostics lack %q:\n%s", tt.diag, joined)
			}
			if cfg.Instances[0].Auth.Type != 0 {
				t.Error("legacy authentication kept next to auth_hmac")
			}
			_, raw := LoadBytes("t.conf", []byte(inst(tt.body+vips)), Options{ConfigID: "x"})
			if Refuses(cfg, raw) {
				t.Errorf("instance refused:\n%s", joined)
			}
		})
	}
}

// `key ID file:${_ENV CREDENTIALS_DIRECTORY}/NAME`, the form keepalived
// 2.4.3's manual gives for systemd credentials, reads the key from the
// directory systemd names; with the variable unset the path is empty
// before the slash, and the load says both why and which file failed.
func TestAuthHMACCredentialsDirectory(t *testing.T) {
	dir := t.TempDir()
	key := strings.Repeat("c", 40)
	if err := os.WriteFile(filepath.Join(dir, "vrrp51"), []byte(key+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := inst(" auth_hmac {\n  key 1 file:${_ENV CREDENTIALS_DIRECTORY}/vrrp51\n  active_key 1\n }\n" +
		" virtual_ipaddress {\n  10.0.0.1\n }\n")
	load := func(env map[string]string) (*Config, string) {
		cfg, diags := LoadBytes("t.conf", []byte(src), Options{ConfigID: "x",
			LookupEnv: func(n string) (string, bool) { v, ok := env[n]; return v, ok }})
		var out []string
		for _, d := range diags {
			out = append(out, d.String())
		}
		return cfg, strings.Join(out, "\n")
	}
	cfg, diags := load(map[string]string{"CREDENTIALS_DIRECTORY": dir})
	if a := cfg.Instances[0].AuthHMAC; a == nil || len(a.Keys) != 1 || string(a.Keys[0].Key) != key {
		t.Fatalf("key from the credentials directory not loaded: %+v\n%s", a, diags)
	}
	if diags != "" {
		t.Errorf("diagnostics for a clean credentials file:\n%s", diags)
	}
	_, diags = load(nil)
	for _, want := range []string{"environment variable CREDENTIALS_DIRECTORY is not set",
		"auth_hmac key file '/vrrp51' cannot be opened"} {
		if !strings.Contains(diags, want) {
			t.Errorf("unset CREDENTIALS_DIRECTORY: diagnostics lack %q:\n%s", want, diags)
		}
	}
}

// TestAuthHMACModeTyped: the mode word is read here into an HMACMode (vinst
// reads the type, not the word); strict mode forces enforce.
func TestAuthHMACModeTyped(t *testing.T) {
	for _, tt := range []struct {
		word   string
		strict bool
		want   HMACMode
	}{
		{"", false, HMACEnforce},
		{"mode permissive", false, HMACPermissive},
		{"mode receive-only", false, HMACReceiveOnly},
		{"mode enforce", false, HMACEnforce},
		{"mode receive-only", true, HMACEnforce},
		{"mode bogus", false, HMACEnforce},
	} {
		strict := ""
		if tt.strict {
			strict = " strict_mode\n"
		}
		cfg, _ := load1(t, inst(strict+" auth_hmac {\n  key 1 hex:"+strings.Repeat("0f", 32)+
			"\n  active_key 1\n  "+tt.word+"\n }\n virtual_ipaddress {\n  10.0.0.1\n }\n"))
		if len(cfg.Instances) == 0 || cfg.Instances[0].AuthHMAC == nil {
			t.Fatalf("%q: no auth_hmac", tt.word)
		}
		if got := cfg.Instances[0].AuthHMAC.Mode; got != tt.want {
			t.Errorf("%q strict=%v: mode %q, want %q", tt.word, tt.strict, got, tt.want)
		}
	}
}
