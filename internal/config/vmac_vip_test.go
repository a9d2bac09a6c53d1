package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestVMACAddrKeywords: use_vmac_addr (words after it ignored, as
// keepalived's handler ignores them), the per-address use_vmac of
// virtual_ipaddress and virtual_ipaddress_excluded, and vmac_addr_prefix
// are modelled and act, so none is listed as having no effect.
func TestVMACAddrKeywords(t *testing.T) {
	for _, body := range []string{" use_vmac_addr\n", " use_vmac_addr off\n"} {
		cfg, diags := load1(t, "global_defs {\n vmac_addr_prefix va\n}\n"+inst(body+
			" virtual_ipaddress {\n  10.0.0.1\n  10.9.0.1/24 dev eth2 use_vmac\n }\n"+
			" virtual_ipaddress_excluded {\n  fd00::1/64 use_vmac\n  10.9.0.2 dev eth2\n }\n"))
		if len(diags) != 0 {
			t.Fatalf("%q: unexpected diagnostics %q", body, diags)
		}
		if len(cfg.NoEffect) != 0 {
			t.Errorf("%q: no-effect notes %v, want none", body, cfg.NoEffect)
		}
		in := cfg.Instances[0]
		if !in.UseVMACAddr || in.UseVMAC {
			t.Errorf("%q: UseVMACAddr %v UseVMAC %v, want true false", body, in.UseVMACAddr, in.UseVMAC)
		}
		var flags []bool
		for _, v := range append(append([]VIP(nil), in.VIPs...), in.ExcludedVIPs...) {
			flags = append(flags, v.UseVMAC)
		}
		if diff := cmp.Diff([]bool{false, true, true, false}, flags); diff != "" {
			t.Errorf("%q: per-address use_vmac (-want +got):\n%s", body, diff)
		}
		if cfg.Global.VMACAddrPrefix != "va" {
			t.Errorf("vmac_addr_prefix = %q, want va", cfg.Global.VMACAddrPrefix)
		}
	}
	cfg, _ := load1(t, inst(" virtual_ipaddress {\n  10.0.0.1\n }\n"))
	if cfg.Instances[0].UseVMACAddr {
		t.Error("UseVMACAddr set without the keyword")
	}
}
