package config

import (
	"net/netip"
	"strings"
	"time"
)

// This file reads the BGP keywords (model in bgp_model.go). They are ours:
// each is recorded in Config.Extensions, which `check -D` lists.

// maxASN is the largest 4-byte AS number (RFC 6793); 0 is reserved
// (RFC 7607).
const maxASN = 1<<32 - 1

// ours records an extension keyword for `check -D`.
func (l *loader) ours(n *Node) {
	l.cfg.Extensions = append(l.cfg.Extensions, Note{Pos: n.Keyword.Pos, Keyword: n.Keyword.Text, Args: texts(n.Args)})
}

// asArg parses argument i as an AS number.
func (l *loader) asArg(n *Node, i int) (uint32, bool) {
	v, ok := l.intArg(n, i, 1, maxASN)
	return uint32(v), ok
}

// speakerKeywords is the bgp_speaker table.
var speakerKeywords = table[*BGPSpeaker]{
	"local_as": func(l *loader, n *Node, s *BGPSpeaker) {
		if v, ok := l.asArg(n, 0); ok {
			s.LocalAS = v
		}
	},
	"router_id": func(l *loader, n *Node, s *BGPSpeaker) {
		a, ok := l.addrArg(n, 0)
		if ok && !a.Is4() {
			l.errorf(n.Args[0].Pos, "router_id: %s is not an IPv4 address (a BGP identifier is 32 bits)", a)
			return
		}
		s.RouterID = a
	},
	"hold_down":         durKw(func(s *BGPSpeaker) *time.Duration { return &s.HoldDown }, 0, time.Hour),
	"graceful_shutdown": speakerGracefulShutdown,
	"neighbor":          speakerNeighbor,
}

// loadBGPSpeaker reads global_defs' bgp_speaker block.
func (l *loader) loadBGPSpeaker(n *Node, g *GlobalDefs) {
	l.ours(n)
	if g.BGPSpeaker != nil {
		l.errorf(n.Keyword.Pos, "bgp_speaker is given twice, ignoring the second")
		return
	}
	s := &BGPSpeaker{Pos: n.Keyword.Pos, HoldDown: DefaultBGPHoldDown}
	dispatch(l, n.Children, speakerKeywords, s, "bgp_speaker")
	if s.LocalAS == 0 {
		l.errorf(n.Keyword.Pos, "bgp_speaker needs local_as, ignoring it")
		l.hintf("add `local_as N` (1-4294967295) to bgp_speaker")
		return
	}
	g.BGPSpeaker = s
}

func speakerGracefulShutdown(l *loader, n *Node, s *BGPSpeaker) {
	if len(n.Args) == 0 {
		s.GracefulShutdown = DefaultGracefulShutdown
		return
	}
	if d, ok := l.durArg(n, 0, 0, 600*time.Second); ok {
		s.GracefulShutdown = d
	}
}

// neighborKeywords is the table of a neighbor block.
var neighborKeywords = table[*BGPNeighbor]{
	"remote_as": func(l *loader, n *Node, nb *BGPNeighbor) {
		if v, ok := l.asArg(n, 0); ok {
			nb.RemoteAS = v
		}
	},
	"password":       strKw(func(nb *BGPNeighbor) *string { return &nb.Password }),
	"hold_time":      neighborHoldTime,
	"keepalive_time": durKw(func(nb *BGPNeighbor) *time.Duration { return &nb.KeepaliveTime }, time.Second, 21845*time.Second),
	"multihop": func(l *loader, n *Node, nb *BGPNeighbor) {
		nb.Multihop = 255
		if len(n.Args) > 0 {
			if v, ok := l.intArg(n, 0, 1, 255); ok {
				nb.Multihop = int(v)
			}
		}
	},
	"source_address": addrKw(func(nb *BGPNeighbor) *netip.Addr { return &nb.SourceAddress }),
	"passive":        flagKw(func(nb *BGPNeighbor) *bool { return &nb.Passive }),
	"port":           intKw(func(nb *BGPNeighbor) *int { return &nb.Port }, 1, 65535),
}

// neighborHoldTime takes 3 s to 65535 s (RFC 4271 section 4.2; its 0,
// no keepalives, is not offered: GoBGP reads 0 as its default).
func neighborHoldTime(l *loader, n *Node, nb *BGPNeighbor) {
	if d, ok := l.durArg(n, 0, 3*time.Second, 65535*time.Second); ok {
		nb.HoldTime = d.Truncate(time.Second)
	}
}

func speakerNeighbor(l *loader, n *Node, s *BGPSpeaker) {
	a, ok := l.addrArg(n, 0)
	if !ok {
		return
	}
	for _, o := range s.Neighbors {
		if o.Addr == a {
			l.errorf(n.Args[0].Pos, "neighbor %s is given twice, ignoring the second", a)
			return
		}
	}
	nb := &BGPNeighbor{Pos: n.Args[0].Pos, Addr: a, HoldTime: DefaultBGPHoldTime, Port: DefaultBGPPort}
	dispatch(l, n.Children, neighborKeywords, nb, "neighbor")
	if nb.RemoteAS == 0 {
		l.errorf(n.Args[0].Pos, "neighbor %s needs remote_as, ignoring it", a)
		return
	}
	if nb.SourceAddress.IsValid() && nb.SourceAddress.Is4() != a.Is4() {
		pos := n.Args[0].Pos
		for _, c := range n.Children {
			if c.Keyword.Text == "source_address" && len(c.Args) > 0 {
				pos = c.Args[0].Pos
			}
		}
		l.errorf(pos, "neighbor %s: source_address %s is of the other address family, ignoring the neighbor", a, nb.SourceAddress)
		return
	}
	if nb.KeepaliveTime == 0 {
		nb.KeepaliveTime = nb.HoldTime / 3
	} else if nb.KeepaliveTime >= nb.HoldTime {
		l.errorf(nb.Pos, "neighbor %s: keepalive_time must be less than hold_time, using a third of it", a)
		nb.KeepaliveTime = nb.HoldTime / 3
	}
	s.Neighbors = append(s.Neighbors, nb)
}

// instBGPAnnounce reads bgp_announce [med_from_priority|prepend_from_priority].
func instBGPAnnounce(l *loader, n *Node, b *instBuild) {
	l.ours(n)
	a := &BGPAnnounce{Pos: n.Keyword.Pos}
	if len(n.Args) > 0 {
		switch n.Args[0].Text {
		case "med_from_priority":
			a.Backup = BackupMED
		case "prepend_from_priority":
			a.Backup = BackupPrepend
		default:
			l.errorf(n.Args[0].Pos, "(%s) bgp_announce: unknown option %q, announcing from the MASTER only", b.Name, n.Args[0].Text)
			l.hintf("write med_from_priority or prepend_from_priority, or nothing")
		}
		l.extraArgs(n, 1)
	}
	b.BGPAnnounce = a
}

// anycastKeywords is the anycast_group table.
var anycastKeywords = table[*AnycastGroup]{
	"virtual_ipaddress": func(l *loader, n *Node, g *AnycastGroup) {
		for _, c := range n.Children {
			if v, ok := l.parseVIP(c); ok {
				if v.Dev == "" {
					v.Dev = "lo"
				}
				g.VIPs = append(g.VIPs, v)
			}
		}
	},
	"track_script":      anycastTrack(func(g *AnycastGroup) *[]TrackRef { return &g.TrackScripts }),
	"track_interface":   anycastTrack(func(g *AnycastGroup) *[]TrackRef { return &g.TrackInterfaces }),
	"track_file":        anycastTrack(func(g *AnycastGroup) *[]TrackRef { return &g.TrackFiles }),
	"track_process":     anycastTrack(func(g *AnycastGroup) *[]TrackRef { return &g.TrackProcesses }),
	"communities":       anycastCommunities,
	"large_communities": anycastLargeCommunities,
	"med": func(l *loader, n *Node, g *AnycastGroup) {
		if v, ok := l.intArg(n, 0, 0, maxASN); ok {
			g.MED, g.HasMED = uint32(v), true
		}
	},
	"local_pref": func(l *loader, n *Node, g *AnycastGroup) {
		if v, ok := l.intArg(n, 0, 0, maxASN); ok {
			g.LocalPref, g.HasLocalPref = uint32(v), true
		}
	},
	"as_path_prepend": intKw(func(g *AnycastGroup) *int { return &g.ASPathPrepend }, 0, 10),
	"allow_non_host":  flagKw(func(g *AnycastGroup) *bool { return &g.AllowNonHost }),
}

// anycastTrack reads a tracker list; a group is healthy when every
// tracker is, so weights mean nothing there.
func anycastTrack(f func(*AnycastGroup) *[]TrackRef) kwFunc[*AnycastGroup] {
	return func(l *loader, n *Node, g *AnycastGroup) {
		for _, r := range l.trackRefs(n, false) {
			if r.Weight.Set {
				l.advisef(r.Pos, "the group is announced only while every tracker is healthy", "(%s) %s %s: a weight has no effect in an anycast_group", g.Name, n.Keyword.Text, r.Name)
				r.Weight = Weight{}
			}
			*f(g) = append(*f(g), r)
		}
	}
}

func anycastCommunities(l *loader, n *Node, g *AnycastGroup) {
	for _, t := range n.Args {
		if c, ok := communityNames[strings.ToLower(t.Text)]; ok {
			g.Communities = append(g.Communities, c)
			continue
		}
		hi, lo, ok := strings.Cut(t.Text, ":")
		h, ok1 := parseUint32(hi)
		v, ok2 := parseUint32(lo)
		if !ok || !ok1 || !ok2 || h > 0xffff || v > 0xffff {
			l.errorf(t.Pos, "communities: %q is not ASN:VALUE (each 0-65535) or a well-known name, ignoring it", t.Text)
			continue
		}
		g.Communities = append(g.Communities, Community(h<<16|v))
	}
}

func anycastLargeCommunities(l *loader, n *Node, g *AnycastGroup) {
	for _, t := range n.Args {
		f := strings.Split(t.Text, ":")
		var v [3]uint32
		ok := len(f) == 3
		for i := 0; ok && i < 3; i++ {
			v[i], ok = parseUint32(f[i])
		}
		if !ok {
			l.errorf(t.Pos, "large_communities: %q is not GLOBAL:LOCAL1:LOCAL2 (each 0-4294967295), ignoring it", t.Text)
			continue
		}
		g.LargeCommunities = append(g.LargeCommunities, LargeCommunity{v[0], v[1], v[2]})
	}
}

// loadAnycastGroup reads an anycast_group block.
func (l *loader) loadAnycastGroup(n *Node) {
	l.ours(n)
	if len(n.Args) == 0 {
		l.errorf(endPos(n), "anycast_group needs a name")
		return
	}
	name := n.Args[0]
	for _, o := range l.cfg.AnycastGroups {
		if o.Name == name.Text {
			l.errorf(name.Pos, "anycast_group %s is defined twice, skipping the second", name.Text)
			return
		}
	}
	g := &AnycastGroup{Pos: name.Pos, Name: name.Text}
	dispatch(l, n.Children, anycastKeywords, g, "anycast_group")
	l.cfg.AnycastGroups = append(l.cfg.AnycastGroups, g)
}

// checkBGP runs once everything is read: anycast_group trackers and
// prefixes, and the speaker the announcements need.
func (l *loader) checkBGP() {
	s := l.cfg.Global.BGPSpeaker
	for _, g := range l.cfg.AnycastGroups {
		l.checkAnycastGroup(g)
		if s == nil {
			l.errorf(g.Pos, "anycast_group %s: no bgp_speaker in global_defs, nothing will announce it", g.Name)
			l.hintf("add a bgp_speaker block (local_as and a neighbor) to global_defs")
		}
	}
	for _, in := range l.cfg.Instances {
		if in.BGPAnnounce != nil && s == nil {
			l.errorf(in.BGPAnnounce.Pos, "(%s) bgp_announce: no bgp_speaker in global_defs, nothing will announce it", in.Name)
			l.hintf("add a bgp_speaker block (local_as and a neighbor) to global_defs")
		}
	}
	if s != nil {
		l.checkBGPFamilies(s)
	}
}

func (l *loader) checkAnycastGroup(g *AnycastGroup) {
	kept := g.VIPs[:0]
	for _, v := range g.VIPs {
		if v.Prefix.Bits() != v.Prefix.Addr().BitLen() && !g.AllowNonHost {
			l.errorf(v.Pos, "anycast_group %s: %s is not a host route (/%d), ignoring it", g.Name, v.Prefix, v.Prefix.Addr().BitLen())
			l.hintf("announce a /32 or /128, or add allow_non_host to the group to announce %s", v.Prefix.Masked())
			continue
		}
		kept = append(kept, v)
	}
	g.VIPs = kept
	if len(g.VIPs) == 0 {
		l.errorf(g.Pos, "anycast_group %s has no virtual_ipaddress, nothing to announce", g.Name)
	}
	l.resolveTracks(g.Name, &g.TrackScripts, "script", func(n string) bool { return l.cfg.Script(n) != nil })
	l.resolveTracks(g.Name, &g.TrackFiles, "file", l.hasTrackFile)
	l.resolveTracks(g.Name, &g.TrackProcesses, "process", l.hasTrackProcess)
}

// checkBGPFamilies warns about addresses no neighbor can carry: a
// session carries the unicast family of its neighbor's address.
func (l *loader) checkBGPFamilies(s *BGPSpeaker) {
	var has [2]bool
	for _, nb := range s.Neighbors {
		has[familyIndex(nb.Addr)] = true
	}
	warn := func(pos Pos, a netip.Addr) {
		if !has[familyIndex(a)] {
			l.advisef(pos, "add a neighbor of that family to bgp_speaker", "%s: no IPv%d neighbor to announce it to", a, familyOf(a.Is4()))
		}
	}
	for _, g := range l.cfg.AnycastGroups {
		for _, v := range g.VIPs {
			warn(v.Pos, v.Prefix.Addr())
		}
	}
	for _, in := range l.cfg.Instances {
		if in.BGPAnnounce == nil {
			continue
		}
		for _, v := range in.VIPs {
			warn(v.Pos, v.Prefix.Addr())
		}
	}
}

// familyIndex is 0 for IPv4, 1 for IPv6.
func familyIndex(a netip.Addr) int {
	if a.Is4() {
		return 0
	}
	return 1
}
