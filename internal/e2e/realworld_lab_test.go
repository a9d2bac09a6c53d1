package e2e

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestRealWorldLabAgrees runs every real-world configuration of
// internal/config/testdata/realworld (issue 20) on a two-node LAN, first
// with keepalived 2.2.7 on both nodes, then with gokeepalived on both, and
// asserts that both runs settle the same way: which node is MASTER of each
// instance, which node holds each VIP and each virtual route, and the
// notify calls each node saw. It prints the agreement table.
//
// The node meant to win ("primary") starts first and settles alone, then
// the other joins: with nopreempt the winner of a simultaneous start would
// depend on a few milliseconds of scheduling, which the two daemons need
// not share.
func TestRealWorldLabAgrees(t *testing.T) {
	needKeepalived(t)
	t.Parallel()
	dir := filepath.Join("..", "config", "testdata", "realworld")
	files, err := filepath.Glob(filepath.Join(dir, "*.conf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no real-world configurations in %s: %v", dir, err)
	}
	var (
		mu   sync.Mutex
		rows []string
	)
	add := func(row string) {
		mu.Lock()
		defer mu.Unlock()
		rows = append(rows, row)
	}
	t.Cleanup(func() {
		sort.Strings(rows)
		ran, skipped, agreed := 0, 0, 0
		for _, r := range rows {
			switch {
			case strings.Contains(r, " skip "):
				skipped++
			case strings.Contains(r, " agree "):
				ran++
				agreed++
			default:
				ran++
			}
		}
		t.Logf("real-world lab agreement (%d files, %d runs: %d run, %d agree, %d skipped):\n%s",
			len(files), len(rows), ran, agreed, skipped, strings.Join(rows, "\n"))
	})
	type run struct{ file, name string }
	var runs []run
	for _, f := range files {
		runs = append(runs, run{f, filepath.Base(f)})
		if rwSrcAsWritten[filepath.Base(f)] {
			runs = append(runs, run{f, filepath.Base(f) + "+src-as-written"})
		}
	}
	for _, r := range runs {
		name := r.name
		t.Run(strings.Replace(name, ".conf", "", 1), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(r.file)
			if err != nil {
				t.Fatal(err)
			}
			pair, why := rwAdapt(name, string(raw))
			if why != "" {
				t.Logf("skip: %s", why)
				add(fmt.Sprintf("%-32s skip  %s", name, why))
				return
			}
			ka := rwRun(t, pair, func(h *lab.Host, conf string) vrrpDaemon { return newKA(t, h, conf) })
			gk := rwRun(t, pair, func(h *lab.Host, conf string) vrrpDaemon { return newGK(t, h, conf) })
			if d := ka.diff(gk); d != "" {
				add(fmt.Sprintf("%-32s DIFFER %s", name, d))
				t.Errorf("keepalived and gokeepalived settle differently (%s):\nkeepalived:   %s\ngokeepalived: %s", d, ka, gk)
				return
			}
			add(fmt.Sprintf("%-32s agree  %s", name, ka.summary()))
			t.Logf("both: %s", ka)
		})
	}
}

// rwSrcAsWritten names the corpus files that also run with the primary's
// unicast_src_ip left as the file writes it, no address of the lab's node
// (as when one node's file is copied to the other unchanged): keepalived
// cannot bind to it and keeps the instance in FAULT, so the peer is
// MASTER.
var rwSrcAsWritten = map[string]bool{"hetzner-floating-ip.conf": true}

// rwPair is a real-world configuration made runnable on the lab: the
// configuration of the node meant to end up MASTER (primary) and of the
// other one, and how long an election may take.
type rwPair struct {
	primary, other string
	// settle is how long a node's state must stay unchanged to count as
	// settled: four advert intervals (a BACKUP's master-down timer is at
	// most that) and a second.
	settle time.Duration
	// delay is vrrp_startup_delay.
	delay time.Duration
}

// rwPeerSwap names the corpus files that are the secondary's side, so
// that the derived peer is the primary (their comments say so).
var rwPeerSwap = map[string]bool{"pihole-secondary-notify.conf": true}

var (
	rwInterfaceRe = regexp.MustCompile(`(?m)^\s*interface\s+"?([\w.-]+)"?`)
	rwIfnameRe    = regexp.MustCompile(`\b(eth[0-9]+|ens[0-9]+|enp[0-9a-z]+|vmbr[0-9]+|br-ctlplane)\b`)
	rwSrcRe       = regexp.MustCompile(`(?m)^(\s*)(unicast_src_ip|mcast_src_ip)\s+"?([0-9a-fA-F:.]+)(/\d+)?"?`)
	rwPeerRe      = regexp.MustCompile(`(?s)unicast_peer\s*\{\s*"?([0-9a-fA-F:.]+)(/\d+)?[^}]*\}`)
	rwScriptRe    = regexp.MustCompile(`(?m)^(\s*)(script|notify|notify_master|notify_backup|notify_fault|notify_stop)\s+(?:"([^"]*)"|'([^']*)'|(\S.*))$`)
	rwDropRe      = regexp.MustCompile(`(?m)^\s*(enable_script_security|log_file)\b.*$`)
	rwPriorityRe  = regexp.MustCompile(`(?m)^(\s*)priority\s+(\d+)`)
	rwStateRe     = regexp.MustCompile(`(?m)^(\s*)state\s+"?(MASTER|BACKUP)"?`)
	rwAdvertRe    = regexp.MustCompile(`(?m)^\s*advert_int\s+(\d+)`)
	rwDelayRe     = regexp.MustCompile(`(?m)^\s*vrrp_startup_delay\s+(\d+)`)
)

// rwAdapt rewrites a corpus file for the lab, mechanically, or says why it
// cannot run there. The rewrite changes only what the lab needs:
//   - every interface name (eth0..., ens192, enp0s1, vmbr0, br-ctlplane) is
//     the lab's eth1, the one LAN the two nodes share; a file whose
//     instances sit on more than one interface cannot run there and is
//     skipped;
//   - unicast_src_ip and mcast_src_ip are the node's own lab address, and
//     unicast_peer lists the other node only, of the same family as the
//     first peer written, with the file's "/len" suffix kept;
//   - every script and notify command runs a stub in the node's folder
//     (@DIR@) with the command's arguments: checks exit 0, notify scripts
//     append their arguments to @DIR@/notify.log;
//   - enable_script_security goes (the stubs live under /tmp, which the
//     check would refuse), and so does log_file (the lab reads the logs
//     from the daemons' output).
//
// The other node's file is the same with priority lowered by 10 and state
// BACKUP, or, for the secondary's side (rwPeerSwap), priority raised by
// 10 and state MASTER.
func rwAdapt(name, conf string) (rwPair, string) {
	ifs := map[string]bool{}
	for _, m := range rwInterfaceRe.FindAllStringSubmatch(conf, -1) {
		ifs[m[1]] = true
	}
	switch {
	case len(ifs) == 0:
		return rwPair{}, "no vrrp_instance interface"
	case len(ifs) > 1:
		return rwPair{}, fmt.Sprintf("instances on %d interfaces; the lab has one LAN", len(ifs))
	}
	conf = rwIfnameRe.ReplaceAllString(conf, "eth1")
	conf = rwDropRe.ReplaceAllString(conf, "")
	conf = rwScriptRe.ReplaceAllStringFunc(conf, func(line string) string {
		m := rwScriptRe.FindStringSubmatch(line)
		cmd := strings.Fields(m[3] + m[4] + m[5])
		if len(cmd) == 0 {
			return line
		}
		stub := "@DIR@/check.sh"
		if strings.HasPrefix(m[2], "notify") {
			stub = "@DIR@/notify.sh"
		}
		return fmt.Sprintf(`%s%s "%s"`, m[1], m[2], strings.Join(append([]string{stub}, cmd[1:]...), " "))
	})
	file, asWritten := strings.CutSuffix(name, "+src-as-written")
	hostA, hostB := lab.Hosts("a", "b")[0], lab.Hosts("a", "b")[1]
	side := func(conf string, self, peer lab.HostSpec) string {
		addr := func(h lab.HostSpec, like string) string {
			v6 := strings.Contains(like, ":")
			for _, p := range h.Addrs {
				if p.Addr().Is6() == v6 && !p.Addr().IsLinkLocalUnicast() {
					return p.Addr().String()
				}
			}
			return like
		}
		c := rwSrcRe.ReplaceAllStringFunc(conf, func(s string) string {
			m := rwSrcRe.FindStringSubmatch(s)
			if asWritten && self.Name == hostA.Name {
				return s
			}
			return m[1] + m[2] + " " + addr(self, m[3]) + m[4]
		})
		return rwPeerRe.ReplaceAllStringFunc(c, func(s string) string {
			m := rwPeerRe.FindStringSubmatch(s)
			return "unicast_peer {\n        " + addr(peer, m[1]) + m[2] + "\n    }"
		})
	}
	delta, state := -10, "BACKUP"
	if rwPeerSwap[file] {
		delta, state = 10, "MASTER"
	}
	peer := rwPriorityRe.ReplaceAllStringFunc(conf, func(s string) string {
		m := rwPriorityRe.FindStringSubmatch(s)
		p, _ := strconv.Atoi(m[2])
		return fmt.Sprintf("%spriority %d", m[1], max(1, p+delta)) // 0 is no priority
	})
	peer = rwStateRe.ReplaceAllString(peer, "${1}state "+state)
	if rwPeerSwap[file] {
		conf, peer = peer, conf
	}
	pair := rwPair{primary: side(conf, hostA, hostB), other: side(peer, hostB, hostA), settle: time.Second}
	advert := 1
	for _, m := range rwAdvertRe.FindAllStringSubmatch(conf, -1) {
		n, _ := strconv.Atoi(m[1])
		advert = max(advert, n)
	}
	pair.settle += 4 * time.Duration(advert) * time.Second
	if m := rwDelayRe.FindStringSubmatch(conf); m != nil {
		n, _ := strconv.Atoi(m[1])
		pair.delay = time.Duration(n) * time.Second
	}
	return pair, ""
}

// rwObs is what one run settled to.
type rwObs struct {
	masters map[string]string   // instance: nodes in MASTER ("a", "a+b", "-")
	vips    map[string]string   // address: nodes holding it
	routes  map[string]string   // route: nodes holding it
	notify  map[string][]string // node: notify calls, in order
}

func (o rwObs) String() string {
	return fmt.Sprintf("masters %v vips %v routes %v notify %q", o.masters, o.vips, o.routes, o.notify)
}

// summary is the short form for the table.
func (o rwObs) summary() string {
	n := 0
	for _, calls := range o.notify {
		n += len(calls)
	}
	return fmt.Sprintf("master %v, %d VIPs, %d routes, %d notify calls", o.masters, len(o.vips), len(o.routes), n)
}

// diff names the parts of o and p that differ, "" when none.
func (o rwObs) diff(p rwObs) string {
	var d []string
	eq := func(x, y map[string]string) bool { return fmt.Sprint(x) == fmt.Sprint(y) }
	if !eq(o.masters, p.masters) {
		d = append(d, "master")
	}
	if !eq(o.vips, p.vips) {
		d = append(d, "VIPs")
	}
	if !eq(o.routes, p.routes) {
		d = append(d, "routes")
	}
	if fmt.Sprint(o.notify) != fmt.Sprint(p.notify) {
		d = append(d, "notify")
	}
	return strings.Join(d, ",")
}

// rwRun starts pair on a fresh two-node lab with the daemons mk makes:
// the primary alone until it settles, then the other, and returns what
// the lab settled to.
func rwRun(t *testing.T, pair rwPair, mk func(*lab.Host, string) vrrpDaemon) rwObs {
	t.Helper()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a", "b")})
	hosts := l.Hosts()
	ds := []vrrpDaemon{mk(hosts[0], pair.primary), mk(hosts[1], pair.other)}
	rwStubs(t, ds...)
	var obs rwObs
	limit := pair.delay + 3*pair.settle + 10*time.Second
	for i := range ds {
		ds[i].start(t)
		obs = rwSettle(t, ds[:i+1], pair.settle, time.Now().Add(pair.delay), limit)
	}
	for _, d := range ds {
		if rwRunning(d) {
			d.stop(t)
		}
	}
	return obs
}

// rwStubs writes the script stubs into the folders of ds: check.sh exits
// 0, notify.sh appends its arguments to notify.log.
func rwStubs(t *testing.T, ds ...vrrpDaemon) {
	t.Helper()
	for _, d := range ds {
		dir := rwDir(d)
		for file, body := range map[string]string{
			"check.sh":  "#!/bin/sh\nexit 0\n",
			"notify.sh": "#!/bin/sh\necho \"$* ($(id -un))\" >>\"$(dirname \"$0\")/notify.log\"\n",
		} {
			if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// rwDir is the daemon's folder, the @DIR@ of its configuration.
func rwDir(d vrrpDaemon) string {
	switch d := d.(type) {
	case *gkDaemon:
		return d.n.dir
	case *kaDaemon:
		return d.dir
	}
	panic("unknown daemon")
}

// rwRunning reports whether d's process is still running.
func rwRunning(d vrrpDaemon) bool {
	var done <-chan struct{}
	switch d := d.(type) {
	case *gkDaemon:
		done = d.n.proc.Done()
	case *kaDaemon:
		done = d.proc.Done()
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// rwSettle polls the lab until its observation has stayed the same for
// settle, with every running daemon's instances out of INIT, and for
// settle after delayEnd (the end of vrrp_startup_delay, when the
// instances begin to run), and returns it; it fails t after limit.
func rwSettle(t *testing.T, ds []vrrpDaemon, settle time.Duration, delayEnd time.Time, limit time.Duration) rwObs {
	t.Helper()
	deadline := time.Now().Add(limit)
	var last string
	var since time.Time
	for {
		obs, ready := rwObserve(t, ds)
		if s := obs.String(); s != last || !ready {
			last, since = s, time.Now()
		} else if time.Since(since) >= settle && time.Since(delayEnd) >= settle {
			return obs
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled within %s; last: %s", limit, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// rwObserve reads states, addresses, routes and notify logs of the nodes
// of ds; ready is false while a running daemon has an instance in no
// state yet or in INIT.
func rwObserve(t *testing.T, ds []vrrpDaemon) (rwObs, bool) {
	t.Helper()
	obs := rwObs{masters: map[string]string{}, vips: map[string]string{}, routes: map[string]string{}, notify: map[string][]string{}}
	ready := true
	join := func(m map[string]string, k, node string) {
		if m[k] == "" || m[k] == "-" {
			m[k] = node
		} else {
			m[k] += "+" + node
		}
	}
	for _, d := range ds {
		h := d.host()
		if rwRunning(d) {
			states := daemonStates(t, d)
			if len(states) == 0 {
				ready = false
			}
			for inst, st := range states {
				if st == "INIT" || st == "UNKNOWN" {
					ready = false
				}
				if _, ok := obs.masters[inst]; !ok {
					obs.masters[inst] = "-"
				}
				if st == "MASTER" {
					join(obs.masters, inst, h.Name)
				}
			}
		}
		for _, p := range rwVIPs(t, h) {
			join(obs.vips, p, h.Name)
		}
		for _, r := range rwRoutes(t, h) {
			join(obs.routes, r, h.Name)
		}
		if b, err := os.ReadFile(filepath.Join(rwDir(d), "notify.log")); err == nil {
			obs.notify[h.Name] = rwNotifyCalls(string(b))
		}
	}
	return obs, ready
}

// rwVIPs lists the addresses on every interface of h but the lab's own,
// loopback and the link-local ones the kernel derived from an interface's
// MAC (the LAN's, a VMAC's).
func rwVIPs(t *testing.T, h *lab.Host) []string {
	t.Helper()
	ps, err := h.AllAddrs(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", h.Name, err)
	}
	links, err := h.Exec(context.Background(), "ip", "-o", "link", "show")
	if err != nil {
		t.Fatalf("%s: ip link: %v: %s", h.Name, err, links)
	}
	eui := map[netip.Addr]bool{}
	for _, m := range regexp.MustCompile(`link/ether ([0-9a-f:]{17})`).FindAllStringSubmatch(links, -1) {
		if mac, err := net.ParseMAC(m[1]); err == nil {
			eui[netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 8: mac[0] ^ 2, 9: mac[1], 10: mac[2], 11: 0xff, 12: 0xfe, 13: mac[3], 14: mac[4], 15: mac[5]})] = true
		}
	}
	var vips []string
	for _, p := range ps {
		if !slices.Contains(h.Spec().Addrs, p) && !p.Addr().IsLoopback() && !eui[p.Addr()] {
			vips = append(vips, p.String())
		}
	}
	return vips
}

// rwRoutes lists h's routes that neither the kernel nor the lab made,
// as type, destination and table ("blackhole 203.0.113.128/26",
// "default table 120").
func rwRoutes(t *testing.T, h *lab.Host) []string {
	t.Helper()
	var routes []string
	for _, fam := range []string{"-4", "-6"} {
		out, err := h.Exec(context.Background(), "ip", fam, "-o", "route", "show", "table", "all")
		if err != nil {
			t.Fatalf("%s: ip route: %v: %s", h.Name, err, out)
		}
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) == 0 || slices.Contains(f, "kernel") || slices.Contains([]string{"local", "broadcast", "multicast", "anycast"}, f[0]) {
				continue
			}
			key := []string{f[0]}
			if slices.Contains([]string{"blackhole", "unreachable", "prohibit", "throw"}, f[0]) && len(f) > 1 {
				key = append(key, f[1])
			}
			if i := slices.Index(f, "table"); i >= 0 && i+1 < len(f) {
				if f[i+1] == "local" {
					continue
				}
				key = append(key, "table", f[i+1])
			}
			routes = append(routes, strings.Join(key, " "))
		}
	}
	return routes
}

// rwNotifyCalls splits a notify log into calls, in order for each
// instance (or script, for notify_master and friends with their own
// arguments), the instances one after the other: two instances changing
// state together run their scripts as concurrent processes, whose appends
// race in either daemon. A FAULT call repeated at once counts once:
// keepalived 2.2.7 runs the FAULT notify twice when it cannot bind an
// instance's unicast source at start (once where the bind fails, once
// entering FAULT), gokeepalived once (docs/deviations.md).
func rwNotifyCalls(log string) []string {
	var calls []string
	for _, c := range strings.Split(strings.TrimSpace(log), "\n") {
		if n := len(calls); n > 0 && calls[n-1] == c && strings.Contains(c, " FAULT ") {
			continue
		}
		calls = append(calls, c)
	}
	key := func(c string) string {
		f := strings.Fields(c)
		switch {
		case len(f) >= 2 && (f[0] == "INSTANCE" || f[0] == "GROUP"):
			return f[0] + " " + f[1]
		case len(f) > 0:
			return f[0]
		}
		return ""
	}
	slices.SortStableFunc(calls, func(a, b string) int { return strings.Compare(key(a), key(b)) })
	return calls
}
