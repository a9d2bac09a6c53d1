package announcer

import (
	"github.com/gokeepalived/gokeepalived/internal/bgp"
	"github.com/gokeepalived/gokeepalived/internal/control"
)

// Status is the BGP part of the status snapshot.
func (a *Announcer) Status() *control.BGP {
	if a.sp == nil {
		return &control.BGP{LastError: a.err}
	}
	return toControl(a.sp.Status())
}

// toControl converts the speaker's status for the control API.
func toControl(st bgp.Status) *control.BGP {
	out := &control.BGP{Running: st.Running, LocalAS: st.LocalAS, RouterID: st.RouterID, LastError: st.LastError,
		Neighbors: []control.BGPNeighbor{}, Prefixes: []control.BGPPrefix{}}
	for _, n := range st.Neighbors {
		out.Neighbors = append(out.Neighbors, control.BGPNeighbor{Addr: n.Addr, RemoteAS: n.RemoteAS, State: n.State,
			Since: n.Since, Flaps: n.Flaps, LastError: n.LastError})
	}
	for _, p := range st.Prefixes {
		cp := control.BGPPrefix{Prefix: p.Prefix, Group: p.Group, Instance: p.Instance,
			ASPathPrepend: p.Attrs.ASPathPrepend, GracefulShutdown: p.GracefulShutdown, Since: p.Since}
		if p.Attrs.HasMED {
			cp.MED = &p.Attrs.MED
		}
		if p.Attrs.HasLocalPref {
			cp.LocalPref = &p.Attrs.LocalPref
		}
		for _, c := range p.Attrs.Communities {
			cp.Communities = append(cp.Communities, c.String())
		}
		for _, c := range p.Attrs.LargeCommunities {
			cp.Communities = append(cp.Communities, c.String())
		}
		out.Prefixes = append(out.Prefixes, cp)
	}
	return out
}
