package daemon

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
)

// bgpConf is a node announcing WEB (no tracker: always healthy) and DOWN
// (tracks eth9, which does not exist). Its neighbor is on loopback, on a
// port nobody listens on: the session never comes up, and no packet
// leaves the machine.
const bgpConf = `global_defs {
    bgp_speaker {
        local_as 65001
        router_id 127.0.0.1
        neighbor 127.0.0.2 {
            remote_as 65000
            port 1
        }
    }
}
anycast_group WEB {
    virtual_ipaddress {
        10.99.0.1/32
    }
}
anycast_group DOWN {
    virtual_ipaddress {
        10.99.0.2/32
    }
    track_interface {
        eth9
    }
}
`

// bgpDaemon is a Daemon with fake links (lo, ifindex 1) and addresses.
func bgpDaemon(t *testing.T, text string) (*Daemon, *systemtest.Addresser) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	addrs := &systemtest.Addresser{}
	links := systemtest.NewLinkWatcher(system.Link{Name: "lo", Index: 1, Up: true})
	d := &Daemon{conf: configtest.Load(t, text), log: slog.New(slog.NewTextHandler(io.Discard, nil)), loop: loopState{ctx: ctx, reqCh: make(chan func(), 16)}, sys: sysDeps{links: links, addrs: addrs}}
	t.Cleanup(d.bgpStop)
	return d, addrs
}

// addrCalls lists the Add and Del calls of a, as "Add 10.99.0.1/32@1".
func addrCalls(a *systemtest.Addresser) []string {
	var out []string
	for _, c := range a.Calls() {
		if v, ok := c.Args[0].(system.VIP); ok {
			out = append(out, c.Method+" "+v.Prefix.String()+"@"+string(rune('0'+v.Ifindex)))
		}
	}
	return out
}

// TestBGPSyncAnnouncesHealthyGroups: the loop's hook starts the speaker,
// announces the healthy group only, puts its address on lo, reports both
// in the status; a reload that drops the group withdraws it and takes
// the address off while keeping the speaker (same neighbors); stop takes
// everything down. Before the daemon had no BGP side, nothing of this
// happened.
func TestBGPSyncAnnouncesHealthyGroups(t *testing.T) {
	d, addrs := bgpDaemon(t, bgpConf)
	d.bgpSync()
	if got := strings.Join(addrCalls(addrs), ","); got != "Add 10.99.0.1/32@1" {
		t.Errorf("address calls %q, want only WEB's address added on lo", got)
	}
	sp := d.ann.bgp.sp
	st := waitBGP(t, d, func(n int) bool { return n == 1 })
	if p := st.Prefixes[0]; p.Prefix != netip.MustParsePrefix("10.99.0.1/32") || p.Group != "WEB" {
		t.Errorf("announced %+v, want 10.99.0.1/32 for WEB", p)
	}
	if len(st.Neighbors) != 1 || st.Neighbors[0].Addr != netip.MustParseAddr("127.0.0.2") || st.Neighbors[0].State == "established" {
		t.Errorf("neighbors %+v, want 127.0.0.2 not established", st.Neighbors)
	}

	d.conf = configtest.Load(t, bgpConf[:strings.Index(bgpConf, "anycast_group WEB")]) // reload: no group left
	d.bgpSync()
	if d.ann.bgp.sp != sp {
		t.Error("a reload with the same neighbors restarted the speaker")
	}
	waitBGP(t, d, func(n int) bool { return n == 0 })
	if got := strings.Join(addrCalls(addrs), ","); got != "Add 10.99.0.1/32@1,Del 10.99.0.1/32@1" {
		t.Errorf("address calls %q, want WEB's address added then removed", got)
	}
	d.bgpStop()
	if d.ann.bgp != nil || d.bgpStatus() != nil {
		t.Error("after stop the daemon still has a BGP side")
	}
}

// waitBGP polls the status until the number of announced prefixes
// satisfies ok.
func waitBGP(t *testing.T, d *Daemon, ok func(int) bool) *control.BGP {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := d.bgpStatus()
		if st != nil && ok(len(st.Prefixes)) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
