package config

import "testing"

func TestNFTablesKeywords(t *testing.T) {
	tests := []struct {
		name, in   string
		table      string
		prio       int
		prioSet    bool
		counters   bool
		noEffectKw string
	}{
		{name: "absent", in: "global_defs {\n router_id x\n}\n"},
		{name: "default table", in: "global_defs {\n nftables\n}\n", table: "keepalived"},
		{name: "named table, priority, counters",
			in:    "global_defs {\n nftables mytab\n nftables_priority -5\n nftables_counters\n}\n",
			table: "mytab", prio: -5, prioSet: true, counters: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := LoadBytes("t.conf", []byte(tt.in), Options{ConfigID: "x"})
			if HasErrors(diags) {
				t.Fatalf("diagnostics: %v", diags)
			}
			g := cfg.Global
			if g.NFTablesTable != tt.table || g.NFTablesPriority != tt.prio || g.NFTablesPrioritySet != tt.prioSet || g.NFTablesCounters != tt.counters {
				t.Errorf("got table %q prio %d (set %v) counters %v, want %q %d (%v) %v",
					g.NFTablesTable, g.NFTablesPriority, g.NFTablesPrioritySet, g.NFTablesCounters, tt.table, tt.prio, tt.prioSet, tt.counters)
			}
			for _, n := range cfg.NoEffect {
				if n.Keyword == "nftables" || n.Keyword == "nftables_priority" || n.Keyword == "nftables_counters" {
					t.Errorf("%s is listed as having no effect", n.Keyword)
				}
			}
		})
	}
}
