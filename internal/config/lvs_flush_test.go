package config

import "testing"

// TestLVSFlushKeywords: lvs_flush and lvs_flush_on_stop (alias
// lvs_flush_onstop, optional VS) as keepalived reads them.
func TestLVSFlushKeywords(t *testing.T) {
	for _, tc := range []struct {
		in       string
		flush    bool
		onStop   FlushMode
		wantDiag bool
	}{
		{"", false, "", false},
		{"lvs_flush", true, "", false},
		{"lvs_flush_on_stop", false, FlushAll, false},
		{"lvs_flush_onstop VS", false, FlushVS, false},
		{"lvs_flush_on_stop RS", false, "", true},
	} {
		cfg, diags := LoadBytes("t.conf", []byte("global_defs {\n"+tc.in+"\n}\n"), Options{ConfigID: "x"})
		if cfg == nil {
			t.Fatalf("%q: no config: %v", tc.in, diags)
		}
		if cfg.Global.LVSFlush != tc.flush || cfg.Global.LVSFlushOnStop != tc.onStop || (len(diags) > 0) != tc.wantDiag {
			t.Errorf("%q: flush %v on stop %q diags %v; want %v %q diagnostics %v", tc.in,
				cfg.Global.LVSFlush, cfg.Global.LVSFlushOnStop, diags, tc.flush, tc.onStop, tc.wantDiag)
		}
	}
}
