package e2e

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestMain raises the default -parallel for this package: the lab tests
// spend their time waiting for VRRP timers, not computing, so running a
// dozen at once on two cores is cheap and keeps the interop suite within a
// few minutes. An explicit -parallel on the command line wins.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		// Labs mostly wait on timers, so more run at once than there
		// are cores; but keepalived and our daemons must still meet
		// their timers on a loaded 2-core CI machine, so not too many.
		n := 6
		if v, err := strconv.Atoi(os.Getenv("GK_E2E_PARALLEL")); err == nil && v > 0 {
			n = v
		}
		flag.Set("test.parallel", fmt.Sprint(max(runtime.GOMAXPROCS(0), n)))
	}
	os.Exit(m.Run())
}

// kconf is a keepalived.conf, written the same way for both daemons.
type ioConf struct {
	Global []string // global_defs lines
	Insts  []ioInst
}

// kinst is one vrrp_instance block.
type ioInst struct {
	Name      string
	State     string // MASTER or BACKUP
	VRID      int
	Prio      int
	Version   int      // 0: the default (2 for IPv4, 3 for IPv6)
	Interval  string   // advert_int
	Pass      string   // auth_type PASS with this auth_pass; "" for none
	Auth      string   // auth_type when Pass is set; "" means PASS (AH: interop_ah_test.go)
	HMAC      []string // auth_hmac block lines (interop_hmac_test.go); nil for none
	Nopreempt bool
	Src       netip.Addr   // unicast_src_ip
	Peers     []netip.Addr // unicast_peer
	VIPs      []string
}

func (c ioConf) String() string {
	var b strings.Builder
	b.WriteString("global_defs {\n    router_id interop\n")
	for _, l := range c.Global {
		fmt.Fprintf(&b, "    %s\n", l)
	}
	b.WriteString("}\n")
	for _, in := range c.Insts {
		fmt.Fprintf(&b, "vrrp_instance %s {\n", in.Name)
		fmt.Fprintf(&b, "    state %s\n    interface eth1\n    virtual_router_id %d\n    priority %d\n    advert_int %s\n",
			in.State, in.VRID, in.Prio, in.Interval)
		if in.Version != 0 {
			fmt.Fprintf(&b, "    version %d\n", in.Version)
		}
		if in.Nopreempt {
			b.WriteString("    nopreempt\n")
		}
		if in.Pass != "" {
			auth := in.Auth
			if auth == "" {
				auth = "PASS"
			}
			fmt.Fprintf(&b, "    authentication {\n        auth_type %s\n        auth_pass %s\n    }\n", auth, in.Pass)
		}
		if in.HMAC != nil {
			fmt.Fprintf(&b, "    auth_hmac {\n        %s\n    }\n", strings.Join(in.HMAC, "\n        "))
		}
		if in.Src.IsValid() {
			fmt.Fprintf(&b, "    unicast_src_ip %s\n    unicast_peer {\n", in.Src)
			for _, p := range in.Peers {
				fmt.Fprintf(&b, "        %s\n", p)
			}
			b.WriteString("    }\n")
		}
		b.WriteString("    virtual_ipaddress {\n")
		for _, v := range in.VIPs {
			fmt.Fprintf(&b, "        %s\n", v)
		}
		b.WriteString("    }\n}\n")
	}
	return b.String()
}

// hostIP is the IPv4 address lab.Hosts gives host a (.2) or b (.3).
func ioHostIP(name string) netip.Addr {
	return netip.AddrFrom4([4]byte{192, 168, 1, byte(2 + strings.Index("abcdefgh", name))})
}

// other returns the other host of a two-host lab.
func ioOther(name string) string {
	if name == "a" {
		return "b"
	}
	return "a"
}

func ioItoa(i int) string { return fmt.Sprint(i) }

// hexBytes renders b as space-separated hex pairs, which cmp.Diff shows well.
func ioHex(b []byte) string { return fmt.Sprintf("% x", b) }
