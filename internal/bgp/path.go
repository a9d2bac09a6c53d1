package bgp

import (
	"net/netip"
	"slices"

	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// path builds the GoBGP path announcing r. The next hop is left
// unspecified, so GoBGP puts the session's local address there; gshut
// adds RFC 8326's GRACEFUL_SHUTDOWN community. The local AS is prepended
// Attrs.ASPathPrepend times here; GoBGP adds it once more towards eBGP
// neighbors.
func path(r Route, localAS uint32, gshut bool) (*apiutil.Path, error) {
	nlri, err := bgp.NewIPAddrPrefix(r.Prefix)
	if err != nil {
		return nil, err
	}
	attrs := []bgp.PathAttributeInterface{bgp.NewPathAttributeOrigin(bgp.BGP_ORIGIN_ATTR_TYPE_IGP)}
	family := bgp.RF_IPv4_UC
	if r.Prefix.Addr().Is4() {
		nh, err := bgp.NewPathAttributeNextHop(netip.IPv4Unspecified())
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, nh)
	} else {
		family = bgp.RF_IPv6_UC
		mp, err := bgp.NewPathAttributeMpReachNLRI(family, []bgp.PathNLRI{{NLRI: nlri}}, netip.IPv6Unspecified())
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, mp)
	}
	a := r.Attrs
	if a.ASPathPrepend > 0 {
		attrs = append(attrs, bgp.NewPathAttributeAsPath([]bgp.AsPathParamInterface{
			bgp.NewAs4PathParam(bgp.BGP_ASPATH_ATTR_TYPE_SEQ, slices.Repeat([]uint32{localAS}, a.ASPathPrepend)),
		}))
	}
	if a.HasMED {
		attrs = append(attrs, bgp.NewPathAttributeMultiExitDisc(a.MED))
	}
	if a.HasLocalPref {
		attrs = append(attrs, bgp.NewPathAttributeLocalPref(a.LocalPref))
	}
	if comms := communities(a.Communities, gshut); len(comms) > 0 {
		attrs = append(attrs, bgp.NewPathAttributeCommunities(comms))
	}
	if len(a.LargeCommunities) > 0 {
		var lc []*bgp.LargeCommunity
		for _, c := range a.LargeCommunities {
			lc = append(lc, bgp.NewLargeCommunity(c.Global, c.Local1, c.Local2))
		}
		attrs = append(attrs, bgp.NewPathAttributeLargeCommunities(lc))
	}
	return &apiutil.Path{Family: family, Nlri: nlri, Attrs: attrs}, nil
}

// communities returns the communities of a path, with GRACEFUL_SHUTDOWN
// added when gshut is set.
func communities(cs []config.Community, gshut bool) []uint32 {
	var out []uint32
	for _, c := range cs {
		out = append(out, uint32(c))
	}
	if gshut && !slices.Contains(cs, config.CommunityGracefulShutdown) {
		out = append(out, uint32(config.CommunityGracefulShutdown))
	}
	return out
}
