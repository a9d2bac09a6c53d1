package config

// Static track groups, as keepalived has them:
//
//	track_group G { group { VI_1 VI_2 } }
//	static_ipaddress { 10.0.0.1/24 dev eth2 track_group G }
//
// A static address, route or rule naming a group is tracked by the group's
// instances (see internal/route/static.go and internal/effect). The group must be
// defined before the static entry that names it: keepalived looks the name
// up while it reads the entry. Instance names are resolved once the whole
// file is read; unknown ones are dropped with a log line, and a group left
// without instances is removed (keepalived only logs these).

// TrackGroup returns the track_group named name, or nil.
func (c *Config) TrackGroup(name string) *TrackGroup {
	for _, g := range c.TrackGroups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// loadTrackGroup reads a track_group block.
func (l *loader) loadTrackGroup(n *Node) {
	if len(n.Args) != 1 {
		l.errorf(endPos(n), "track_group needs one name, skipping it")
		return
	}
	name := n.Args[0]
	if l.cfg.TrackGroup(name.Text) != nil {
		l.errorf(name.Pos, "track_group %s already defined, skipping it", name.Text)
		return
	}
	g := &TrackGroup{Pos: name.Pos, Name: name.Text}
	seen := false
	dispatch(l, n.Children, table[*TrackGroup]{
		"group": func(l *loader, n *Node, g *TrackGroup) {
			if seen {
				l.errorf(n.Keyword.Pos, "group list already specified for track group %s, ignoring this one", g.Name)
				return
			}
			seen = true
			for _, c := range n.Children {
				for _, t := range append([]Token{c.Keyword}, c.Args...) {
					g.Instances = append(g.Instances, t.Text)
					g.InstancePos = append(g.InstancePos, t.Pos)
				}
			}
			if len(g.Instances) == 0 {
				l.warnf(n.Keyword.Pos, "track group %s has an empty group block", g.Name)
			}
		},
	}, g, "track_group")
	if len(g.Instances) == 0 {
		l.errorf(g.Pos, "track group %s has no members, removing it", g.Name)
		l.hintf("list the instances inside a `group { ... }` block")
		return
	}
	l.cfg.TrackGroups = append(l.cfg.TrackGroups, g)
}

// setTrackGroup records the `track_group NAME` option of an address, route
// or rule line; a second one is reported and ignored.
func (l *loader) setTrackGroup(name *string, pos *Pos, val Token) {
	if *name != "" {
		l.errorf(val.Pos, "track_group %s is a duplicate, ignoring it", val.Text)
		return
	}
	*name, *pos = val.Text, val.Pos
}

// findTrackGroup checks, as a static entry is read, that the group it
// names is already defined; an unknown name is reported and dropped, and
// the entry is kept untracked.
func (l *loader) findTrackGroup(name *string, pos Pos) {
	if *name == "" || l.cfg.TrackGroup(*name) != nil {
		return
	}
	l.errorf(pos, "track_group %s not found", *name)
	l.hintf("define `track_group %s { group { ... } }` before the static block that names it", *name)
	*name = ""
}

// checkTrackGroups resolves the groups' instances once the whole file is
// read, and the track_group options of the other entries.
func (l *loader) checkTrackGroups() {
	var kept []*TrackGroup
	removed := map[string]bool{}
	for _, g := range l.cfg.TrackGroups {
		var names []string
		var pos []Pos
		for i, m := range g.Instances {
			if l.byName[m] == nil {
				l.advisef(g.InstancePos[i], "", "vrrp instance %s specified in track group %s doesn't exist, ignoring it", m, g.Name)
				continue
			}
			names = append(names, m)
			pos = append(pos, g.InstancePos[i])
		}
		g.Instances, g.InstancePos = names, pos
		if len(names) == 0 {
			l.advisef(g.Pos, "", "track group %s has no VRRP instance(s), removing it", g.Name)
			removed[g.Name] = true
			continue
		}
		kept = append(kept, g)
	}
	l.cfg.TrackGroups = kept

	static := func(what string, name *string, noTrack bool, pos Pos) {
		switch {
		case *name == "":
		case removed[*name]:
			*name = ""
		case noTrack:
			l.advisef(pos, "drop one of the two", "static %s has both track_group and no_track set, not tracking", what)
		}
	}
	for i := range l.cfg.StaticAddresses {
		v := &l.cfg.StaticAddresses[i]
		static("address", &v.TrackGroup, v.NoTrack, v.TrackGroupPos)
	}
	for i := range l.cfg.StaticRoutes {
		r := &l.cfg.StaticRoutes[i]
		static("route", &r.TrackGroup, r.NoTrack, r.TrackGroupPos)
	}
	for i := range l.cfg.StaticRules {
		r := &l.cfg.StaticRules[i]
		static("rule", &r.TrackGroup, r.NoTrack, r.TrackGroupPos)
	}

	// keepalived takes track_group on static entries only; on a virtual
	// address, route or rule the word is a configuration error.
	virtual := func(name *string, pos Pos) {
		if *name != "" {
			l.errorf(pos, "track_group is only valid on static_ipaddress, static_routes and static_rules, ignoring it")
			*name = ""
		}
	}
	for _, in := range l.cfg.Instances {
		for _, vs := range [][]VIP{in.VIPs, in.ExcludedVIPs} {
			for i := range vs {
				virtual(&vs[i].TrackGroup, vs[i].TrackGroupPos)
			}
		}
		for i := range in.VirtualRoutes {
			virtual(&in.VirtualRoutes[i].TrackGroup, in.VirtualRoutes[i].TrackGroupPos)
		}
		for i := range in.VirtualRules {
			virtual(&in.VirtualRules[i].TrackGroup, in.VirtualRules[i].TrackGroupPos)
		}
	}
}
