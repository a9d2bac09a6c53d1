package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestUnknownKeywordHint: a mistyped keyword's warning suggests the
// keyword of that block it is closest to; one close to nothing gets none.
func TestUnknownKeywordHint(t *testing.T) {
	src := "global_defs {\n    router_idd x\n}\nvrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 5\n" +
		"    priorty 100\n    frobnicate\n    virtual_ipaddress {\n        10.0.0.1\n    }\n}\n"
	_, diags := LoadBytes("k.conf", []byte(src), Options{})
	got := map[string]string{}
	for _, d := range diags {
		got[d.Msg] = d.Hint
	}
	want := map[string]string{
		`unknown keyword "router_idd" in global_defs`:   `did you mean "router_id"?`,
		`unknown keyword "priorty" in vrrp_instance`:    `did you mean "priority"?`,
		`unknown keyword "frobnicate" in vrrp_instance`: "",
	}
	for msg, hint := range want {
		if h, ok := got[msg]; !ok {
			t.Errorf("no diagnostic %q in %v", msg, diags)
		} else if diff := cmp.Diff(hint, h); diff != "" {
			t.Errorf("hint of %q (-want +got):\n%s", msg, diff)
		}
	}
}
