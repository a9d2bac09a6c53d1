package config

import "slices"

// checkInstances runs, on the instances that survived validation, the
// checks keepalived makes while completing them that the rest of the
// loader does not: a track_interface naming the instance's own interface,
// and unicast keywords without unicast peers.
func (l *loader) checkInstances() {
	l.dropOwnTrack()
	for _, in := range l.cfg.Instances {
		unicast := in.UnicastSrcIP.IsValid() || in.UnicastPeerBlock || in.CheckUnicastSrc || in.OldUnicastChecksum != ""
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
