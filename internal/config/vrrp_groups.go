package config

import (
	"strings"
	"time"
)

// syncGroupKeywords is the vrrp_sync_group table.
var syncGroupKeywords = table[*SyncGroup]{
	"group": func(l *loader, n *Node, g *SyncGroup) {
		for _, c := range n.Children {
			for _, t := range append([]Token{c.Keyword}, c.Args...) {
				g.Members = append(g.Members, t.Text)
				g.MemberPos = append(g.MemberPos, t.Pos)
			}
		}
	},
	"track_script": func(l *loader, n *Node, g *SyncGroup) {
		g.TrackScripts = append(g.TrackScripts, l.trackRefs(n, true)...)
	},
	"track_interface": func(l *loader, n *Node, g *SyncGroup) {
		g.TrackInterfaces = append(g.TrackInterfaces, l.trackRefs(n, false)...)
	},
	"track_file": func(l *loader, n *Node, g *SyncGroup) { g.TrackFiles = append(g.TrackFiles, l.trackRefs(n, false)...) },
	"track_process": func(l *loader, n *Node, g *SyncGroup) {
		g.TrackProcesses = append(g.TrackProcesses, l.trackRefs(n, false)...)
	},
	"track_bfd": func(l *loader, n *Node, g *SyncGroup) {
		g.TrackBFDs = append(g.TrackBFDs, l.trackRefs(n, false)...)
		l.noEffect(n) // no BFD engine yet
	},
	"notify_master":           groupNotify(func(g *SyncGroup) **Script { return &g.NotifyMaster }),
	"notify_backup":           groupNotify(func(g *SyncGroup) **Script { return &g.NotifyBackup }),
	"notify_fault":            groupNotify(func(g *SyncGroup) **Script { return &g.NotifyFault }),
	"notify_stop":             groupNotify(func(g *SyncGroup) **Script { return &g.NotifyStop }),
	"notify_deleted":          groupNotify(func(g *SyncGroup) **Script { return &g.NotifyDeleted }),
	"notify":                  groupNotify(func(g *SyncGroup) **Script { return &g.Notify }),
	"notify_priority_changes": flagKw(func(g *SyncGroup) *bool { return &g.NotifyPriorityChanges }),
	"smtp_alert": func(l *loader, n *Node, g *SyncGroup) {
		v := l.boolArg(n, 0)
		g.SMTPAlert = &v
		l.noEffect(n)
	},
	"global_tracking": func(l *loader, n *Node, g *SyncGroup) {
		l.warnf(n.Keyword.Pos, "global_tracking is deprecated, use sync_group_tracking_weight") // keepalived's -t fails on it
		g.GlobalTracking, g.SyncGroupTrackingWeight = true, true
	},
	"sync_group_tracking_weight": setKw(func(g *SyncGroup) *bool { return &g.SyncGroupTrackingWeight }, true),
}

// groupNotify handles a notify keyword of a sync group: the first one
// written wins, as in keepalived.
func groupNotify(f func(*SyncGroup) **Script) kwFunc[*SyncGroup] {
	return firstScriptKw(f, func(g *SyncGroup) string { return "vrrp group " + g.Name + ":" })
}

// firstGroupList drops (and reports) every `group` block after the first:
// keepalived keeps the first list of a sync group.
func firstGroupList(l *loader, nodes []*Node, name string) []*Node {
	var kept []*Node
	seen := false
	for _, c := range nodes {
		if c.Keyword.Text == "group" {
			if seen {
				l.warnf(c.Keyword.Pos, "group list already specified for sync group %s, ignoring this one", name)
				continue
			}
			seen = true
		}
		kept = append(kept, c)
	}
	return kept
}

// loadSyncGroup reads a vrrp_sync_group block.
func (l *loader) loadSyncGroup(n *Node) {
	if len(n.Args) == 0 {
		l.errorf(endPos(n), "vrrp_sync_group needs a name")
		return
	}
	g := &SyncGroup{Pos: n.Args[0].Pos, Name: n.Args[0].Text}
	dispatch(l, firstGroupList(l, n.Children, g.Name), syncGroupKeywords, g, "vrrp_sync_group")
	l.cfg.SyncGroups = append(l.cfg.SyncGroups, g)
}

// garpGroupKeywords is the garp_group table.
var garpGroupKeywords = table[*GarpGroup]{
	"garp_interval": durKw(func(g *GarpGroup) *time.Duration { return &g.GarpInterval }, 0, 86400*time.Second),
	"gna_interval":  durKw(func(g *GarpGroup) *time.Duration { return &g.GnaInterval }, 0, 86400*time.Second),
	"interface": func(l *loader, n *Node, g *GarpGroup) {
		g.Interfaces = append(g.Interfaces, l.stringArg(n, 0))
	},
	"interfaces": func(l *loader, n *Node, g *GarpGroup) {
		for _, c := range n.Children {
			g.Interfaces = append(g.Interfaces, c.Keyword.Text)
		}
	},
}

// loadGarpGroup reads a garp_group block.
func (l *loader) loadGarpGroup(n *Node) {
	g := &GarpGroup{Pos: n.Keyword.Pos}
	dispatch(l, n.Children, garpGroupKeywords, g, "garp_group")
	if len(g.Interfaces) == 0 {
		l.errorf(n.Keyword.Pos, "garp_group has no interface, ignoring it")
		return
	}
	l.cfg.GarpGroups = append(l.cfg.GarpGroups, g)
}

// loadLinkbeat reads linkbeat_interfaces: `IF [MII|ETHTOOL|IOCTL]` lines.
func (l *loader) loadLinkbeat(n *Node) {
	// Link state always comes from netlink; there is no MII/ethtool
	// polling to choose.
	l.noEffect(n)
	for _, c := range n.Children {
		lb := LinkbeatInterface{Pos: c.Keyword.Pos, Interface: c.Keyword.Text, Method: LinkbeatMII}
		if len(c.Args) > 0 {
			switch strings.ToUpper(c.Args[0].Text) {
			case "MII":
			case "ETHTOOL":
				lb.Method = LinkbeatEthtool
			case "IOCTL":
				lb.Method = LinkbeatIoctl
			default:
				l.errorf(c.Args[0].Pos, "linkbeat_interfaces: unknown method %q", c.Args[0].Text)
				continue
			}
		}
		l.cfg.LinkbeatInterfaces = append(l.cfg.LinkbeatInterfaces, lb)
	}
}

// loadUpDownDelays reads interface_up_down_delays: `IF DOWN [UP]` lines.
func (l *loader) loadUpDownDelays(n *Node) {
	for _, c := range n.Children {
		d := UpDownDelay{Pos: c.Keyword.Pos, Interface: c.Keyword.Text}
		down, ok := l.durArg(c, 0, 0, 255*time.Second)
		if !ok {
			continue
		}
		d.Down, d.Up = down, down
		if len(c.Args) > 1 {
			if d.Up, ok = l.durArg(c, 1, 0, 255*time.Second); !ok {
				continue
			}
		}
		l.cfg.InterfaceUpDownDelays = append(l.cfg.InterfaceUpDownDelays, d)
	}
}

// loadStatic reads static_ipaddress, static_routes and static_rules.
func (l *loader) loadStatic(n *Node) {
	for _, c := range n.Children {
		switch n.Keyword.Text {
		case "static_ipaddress":
			if v, ok := l.parseVIP(c); ok {
				l.findTrackGroup(&v.TrackGroup, v.TrackGroupPos)
				l.cfg.StaticAddresses = append(l.cfg.StaticAddresses, v)
			}
		case "static_routes":
			if r, ok := l.parseRoute(c, false); ok {
				l.findTrackGroup(&r.TrackGroup, r.TrackGroupPos)
				l.cfg.StaticRoutes = append(l.cfg.StaticRoutes, r)
			}
		case "static_rules":
			if r, ok := l.parseRule(c); ok {
				l.findTrackGroup(&r.TrackGroup, r.TrackGroupPos)
				l.cfg.StaticRules = append(l.cfg.StaticRules, r)
			}
		}
	}
}
