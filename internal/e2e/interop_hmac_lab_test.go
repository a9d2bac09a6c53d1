package e2e

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Issue 18's operational paths with keepalived 2.4.3 in the lab, both
// ways round: a key rotation and the migration to auth_hmac, each done by
// reloads one node at a time with no second master at any instant, and
// forged adverts (a replay, one after the window, a flipped bit, an
// unknown key) refused and counted by whichever daemon is the backup.

// hmacReloader is a daemon whose configuration can be changed in place.
type hmacReloader interface {
	vrrpDaemon
	// reload writes conf and has the running daemon reload it (SIGHUP),
	// returning once the reload is done.
	reload(t *testing.T, conf string)
}

func (g *gkDaemon) reload(t *testing.T, conf string) {
	t.Helper()
	prev := g.status(t).Config.LastReloadAt
	g.n.writeConf(t, conf)
	g.n.signal(t, syscall.SIGHUP)
	eventually(t, 10*time.Second, g.n.host.Name+" gokeepalived reloaded", func() (bool, string) {
		s := g.status(t)
		if s.Config.LastReloadError != "" {
			t.Fatalf("%s: reload refused: %s", g.n.host.Name, s.Config.LastReloadError)
		}
		return s.Config.LastReloadAt.After(prev), ""
	})
}

// kaReloadDone is keepalived's line once its children have reloaded.
var kaReloadDone = regexp.MustCompile(`Reload complete|Reload finished`)

func (k *kaDaemon) reload(t *testing.T, conf string) {
	t.Helper()
	if err := os.WriteFile(k.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	n := len(kaReloadDone.FindAllString(k.proc.Output(), -1))
	if err := k.proc.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, k.h.Name+" keepalived reloaded", func() (bool, string) {
		return len(kaReloadDone.FindAllString(k.proc.Output(), -1)) > n, tail(k.proc.Output(), 3)
	})
}

// kaStatsNames maps keepalived 2.4.3's stats dump lines under
// "Authentication Extension Errors:" to its counter names.
var kaStatsNames = map[string]string{"Missing": "auth_ext_missing", "Malformed": "auth_ext_malformed",
	"Unknown Key": "auth_ext_unknown_key", "Invalid HMAC": "auth_ext_invalid_hmac", "Stale": "auth_ext_stale",
	"Replay": "auth_ext_replay"}

// authExt returns keepalived 2.4.3's auth_ext_* counters of its only
// instance, from the stats dump SIGUSR2 writes to $TMPDIR/keepalived.stats.
func (k *kaDaemon) authExt(t *testing.T) map[string]uint64 {
	t.Helper()
	path := filepath.Join(k.dir, "keepalived.stats")
	os.Remove(path)
	if err := k.proc.Signal(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	var text string
	eventually(t, 10*time.Second, k.h.Name+" keepalived stats dump", func() (bool, string) {
		b, _ := os.ReadFile(path)
		text = string(b)
		return strings.Contains(text, "Priority Zero:") && strings.HasSuffix(text, "\n") &&
			strings.Contains(text[strings.Index(text, "Priority Zero:"):], "Sent:"), text
	})
	_, sec, ok := strings.Cut(text, "  Authentication Extension Errors:\n")
	if !ok {
		t.Fatalf("keepalived 2.4.3's stats dump has no auth_ext section:\n%s", text)
	}
	out := map[string]uint64{}
	for _, line := range strings.Split(sec, "\n") {
		name, v, ok := strings.Cut(strings.TrimSpace(line), ": ")
		if !ok || !strings.HasPrefix(line, "    ") {
			break
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || kaStatsNames[name] == "" {
			t.Fatalf("stats line %q", line)
		}
		out[kaStatsNames[name]] = n
	}
	return out
}

// authExt returns our auth_ext_* counters of instance name.
func (g *gkDaemon) authExt(t *testing.T, name string) map[string]uint64 {
	t.Helper()
	in, ok := g.status(t).Instance(name)
	if !ok || in.AuthHMAC == nil {
		t.Fatalf("%s: no auth_hmac instance %s", g.n.host.Name, name)
	}
	h := in.AuthHMAC
	return map[string]uint64{"auth_ext_missing": h.Missing, "auth_ext_malformed": h.Malformed,
		"auth_ext_unknown_key": h.UnknownKey, "auth_ext_invalid_hmac": h.InvalidHMAC, "auth_ext_stale": h.Stale,
		"auth_ext_replay": h.Replay}
}

// hmacPair is a gokeepalived and a keepalived 2.4.3 sharing one virtual
// router (host a has the higher priority), the master started first and
// the backup settled, with the bridge captured.
type hmacPair struct {
	l              *lab.Lab
	capt           *ioCapture
	master, backup hmacReloader
	// settled is when the backup was seen in BACKUP: from then on only
	// the master may advertise.
	settled time.Time
	vrid    int
}

func startHMACPair(t *testing.T, dir string, conf func(host string) ioConf, vip netip.Addr) *hmacPair {
	t.Helper()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	p := &hmacPair{l: l, capt: startCapture(t, l), vrid: conf("a").Insts[0].VRID}
	ds := map[string]hmacReloader{}
	for _, h := range []*lab.Host{l.Host("a"), l.Host("b")} {
		if (h.Name == "a") == (dir == "gk-master") {
			ds[h.Name] = newGK(t, h, conf(h.Name).String())
		} else {
			k := newKA(t, h, conf(h.Name).String())
			k.bin = hmacKA243
			ds[h.Name] = k
		}
	}
	p.master, p.backup = ds["a"], ds["b"]
	p.master.start(t)
	waitPlacement(t, 30*time.Second, map[netip.Addr]string{vip: "a"}, l.Host("a"), l.Host("b"))
	p.backup.start(t)
	p.backup.waitBackup(t, 30*time.Second)
	p.settled = time.Now()
	return p
}

// checkOneMaster fails t if, since the pair settled, anyone but the
// master sent an advert of the VRID (a backup that turns master, even
// for one advert, sends one) or the master stopped advertising for more
// than 2.5 intervals.
func (p *hmacPair) checkOneMaster(t *testing.T, what string) {
	t.Helper()
	src := ioHostIP("a")
	last := p.settled
	for _, ad := range p.capt.adverts() {
		if ad.VRID() != p.vrid || ad.At.Before(p.settled) || !ad.Src.Is4() {
			continue
		}
		if ad.Src != src {
			t.Fatalf("%s: a second master: %v at %s", what, ad, ad.At.Format("15:04:05.000"))
		}
		if gap := ad.At.Sub(last); gap > 2500*time.Millisecond {
			t.Fatalf("%s: the master was silent for %s before %s", what, gap, ad.At.Format("15:04:05.000"))
		}
		last = ad.At
	}
	if gap := time.Since(last); gap > 2500*time.Millisecond {
		t.Fatalf("%s: the master has been silent for %s", what, gap)
	}
}

// lastTrailer is the key id of the master's last advert's auth_hmac
// trailer, -1 for an advert without one.
func (p *hmacPair) lastTrailer(t *testing.T) int {
	t.Helper()
	ads := p.capt.adverts()
	for i := len(ads) - 1; i >= 0; i-- {
		if ads[i].VRID() == p.vrid && ads[i].Src == ioHostIP("a") {
			_, tr := vrrp.SplitHMAC(ads[i].Payload, vrrp.IPv4)
			if tr == nil {
				return -1
			}
			return int(tr[1])
		}
	}
	t.Fatal("no advert from the master")
	return 0
}

// hmacStep is one reload of one node: "master" or "backup", its new
// auth_hmac lines (nil: none), and the trailer key id the master's
// adverts carry afterwards (-1: none).
type hmacStep struct {
	node  string
	hmac  []string
	wants int
}

// runHMACSteps applies steps one node at a time, each followed by three
// advert intervals, checking after each that there was never a second
// master, which key the master signs with, and that neither side refused
// an advert.
func runHMACSteps(t *testing.T, p *hmacPair, conf func(host string, hmac []string) ioConf, steps []hmacStep) {
	t.Helper()
	for i, s := range steps {
		d, host := p.master, "a"
		if s.node == "backup" {
			d, host = p.backup, "b"
		}
		d.reload(t, conf(host, s.hmac).String())
		time.Sleep(3 * time.Second)
		what := sprintf("step %d (%s %s %q)", i+1, s.node, d.kind(), s.hmac)
		p.checkOneMaster(t, what)
		if got := p.lastTrailer(t); got != s.wants {
			t.Fatalf("%s: the master's adverts carry trailer key %d, want %d", what, got, s.wants)
		}
		// A refused advert is one the backup did not hear: held for a
		// Master_Down_Interval, it would make a second master.
		for _, d := range []vrrpDaemon{p.master, p.backup} {
			if errs := d.packetErrors(t); len(errs) > 0 {
				t.Fatalf("%s: %s on %s refused adverts:\n%s", what, d.kind(), d.host().Name, strings.Join(errs, "\n"))
			}
		}
	}
}

// needKA243 skips t without root, the installed keepalived (the
// interop helpers) or keepalived 2.4.3.
func needKA243(t *testing.T) {
	t.Helper()
	needKeepalived(t)
	if _, err := os.Stat(hmacKA243); err != nil {
		t.Skipf("keepalived 2.4.3 is not at %s: %v", hmacKA243, err)
	}
}

// hmacBothWays runs run in parallel with gokeepalived as the master
// ("gk-master") and as the backup ("gk-backup").
func hmacBothWays(t *testing.T, run func(t *testing.T, dir string)) {
	for _, dir := range ioDirections {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			run(t, dir)
		})
	}
}

var hmacKeyLines = []string{"key 1 hex:" + hex.EncodeToString(hmacKeys[0].Key), "key 7 " + string(hmacKeys[1].Key)}

// TestInteropHMACRotation243: keys 1 → 7 rotated by reloads on a unicast
// VRRPv3 pair, gokeepalived and keepalived 2.4.3 both ways round: key 7
// added on the backup, then the master; made active on the backup, then
// the master (whose adverts then carry key 7); key 1 removed on the
// backup, then the master. The master never changes and nothing is
// refused.
func TestInteropHMACRotation243(t *testing.T) {
	t.Parallel() // its own lab; overlaps with the other labs
	needKA243(t)
	vip := netip.MustParseAddr("192.168.1.106")
	conf := func(h string, lines []string) ioConf {
		c := ioUnicast(ioOneInst("VI_ROT", 106, "1", 3, "", vip.String()))(h)
		c.Insts[0].HMAC = lines
		return c
	}
	k1, both, k7 := hmacKeyLines[:1], hmacKeyLines, hmacKeyLines[1:]
	with := func(keys []string, active string) []string {
		return append(append([]string{}, keys...), "active_key "+active)
	}
	steps := []hmacStep{
		{"backup", with(both, "1"), 1}, {"master", with(both, "1"), 1},
		{"backup", with(both, "7"), 1}, {"master", with(both, "7"), 7},
		{"backup", with(k7, "7"), 7}, {"master", with(k7, "7"), 7},
	}
	hmacBothWays(t, func(t *testing.T, dir string) {
		p := startHMACPair(t, dir, func(h string) ioConf { return conf(h, with(k1, "1")) }, vip)
		runHMACSteps(t, p, conf, steps)
	})
}

// TestInteropHMACMigration243: a multicast VRRPv2 pair without auth_hmac
// moves to it by reloads, one node at a time, gokeepalived and
// keepalived 2.4.3 both ways round: receive-only on the backup, then the
// master; permissive on the backup, then the master (whose adverts are
// then signed); enforce on the backup, then the master. The master never
// changes and nothing is refused.
func TestInteropHMACMigration243(t *testing.T) {
	t.Parallel() // its own lab; overlaps with the other labs
	needKA243(t)
	vip := netip.MustParseAddr("192.168.1.107")
	conf := func(h string, lines []string) ioConf {
		c := ioOneInst("VI_MIG", 107, "1", 2, "", vip.String())(h)
		c.Insts[0].HMAC = lines
		return c
	}
	mode := func(m string) []string { return []string{hmacKeyLines[0], "active_key 1", "mode " + m} }
	steps := []hmacStep{
		{"backup", mode("receive-only"), -1}, {"master", mode("receive-only"), -1},
		{"backup", mode("permissive"), -1}, {"master", mode("permissive"), 1},
		{"backup", mode("enforce"), 1}, {"master", mode("enforce"), 1},
	}
	hmacBothWays(t, func(t *testing.T, dir string) {
		p := startHMACPair(t, dir, func(h string) ioConf { return conf(h, nil) }, vip)
		runHMACSteps(t, p, conf, steps)
	})
}

// TestInteropHMACForgery243: a multicast VRRPv3 enforce pair, both ways
// round; from the master's host (its source address, TTL 255, not looped
// back to it) the backup is sent the master's last advert again, one with
// a bit of its priority flipped, one signed with unknown key 9, and an
// advert captured earlier once it is past the time window. The backup,
// gokeepalived or keepalived 2.4.3, refuses each, counts it once under
// its auth_ext_* name (our status, 2.4.3's stats dump) and logs it, and
// stays backup.
func TestInteropHMACForgery243(t *testing.T) {
	t.Parallel() // its own lab; overlaps with the other labs
	needKA243(t)
	vip := netip.MustParseAddr("192.168.1.108")
	conf := ioHMAC(ioOneInst("VI_FORGE", 108, "1", 3, "", vip.String()))
	hmacBothWays(t, func(t *testing.T, dir string) {
		p := startHMACPair(t, dir, conf, vip)
		f := newFlooder(t, p.l.Host("a"))
		if err := f.pc.SetMulticastLoopback(false); err != nil {
			t.Fatal(err)
		}
		send := func(b []byte) {
			if f.flood(t, b, 255, 1, time.Second) != 1 {
				t.Fatal("forged advert not sent")
			}
		}
		// Two adverts the running backup has heard (a daemon that has
		// heard nothing from a sender takes any fresh advert of it).
		var ads []ioAdvert
		eventually(t, 10*time.Second, "two adverts of the master to the backup", func() (bool, string) {
			ads = ads[:0]
			for _, ad := range p.capt.adverts() {
				if ad.VRID() == p.vrid && ad.Src == ioHostIP("a") && ad.Priority() == 100 && ad.At.After(p.settled) {
					ads = append(ads, ad)
				}
			}
			return len(ads) >= 2, sprintf("%d", len(ads))
		})
		time.Sleep(100 * time.Millisecond) // the backup's turn to read the last one
		first, last := ads[0].Payload, ads[len(ads)-1].Payload
		send(last) // seen already: a replay
		flipped := bytes.Clone(last)
		flipped[2] ^= 0x01
		send(flipped)
		msg, _ := vrrp.SplitHMAC(last, vrrp.IPv4)
		unknown := &vrrp.HMAC{Keys: []vrrp.HMACKey{{ID: 9, Key: hmacKeys[0].Key}}, Active: 9, Window: 5}
		send(unknown.Sign(bytes.Clone(msg), len(msg), vrrp.IPv4, ioHostIP("a"), time.Now()))
		var tr vrrp.HMACTrailer
		_, raw := vrrp.SplitHMAC(first, vrrp.IPv4)
		if err := vrrp.ParseHMACTrailer(raw, &tr); err != nil {
			t.Fatal(err)
		}
		if wait := time.Until(time.Unix(int64(tr.Seq.Sec())+5+2, 0)); wait > 0 { // window 5 s
			time.Sleep(wait)
		}
		send(first)
		time.Sleep(2 * time.Second)

		want := map[string]uint64{"auth_ext_missing": 0, "auth_ext_malformed": 0, "auth_ext_unknown_key": 1,
			"auth_ext_invalid_hmac": 1, "auth_ext_stale": 1, "auth_ext_replay": 1}
		var got map[string]uint64
		var log string
		switch b := p.backup.(type) {
		case *gkDaemon:
			got, log = b.authExt(t, "VI_FORGE"), b.n.proc.Output()
		case *kaDaemon:
			got, log = b.authExt(t), b.log()
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s on b: %s = %d, want %d (all: %v)", p.backup.kind(), k, got[k], n, got)
			}
		}
		// Both daemons word the refusals alike (keepalived 2.4.3's lines).
		for _, re := range []string{`\(VI_FORGE\) replayed authentication trailer from 192\.168\.1\.2`,
			`\(VI_FORGE\) invalid authentication HMAC from 192\.168\.1\.2`,
			`\(VI_FORGE\) unknown authentication key id 9 from 192\.168\.1\.2`,
			`\(VI_FORGE\) stale authentication trailer from 192\.168\.1\.2, clock skew \d+ sec exceeds window 5 sec`} {
			if !regexp.MustCompile(re).MatchString(log) {
				t.Errorf("%s on b logged no line matching %s", p.backup.kind(), re)
			}
		}
		p.checkOneMaster(t, "after the forgeries")
	})
}

// TestInteropVIPMismatch243 pins a difference listed in docs/interop.md
// (keepalived 2.2.7 → 2.4.3): since 2.3.3 keepalived follows a master
// whose advert lists other VIPs than its own (it only warns), while
// gokeepalived refuses such an advert as 2.2.7 does (addr_list_err) and
// becomes master too. VRRPv3 multicast, a with 192.168.1.110, b with .111.
func TestInteropVIPMismatch243(t *testing.T) {
	t.Parallel() // its own lab; overlaps with the other labs
	needKA243(t)
	vip := netip.MustParseAddr("192.168.1.110")
	conf := func(h string) ioConf {
		c := ioOneInst("VI_VIPS", 110, "1", 3, "", vip.String())(h)
		if h == "b" {
			c.Insts[0].VIPs = []string{"192.168.1.111"}
		}
		return c
	}
	hmacBothWays(t, func(t *testing.T, dir string) {
		p := startHMACPair(t, dir, conf, vip)
		switch b := p.backup.(type) {
		case *kaDaemon: // follows: no advert from b, a warning about the VIP
			time.Sleep(6 * time.Second) // past its Master_Down_Interval
			p.checkOneMaster(t, "keepalived 2.4.3 as backup")
			if !strings.Contains(b.log(), "(VI_VIPS) ip address associated with VRID 110 not present in advert from 192.168.1.2") {
				t.Errorf("keepalived 2.4.3 did not warn about the VIP list:\n%s", tail(b.log(), 10))
			}
		case *gkDaemon: // refuses and takes over
			eventually(t, 15*time.Second, "gokeepalived on b master", func() (bool, string) {
				for _, ad := range p.capt.adverts() {
					if ad.VRID() == 110 && ad.Src == ioHostIP("b") && ad.Priority() == 90 {
						return true, ""
					}
				}
				return false, ""
			})
			if n := b.stats(t, "VI_VIPS").AddrListErr; n == 0 {
				t.Error("gokeepalived followed a master with other VIPs without counting addr_list_err")
			}
		}
	})
}
