package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// bgpNodeConf is a node with a bgp_speaker, an anycast group tracking
// chk_web, and VI_1 (bgp_announce) at priority prio.
func bgpNodeConf(prio int) string {
	return fmt.Sprintf(`global_defs {
    bgp_speaker {
        local_as 65001
        router_id 10.0.0.%d
        neighbor 10.0.0.254 {
            remote_as 65000
        }
    }
}
vrrp_script chk_web {
    script /bin/true
}
anycast_group WEB {
    virtual_ipaddress {
        10.99.0.1/32
    }
    track_script {
        chk_web
    }
}
vrrp_instance VI_1 {
    interface eth1
    virtual_router_id 51
    priority %d
    advert_int 1
    virtual_ipaddress {
        10.0.0.100/24
    }
    bgp_announce
}
`, 300-prio, prio)
}

// TestPlanBGP: the plan says which node announces which prefix, in the
// steady state and per failure: every healthy node the anycast prefix
// (its script's failure withdraws that node's path only), the MASTER the
// bgp_announce instance's host route (a crash of the master moves it).
func TestPlanBGP(t *testing.T) {
	p, _ := planFiles(t, bgpNodeConf(200), bgpNodeConf(100))
	if len(p.Problems) > 0 {
		t.Fatalf("problems: %v", p.Problems)
	}
	got := map[string]string{}
	for _, r := range p.BGP {
		when := "steady"
		if r.Failure != nil {
			when = r.Failure.String()
		}
		got[when+" | "+r.Prefix.String()] = strings.Join(r.Announcers, ",")
	}
	want := map[string]string{
		"steady | 10.99.0.1/32":                     "A,B",
		"steady | 10.0.0.100/32":                    "A",
		"A down (crash) | 10.99.0.1/32":             "B",
		"A down (crash) | 10.0.0.100/32":            "B",
		"script chk_web fails on A | 10.99.0.1/32":  "B",
		"script chk_web fails on A | 10.0.0.100/32": "A",
		"script chk_web fails on B | 10.99.0.1/32":  "A",
		"B stopped (graceful) | 10.0.0.100/32":      "A",
	}
	sub := map[string]string{}
	for k := range want {
		sub[k] = got[k]
	}
	if diff := cmp.Diff(want, sub); diff != "" {
		t.Errorf("announcers (-want +got):\n%s\nall: %v", diff, got)
	}
	var b strings.Builder
	p.textBGP(&b)
	if !strings.Contains(b.String(), "10.99.0.1/32   anycast_group WEB   A, B") {
		t.Errorf("text lacks the steady anycast row:\n%s", b.String())
	}
}
