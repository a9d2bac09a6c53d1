package config

import "slices"

// checkInstances runs, on the instances that survived validation, the
// checks keepalived makes while completing them that the rest of the
// loader does not: a track_interface naming the instance's own interface,
// and unicast keywords without unicast peers.
func (l *loader) checkInstances() {
	l.dropOwnTrack()
	for _, in := range l.cfg.Instances {
		unicast := in.UnicastSrcIP.IsValid() || in.UnicastPeerBlock || in.CheckUnicastSrc || in.OldUnicastChecksum != OldChecksumOff
		if unicast && len(in.UnicastPeers) == 0 && !in.UnicastFaultNoPeer {
			l.warnf(in.Pos, "(%s) a unicast keyword is given without unicast peers; using multicast, which keepalived deprecates", in.Name)
			l.hintf("add the peers in `unicast_peer { ... }`, or `unicast_fault_no_peer` to go to FAULT instead")
		}
	}
}

// dropOwnTrack removes, as keepalived does, track_interface entries that
// name the instance's own interface, and reports them.
func (l *loader) dropOwnTrack() {
	for _, in := range l.cfg.Instances {
		in.TrackInterfaces = slices.DeleteFunc(in.TrackInterfaces, func(r TrackRef) bool {
			if in.Interface == "" || r.Name != in.Interface {
				return false
			}
			l.warnf(r.Pos, "(%s) ignoring track_interface %s since it is the instance's own interface", in.Name, r.Name)
			return true
		})
	}
}

// notifyKeywords are the notify scripts a vrrp_instance or
// vrrp_sync_group takes once.
var notifyKeywords = map[string]bool{
	"notify_master": true, "notify_backup": true, "notify_fault": true, "notify_stop": true,
	"notify": true, "notify_master_rx_lower_pri": true, "notify_deleted": true,
}

// dropRepeatedNotify reports a notify script given twice in one instance
// or sync group and drops the repeat: keepalived keeps the first.
func (l *loader) dropRepeatedNotify(nodes []*Node) {
	for _, n := range nodes {
		if kw := n.Keyword.Text; kw != "vrrp_instance" && kw != "vrrp_sync_group" {
			continue
		}
		seen := map[string]bool{}
		n.Children = slices.DeleteFunc(slices.Clone(n.Children), func(c *Node) bool {
			kw := c.Keyword.Text
			if !notifyKeywords[kw] || !seen[kw] {
				seen[kw] = true
				return false
			}
			l.warnf(c.Keyword.Pos, "%s script already given, ignoring this one", kw)
			return true
		})
	}
}
