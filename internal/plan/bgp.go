package plan

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// BGPRow is who announces one prefix by BGP (issue 16, docs/bgp.md) in
// the steady state (Failure nil) or after one failure: every node whose
// anycast_group is healthy, or the MASTER of a bgp_announce instance.
type BGPRow struct {
	Failure    *Failure     `json:"failure,omitempty"`
	Prefix     netip.Prefix `json:"prefix"`
	For        string       `json:"for"` // "anycast_group WEB", "vrrp_instance VI_1"
	Announcers []string     `json:"announcers"`
}

// bgpSource is one prefix some nodes may announce.
type bgpSource struct {
	prefix netip.Prefix
	what   string
	// groups are the anycast groups configuring it, by node; insts the
	// bgp_announce instances.
	groups map[string]*config.AnycastGroup
	insts  map[string]*config.Instance
}

// bgpRows fills p.BGP: the steady state, then each failure of the plan's
// failure table and each failure of a tracker only anycast groups use.
func (p *Plan) bgpRows(nodes []*node) {
	srcs := bgpSources(nodes)
	if len(srcs) == 0 {
		return
	}
	fails := []*Failure{nil}
	for i := range p.Failures {
		fails = append(fails, &p.Failures[i].Failure)
	}
	for _, n := range nodes {
		for _, f := range anycastFailures(n) {
			if !slices.ContainsFunc(fails, func(g *Failure) bool { return g != nil && *g == f }) {
				fails = append(fails, &f)
			}
		}
	}
	for _, f := range fails {
		for _, s := range srcs {
			p.BGP = append(p.BGP, BGPRow{Failure: f, Prefix: s.prefix, For: s.what, Announcers: nonNil(p.announcers(nodes, s, f))})
		}
	}
}

// bgpSources lists the prefixes of every node's anycast groups and
// bgp_announce instances, in order of first appearance.
func bgpSources(nodes []*node) []*bgpSource {
	var out []*bgpSource
	get := func(pfx netip.Prefix, what string) *bgpSource {
		for _, s := range out {
			if s.prefix == pfx && s.what == what {
				return s
			}
		}
		s := &bgpSource{prefix: pfx, what: what, groups: map[string]*config.AnycastGroup{}, insts: map[string]*config.Instance{}}
		out = append(out, s)
		return s
	}
	for _, n := range nodes {
		for _, g := range n.cfg.AnycastGroups {
			for _, v := range g.VIPs {
				get(v.Prefix.Masked(), "anycast_group "+g.Name).groups[n.spec.Name] = g
			}
		}
		for _, ci := range n.cfg.Instances {
			if ci.BGPAnnounce == nil {
				continue
			}
			for _, v := range ci.VIPs {
				a := v.Prefix.Addr()
				get(netip.PrefixFrom(a, a.BitLen()), "vrrp_instance "+ci.Name).insts[n.spec.Name] = ci
			}
		}
	}
	return out
}

// anycastFailures are the failures of the trackers n's anycast groups
// name.
func anycastFailures(n *node) []Failure {
	var out []Failure
	for _, g := range n.cfg.AnycastGroups {
		for _, k := range []struct {
			kind FailureKind
			refs []config.TrackRef
		}{{FailScript, g.TrackScripts}, {FailProcess, g.TrackProcesses}, {FailInterface, g.TrackInterfaces}} {
			for _, r := range k.refs {
				f := Failure{Kind: k.kind, Node: n.spec.Name, Target: r.Name}
				if !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// announcers returns the nodes announcing s after failure f (nil: the
// steady state).
func (p *Plan) announcers(nodes []*node, s *bgpSource, f *Failure) []string {
	var out []string
	for _, n := range nodes {
		name := n.spec.Name
		down := f != nil && f.Node == name && (f.Kind == FailCrash || f.Kind == FailStop)
		if g := s.groups[name]; g != nil && !down && !(f != nil && f.Node == name && groupTracks(g, *f)) {
			out = append(out, name)
		}
		if s.insts[name] != nil && slices.Contains(p.holders(s.prefix.Addr(), f), name) {
			out = append(out, name)
		}
	}
	return out
}

// groupTracks says whether g tracks the failing script, process or
// interface of f.
func groupTracks(g *config.AnycastGroup, f Failure) bool {
	refs := map[FailureKind][]config.TrackRef{FailScript: g.TrackScripts, FailProcess: g.TrackProcesses, FailInterface: g.TrackInterfaces}[f.Kind]
	return slices.ContainsFunc(refs, func(r config.TrackRef) bool { return r.Name == f.Target })
}

// holders is who holds vip in the steady state of the failure table's
// start order, or after f.
func (p *Plan) holders(vip netip.Addr, f *Failure) []string {
	if f == nil {
		for _, r := range p.Steady {
			if r.VIP == vip {
				for _, pl := range r.Placements {
					if pl.Order == p.Baseline {
						return pl.Holders
					}
				}
			}
		}
		return nil
	}
	row, ok := p.Row(*f)
	if !ok { // a failure only anycast groups see: VRRP is unchanged
		return p.holders(vip, nil)
	}
	for _, v := range row.VIPs {
		if v.VIP == vip {
			return v.After
		}
	}
	return p.holders(vip, nil)
}

// textBGP writes the BGP table.
func (p *Plan) textBGP(b *strings.Builder) {
	if len(p.BGP) == 0 {
		return
	}
	b.WriteString("\nBGP announcements (a BACKUP that pre-announces with a worse path is not listed)\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  when\tprefix\tfor\tannounced by\n")
	var last string
	for _, r := range p.BGP {
		when := "steady state"
		if r.Failure != nil {
			when = r.Failure.String()
		}
		cell := when
		if when == last {
			cell = ""
		}
		last = when
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", cell, r.Prefix, r.For, announcerWords(r.Announcers))
	}
	tw.Flush()
}

// announcerWords lists announcers: several are ECMP, not a split brain.
func announcerWords(a []string) string {
	if len(a) == 0 {
		return "none (withdrawn)"
	}
	return strings.Join(a, ", ")
}
