package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRxBufsKeywords: vrrp_rx_bufs_policy, vrrp_rx_bufs_multiplier and
// kernel_rx_buf_size are read as keepalived reads them (conflicts warned
// and resolved its way) and no longer listed as having no effect.
func TestRxBufsKeywords(t *testing.T) {
	inst := "vrrp_instance V {\n interface eth0\n virtual_router_id 1\n %s\n}\n"
	tests := []struct {
		name, global, inst string
		want               RxBufs
		wantKernel         int
		wantWarn           string
	}{
		{name: "absent", want: RxBufs{}},
		{name: "mtu", global: "vrrp_rx_bufs_policy mtu\n vrrp_rx_bufs_multiplier 5", want: RxBufs{Policy: RxBufsMTU, Multiplier: 5}},
		{name: "advert", global: "vrrp_rx_bufs_policy ADVERT", want: RxBufs{Policy: RxBufsAdvert}},
		{name: "size", global: "vrrp_rx_bufs_policy 65536", want: RxBufs{Policy: RxBufsSize, Size: 65536}},
		{name: "size wins over a policy", global: "vrrp_rx_bufs_policy MTU 4096", want: RxBufs{Policy: RxBufsSize, Size: 4096},
			wantWarn: "ignoring policy"},
		{name: "mtu wins over advert", global: "vrrp_rx_bufs_policy ADVERT MTU", want: RxBufs{Policy: RxBufsMTU}, wantWarn: "ignoring ADVERT"},
		{name: "bad word", global: "vrrp_rx_bufs_policy lots", want: RxBufs{}, wantWarn: "Invalid vrrp_rx_bufs_policy lots"},
		{name: "kernel_rx_buf_size", inst: "kernel_rx_buf_size 200000", wantKernel: 200000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "global_defs {\n " + tt.global + "\n}\n" + strings.Replace(inst, "%s", tt.inst, 1)
			cfg, diags := LoadBytes("t.conf", []byte(in), Options{ConfigID: "x"})
			if HasErrors(diags) {
				t.Fatalf("diagnostics: %v", diags)
			}
			if diff := cmp.Diff(tt.want, cfg.Global.RxBufs); diff != "" {
				t.Errorf("RxBufs (-want +got):\n%s", diff)
			}
			if got := cfg.Instances[0].KernelRxBufSize; got != tt.wantKernel {
				t.Errorf("kernel_rx_buf_size = %d, want %d", got, tt.wantKernel)
			}
			var warned bool
			for _, d := range diags {
				warned = warned || (tt.wantWarn != "" && strings.Contains(d.Msg, tt.wantWarn))
			}
			if tt.wantWarn != "" && !warned {
				t.Errorf("no warning %q in %v", tt.wantWarn, diags)
			}
			for _, n := range cfg.NoEffect {
				if strings.Contains(n.Keyword, "rx_buf") {
					t.Errorf("%s is listed as having no effect", n.Keyword)
				}
			}
		})
	}
}
