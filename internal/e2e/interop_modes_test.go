package e2e

import (
	"net/netip"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// interopMode is one configuration both daemons run, and what the RFC
// says should happen with it.
type interopMode struct {
	name string
	// conf returns the configuration of host "a" or "b".
	conf func(host string) ioConf
	// want is the steady placement of every VIP ("a" or "b").
	want map[netip.Addr]string
	// interval is advert_int, for the timing of the checks.
	interval time.Duration
	// master is the host the election must pick for the first VIP; the
	// "gk-master" direction runs gokeepalived there.
	master string
	// sticky: a restarted router does not take its VIPs back (nopreempt,
	// or an equal priority, which never preempts).
	sticky bool
	// masterFirst starts the master and waits for it before starting the
	// other (nopreempt only works that way round).
	masterFirst bool
	// backupFirst starts the backup and waits for it to hold the VIPs, so
	// the master has to preempt it.
	backupFirst bool
	// partition starts both routers on a partitioned LAN so that both
	// become master, then heals it: the tie-break decides.
	partition bool
	// ka is the keepalived binary to pair with ("" for the installed
	// 2.2.7; interop_hmac_test.go runs 2.4.3).
	ka string
	// takeoverDrops allows AH's replayed-sequence drops inside takeover
	// windows (ahTakeoverDrops, interop_ah_test.go).
	takeoverDrops bool
}

var (
	ivip2p   = netip.MustParseAddr("192.168.1.10")
	ivip2n   = netip.MustParseAddr("192.168.1.11")
	ivip3    = netip.MustParseAddr("192.168.1.12")
	ivipU2   = netip.MustParseAddr("192.168.1.14")
	ivipU3   = netip.MustParseAddr("192.168.1.15")
	ivipEq   = netip.MustParseAddr("192.168.1.16")
	ivipNP   = netip.MustParseAddr("192.168.1.17")
	ivipOwn  = netip.MustParseAddr("192.168.1.18")
	ivipX    = netip.MustParseAddr("192.168.1.6")
	ivipY    = netip.MustParseAddr("192.168.1.7")
	ivip6LL  = netip.MustParseAddr("fe80::10")
	ivip6Glb = netip.MustParseAddr("2001:db8::10")
)

// prio returns hi on host a and lo on host b.
func ioPrio(host string, hi, lo int) int {
	if host == "a" {
		return hi
	}
	return lo
}

// oneInst is a one-instance configuration: a has priority 100, b 90.
func ioOneInst(name string, vrid int, interval string, version int, pass string, vips ...string) func(string) ioConf {
	return func(h string) ioConf {
		return ioConf{Insts: []ioInst{{Name: name, State: "BACKUP", VRID: vrid, Prio: ioPrio(h, 100, 90),
			Version: version, Interval: interval, Pass: pass, VIPs: vips}}}
	}
}

// unicast turns f's instances into unicast ones between a and b.
func ioUnicast(f func(string) ioConf) func(string) ioConf { return ioUnicastVia(ioHostIP, f) }

// ioUnicastVia is ioUnicast between the hosts' addresses given by addr.
func ioUnicastVia(addr func(host string) netip.Addr, f func(string) ioConf) func(string) ioConf {
	return func(h string) ioConf {
		c := f(h)
		for i := range c.Insts {
			c.Insts[i].Src = addr(h)
			c.Insts[i].Peers = []netip.Addr{addr(ioOther(h))}
		}
		return c
	}
}

var interopModes = []interopMode{
	{name: "v2-pass", conf: ioOneInst("VI_PASS", 51, "1", 0, "1234", "192.168.1.10"),
		want: map[netip.Addr]string{ivip2p: "a"}, interval: time.Second, master: "a"},
	{name: "v2-noauth", conf: ioOneInst("VI_NOAUTH", 52, "1", 0, "", "192.168.1.11"),
		want: map[netip.Addr]string{ivip2n: "a"}, interval: time.Second, master: "a"},
	{name: "v3-ipv4", conf: ioOneInst("VI_V3", 53, "0.2", 3, "", "192.168.1.12"),
		want: map[netip.Addr]string{ivip3: "a"}, interval: 200 * time.Millisecond, master: "a"},
	// IPv6 at 1 s: under heavy load on two cores, 0.2 s made the routers
	// flap, and a link-local VIP was once seen missing on the master after
	// a crash and restart (not reproduced at 1 s; see the interop report).
	{name: "v3-ipv6", conf: ioOneInst("VI_V6", 60, "1", 3, "", "fe80::10/64", "2001:db8::10/64"),
		want: map[netip.Addr]string{ivip6LL: "a", ivip6Glb: "a"}, interval: time.Second, master: "a"},
	{name: "unicast-v2", conf: ioUnicast(ioOneInst("VI_U2", 70, "1", 0, "1234", "192.168.1.14")),
		want: map[netip.Addr]string{ivipU2: "a"}, interval: time.Second, master: "a"},
	{name: "unicast-v3", conf: ioUnicast(ioOneInst("VI_U3", 71, "0.2", 3, "", "192.168.1.15")),
		want: map[netip.Addr]string{ivipU3: "a"}, interval: 200 * time.Millisecond, master: "a"},
	{name: "equal-priority", conf: func(h string) ioConf {
		return ioConf{Insts: []ioInst{{Name: "VI_EQ", State: "BACKUP", VRID: 80, Prio: 100, Version: 3, Interval: "0.2",
			VIPs: []string{"192.168.1.16"}}}}
	}, want: map[netip.Addr]string{ivipEq: "b"}, interval: 200 * time.Millisecond, master: "b",
		sticky: true, partition: true},
	{name: "nopreempt", conf: func(h string) ioConf {
		return ioConf{Insts: []ioInst{{Name: "VI_NP", State: "BACKUP", VRID: 81, Prio: ioPrio(h, 100, 90), Version: 3,
			Interval: "0.2", Nopreempt: true, VIPs: []string{"192.168.1.17"}}}}
	}, want: map[netip.Addr]string{ivipNP: "a"}, interval: 200 * time.Millisecond, master: "a",
		sticky: true, masterFirst: true},
	{name: "owner-255", conf: func(h string) ioConf {
		st := map[string]string{"a": "MASTER", "b": "BACKUP"}[h]
		return ioConf{Insts: []ioInst{{Name: "VI_OWN", State: st, VRID: 82, Prio: ioPrio(h, 255, 100), Version: 3,
			Interval: "0.2", VIPs: []string{"192.168.1.18"}}}}
	}, want: map[netip.Addr]string{ivipOwn: "a"}, interval: 200 * time.Millisecond, master: "a", backupFirst: true},
	{name: "dual-master", conf: func(h string) ioConf {
		return ioConf{Insts: []ioInst{
			{Name: "X", State: map[string]string{"a": "MASTER", "b": "BACKUP"}[h], VRID: 80, Prio: ioPrio(h, 100, 90),
				Interval: "1", Pass: "1234", VIPs: []string{"192.168.1.6"}},
			{Name: "Y", State: map[string]string{"a": "BACKUP", "b": "MASTER"}[h], VRID: 81, Prio: ioPrio(h, 90, 100),
				Interval: "1", Pass: "1234", VIPs: []string{"192.168.1.7"}},
		}}
	}, want: map[netip.Addr]string{ivipX: "a", ivipY: "b"}, interval: time.Second, master: "a"},
}

// directions are the two role assignments: gokeepalived on the host the
// election makes master, or on the other one.
var ioDirections = []string{"gk-master", "gk-backup"}

// TestInterop runs every mode in both directions against the real
// keepalived, then checks that both daemons put the same bytes on the wire
// for the same configuration.
func TestInterop(t *testing.T) {
	needKeepalived(t)
	ioRunModes(t, interopModes, ioDirections, nil)
}

// ioRunModes runs every mode in every direction ("gk-both": gokeepalived
// on both hosts) in parallel, passes each run's first packets to check
// (when not nil), then compares the bytes of each mode's gk-master and
// gk-backup runs.
func ioRunModes(t *testing.T, modes []interopMode, dirs []string, check func(t *testing.T, w map[string]string)) {
	var mu sync.Mutex
	wire := map[string]map[string]string{} // mode/dir -> packet key -> bytes
	t.Run("run", func(t *testing.T) {
		for _, m := range modes {
			for _, dir := range dirs {
				t.Run(m.name+"/"+dir, func(t *testing.T) {
					t.Parallel()
					w := runInterop(t, m, dir)
					if check != nil {
						check(t, w)
					}
					mu.Lock()
					wire[m.name+"/"+dir] = w
					mu.Unlock()
				})
			}
		}
	})
	t.Run("same-bytes", func(t *testing.T) {
		for _, m := range modes {
			t.Run(m.name, func(t *testing.T) {
				ioCompareWire(t, wire[m.name+"/gk-master"], wire[m.name+"/gk-backup"])
			})
		}
	})
}

// compareWire checks that for every packet both directions sent (the same
// host with the same configuration, once gokeepalived and once keepalived)
// the bytes are the same, and that there is something to compare.
func ioCompareWire(t *testing.T, x, y map[string]string) {
	t.Helper()
	if x == nil || y == nil {
		t.Skip("a direction did not finish")
	}
	var common []string
	for k := range x {
		if _, ok := y[k]; ok {
			common = append(common, k)
		}
	}
	sort.Strings(common)
	var prioZero, normal int
	for _, k := range common {
		if strings.Contains(k, " prio 0") {
			prioZero++
		} else {
			normal++
		}
		if diff := cmp.Diff(x[k], y[k]); diff != "" {
			t.Errorf("%s: gk-master run vs gk-backup run differ (-gk-master +gk-backup):\n%s", k, diff)
		}
	}
	if normal == 0 || prioZero == 0 {
		t.Errorf("too little to compare: %d adverts and %d priority-0 adverts common to both runs; runs saw\n%v\n%v",
			normal, prioZero, ioKeys(x), ioKeys(y))
	}
	t.Logf("compared %d distinct packets byte for byte: %v", len(common), common)
}

func ioKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// wireKey names a packet by what should make its bytes the same: sender,
// destination, VRID, priority.
func ioWireKey(a ioAdvert) string {
	return a.Src.String() + ">" + a.Dst.String() + " vrid " + ioItoa(a.VRID()) + " prio " + ioItoa(a.Priority())
}

// wireValue is what must be identical: the VRRP message, and the TTL;
// with AH also its header up to the SPI (the sequence number and the ICV
// depend on how many adverts went before).
func ioWireValue(a ioAdvert) string {
	v := "ttl " + ioItoa(int(a.TTL)) + " vrrp " + ioHMACFixed(a)
	if a.AH != nil {
		v += " ah " + ioHex(a.AH[:8])
	}
	return v
}

func runInterop(t *testing.T, m interopMode, dir string) map[string]string {
	t.Helper()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	capt := startCapture(t, l)
	a, b := l.Host("a"), l.Host("b")
	gkHost := m.master
	if dir == "gk-backup" {
		gkHost = ioOther(m.master)
	}
	ds := map[string]vrrpDaemon{}
	for _, h := range []*lab.Host{a, b} {
		conf := m.conf(h.Name).String()
		if h.Name == gkHost || dir == "gk-both" {
			ds[h.Name] = newGK(t, h, conf)
		} else {
			k := newKA(t, h, conf)
			if m.ka != "" {
				k.bin = m.ka
			}
			ds[h.Name] = k
		}
	}
	hosts := []*lab.Host{a, b}
	all := func(h string) map[netip.Addr]string {
		p := map[netip.Addr]string{}
		for v := range m.want {
			p[v] = h
		}
		return p
	}
	// Generous limits: they only bound failures, and on two shared cores
	// starting keepalived alone has been seen to take 3 s.
	startLimit := 8*m.interval + 20*time.Second
	held := map[ioAnnouncement]bool{} // host MAC + VIP: placements reached
	waitPlacement := func(t *testing.T, limit time.Duration, want map[netip.Addr]string, hosts ...*lab.Host) {
		t.Helper()
		waitPlacement(t, limit, want, hosts...)
		for v, h := range want {
			held[ioAnnouncement{SrcMAC: l.Host(h).Spec().MAC.String(), Addr: v}] = true
		}
	}
	master, backup := ds[m.master], ds[ioOther(m.master)]

	// Election.
	switch {
	case m.partition:
		ioIsolate(t, l, true)
		a1, b1 := ds["a"], ds["b"]
		a1.start(t)
		b1.start(t)
		eventually(t, startLimit, "both master while partitioned", func() (bool, string) {
			got := holders(t, ioFirstVIP(m), a, b)
			return len(got) == 2, strings.Join(got, ",")
		})
		for _, h := range hosts {
			held[ioAnnouncement{SrcMAC: h.Spec().MAC.String(), Addr: ioFirstVIP(m)}] = true
		}
		ioIsolate(t, l, false)
	case m.masterFirst:
		master.start(t)
		waitPlacement(t, startLimit, all(m.master), hosts...)
		backup.start(t)
		backup.waitBackup(t, startLimit)
	case m.backupFirst:
		backup.start(t)
		waitPlacement(t, startLimit, all(ioOther(m.master)), hosts...)
		master.start(t)
	default:
		backup.start(t)
		master.start(t)
	}
	waitPlacement(t, startLimit, m.want, hosts...)
	// Still there a few intervals later (a brief flap under load is
	// tolerated; a lasting change is not).
	time.Sleep(4 * m.interval)
	waitPlacement(t, 4*m.interval+5*time.Second, m.want, hosts...)

	// SIGTERM the master: the other takes over at once (priority 0).
	master.stop(t)
	waitPlacement(t, 4*m.interval+15*time.Second, all(ioOther(m.master)), hosts...)
	master.start(t)
	now := m.want
	if m.sticky {
		master.waitBackup(t, startLimit)
		time.Sleep(4*m.interval + time.Second) // longer than its Master_Down_Interval
		now = all(ioOther(m.master))
	}
	waitPlacement(t, startLimit, now, hosts...)

	// SIGKILL + link down of whoever holds the first VIP: the other takes
	// over after Master_Down_Interval; the dead host's VIPs stay on its
	// down link, so only the survivor is checked.
	victimName := now[ioFirstVIP(m)]
	victim, survivor := ds[victimName], l.Host(ioOther(victimName))
	victim.crash(t)
	waitPlacement(t, 4*m.interval+15*time.Second, all(survivor.Name), survivor)
	ioLinkUp(t, victim.host())
	victim.start(t)
	end := m.want
	if m.sticky {
		victim.waitBackup(t, startLimit)
		time.Sleep(4*m.interval + time.Second)
		end = all(survivor.Name)
	}
	waitPlacement(t, startLimit, end, hosts...)

	// Neither side reported an error about the other's packets.
	for _, d := range ds {
		errs := d.packetErrors(t)
		if m.takeoverDrops {
			errs = ahTakeoverDrops(t, d, ds, m.interval, errs)
		}
		if len(errs) > 0 {
			t.Errorf("%s on %s reported errors about its peer's packets:\n%s", d.kind(), d.host().Name, strings.Join(errs, "\n"))
		}
	}
	ioCheckAnnounced(t, capt, held)
	return ioFirstPackets(capt)
}

func ioFirstVIP(m interopMode) netip.Addr {
	var vs []netip.Addr
	for v := range m.want {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Less(vs[j]) })
	// The configured order puts IPv4 before IPv6 and fe80:: before 2001::
	// only by accident; any VIP will do as long as it is the same one.
	return vs[0]
}

// checkAnnounced checks that every host announced every VIP it held
// (gratuitous ARP or unsolicited NA from its MAC) at least once.
func ioCheckAnnounced(t *testing.T, c *ioCapture, held map[ioAnnouncement]bool) {
	t.Helper()
	seen := map[ioAnnouncement]bool{}
	for _, a := range c.announcements() {
		seen[ioAnnouncement{SrcMAC: a.SrcMAC, Addr: a.Addr}] = true
	}
	for h := range held {
		if !seen[h] {
			t.Errorf("%s held %s but never announced it (gratuitous ARP / unsolicited NA)", h.SrcMAC, h.Addr)
		}
	}
}

// firstPackets keeps the first advert of each wireKey.
func ioFirstPackets(c *ioCapture) map[string]string {
	out := map[string]string{}
	for _, a := range c.adverts() {
		k := ioWireKey(a)
		if _, ok := out[k]; !ok {
			out[k] = ioWireValue(a)
		}
	}
	return out
}
