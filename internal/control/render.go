package control

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Marks for a VIP in the status table.
const (
	markPresent = "✓"
	markAbsent  = "✗"
)

// RenderTable writes the snapshot as the aligned tables `gokeepalived
// status` prints: instances, then sync groups and trackers when there are
// any, then the configuration line. Ages are relative to now.
func RenderTable(w io.Writer, s Snapshot, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTANCE\tSTATE\tPRIO BASE/EFF\tVRID\tINTERFACE\tMASTER\tVIPS\tLAST TRANSITION")
	for _, in := range s.Instances {
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%d\t%s\t%s\t%s\t%s\n",
			in.Name, in.State, in.BasePriority, in.EffectivePriority, in.VRID,
			in.Interface, masterCell(in), vipsCell(in.VIPs), transitionCell(in.LastTransition, now))
	}
	if len(s.Instances) == 0 {
		fmt.Fprintln(tw, "(no instances)")
	}
	if len(s.SyncGroups) > 0 {
		fmt.Fprintln(tw)
		fmt.Fprintln(tw, "SYNC GROUP\tSTATE\tMEMBERS")
		for _, g := range s.SyncGroups {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", g.Name, g.State, strings.Join(g.Members, ", "))
		}
	}
	if len(s.Trackers) > 0 {
		fmt.Fprintln(tw)
		fmt.Fprintln(tw, "TRACKER\tKIND\tSTATUS\tWEIGHT\tLAST RUN\tINSTANCES")
		for _, t := range s.Trackers {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", t.Name, t.Kind, t.Status, t.Weight,
				lastRunCell(t, now), orDash(strings.Join(t.Instances, ", ")))
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write status table: %w", err)
	}
	for _, t := range s.Trackers {
		if t.LastError != "" {
			fmt.Fprintf(w, "tracker %s: %s\n", t.Name, t.LastError)
		}
	}
	if err := renderLVS(w, s.LVS, now); err != nil { // lvs.go
		return err
	}
	renderBGP(w, s.BGP, now) // bgp.go
	_, err := io.WriteString(w, configLine(s.Config, now))
	return err
}

func masterCell(in Instance) string {
	if in.State == StateMaster {
		return "self"
	}
	if !in.MasterAddr.IsValid() {
		return "-"
	}
	return in.MasterAddr.String()
}

func vipsCell(vips []VIP) string {
	if len(vips) == 0 {
		return "-"
	}
	parts := make([]string, len(vips))
	for i, v := range vips {
		mark := markAbsent
		if v.Present {
			mark = markPresent
		}
		parts[i] = mark + vipString(v)
	}
	return strings.Join(parts, " ")
}

// vipString is the address, with its prefix length unless it is a host
// address.
func vipString(v VIP) string {
	if !v.Addr.IsValid() {
		return "?"
	}
	if v.Addr.Bits() == v.Addr.Addr().BitLen() {
		return v.Addr.Addr().String()
	}
	return v.Addr.String()
}

func transitionCell(t Transition, now time.Time) string {
	if t.At.IsZero() {
		return "-"
	}
	s := fmt.Sprintf("%s %s ago", t.To, Age(now.Sub(t.At)))
	if t.Cause != "" {
		s += " (" + t.Cause + ")"
	}
	return s
}

func lastRunCell(t Tracker, now time.Time) string {
	if t.LastRun.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s ago, exit %d", Age(now.Sub(t.LastRun)), t.LastExitCode)
}

func configLine(c ConfigStatus, now time.Time) string {
	var b strings.Builder
	b.WriteString("\nconfig " + orDash(c.File))
	if !c.LoadedAt.IsZero() {
		b.WriteString(", loaded " + Age(now.Sub(c.LoadedAt)) + " ago")
	}
	b.WriteString("\n")
	if c.LastReloadError != "" {
		when := ""
		if !c.LastReloadAt.IsZero() {
			when = " " + Age(now.Sub(c.LastReloadAt)) + " ago"
		}
		fmt.Fprintf(&b, "last reload FAILED%s, still running the previous configuration: %s\n", when, c.LastReloadError)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Age renders a duration the way people read ages: "42s", "12m", "3h4m",
// "2d3h". Negative durations (clock steps) render as "0s".
func Age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + "m"
	case s < 86400:
		return fmt.Sprintf("%dh%dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd%dh", s/86400, s%86400/3600)
}

// RenderInstance writes one instance in detail, one field a line.
func RenderInstance(w io.Writer, in Instance, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, args...)...)
	}
	row("Instance", "%s", in.Name)
	row("State", "%s (wanted %s)", in.State, in.WantState)
	row("Interface", "%s, VRID %d, VRRPv%d, %s", in.Interface, in.VRID, in.Version, orDash(in.Family))
	if in.SyncGroup != "" {
		row("Sync group", "%s", in.SyncGroup)
	}
	row("Priority", "%d base, %d effective", in.BasePriority, in.EffectivePriority)
	master := masterCell(in)
	if in.State != StateMaster && in.MasterAddr.IsValid() {
		master += fmt.Sprintf(" (priority %d)", in.MasterPriority)
	}
	row("Master", "%s", master)
	row("Advert interval", "%s (master's %s)", in.AdvertInterval.D(), in.MasterAdvertInterval.D())
	preempt := "yes"
	if in.Nopreempt {
		preempt = "no (nopreempt)"
	} else if in.PreemptDelay > 0 {
		preempt = "after " + in.PreemptDelay.D().String()
	}
	row("Preempt", "%s", preempt)
	row("Accept", "%s", yesNo(in.Accept))
	if a := in.AuthHMAC; a != nil {
		row("auth_hmac", "%s", a.Line())
	}
	if len(in.VIPs) == 0 {
		row("VIPs", "-")
	}
	for i, v := range in.VIPs {
		k := ""
		if i == 0 {
			k = "VIPs"
		}
		mark, extra := markAbsent, ""
		if v.Present {
			mark = markPresent
		}
		if v.Excluded {
			extra = " (excluded)"
		}
		row(k, "%s %s dev %s%s", mark, vipString(v), v.Interface, extra)
	}
	for i, t := range in.Tracks {
		k := ""
		if i == 0 {
			k = "Tracks"
		}
		row(k, "%s (%s, weight %d)", t.Name, t.Kind, t.Weight)
	}
	if t := in.LastTransition; !t.At.IsZero() {
		row("Last transition", "%s -> %s %s ago at %s (%s)", t.From, t.To, Age(now.Sub(t.At)),
			t.At.Format(time.RFC3339), orDash(t.Cause))
	}
	st := in.Stats
	row("Adverts", "%d sent, %d received", st.AdvertSent, st.AdvertRcvd)
	row("Became master", "%d times, released %d times", st.BecomeMaster, st.ReleaseMaster)
	row("Priority 0", "%d sent, %d received", st.PriZeroSent, st.PriZeroRcvd)
	row("Gratuitous ARP/NA", "%d/%d sent", st.GratuitousARPSent, st.UnsolicitedNASent)
	row("Dropped", "%s", dropsCell(st))
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write instance: %w", err)
	}
	return nil
}

// Line describes an auth_hmac state in one line for status: mode, keys,
// replay protection and the refusal counters.
func (a *AuthHMAC) Line() string {
	ids := make([]string, len(a.KeyIDs))
	for i, id := range a.KeyIDs {
		ids[i] = strconv.Itoa(id)
	}
	replay := a.AntiReplay
	if a.AntiReplay == "time" {
		replay = fmt.Sprintf("time window %ds", a.TimeWindow)
	}
	return fmt.Sprintf("%s, active key %d (keys %s), %s; refused: missing %d, malformed %d, unknown key %d, invalid HMAC %d, stale %d, replay %d",
		a.Mode, a.ActiveKey, strings.Join(ids, ","), replay, a.Missing, a.Malformed, a.UnknownKey, a.InvalidHMAC, a.Stale, a.Replay)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// dropsCell lists the non-zero drop counters, by reason.
func dropsCell(st Stats) string {
	var parts []string
	for _, d := range DropCounts(st) {
		if d.Count > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", d.Reason, d.Count))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// DropCount is a count of received packets dropped for one reason.
type DropCount struct {
	Reason string
	Count  uint64
}

// DropCounts lists an instance's drops by reason: keepalived's error
// counters under stable reason names, then Stats.Drops sorted by reason.
func DropCounts(st Stats) []DropCount {
	out := []DropCount{
		{"packet_length", st.PacketLenErr},
		{"ip_ttl", st.IPTTLErr},
		{"invalid_type", st.InvalidTypeRcvd},
		{"advert_interval", st.AdvertIntervalErr},
		{"address_list", st.AddrListErr},
		{"invalid_auth_type", st.InvalidAuthType},
		{"auth_type_mismatch", st.AuthTypeMismatch},
		{"auth_failure", st.AuthFailure},
	}
	reasons := make([]string, 0, len(st.Drops))
	for r := range st.Drops {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		out = append(out, DropCount{r, st.Drops[r]})
	}
	return out
}
