package control

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"text/tabwriter"
	"time"
)

// BGP is the state of the BGP speaker (issue 16, docs/bgp.md): present in
// a snapshot only when a bgp_speaker is configured.
type BGP struct {
	// Running is false when the speaker could not start (LastError says
	// why) or has stopped.
	Running  bool       `json:"running"`
	LocalAS  uint32     `json:"local_as,omitempty"`
	RouterID netip.Addr `json:"router_id,omitzero"`
	// LastError is why the speaker is not running, or the last failure to
	// announce or withdraw.
	LastError string        `json:"last_error,omitempty"`
	Neighbors []BGPNeighbor `json:"neighbors"`
	// Prefixes are the routes announced to every established neighbor of
	// their family.
	Prefixes []BGPPrefix `json:"prefixes"`
}

// BGPNeighbor is one neighbor's session.
type BGPNeighbor struct {
	Addr     netip.Addr `json:"addr"`
	RemoteAS uint32     `json:"remote_as"`
	// State is the session's state (RFC 4271): idle, connect, active,
	// opensent, openconfirm or established.
	State string    `json:"state"`
	Since time.Time `json:"since,omitzero"`
	// Flaps counts the times the session came up.
	Flaps     int    `json:"flaps"`
	LastError string `json:"last_error,omitempty"`
}

// BGPPrefix is one announced route.
type BGPPrefix struct {
	Prefix netip.Prefix `json:"prefix"`
	// Group is the anycast_group, Instance the vrrp_instance
	// (bgp_announce), that announces it.
	Group    string `json:"group,omitempty"`
	Instance string `json:"instance,omitempty"`
	// MED is set when the route carries one; ASPathPrepend is how many
	// extra copies of local_as its AS path has.
	MED           *uint32  `json:"med,omitempty"`
	LocalPref     *uint32  `json:"local_pref,omitempty"`
	ASPathPrepend int      `json:"as_path_prepend,omitempty"`
	Communities   []string `json:"communities,omitempty"`
	// GracefulShutdown is set while the daemon stops (RFC 8326).
	GracefulShutdown bool      `json:"graceful_shutdown,omitempty"`
	Since            time.Time `json:"since,omitzero"`
}

// renderBGP writes the neighbor and prefix tables of `gokeepalived
// status`.
func renderBGP(w io.Writer, b *BGP, now time.Time) {
	if b == nil {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "BGP NEIGHBOR\tREMOTE AS\tSTATE\tSINCE\tFLAPS")
	for _, n := range b.Neighbors {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\n", n.Addr, n.RemoteAS, n.State, ageCell(n.Since, now), n.Flaps)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "BGP PREFIX\tFOR\tATTRIBUTES\tSINCE")
	for _, p := range b.Prefixes {
		who := "group " + p.Group
		if p.Instance != "" {
			who = "instance " + p.Instance
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Prefix, who, orDash(prefixAttrs(p)), ageCell(p.Since, now))
	}
	if len(b.Prefixes) == 0 {
		fmt.Fprintln(tw, "(nothing announced)")
	}
	tw.Flush()
	if b.LastError != "" {
		fmt.Fprintf(w, "bgp: %s\n", b.LastError)
	}
}

// prefixAttrs writes a route's attributes as bgp.md's keywords do.
func prefixAttrs(p BGPPrefix) string {
	var out []string
	if p.MED != nil {
		out = append(out, fmt.Sprintf("med %d", *p.MED))
	}
	if p.LocalPref != nil {
		out = append(out, fmt.Sprintf("local_pref %d", *p.LocalPref))
	}
	if p.ASPathPrepend > 0 {
		out = append(out, fmt.Sprintf("as_path_prepend %d", p.ASPathPrepend))
	}
	if len(p.Communities) > 0 {
		out = append(out, "communities "+strings.Join(p.Communities, " "))
	}
	if p.GracefulShutdown {
		out = append(out, "graceful-shutdown")
	}
	return strings.Join(out, ", ")
}

// ageCell is "5s ago", or "-" for the zero time.
func ageCell(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return Age(now.Sub(t)) + " ago"
}
