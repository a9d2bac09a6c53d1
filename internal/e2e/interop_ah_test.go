package e2e

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	ivipAH  = netip.MustParseAddr("192.168.1.31")
	ivipUAH = netip.MustParseAddr("192.168.1.32")
)

// ioAH turns f's instances into auth_type AH ones (their auth_pass kept).
func ioAH(f func(string) ioConf) func(string) ioConf {
	return func(h string) ioConf {
		c := f(h)
		for i := range c.Insts {
			c.Insts[i].Auth = "AH"
		}
		return c
	}
}

// ahModes are VRRPv2 with auth_type AH (IPsec AH, HMAC-MD5-96), in
// multicast (TTL covered by the ICV) and unicast (TTL left out).
var ahModes = []interopMode{
	{name: "v2-ah", conf: ioAH(ioOneInst("VI_AH", 88, "1", 0, "1234", "192.168.1.31")),
		want: map[netip.Addr]string{ivipAH: "a"}, interval: time.Second, master: "a", takeoverDrops: true},
	{name: "unicast-v2-ah", conf: ioAH(ioUnicast(ioOneInst("VI_UAH", 89, "1", 0, "1234", "192.168.1.32"))),
		want: map[netip.Addr]string{ivipUAH: "a"}, interval: time.Second, master: "a", takeoverDrops: true},
}

// TestInteropAH: gokeepalived and keepalived 2.2.7 share an auth_type AH
// virtual router both ways round (and gokeepalived with itself): the
// election picks the higher priority, SIGTERM and SIGKILL + link down of
// the master move the VIP to the other and its return takes it back —
// across the restarted router's sequence counter starting again at 0 —
// and neither keepalived's detailed log nor our counters show an AH,
// auth or other receive error, bar at most two adverts crossing in a
// takeover window (ahTakeoverDrops says why and how that is bounded).
// Every advert on the wire carries AH, and both daemons send the same
// VRRP message and AH header (bar sequence number and ICV) for the same
// configuration.
func TestInteropAH(t *testing.T) {
	needKeepalived(t)
	ioRunModes(t, ahModes, append(ioDirections, "gk-both"), func(t *testing.T, w map[string]string) {
		senders := map[string]bool{}
		for k, v := range w {
			if !strings.Contains(v, " ah 70 04 00 00 ") {
				t.Errorf("%s: advert without AH (next header 112, length 4): %s", k, v)
			}
			senders[strings.SplitN(k, ">", 2)[0]] = true
		}
		if !senders["192.168.1.2"] || !senders["192.168.1.3"] {
			t.Errorf("adverts from %v, want both routers (each was master once)", senders)
		}
	})
}

// ahTakeoverDrops takes out of errs (d's packet errors) the adverts d
// dropped as AH replays inside a takeover window, after checking them.
//
// Why drops are allowed there: an AH instance has one sequence counter
// for what it sends and what it accepts (RFC 2402 replay protection as
// keepalived applies it: an advert whose number is not above the
// counter is "already processed"). While one router is master only it
// sends, and the backup's counter follows the master's. Around a
// takeover both send for a moment (the preempting router and the master
// it replaces, or a backup whose Master_Down_Interval ran out while the
// master's last advert was in flight): each has just advanced its own
// counter past the other's number, so one of the crossing adverts can be
// refused. keepalived 2.2.7 itself drops such packets then, and so do we;
// under load the moment lasts longer and the drop shows up.
//
// The rule: at most 2 such drops per daemon over the whole run, each
// logged within Master_Down_Interval (3 × advert_int + skew < 1 s) after
// a state change of either router (Entering MASTER/BACKUP STATE or a
// stop), with 1 s of slack for the logs' one-second timestamps. Every
// other drop, and any drop outside a window, stays an error. Our own
// counters do not tell a replay from a bad ICV (keepalived counts both as
// auth_failure), so ours are allowed only when every drop line our log
// has is a replay (the log keeps the first drop of each reason per minute).
func ahTakeoverDrops(t *testing.T, d vrrpDaemon, ds map[string]vrrpDaemon, interval time.Duration, errs []string) []string {
	t.Helper()
	window := 3*interval + time.Second + time.Second // Master_Down_Interval, skew, timestamp slack
	var changes []time.Time
	for _, o := range ds {
		n := len(changes)
		for _, line := range strings.Split(o.log(), "\n") {
			if at, ok := ioLogTime(line); ok && (strings.Contains(line, "Entering MASTER STATE") ||
				strings.Contains(line, "Entering BACKUP STATE") || strings.Contains(line, "Stopping")) {
				changes = append(changes, at)
			}
		}
		if len(changes) == n { // each router changed state: its log's timestamps must read
			t.Errorf("%s on %s: no timestamped state change in its log:\n%s", o.kind(), o.host().Name, tail(o.log(), 20))
		}
	}
	inWindow := func(at time.Time) bool {
		for _, c := range changes {
			if !at.Before(c.Add(-time.Second)) && !at.After(c.Add(window)) {
				return true
			}
		}
		return false
	}
	var replays, others []string
	for _, line := range strings.Split(d.log(), "\n") {
		replay := strings.Contains(line, "IPSEC-AH : sequence number") && strings.Contains(line, "already processed") ||
			strings.Contains(line, "advert dropped") && strings.Contains(line, "reason=ah_replayed_seq")
		switch {
		case replay:
			if at, ok := ioLogTime(line); ok && inWindow(at) {
				replays = append(replays, line)
			} else {
				others = append(others, line)
			}
		case strings.Contains(line, "advert dropped"):
			others = append(others, line)
		}
	}
	if len(replays) == 0 || len(others) > 0 {
		if len(others) > 0 {
			t.Logf("%s on %s: AH drops outside a takeover window: %q (state changes %v)", d.kind(), d.host().Name, others, changes)
		}
		return errs
	}
	var rest []string
	dropped := 0
	for _, e := range errs {
		_, n, isCount := strings.Cut(e, ": auth_failure=")
		switch {
		case d.kind() == "keepalived" && strings.Contains(e, "already processed"):
			dropped++
		case d.kind() == "gokeepalived" && isCount:
			c, _ := strconv.Atoi(n)
			dropped += c
		default:
			rest = append(rest, e)
		}
	}
	if dropped > 2 {
		return errs // more than a takeover explains: all reported
	}
	if dropped > 0 {
		t.Logf("%s on %s: %d AH replay drop(s) inside a takeover window, allowed: %q", d.kind(), d.host().Name, dropped, replays)
	}
	return rest
}

// ioLogTime reads the timestamp both daemons put before a log line
// ("Mon Dec  7 20:14:07 2026: ...").
func ioLogTime(line string) (time.Time, bool) {
	const layout = "Mon Jan _2 15:04:05 2006"
	if len(line) < len(layout)+1 || line[len(layout)] != ':' {
		return time.Time{}, false
	}
	at, err := time.Parse(layout, line[:len(layout)])
	return at, err == nil
}
