package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// routesConf is one instance with virtual routes and rules, plus static
// entries that stay on the node while the daemon runs. %[1]s is the state,
// %[2]d the priority, %[3]d the last byte of the node's static address.
const routesConf = `
static_ipaddress {
    10.99.0.%[3]d/32 dev eth1
}
static_routes {
    10.60.0.0/16 via 192.168.1.1 dev eth1
    blackhole 10.61.0.0/16 table 200
}
static_rules {
    from 10.99.0.0/24 table 200 preference 200
}
vrrp_script chk {
    script "@DIR@/check.sh"
    interval 1
    weight -20
}
vrrp_instance R {
    state %[1]s
    interface eth1
    virtual_router_id 60
    priority %[2]d
    advert_int 1
    track_script {
        chk
    }
    virtual_ipaddress {
        192.168.1.6/24
    }
    virtual_routes {
        10.50.0.0/16 via 192.168.1.1 dev eth1
        src 192.168.1.6 10.51.0.0/16 dev eth1 metric 5
        blackhole 10.52.0.0/16 table 100
    }
    virtual_rules {
        from 192.168.1.6 table 100 preference 100
        to 10.53.0.0/16 table 100 preference 101
    }
}
`

// routeMarks are what routesState looks for: each name is present when
// `ip` shows a line containing its text.
var routeMarks = []struct{ name, text string }{
	{"vroute-via", "10.50.0.0/16 via 192.168.1.1 dev eth1 proto keepalived"},
	{"vroute-src", "10.51.0.0/16 dev eth1 proto keepalived scope link src 192.168.1.6 metric 5"},
	{"vroute-blackhole", "blackhole 10.52.0.0/16 table 100 proto keepalived"},
	{"vrule-from", "100:\tfrom 192.168.1.6 lookup 100 proto keepalived"},
	{"vrule-to", "101:\tfrom all to 10.53.0.0/16 lookup 100 proto keepalived"},
	{"static-addr", "inet 10.99.0."},
	{"static-route", "10.60.0.0/16 via 192.168.1.1 dev eth1 proto keepalived"},
	{"static-blackhole", "blackhole 10.61.0.0/16 table 200 proto keepalived"},
	{"static-rule", "200:\tfrom 10.99.0.0/24 lookup 200 proto keepalived"},
}

var (
	virtualMarks = []string{"vroute-via", "vroute-src", "vroute-blackhole", "vrule-from", "vrule-to"}
	staticMarks  = []string{"static-addr", "static-route", "static-blackhole", "static-rule"}
)

// routesState returns the marks present on h, in routeMarks order.
func routesState(t *testing.T, h *lab.Host) []string {
	t.Helper()
	names, texts := make([]string, len(routeMarks)), make([]string, len(routeMarks))
	for i, m := range routeMarks {
		names[i], texts[i] = m.name, m.text
	}
	return marksShown(t, h, names, texts, []string{"-4", "route", "show", "table", "all"}, []string{"-4", "rule", "show"}, []string{"-4", "addr", "show", "dev", "eth1"})
}

// marksShown runs `ip ARGS` on h for each cmd and returns the names whose
// text appears in their output, in order.
func marksShown(t *testing.T, h *lab.Host, names, texts []string, cmds ...[]string) []string {
	t.Helper()
	var out strings.Builder
	for _, args := range cmds {
		s, err := h.Exec(context.Background(), "ip", args...)
		if err != nil {
			t.Fatalf("ip %v on %s: %v: %s", args, h.Name, err, s)
		}
		out.WriteString(s)
	}
	var got []string
	for i, text := range texts {
		if strings.Contains(out.String(), text) {
			got = append(got, names[i])
		}
	}
	return got
}

// waitRoutes waits until each host shows exactly the wanted marks.
func waitRoutes(t *testing.T, limit time.Duration, want map[*lab.Host][]string) {
	t.Helper()
	eventually(t, limit, "routes and rules in place", func() (bool, string) {
		ok := true
		var b strings.Builder
		for h, w := range want {
			got := routesState(t, h)
			if diff := cmp.Diff(w, got); diff != "" {
				ok = false
				fmt.Fprintf(&b, "%s (-want +got):\n%s", h.Name, diff)
			}
		}
		return ok, b.String()
	})
}

func TestVirtualAndStaticRoutesFollowMaster(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	a, b := l.Host("a"), l.Host("b")
	na := newNode(t, a, fmt.Sprintf(routesConf, "MASTER", 100, 2))
	nb := newNode(t, b, fmt.Sprintf(routesConf, "BACKUP", 90, 3))
	writeCheck(t, na)
	writeCheck(t, nb)
	vip := netip.MustParseAddr("192.168.1.6")
	both := append(append([]string(nil), virtualMarks...), staticMarks...)

	na.start(t)
	nb.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip: "a"}, a, b)
	waitRoutes(t, 5*time.Second, map[*lab.Host][]string{a: both, b: staticMarks})

	setDown(t, na, true) // a's check fails: 100-20 < 90, b takes over
	waitPlacement(t, 5*time.Second, map[netip.Addr]string{vip: "b"}, a, b)
	waitRoutes(t, 5*time.Second, map[*lab.Host][]string{a: staticMarks, b: both})

	setDown(t, na, false) // and back
	waitPlacement(t, 5*time.Second, map[netip.Addr]string{vip: "a"}, a, b)
	waitRoutes(t, 5*time.Second, map[*lab.Host][]string{a: both, b: staticMarks})

	na.signal(t, syscall.SIGTERM) // a stops: its statics go, b takes the virtual ones
	na.wait(t, 5*time.Second)
	waitRoutes(t, 5*time.Second, map[*lab.Host][]string{a: nil, b: both})

	nb.signal(t, syscall.SIGTERM)
	nb.wait(t, 5*time.Second)
	waitRoutes(t, time.Second, map[*lab.Host][]string{a: nil, b: nil})
}

// TestDontReleaseKeepsVirtualRoutes checks -V: at exit the virtual routes
// and rules stay with the VIPs, while the static entries still go.
func TestDontReleaseKeepsVirtualRoutes(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	na := newNode(t, a, fmt.Sprintf(routesConf, "MASTER", 100, 2))
	writeCheck(t, na)
	na.extras = []string{"-V"}
	na.start(t)
	vip := netip.MustParseAddr("192.168.1.6")
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{vip: "a"}, a)
	waitRoutes(t, 5*time.Second, map[*lab.Host][]string{a: append(append([]string(nil), virtualMarks...), staticMarks...)})

	na.signal(t, syscall.SIGTERM)
	na.wait(t, 5*time.Second)
	waitRoutes(t, time.Second, map[*lab.Host][]string{a: virtualMarks})
	if !hasAddr(t, a, vip) {
		t.Errorf("-V: %s left a at exit", vip)
	}
}

// TestRoutesWaitForInterface checks the retry: a virtual and a static route
// on an interface that does not exist yet go on once it appears (a veth
// pair: lab kernels may lack the dummy module).
func TestRoutesWaitForInterface(t *testing.T) {
	needRoot(t)
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	na := newNode(t, a, `
static_routes {
    10.71.0.0/16 dev dummy9
}
vrrp_instance R {
    state MASTER
    interface eth1
    virtual_router_id 61
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.168.1.6/24
    }
    virtual_routes {
        10.70.0.0/16 dev dummy9
    }
}
`)
	na.start(t)
	waitPlacement(t, 10*time.Second, map[netip.Addr]string{netip.MustParseAddr("192.168.1.6"): "a"}, a)
	routes := func() (bool, string) {
		s, err := a.Exec(context.Background(), "ip", "-4", "route", "show", "dev", "dummy9")
		return err == nil && strings.Contains(s, "10.70.0.0/16") && strings.Contains(s, "10.71.0.0/16"), s
	}
	if ok, s := routes(); ok {
		t.Fatalf("routes on dummy9 before it exists: %s", s)
	}
	for _, args := range [][]string{
		{"link", "add", "dummy9", "type", "veth", "peer", "name", "dummy9p"},
		{"link", "set", "dummy9p", "up"}, {"link", "set", "dummy9", "up"},
	} {
		if out, err := a.Exec(context.Background(), "ip", args...); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	eventually(t, 5*time.Second, "virtual and static route on dummy9 after it appears", routes)
}
