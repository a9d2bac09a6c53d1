package effect

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Kind says which tracker or condition a Cause stands for.
type Kind uint8

// The kinds of cause. The zero Kind is invalid.
const (
	_              Kind = iota
	IfaceDown           // the instance's interface is down
	IfaceMissing        // the instance's interface does not exist (dynamic_interfaces)
	NoAddress           // the interface has no usable advert source address
	SrcGone             // track_src_ip: the configured source is not on the interface
	SrcNotLocal         // unicast: the configured source was no address of the node when the socket opened
	VIPIfaceDown        // the interface of a virtual address ("dev OTHER") is down or missing
	GroupIfaceDown      // track_group: the interface of a tracked static entry is down
	GroupStaticOff      // track_group: a tracked static entry is not on
	NoUnicastPeer       // unicast_fault_no_peer without a peer
	Script              // track_script
	Interface           // track_interface
	File                // track_file
	Process             // track_process
)

// Cause is one tracker's or condition's key in a Set. Name is the
// interface, script, file, process or track group; Detail is what else the
// log line names: the address kind (NoAddress), the address (SrcGone), the
// interface (GroupIfaceDown) or the entry (GroupStaticOff).
type Cause struct {
	Kind   Kind
	Name   string
	Detail string
}

// String returns the cause as the logs and the status API show it.
func (c Cause) String() string {
	switch c.Kind {
	case IfaceDown:
		return "interface " + c.Name + " down"
	case IfaceMissing:
		return "interface " + c.Name + " missing"
	case NoAddress:
		return "no " + c.Detail + " address on " + c.Name
	case SrcGone:
		return "track_src_ip: " + c.Detail + " not on " + c.Name
	case SrcNotLocal:
		return "src address " + c.Detail + " not configured"
	case VIPIfaceDown:
		return "interface " + c.Name + " of a virtual address down"
	case GroupIfaceDown:
		return "track_group " + c.Name + ": interface " + c.Detail + " down"
	case GroupStaticOff:
		return "track_group " + c.Name + ": static " + c.Detail + " missing"
	case NoUnicastPeer:
		return "unicast_fault_no_peer: no unicast peer"
	case Script:
		return "script " + c.Name
	case Interface:
		return "track_interface " + c.Name
	case File:
		return "track_file " + c.Name
	case Process:
		return "track_process " + c.Name
	}
	return "unknown cause " + c.Name
}

// Effect is one cause's contribution to an instance: a priority delta, or
// FAULT.
type Effect struct {
	Delta int
	Fault bool
}

// Set is every cause that currently affects one instance.
type Set map[Cause]Effect

// Tracker is a script's or process's state and its configured weight.
type Tracker struct {
	State  track.State
	Weight config.Weight
}

// FileValue is a track_file's value and its configured weight.
type FileValue struct {
	Value  int
	Weight config.Weight
}

// Static is a static address, route or rule that names a track group.
type Static struct {
	Group   string // track_group
	NoTrack bool
	Dev     string // its interface; empty when none is named
	Entry   string // how it is logged ("route blackhole 10.1.0.0/16 dev lo")
	On      bool   // it is in the kernel
}

// States is the trackers' current states, as the daemon last saw them.
type States interface {
	// LinkUp reports whether an interface is up, after
	// interface_up_down_delays; false when it does not exist.
	LinkUp(name string) bool
	// Script returns a vrrp_script's state; false when it is not
	// tracked (not started, or refused by script security).
	Script(name string) (Tracker, bool)
	// File returns a track_file's value; false when it is not in use.
	File(name string) (FileValue, bool)
	// Process returns a vrrp_track_process's state; false when it is not
	// in use.
	Process(name string) (Tracker, bool)
	// Statics returns the static entries that name a track group.
	Statics() []Static
}

// Instance is what the daemon observes about one instance's own
// interface and source address.
type Instance struct {
	Conf *config.Instance
	// Iface is the interface the instance runs on (its VMAC under
	// use_vmac), and IfaceUp its debounced state.
	Iface   string
	IfaceUp bool
	Missing bool // Iface does not exist (dynamic_interfaces)
	NoAddr  bool // Iface has no usable source address
	IPv6    bool // the instance is IPv6 (for NoAddress's wording)
	// SrcGone is set when track_src_ip's address is not on SrcIface, the
	// configured interface the source is read from.
	SrcGone  bool
	SrcIface string
	// SrcNotLocal is set when a unicast instance's configured source
	// (unicast_src_ip, mcast_src_ip) was not an address of the node when
	// its socket was opened (see UnicastSrc).
	SrcNotLocal bool
}

// Compute returns every effect on the instance in of configuration c
// under the tracker states st.
func Compute(c *config.Config, in Instance, st States) Set {
	ci := in.Conf
	out := Set{}
	fault := func(k Kind, name, detail string) { out[Cause{k, name, detail}] = Effect{Fault: true} }
	if !ci.DontTrackPrimary && !in.IfaceUp {
		fault(IfaceDown, in.Iface, "")
	}
	if in.Missing {
		fault(IfaceMissing, in.Iface, "")
	}
	if in.NoAddr {
		kind := "IPv4"
		if in.IPv6 {
			kind = "IPv6 link-local"
		}
		fault(NoAddress, in.Iface, kind)
	}
	if src, ok := TrackedSrc(ci); ok && in.SrcGone && !in.Missing {
		fault(SrcGone, in.SrcIface, src.String())
	}
	if src, ok := UnicastSrc(ci); ok && in.SrcNotLocal && !in.Missing {
		fault(SrcNotLocal, "", src.String())
	}
	seen := map[string]bool{}
	for _, v := range slices.Concat(ci.VIPs, ci.ExcludedVIPs) {
		if v.NoTrack || v.Dev == "" || v.Dev == in.Iface || seen[v.Dev] {
			continue
		}
		seen[v.Dev] = true
		if !st.LinkUp(v.Dev) {
			fault(VIPIfaceDown, v.Dev, "")
		}
	}
	for _, s := range st.Statics() {
		if !tracks(c, s, ci.Name) {
			continue
		}
		switch {
		case s.Dev != "" && !st.LinkUp(s.Dev):
			fault(GroupIfaceDown, s.Group, s.Dev)
		case !s.On:
			fault(GroupStaticOff, s.Group, s.Entry)
		}
	}
	if ci.UnicastFaultNoPeer && len(ci.UnicastPeers) == 0 && (ci.UnicastPeerBlock || ci.UnicastSrcIP.IsValid()) {
		// keepalived's unicast_fault_no_peer: unicast without a peer is a
		// fault, not a silent fall back to multicast.
		fault(NoUnicastPeer, "", "")
	}
	scripts, ifs, files, procs := ci.TrackScripts, ci.TrackInterfaces, ci.TrackFiles, ci.TrackProcesses
	if g := SyncGroupOf(c, ci); g != nil {
		scripts = slices.Concat(scripts, g.TrackScripts)
		ifs = slices.Concat(ifs, g.TrackInterfaces)
		files = slices.Concat(files, g.TrackFiles)
		procs = slices.Concat(procs, g.TrackProcesses)
	}
	set := func(k Kind, name string, e track.Effect) { out[Cause{Kind: k, Name: name}] = Effect{e.Delta, e.Fault} }
	for _, r := range scripts {
		// A script script security refused is not tracked at all, as
		// keepalived removes it from its instances: its weight never
		// applies and it never means FAULT.
		if t, ok := st.Script(r.Name); ok {
			set(Script, r.Name, Weight(r, t.Weight).Effect(t.State))
		}
	}
	for _, r := range ifs {
		s := track.StateUp
		if !st.LinkUp(r.Name) {
			s = track.StateDown
		}
		set(Interface, r.Name, Weight(r, config.Weight{}).Effect(s)) // no tracker-level weight
	}
	for _, r := range files {
		if f, ok := st.File(r.Name); ok {
			set(File, r.Name, track.FileEffect(f.Value, Weight(r, f.Weight)))
		}
	}
	for _, r := range procs {
		if t, ok := st.Process(r.Name); ok {
			set(Process, r.Name, Weight(r, t.Weight).Effect(t.State))
		}
	}
	return out
}

// tracks reports whether instance name tracks s through its track group.
func tracks(c *config.Config, s Static, name string) bool {
	if s.Group == "" || s.NoTrack {
		return false
	}
	g := c.TrackGroup(s.Group)
	return g != nil && slices.Contains(g.Instances, name)
}

// Weight is the weight a track_* reference (script, interface, file or
// process; an instance's own or its sync group's) uses: its own when
// written, else the tracker's, def. Sync groups change nothing here, as in
// keepalived the loader decides: it writes weight 0 on a member's own
// weighted entries (unless sync_group_tracking_weight), and keeps the
// weights on the group's entries, clearing them only when a member is an
// address owner (config: checkSyncGroupWeights, checkGroupTrackerWeights).
func Weight(r config.TrackRef, def config.Weight) track.Weight {
	w := def
	if r.Weight.Set {
		w = r.Weight
	}
	return track.Weight{Value: w.Value, Reverse: w.Reverse}
}

// TrackedSrc returns the source address an instance tracks with
// track_src_ip: unicast_src_ip, else mcast_src_ip. track_src_ip without a
// configured source tracks nothing, as in keepalived.
func TrackedSrc(ci *config.Instance) (netip.Addr, bool) {
	if !ci.TrackSrcIP {
		return netip.Addr{}, false
	}
	return configuredSrc(ci)
}

// configuredSrc returns unicast_src_ip, else mcast_src_ip.
func configuredSrc(ci *config.Instance) (netip.Addr, bool) {
	switch {
	case ci.UnicastSrcIP.IsValid():
		return ci.UnicastSrcIP, true
	case ci.McastSrcIP.IsValid():
		return ci.McastSrcIP, true
	}
	return netip.Addr{}, false
}

// UnicastSrc returns the configured source address of a unicast instance
// (one with a unicast peer): unicast_src_ip, else mcast_src_ip. keepalived
// binds its unicast socket to it; when that fails (the address is no
// address of the node) the instance goes to FAULT, "src address not
// configured", and stays there until the socket is opened again (a reload,
// a restart, the interface created anew): adding the address later does
// not lift it (2.2.7 and 2.4.3). A multicast instance's source is only
// written into its packets and is never checked.
func UnicastSrc(ci *config.Instance) (netip.Addr, bool) {
	if len(ci.UnicastPeers) == 0 {
		return netip.Addr{}, false
	}
	return configuredSrc(ci)
}

// SyncGroupOf returns the sync group ci belongs to, or nil.
func SyncGroupOf(c *config.Config, ci *config.Instance) *config.SyncGroup {
	if ci.SyncGroup == "" {
		return nil
	}
	return c.SyncGroup(ci.SyncGroup)
}

// Change is what moving an instance from one Set to another means for its
// machine: the faults that end and begin (in a stable order), and the sum
// of the deltas before and after.
type Change struct {
	Off, On        []Cause
	OldSum, NewSum int
}

// Changes compares the effects an instance had with those it has now.
func Changes(old, now Set) Change {
	var ch Change
	for k, e := range old {
		ch.OldSum += e.Delta
		if e.Fault && !now[k].Fault {
			ch.Off = append(ch.Off, k)
		}
	}
	for k, e := range now {
		ch.NewSum += e.Delta
		if e.Fault && !old[k].Fault {
			ch.On = append(ch.On, k)
		}
	}
	slices.SortFunc(ch.Off, compare)
	slices.SortFunc(ch.On, compare)
	return ch
}

func compare(a, b Cause) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Detail, b.Detail))
}
