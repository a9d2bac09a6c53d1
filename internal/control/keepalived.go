package control

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/runfile"
)

// Paths where keepalived writes its dumps; the daemon writes ours there
// on the same signals.
const (
	DataFile  = "/tmp/keepalived.data"  // SIGUSR1
	StatsFile = "/tmp/keepalived.stats" // SIGUSR2
	JSONFile  = "/tmp/keepalived.json"  // SIGRTMIN+2
)

// DumpFile writes a dump file the way keepalived's are: mode 0600, and
// safely in a shared /tmp: write runs into a new temporary file in the same
// directory, which is then renamed over path, so a symlink planted at path
// is replaced rather than followed and readers never see half a file.
// Typical use, on SIGUSR2:
//
//	control.DumpFile(control.StatsFile, func(w io.Writer) error { return control.WriteStats(w, src.Snapshot()) })
func DumpFile(path string, write func(io.Writer) error) error {
	if err := runfile.Replace(path, 0o600, write); err != nil {
		return fmt.Errorf("dump %s: %w", path, err)
	}
	return nil
}

// WriteStats writes the instances' counters in the format of keepalived's
// /tmp/keepalived.stats (SIGUSR2), byte for byte as keepalived 2.2.7 does.
func WriteStats(w io.Writer, s Snapshot) error {
	bw := bufio.NewWriter(w)
	for _, in := range s.Instances {
		st := in.Stats
		fmt.Fprintf(bw, "VRRP Instance: %s\n", in.Name)
		fmt.Fprintf(bw, "  Advertisements:\n    Received: %d\n    Sent: %d\n", st.AdvertRcvd, st.AdvertSent)
		fmt.Fprintf(bw, "  Became master: %d\n  Released master: %d\n", st.BecomeMaster, st.ReleaseMaster)
		fmt.Fprintf(bw, "  Packet Errors:\n    Length: %d\n    TTL: %d\n    Invalid Type: %d\n"+
			"    Advertisement Interval: %d\n    Address List: %d\n",
			st.PacketLenErr, st.IPTTLErr, st.InvalidTypeRcvd, st.AdvertIntervalErr, st.AddrListErr)
		fmt.Fprintf(bw, "  Authentication Errors:\n    Invalid Type: %d\n    Type Mismatch: %d\n    Failure: %d\n",
			st.InvalidAuthType, st.AuthTypeMismatch, st.AuthFailure)
		if h := in.AuthHMAC; h != nil { // keepalived 2.4.3's section
			fmt.Fprintf(bw, "  Authentication Extension Errors:\n    Missing: %d\n    Malformed: %d\n    Unknown Key: %d\n"+
				"    Invalid HMAC: %d\n    Stale: %d\n    Replay: %d\n",
				h.Missing, h.Malformed, h.UnknownKey, h.InvalidHMAC, h.Stale, h.Replay)
		}
		fmt.Fprintf(bw, "  Priority Zero:\n    Received: %d\n    Sent: %d\n", st.PriZeroRcvd, st.PriZeroSent)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write stats dump: %w", err)
	}
	return nil
}

// WriteData writes a subset of keepalived's /tmp/keepalived.data (SIGUSR1)
// in its layout: the router id, the VRRP topology (one block per
// instance), the sync groups and the scripts. Every line it writes is a
// line keepalived 2.2.7 writes for the same state; keepalived's internals
// (file descriptors, timers, socket pool, interface table) are left out.
// keepalived documents this format as unstable; prefer the API.
func WriteData(w io.Writer, s Snapshot) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "------< Global definitions >------\n")
	if s.Daemon.RouterID != "" {
		fmt.Fprintf(bw, " Router ID = %s\n", s.Daemon.RouterID)
	}
	fmt.Fprintf(bw, "------< VRRP Topology >------\n")
	for _, in := range s.Instances {
		writeDataInstance(bw, in)
	}
	if len(s.SyncGroups) > 0 {
		fmt.Fprintf(bw, "------< VRRP Sync groups >------\n")
		for _, g := range s.SyncGroups {
			fmt.Fprintf(bw, " VRRP Sync Group = %s, %s\n", g.Name, g.State)
			fmt.Fprintf(bw, "   VRRP member instances :\n")
			for _, m := range g.Members {
				fmt.Fprintf(bw, "     %s\n", m)
			}
		}
	}
	writeDataScripts(bw, s.Trackers)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write data dump: %w", err)
	}
	return nil
}

func writeDataInstance(w io.Writer, in Instance) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "   "+format+"\n", args...) }
	fmt.Fprintf(w, " VRRP Instance = %s\n", in.Name)
	p("VRRP Version = %d", in.Version)
	if in.SyncGroup != "" {
		p("Sync group = %s", in.SyncGroup)
	}
	if in.Family == "inet6" {
		p("Using Native IPv6")
	}
	p("State = %s", in.State)
	backup := in.State == StateBackup
	if backup {
		master := "(none)"
		if in.MasterAddr.IsValid() {
			master = in.MasterAddr.String()
		}
		p("Master router = %s", master)
		p("Master priority = %d", in.MasterPriority)
		if in.Version == 3 {
			p("Master advert int = %.2f sec", in.MasterAdvertInterval.D().Seconds())
		}
	}
	p("Wantstate = %s", in.WantState)
	p("Last transition = %s (%s)", epochMicro(in.LastTransition.At), ctimeMicro(in.LastTransition.At))
	p("Interface = %s", in.Interface)
	if in.SourceAddr.IsValid() {
		p("Using src_ip = %s", in.SourceAddr)
	}
	if in.Family != "inet6" && len(in.UnicastPeers) == 0 {
		p("Multicast address 224.0.0.18")
	}
	g := in.Garp
	p("Gratuitous ARP delay = %d", int64(g.Delay.D()/time.Second))
	p("Gratuitous ARP repeat = %d", g.Repeat)
	p("Gratuitous ARP refresh = %d", int64(g.Refresh.D()/time.Second))
	p("Gratuitous ARP refresh repeat = %d", g.RefreshRepeat)
	p("Gratuitous ARP lower priority delay = %d", int64(g.LowerPrioDelay.D()/time.Second))
	p("Gratuitous ARP lower priority repeat = %d", g.LowerPrioRepeat)
	p("Send advert after receive lower priority advert = %t", !g.LowerPrioNoAdvert)
	p("Send advert after receive higher priority advert = %t", g.HigherPrioAdvert)
	p("Virtual Router ID = %d", in.VRID)
	p("Priority = %d", in.BasePriority)
	p("Effective priority = %d", in.EffectivePriority)
	p("Total priority = %d", in.EffectivePriority)
	p("Advert interval = %s", advertIntervalText(in.Version, in.AdvertInterval))
	if backup && in.Version == 3 {
		p("Master advert interval = %s", advertIntervalText(in.Version, in.MasterAdvertInterval))
	}
	p("Accept = %s", enabled(in.Accept))
	p("Preempt = %s", enabled(!in.Nopreempt))
	if in.PreemptDelay > 0 {
		p("Preempt delay = %d secs", int64(in.PreemptDelay.D()/time.Second))
	}
	p("Promote_secondaries = %s", enabled(in.Flags.PromoteSecondaries))
	switch authTypeCode(in.AuthType) {
	case 1:
		p("Authentication type = SIMPLE_PASSWORD")
		p("Password = %s", in.AuthPass)
	case 2:
		p("Authentication type = IPSEC_AH")
	}
	if h := in.AuthHMAC; h != nil { // keepalived 2.4.3's lines
		p("Authentication extension = HMAC-SHA256-128")
		p("  Keys = %d, active key id = %d", len(h.KeyIDs), h.ActiveKey)
		p("  Mode = %s", h.Mode)
		if h.AntiReplay == "monotonic" {
			p("  Anti replay = monotonic")
		} else {
			p("  Anti replay = time, window = %d sec", h.TimeWindow)
		}
	}
	writeDataVIPs(p, "Virtual IP", in.VIPs, false)
	writeDataVIPs(p, "Virtual IP Excluded", in.VIPs, true)
	var scripts []TrackRef
	for _, t := range in.Tracks {
		if t.Kind == "script" {
			scripts = append(scripts, t)
		}
	}
	if len(scripts) > 0 {
		p("Tracked scripts :")
		for _, t := range scripts {
			p("  %s weight %d", t.Name, t.Weight)
		}
	}
	p("Using smtp notification = %s", yesNo(in.Flags.SMTPAlert))
	deleted := "Fault"
	if in.Flags.NotifyDeleted {
		deleted = "Deleted"
	}
	p("Notify deleted = %s", deleted)
}

func writeDataVIPs(p func(string, ...any), title string, vips []VIP, excluded bool) {
	var list []VIP
	for _, v := range vips {
		if v.Excluded == excluded {
			list = append(list, v)
		}
	}
	if len(list) == 0 {
		return
	}
	p("%s (%d):", title, len(list))
	for _, v := range list {
		p("  %s", keepalivedVIP(v))
	}
}

func writeDataScripts(w io.Writer, trackers []Tracker) {
	first := true
	for _, t := range trackers {
		if t.Kind != "script" {
			continue
		}
		if first {
			fmt.Fprintf(w, "------< VRRP Scripts >------\n")
			first = false
		}
		fmt.Fprintf(w, " VRRP Script = %s\n", t.Name)
		fmt.Fprintf(w, "   Command = '%s'\n", t.Target)
		fmt.Fprintf(w, "   Interval = %d sec\n", int64(t.Interval.D()/time.Second))
		fmt.Fprintf(w, "   Timeout = %d sec\n", int64(t.Timeout.D()/time.Second))
		fmt.Fprintf(w, "   Weight = %d\n", t.Weight)
		fmt.Fprintf(w, "   Rise = %d\n   Fall = %d\n", t.Rise, t.Fall)
		fmt.Fprintf(w, "   Status = %s\n", t.Status)
		fmt.Fprintf(w, "   Tracking instances :\n")
		for _, in := range t.Instances {
			fmt.Fprintf(w, "     %s, weight %d\n", in, t.Weight)
		}
	}
}

// keepalivedVIP formats a VIP as keepalived's format_ipaddress does:
// "ADDR[/LEN] dev IF scope SCOPE[ label L][ preferred_lft forever][ set]".
func keepalivedVIP(v VIP) string {
	scope := v.Scope
	if scope == "" {
		scope = "global"
	}
	s := vipString(v) + " dev " + v.Interface + " scope " + scope
	if v.Label != "" {
		s += " label " + v.Label
	}
	if v.Addr.Addr().Is6() {
		s += " preferred_lft forever"
	}
	if v.Present {
		s += " set"
	}
	return s
}

func advertIntervalText(version int, d Duration) string {
	if version == 3 {
		return strconv.FormatInt(int64(d.D()/time.Millisecond), 10) + " milli-sec"
	}
	return strconv.FormatInt(int64(d.D()/time.Second), 10) + " sec"
}

func enabled(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

// authTypeCode is keepalived's numeric auth_type: 0 none, 1 PASS, 2 AH.
func authTypeCode(t string) int {
	switch t {
	case "PASS":
		return 1
	case "AH":
		return 2
	}
	return 0
}

// epochMicro renders t as seconds since the epoch with six decimals
// (keepalived's "%f" of a timeval); the zero time is 0.000000.
func epochMicro(t time.Time) string {
	if t.IsZero() {
		return "0.000000"
	}
	us := t.UnixMicro()
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// ctimeMicro renders t like ctime(3) with microseconds, in t's location.
func ctimeMicro(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0).UTC()
	}
	return t.Format("Mon Jan _2 15:04:05.000000 2006")
}
