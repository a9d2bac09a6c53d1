package config

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// complete applies global defaults to every instance and runs the checks
// keepalived runs once the whole file is read (vrrp_complete_instance and
// friends). Instances keepalived could not run are dropped.
func (l *loader) complete() {
	l.completeGlobal()
	var kept []*Instance
	for _, b := range l.builds {
		if l.completeInstance(b) {
			kept = append(kept, b.Instance)
		}
	}
	l.cfg.Instances = kept
	l.checkDuplicateVRIDs()
	clear(l.byName)
	for _, in := range l.cfg.Instances {
		l.byName[in.Name] = in
	}
	l.checkSyncGroups()
	l.checkSyncGroupWeights()
	l.checkGroupTrackerWeights()
}

// completeGlobal fills the global defaults that follow other settings.
func (l *loader) completeGlobal() {
	g := &l.cfg.Global
	if !l.global["vrrp_garp_lower_prio_delay"] {
		g.Garp.LowerPrioDelay = g.Garp.MasterDelay
	}
	if !l.global["vrrp_garp_lower_prio_repeat"] {
		g.Garp.LowerPrioRepeat = g.Garp.MasterRepeat
	}
}

// completeInstance fills one instance's defaults and checks it, in the
// order of keepalived's vrrp_complete_instance; it returns false when the
// instance cannot run, which keepalived answers by refusing to start
// (fatalf).
func (l *loader) completeInstance(b *instBuild) bool {
	g := &l.cfg.Global
	if b.VRID == 0 {
		l.fatalf(b.Pos, "(%s) the virtual router id must be set", b.Name)
		l.hintf("add `virtual_router_id N` (1-255), the same on every router of this group; keepalived does not start without it")
		return false
	}
	if b.Interface == "" {
		b.Interface = g.DefaultInterface
	}
	switch {
	case b.Interface == "" && len(b.UnicastPeers) == 0:
		l.fatalf(b.Pos, "(%s) no interface given", b.Name)
		l.hintf("add `interface IF`; keepalived does not start without one")
		return false
	case b.Interface == "" && !b.UnicastSrcIP.IsValid():
		l.fatalf(b.Pos, "(%s) unicast instances must have unicast_src_ip or interface", b.Name)
		return false
	}
	if b.Family == 0 {
		b.Family = 4
	}
	if !b.strictSet {
		b.StrictMode = g.VRRPStrict
	}
	l.completeVersion(b)
	if !l.completeVIPs(b) {
		return false
	}
	l.completeState(b)
	l.completeAuth(b)
	l.completeMcastDst(b)
	l.completeAdvertInt(b)
	l.completeAuthHMAC(b) // auth_hmac.go
	l.completePreempt(b)
	l.completeStrict(b)
	l.checkDuplicateVIPs(b)
	l.completeTrackInterfaces(b)
	if b.VMACXmitBase && !b.UseVMAC {
		l.warnf(b.Pos, "(%s) vmac_xmit_base is only valid with a vmac, ignoring it", b.Name)
		b.VMACXmitBase = false
	}
	l.resolveTracks(b.Name, &b.TrackScripts, "script", func(n string) bool { return l.cfg.Script(n) != nil })
	l.resolveTracks(b.Name, &b.TrackFiles, "file", l.hasTrackFile)
	l.resolveTracks(b.Name, &b.TrackProcesses, "process", l.hasTrackProcess)
	l.resolveTracks(b.Name, &b.TrackBFDs, "bfd", l.hasBFD)
	l.inheritGlobal(b)
	l.strictOverrides(b)
	return true
}

func (l *loader) completeVersion(b *instBuild) {
	switch {
	case !b.versionSet && b.Family == vrrp.IPv6:
		b.Version = 3
	case !b.versionSet:
		b.Version = l.cfg.Global.VRRPVersion
	case b.Version == 2 && b.Family == vrrp.IPv6:
		b.Version, b.v2OnIPv6 = 3, true
		l.advisef(b.Pos, "VRRPv2 is IPv4 only; keepalived silently uses version 3 for IPv6",
			"(%s) version 2 with IPv6 addresses: using version 3", b.Name)
	}
}

// completeVIPs applies keepalived's rule for an instance without
// virtual_ipaddress: sensible to warn about in VRRPv2, required in VRRPv3
// and strict mode (keepalived does not start), and fine with
// no_virtual_ipaddress (keepalived >= 2.2.8), except in strict mode.
func (l *loader) completeVIPs(b *instBuild) bool {
	if b.NoVirtualIPs && b.StrictMode {
		l.warnf(b.Pos, "(%s) no_virtual_ipaddress and strict mode are incompatible, clearing no_virtual_ipaddress", b.Name)
		b.NoVirtualIPs = false
	}
	if len(b.VIPs) > 0 || b.NoVirtualIPs {
		return true
	}
	if b.Version == 3 || b.StrictMode {
		l.fatalf(b.Pos, "(%s) no VIP specified; at least one is required", b.Name)
		l.hintf("add a virtual_ipaddress block, or `no_virtual_ipaddress` (not in strict mode) if a notify script moves the addresses")
		return false
	}
	l.warnf(b.Pos, "(%s) no VIP specified; at least one is sensible", b.Name)
	l.hintf("add a virtual_ipaddress block, or `no_virtual_ipaddress` if the addresses are moved by a notify script")
	return true
}

// completeState derives priority and initial state from each other, as
// keepalived does: `state MASTER` without a priority is the address owner
// (255), priority 255 without a state starts as MASTER, and strict mode
// wants MASTER exactly for the owner.
func (l *loader) completeState(b *instBuild) {
	if !b.prioSet && b.State == StateMaster {
		b.Priority = 255
		l.advisef(b.StatePos, "keepalived's rule: write `priority N` to start as MASTER with another priority",
			"(%s) state MASTER without a priority: priority 255 (address owner)", b.Name)
	}
	switch {
	case b.State == 0 && b.Priority == 255:
		b.State = StateMaster
	case b.StrictMode && b.State != 0 && (b.State == StateMaster) != (b.Priority == 255):
		pos := b.StatePos
		if pos == (Pos{}) {
			pos = b.Pos
		}
		l.warnf(pos, "(%s) State MASTER must match being address owner", b.Name)
		l.hintf("in strict mode only the address owner (priority 255) starts as MASTER")
		b.State = StateBackup
		if b.Priority == 255 {
			b.State = StateMaster
		}
	}
}

// completeAuth checks authentication in keepalived's order
// (vrrp_complete_instance). keepalived leaves an IPv6 instance that asked
// for version 2 at version 2 here, so AH there gets the IPv6 message.
func (l *loader) completeAuth(b *instBuild) {
	if b.Auth.Type == 0 {
		return
	}
	owner := b.Priority == 255 || !b.prioSet // keepalived: state MASTER without a priority is the owner
	switch {
	case b.StrictMode:
		l.warnf(b.Auth.Pos, "(%s) strict mode does not support authentication, ignoring it", b.Name)
		b.Auth = Auth{}
	case b.Version == 3 && !b.v2OnIPv6:
		l.warnf(b.Auth.Pos, "(%s) VRRP version 3 does not support authentication, ignoring it", b.Name)
		b.Auth = Auth{}
	case b.Auth.Pass == "":
		l.warnf(b.Auth.Pos, "(%s) authentication specified but no password given, ignoring it", b.Name)
		l.hintf("add `auth_pass` with the same password on every router of this VRID")
		b.Auth = Auth{}
	case b.Auth.Type == AuthAH && b.Family == vrrp.IPv6:
		l.warnf(b.Auth.Pos, "(%s) cannot use AH authentication with IPv6, ignoring it", b.Name)
		b.Auth = Auth{}
	case b.Family == vrrp.IPv6: // PASS: we run version 3, which has none
		l.warnf(b.Auth.Pos, "(%s) VRRP version 3 does not support authentication, ignoring it", b.Name)
		b.Auth = Auth{}
	case b.Auth.Type == AuthAH && b.State == StateMaster && !owner:
		l.warnf(b.StatePos, "(%s) initial state MASTER is incompatible with AH authentication, using BACKUP", b.Name)
		l.hintf("an AH router must hear the current sequence number before it may take over")
		b.State = StateBackup
	}
}

// completeMcastDst drops mcast_dst_ip on a unicast instance.
func (l *loader) completeMcastDst(b *instBuild) {
	if b.McastDstIP.IsValid() && len(b.UnicastPeers) > 0 {
		l.warnf(b.Pos, "(%s) multicast destination specified with unicast, ignoring it", b.Name)
		b.McastDstIP = netip.Addr{}
	}
}

func (l *loader) completeAdvertInt(b *instBuild) {
	pos := b.advertTok.Pos
	if pos == (Pos{}) {
		pos = b.Pos
	}
	switch {
	case b.Version == 2 && b.AdvertInt%time.Second != 0:
		r := (b.AdvertInt + time.Second/2) / time.Second * time.Second
		if r == 0 {
			r = time.Second
		}
		l.warnf(pos, "(%s) VRRPv2 advertisement interval %ss must be a whole number of seconds, rounding to %ss",
			b.Name, fmtSecs(b.AdvertInt), fmtSecs(r))
		l.hintf("VRRPv2 carries whole seconds; use `version 3` for sub-second adverts")
		b.AdvertInt = r
	case b.Version == 3 && b.AdvertInt > 4095*10*time.Millisecond:
		l.warnf(pos, "(%s) VRRPv3 advertisement interval %ss is out of range, must be less than 40.96s; using 40.95s",
			b.Name, fmtSecs(b.AdvertInt))
		b.AdvertInt = 4095 * 10 * time.Millisecond
	case b.Version == 3 && b.AdvertInt%(10*time.Millisecond) != 0:
		r := (b.AdvertInt + 5*time.Millisecond) / (10 * time.Millisecond) * (10 * time.Millisecond)
		if r == 0 {
			r = 10 * time.Millisecond
		}
		l.advisef(pos, "VRRPv3 carries centiseconds", "(%s) advertisement interval %ss rounded to %ss",
			b.Name, fmtSecs(b.AdvertInt), fmtSecs(r))
		b.AdvertInt = r
	}
}

// completePreempt clears preempt settings that cannot work, in
// keepalived's order.
func (l *loader) completePreempt(b *instBuild) {
	if b.Nopreempt && b.Priority == 255 {
		l.warnf(b.nopreemptPos, "(%s) nopreempt is incompatible with priority 255, ignoring nopreempt", b.Name)
		b.Nopreempt = false
	}
	if b.State == StateMaster {
		if b.Nopreempt {
			l.warnf(b.nopreemptPos, "(%s) nopreempt will not work with initial state MASTER, ignoring nopreempt", b.Name)
			l.hintf("use `state BACKUP` on every router when using nopreempt")
			b.Nopreempt, b.IgnoredNopreemptPos = false, b.nopreemptPos
		}
		if b.PreemptDelay != 0 {
			l.warnf(b.preemptDelayPos, "(%s) preempt_delay will not work with initial state MASTER, ignoring preempt_delay", b.Name)
			l.hintf("use `state BACKUP` (with a lower priority) where the delay should apply")
			b.PreemptDelay = 0
		}
	}
	if b.PreemptDelay == 0 {
		return
	}
	switch {
	case b.StrictMode:
		l.warnf(b.preemptDelayPos, "(%s) preempt_delay is incompatible with strict mode, resetting preempt_delay", b.Name)
		b.PreemptDelay = 0
	case b.Nopreempt:
		l.warnf(b.preemptDelayPos, "(%s) preempt_delay is incompatible with nopreempt mode, resetting preempt_delay", b.Name)
		b.PreemptDelay = 0
	}
}

// completeStrict applies vrrp_strict / strict_mode to accept mode and
// down_timer_adverts; strictOverrides does the rest once the global
// settings are inherited.
func (l *loader) completeStrict(b *instBuild) {
	if !b.StrictMode {
		return
	}
	if b.DownTimerAdverts != 3 {
		l.warnf(b.Pos, "(%s) down_timer_adverts is incompatible with strict mode, resetting it to 3", b.Name)
		b.DownTimerAdverts = 3
	}
	owner := b.Priority == 255
	switch {
	case b.acceptSet && b.Accept && !owner && b.Version == 2:
		l.warnf(b.Pos, "(%s) accept mode for VRRP version 2 does not comply with RFC 3768, resetting it", b.Name)
		b.Accept = false
	case !b.acceptSet && !owner:
		b.Accept = false
		l.advisef(b.Pos, "strict mode implies no_accept: the VIPs will not answer ping or any traffic to them; add `accept` (version 3) if they should",
			"(%s) strict mode: the master will not accept packets addressed to its VIPs", b.Name)
	}
	if len(b.UnicastPeers) > 0 {
		l.advisef(b.UnicastPeers[0].Pos, "RFC 3768/9568 define multicast only; drop vrrp_strict or unicast_peer",
			"(%s) strict mode with unicast peers is not RFC compliant", b.Name)
	}
}

// strictOverrides sets what strict mode requires after the global
// defaults are in: no lower-priority GARP repeats, no advert to a lower
// priority master, no advert on hearing a higher priority.
func (l *loader) strictOverrides(b *instBuild) {
	if !b.StrictMode {
		return
	}
	s := &b.Garp
	if b.garp.lpRepeat && s.LowerPrioRepeat != 0 {
		l.warnf(b.Pos, "(%s) strict mode requires no repeat garps, resetting garp_lower_prio_repeat", b.Name)
	}
	if b.garp.lpDelay && s.LowerPrioDelay != 0 {
		l.warnf(b.Pos, "(%s) strict mode requires no repeat garp delay, resetting garp_lower_prio_delay", b.Name)
	}
	s.LowerPrioRepeat, s.LowerPrioDelay = 0, 0
	if b.higherPrioOn {
		l.warnf(b.Pos, "(%s) strict mode requires higher_prio_send_advert to be clear, resetting it", b.Name)
	}
	b.HigherPrioSendAdvert = false
	b.LowerPrioNoAdvert = true
}

// completeTrackInterfaces drops a track_interface entry naming the
// instance's own interface, which it tracks anyway.
func (l *loader) completeTrackInterfaces(b *instBuild) {
	kept := b.TrackInterfaces[:0]
	for _, r := range b.TrackInterfaces {
		if r.Name == b.Interface {
			l.warnf(r.Pos, "(%s) ignoring track_interface %s since it is the instance's own interface", b.Name, r.Name)
			l.hintf("the own interface is always tracked (going down means FAULT) unless `dont_track_primary`")
			continue
		}
		kept = append(kept, r)
	}
	if len(kept) == 0 {
		kept = nil
	}
	b.TrackInterfaces = kept
}

func (l *loader) checkDuplicateVIPs(b *instBuild) {
	seen := map[string]bool{}
	for _, v := range append(append([]VIP(nil), b.VIPs...), b.ExcludedVIPs...) {
		k := fmt.Sprintf("%+v", VIP{Prefix: v.Prefix, Dev: v.Dev, Label: v.Label, Scope: v.Scope, Peer: v.Peer})
		if seen[k] {
			l.advisef(v.Pos, "", "(%s) address %s is listed twice", b.Name, v.Prefix.Addr())
		}
		seen[k] = true
	}
}

// resolveTracks drops (and reports) entries naming an undefined tracker.
func (l *loader) resolveTracks(inst string, refs *[]TrackRef, kind string, exists func(string) bool) {
	kept := (*refs)[:0]
	for _, r := range *refs {
		if !exists(r.Name) {
			l.errorf(r.Pos, "(%s) track %s %s not found, ignoring it", inst, kind, r.Name)
			continue
		}
		kept = append(kept, r)
	}
	if len(kept) == 0 {
		kept = nil
	}
	*refs = kept
}

func (l *loader) hasTrackFile(n string) bool {
	for _, f := range l.cfg.TrackFiles {
		if f.Name == n {
			return true
		}
	}
	return false
}

func (l *loader) hasTrackProcess(n string) bool {
	for _, p := range l.cfg.TrackProcesses {
		if p.Name == n {
			return true
		}
	}
	return false
}

func (l *loader) hasBFD(n string) bool {
	for _, b := range l.cfg.BFDInstances {
		if b.Name == n {
			return true
		}
	}
	return false
}

// inheritGlobal applies the global_defs settings an instance did not set.
func (l *loader) inheritGlobal(b *instBuild) {
	g := &l.cfg.Global
	b.SkipCheckAdvAddr = b.SkipCheckAdvAddr || g.SkipCheckAdvAddr
	b.CheckUnicastSrc = b.CheckUnicastSrc || g.CheckUnicastSrc
	b.LowerPrioNoAdvert = b.LowerPrioNoAdvert || g.LowerPrioNoAdvert
	b.HigherPrioSendAdvert = b.HigherPrioSendAdvert || g.HigherPrioSendAdvert
	b.OwnerIgnoreAdverts = b.OwnerIgnoreAdverts || g.OwnerIgnoreAdverts
	if !b.csumAsV2Set { // an instance's "v3_checksum_as_v2 false" wins over global_defs
		b.V3ChecksumAsV2 = g.V3ChecksumAsV2
	}
	b.NotifyPriorityChanges = b.NotifyPriorityChanges || g.NotifyPriorityChanges
	if b.DownTimerAdverts == 3 {
		b.DownTimerAdverts = g.DownTimerAdverts
	}
	// keepalived builds IPv4 headers itself, with TTL 255; for IPv6 it
	// sets no hop limit, so the kernel's default (64) goes out.
	if len(b.UnicastPeers) > 0 && b.UnicastTTL == 0 && b.Family == vrrp.IPv4 {
		b.UnicastTTL = 255
	}
	gs, s := g.Garp, &b.Garp
	if !b.garp.delay {
		s.MasterDelay = gs.MasterDelay
	}
	if !b.garp.repeat {
		s.MasterRepeat = gs.MasterRepeat
	}
	if !b.garp.refresh {
		s.MasterRefresh = gs.MasterRefresh
	}
	if !b.garp.refreshRepeat {
		s.MasterRefreshRepeat = gs.MasterRefreshRepeat
	}
	if !b.garp.lpDelay {
		s.LowerPrioDelay = gs.LowerPrioDelay
		if b.garp.delay && !l.global["vrrp_garp_lower_prio_delay"] {
			s.LowerPrioDelay = s.MasterDelay
		}
	}
	if !b.garp.lpRepeat {
		s.LowerPrioRepeat = gs.LowerPrioRepeat
		if b.garp.repeat && !l.global["vrrp_garp_lower_prio_repeat"] {
			s.LowerPrioRepeat = s.MasterRepeat
		}
	}
	// A garp_group naming the instance's interface sets the gaps there,
	// over the global vrrp_garp_interval / vrrp_gna_interval.
	for _, gg := range l.cfg.GarpGroups {
		if !slices.Contains(gg.Interfaces, b.Interface) {
			continue
		}
		if s.Interval == 0 {
			s.Interval = gg.GarpInterval
		}
		if s.GnaInterval == 0 {
			s.GnaInterval = gg.GnaInterval
		}
	}
	if s.Interval == 0 {
		s.Interval = gs.Interval
	}
	if s.GnaInterval == 0 {
		s.GnaInterval = gs.GnaInterval
	}
	if s.ExtraIf == 0 && !s.ExtraIfAll {
		s.ExtraIf, s.ExtraIfAll = gs.ExtraIf, gs.ExtraIfAll
	}
}

// checkDuplicateVRIDs reports two instances with one VRID on one
// interface and address family, which keepalived refuses to start with.
func (l *loader) checkDuplicateVRIDs() {
	type key struct {
		ifc string
		fam vrrp.Family
		vid int
	}
	seen := map[key]*Instance{}
	kept := l.cfg.Instances[:0]
	for _, in := range l.cfg.Instances {
		k := key{in.Interface, in.Family, in.VRID}
		if first, dup := seen[k]; dup && len(in.UnicastPeers) == 0 && len(first.UnicastPeers) == 0 {
			pos := in.VRIDPos
			l.fatalf(pos, "%s and %s both use VRID %d with IPv%d on interface %s",
				first.Name, in.Name, in.VRID, in.Family, in.Interface)
			l.hintf("every vrrp_instance on one interface needs its own virtual_router_id")
			continue
		}
		seen[k] = in
		kept = append(kept, in)
	}
	l.cfg.Instances = kept
}

// checkSyncGroups resolves sync group members as keepalived does.
func (l *loader) checkSyncGroups() {
	var kept []*SyncGroup
	for _, g := range l.cfg.SyncGroups {
		var members []string
		var pos []Pos
		for i, m := range g.Members {
			in := l.byName[m]
			switch {
			case in == nil:
				l.errorf(g.MemberPos[i], "virtual router %s specified in sync group %s doesn't exist, ignoring it", m, g.Name)
				continue
			case in.SyncGroup != "" && in.SyncGroup != g.Name:
				l.errorf(g.MemberPos[i], "virtual router %s cannot exist in more than one sync group (it is in %s), ignoring it in %s",
					m, in.SyncGroup, g.Name)
				continue
			}
			in.SyncGroup = g.Name
			members = append(members, m)
			pos = append(pos, g.MemberPos[i])
		}
		g.Members, g.MemberPos = members, pos
		switch len(members) {
		case 0:
			l.warnf(g.Pos, "sync group %s has no virtual router(s), removing it", g.Name)
			l.hintf("list the instances inside a `group { ... }` block")
			continue
		case 1:
			l.warnf(g.Pos, "sync group %s has only 1 virtual router - this probably isn't what you want", g.Name)
		}
		kept = append(kept, g)
	}
	l.cfg.SyncGroups = kept
}

// checkSyncGroupWeights drops weighted trackers of instances in a sync
// group, unless the group sets sync_group_tracking_weight. A weight that
// is dropped becomes an explicit 0 (FAULT on failure), so the daemon and
// the planner do not fall back to the tracker's own weight. The group's
// own trackers keep their weights (checkGroupTrackerWeights).
func (l *loader) checkSyncGroupWeights() {
	for _, g := range l.cfg.SyncGroups {
		if g.SyncGroupTrackingWeight {
			continue
		}
		for _, m := range g.Members {
			in := l.byName[m]
			l.dropWeighted(in.Name, &in.TrackScripts, "script", func(r TrackRef) int {
				return l.refWeight("script", r).Value
			})
			for _, k := range []struct {
				kind string
				refs []TrackRef
			}{{"interface", in.TrackInterfaces}, {"file", in.TrackFiles}, {"process", in.TrackProcesses}} {
				for i := range k.refs {
					r := &k.refs[i]
					switch {
					case r.Weight.Value != 0:
						l.warnf(r.Pos, "(%s) ignoring the weight of tracked %s due to SYNC group", in.Name, r.Name)
						l.hintf("set `sync_group_tracking_weight` in the vrrp_sync_group to use weights there")
					case r.Weight.Set:
						continue
					case k.kind == "file" && l.refWeight(k.kind, *r).Value != 0:
						l.warnf(r.Pos, "(%s) ignoring the weight of tracked file %s due to SYNC group, specify weight 0", in.Name, r.Name)
						l.hintf("set `sync_group_tracking_weight` in the vrrp_sync_group to use weights there")
					case k.kind == "process" && l.refWeight(k.kind, *r).Value != 0:
						l.advisef(r.Pos, "write `weight 0` on the entry, or set `sync_group_tracking_weight` in the vrrp_sync_group",
							"(%s) ignoring the weight of tracked process %s due to SYNC group", in.Name, r.Name)
					default:
						continue
					}
					r.Weight = Weight{Set: true}
				}
			}
		}
	}
}

// checkGroupTrackerWeights applies keepalived's rule for the trackers
// written on a vrrp_sync_group itself: their weights count in every member
// as written, with or without sync_group_tracking_weight, except when a
// member is an address owner (priority 255), which cannot move by
// weights: then every weighted group tracker has its weight cleared (it
// means FAULT on failure), and is reported.
func (l *loader) checkGroupTrackerWeights() {
	for _, g := range l.cfg.SyncGroups {
		owner := ""
		for _, m := range g.Members {
			if in := l.byName[m]; in != nil && in.Priority == 255 {
				owner = m
				break
			}
		}
		if owner == "" {
			continue
		}
		for _, k := range []struct {
			kind string
			refs []TrackRef
		}{{"script", g.TrackScripts}, {"interface", g.TrackInterfaces}, {"file", g.TrackFiles},
			{"process", g.TrackProcesses}, {"bfd", g.TrackBFDs}} {
			for i := range k.refs {
				r := &k.refs[i]
				w := l.refWeight(k.kind, *r)
				if w.Value == 0 {
					continue
				}
				l.warnf(r.Pos, "(%s) cannot have weighted track %s %s with member %s having priority 255, clearing the weight",
					g.Name, k.kind, r.Name, owner)
				l.hintf("remove the weight (a failure then means FAULT for the whole group), or give %s a priority below 255", owner)
				r.Weight = Weight{Set: true, Reverse: w.Reverse}
			}
		}
	}
}

// refWeight is the weight a track_* entry uses: its own when written,
// else the tracker's (vrrp_script, track_file, vrrp_track_process,
// bfd_instance); track_interface has no tracker-level weight.
func (l *loader) refWeight(kind string, r TrackRef) Weight {
	if r.Weight.Set {
		return r.Weight
	}
	switch kind {
	case "script":
		if s := l.cfg.Script(r.Name); s != nil {
			return s.Weight
		}
	case "file":
		for _, f := range l.cfg.TrackFiles {
			if f.Name == r.Name {
				return f.Weight
			}
		}
	case "process":
		for _, p := range l.cfg.TrackProcesses {
			if p.Name == r.Name {
				return p.Weight
			}
		}
	case "bfd":
		for _, b := range l.cfg.BFDInstances {
			if b.Name == r.Name {
				return Weight{Value: b.Weight}
			}
		}
	}
	return r.Weight
}

func (l *loader) dropWeighted(inst string, refs *[]TrackRef, kind string, weight func(TrackRef) int) {
	kept := (*refs)[:0]
	for _, r := range *refs {
		if weight(r) != 0 {
			l.warnf(r.Pos, "(%s) ignoring tracked %s %s with weights due to SYNC group", inst, kind, r.Name)
			l.hintf("set `sync_group_tracking_weight` in the vrrp_sync_group to use weights there")
			continue
		}
		kept = append(kept, r)
	}
	if len(kept) == 0 {
		kept = nil
	}
	*refs = kept
}
