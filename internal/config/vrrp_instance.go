package config

import (
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// instBuild is a vrrp_instance while it is being read: the model plus what
// completion needs to know about what was written.
type instBuild struct {
	*Instance
	versionSet   bool
	acceptSet    bool
	strictSet    bool
	advertTok    Token
	nopreemptPos Pos
	// preemptDelayPos is where preempt_delay is written.
	preemptDelayPos Pos
	prioSet         bool
	// higherPrioOn: the instance itself wrote higher_prio_send_advert on.
	higherPrioOn bool
	v2OnIPv6     bool // `version 2` on an IPv6 instance, which runs version 3
	csumAsV2Set  bool // v3_checksum_as_v2 given in the instance
	garp         garpSet
}

// garpSet records which GARP settings an instance wrote itself; the rest
// come from global_defs.
type garpSet struct {
	delay, repeat, refresh, refreshRepeat, lpDelay, lpRepeat bool
}

func ib(f func(*Instance) *bool) kwFunc[*instBuild] {
	return flagKw(func(b *instBuild) *bool { return f(b.Instance) })
}

// instanceKeywords is the vrrp_instance table, one function per keyword.
var instanceKeywords table[*instBuild]

func init() {
	instanceKeywords = table[*instBuild]{
		"state":             instState,
		"interface":         instInterface,
		"virtual_router_id": instVRID,
		"priority":          instPriority,
		"advert_int":        instAdvertInt,
		"version":           instVersion,
		"native_ipv6": func(l *loader, n *Node, b *instBuild) {
			b.Version, b.versionSet = 3, true
		},
		"authentication":             instAuth,
		"virtual_ipaddress":          instVIPs,
		"virtual_ipaddress_excluded": instExcludedVIPs,
		"virtual_routes":             instRoutes,
		"virtual_rules":              instRules,
		"no_virtual_ipaddress":       ib(func(i *Instance) *bool { return &i.NoVirtualIPs }),
		"unicast_src_ip":             instUnicastSrc,
		"unicast_peer":               instUnicastPeers,
		"unicast_ttl":                intKw(func(b *instBuild) *int { return &b.UnicastTTL }, 1, 255),
		"unicast_fault_no_peer":      ib(func(i *Instance) *bool { return &i.UnicastFaultNoPeer }),
		"check_unicast_src":          ib(func(i *Instance) *bool { return &i.CheckUnicastSrc }),
		"mcast_src_ip":               instMcastSrc,
		"mcast_dst_ip":               addrKw(func(b *instBuild) *netip.Addr { return &b.McastDstIP }),
		"track_src_ip":               ib(func(i *Instance) *bool { return &i.TrackSrcIP }),
		"old_unicast_checksum":       instOldUnicastChecksum,
		"v3_checksum_as_v2": func(l *loader, n *Node, b *instBuild) {
			b.V3ChecksumAsV2, b.csumAsV2Set = l.boolArg(n, 0), true
		},
		"nopreempt": func(l *loader, n *Node, b *instBuild) {
			b.Nopreempt, b.nopreemptPos = true, n.Keyword.Pos
		},
		"preempt": func(l *loader, n *Node, b *instBuild) { b.Nopreempt = false },
		"preempt_delay": func(l *loader, n *Node, b *instBuild) {
			if d, ok := l.durArg(n, 0, 0, 1000*time.Second); ok {
				b.PreemptDelay, b.preemptDelayPos = d, n.Args[0].Pos
			}
		},
		"accept":      func(l *loader, n *Node, b *instBuild) { b.Accept, b.acceptSet = true, true },
		"no_accept":   func(l *loader, n *Node, b *instBuild) { b.Accept, b.acceptSet = false, true },
		"strict_mode": func(l *loader, n *Node, b *instBuild) { b.StrictMode, b.strictSet = l.boolArg(n, 0), true },
		"track_script": func(l *loader, n *Node, b *instBuild) {
			b.TrackScripts = append(b.TrackScripts, l.trackRefs(n, true)...)
		},
		"track_interface": func(l *loader, n *Node, b *instBuild) {
			b.TrackInterfaces = append(b.TrackInterfaces, l.trackRefs(n, false)...)
		},
		"track_file": func(l *loader, n *Node, b *instBuild) {
			b.TrackFiles = append(b.TrackFiles, l.trackRefs(n, false)...)
		},
		"track_process": func(l *loader, n *Node, b *instBuild) {
			b.TrackProcesses = append(b.TrackProcesses, l.trackRefs(n, false)...)
		},
		"track_bfd": func(l *loader, n *Node, b *instBuild) {
			b.TrackBFDs = append(b.TrackBFDs, l.trackRefs(n, false)...)
			l.noEffect(n) // no BFD engine yet
		},
		"notify_master":              instNotify(func(b *instBuild) **Script { return &b.NotifyMaster }),
		"notify_backup":              instNotify(func(b *instBuild) **Script { return &b.NotifyBackup }),
		"notify_fault":               instNotify(func(b *instBuild) **Script { return &b.NotifyFault }),
		"notify_stop":                instNotify(func(b *instBuild) **Script { return &b.NotifyStop }),
		"notify_deleted":             instNotify(func(b *instBuild) **Script { return &b.NotifyDeleted }),
		"notify":                     instNotify(func(b *instBuild) **Script { return &b.Notify }),
		"notify_master_rx_lower_pri": instNotify(func(b *instBuild) **Script { return &b.NotifyMasterRxLowerPri }),
		"notify_priority_changes":    ib(func(i *Instance) *bool { return &i.NotifyPriorityChanges }),
		"smtp_alert": func(l *loader, n *Node, b *instBuild) {
			v := l.boolArg(n, 0)
			b.SMTPAlert = &v
			l.noEffect(n)
		},
		"use_vmac":             instUseVMAC,
		"use_vmac_addr":        func(l *loader, n *Node, b *instBuild) { b.UseVMACAddr = true }, // words after it ignored, as keepalived does
		"vmac_xmit_base":       ib(func(i *Instance) *bool { return &i.VMACXmitBase }),
		"use_ipvlan":           func(l *loader, n *Node, b *instBuild) { b.UseIPVlan = true; l.noEffect(n) },
		"dont_track_primary":   ib(func(i *Instance) *bool { return &i.DontTrackPrimary }),
		"promote_secondaries":  ib(func(i *Instance) *bool { return &i.PromoteSecondaries }),
		"skip_check_adv_addr":  ib(func(i *Instance) *bool { return &i.SkipCheckAdvAddr }),
		"lower_prio_no_advert": ib(func(i *Instance) *bool { return &i.LowerPrioNoAdvert }),
		"higher_prio_send_advert": func(l *loader, n *Node, b *instBuild) {
			b.HigherPrioSendAdvert = l.boolArg(n, 0)
			b.higherPrioOn = b.HigherPrioSendAdvert
		},
		"owner_ignore_adverts":  ib(func(i *Instance) *bool { return &i.OwnerIgnoreAdverts }),
		"down_timer_adverts":    intKw(func(b *instBuild) *int { return &b.DownTimerAdverts }, 1, 100),
		"vrf":                   modelledNoEffect(strKw(func(b *instBuild) *string { return &b.VRF })),
		"garp_master_delay":     instGarpDur(func(g *GarpSettings) *time.Duration { return &g.MasterDelay }, func(s *garpSet) *bool { return &s.delay }),
		"garp_master_refresh":   instGarpDur(func(g *GarpSettings) *time.Duration { return &g.MasterRefresh }, func(s *garpSet) *bool { return &s.refresh }),
		"garp_lower_prio_delay": instGarpDur(func(g *GarpSettings) *time.Duration { return &g.LowerPrioDelay }, func(s *garpSet) *bool { return &s.lpDelay }),
		"garp_master_repeat":    instGarpInt(func(g *GarpSettings) *int { return &g.MasterRepeat }, func(s *garpSet) *bool { return &s.repeat }),
		"garp_master_refresh_repeat": instGarpInt(func(g *GarpSettings) *int { return &g.MasterRefreshRepeat },
			func(s *garpSet) *bool { return &s.refreshRepeat }),
		"garp_lower_prio_repeat": instGarpInt(func(g *GarpSettings) *int { return &g.LowerPrioRepeat }, func(s *garpSet) *bool { return &s.lpRepeat }),
		"garp_extra_if":          modelledNoEffect(instGarpExtraIf),
		"vmac_garp_intvl":        modelledNoEffect(instGarpExtraIf),
		"fast_failover": func(l *loader, n *Node, b *instBuild) {
			b.FastFailover = l.boolArg(n, 0)
		},
		"keepalived_timing": func(l *loader, n *Node, b *instBuild) {
			b.FastFailover = !l.boolArg(n, 0)
		},
		"lvs_sync_daemon_interface": func(l *loader, n *Node, b *instBuild) {
			l.warnf(n.Keyword.Pos, "(%s) specifying lvs_sync_daemon_interface in a vrrp_instance is deprecated, use global lvs_sync_daemon", b.Name)
			l.noEffect(n)
		},
		"bgp_announce":         instBGPAnnounce,
		"timer_expired_backup": noEffectKw[*instBuild](),
		"thread_timer_expired": noEffectKw[*instBuild](),
		"kernel_rx_buf_size":   instKernelRxBufSize,
		"debug":                noEffectKw[*instBuild](),
		"linkbeat_use_polling": noEffectKw[*instBuild](),
		"auth_hmac":            instAuthHMAC,
	}
}

// newInstance returns an instance with keepalived's defaults.
func newInstance(n *Node) *instBuild {
	in := &Instance{
		Pos:              n.Keyword.Pos,
		Priority:         100,
		AdvertInt:        time.Second,
		DownTimerAdverts: 3,
		Accept:           true,
		FastFailover:     true,
	}
	if len(n.Args) > 0 {
		in.Name = n.Args[0].Text
		in.Pos = n.Args[0].Pos
	}
	return &instBuild{Instance: in}
}

// loadInstance reads one vrrp_instance block.
func (l *loader) loadInstance(n *Node) {
	if len(n.Args) == 0 {
		l.errorf(endPos(n), "vrrp_instance needs a name")
		return
	}
	b := newInstance(n)
	if l.byName[b.Name] != nil {
		l.errorf(n.Args[0].Pos, "vrrp_instance %s is defined twice, skipping the second", b.Name)
		return
	}
	dispatch(l, n.Children, instanceKeywords, b, "vrrp_instance")
	l.builds = append(l.builds, b)
	l.byName[b.Name] = b.Instance
	l.cfg.Instances = append(l.cfg.Instances, b.Instance)
}

func instState(l *loader, n *Node, b *instBuild) {
	t, ok := l.arg(n, 0)
	if !ok {
		return
	}
	switch t.Text {
	case "MASTER":
		b.State = StateMaster
	case "BACKUP":
		if b.State == StateMaster {
			l.warnf(t.Pos, "(%s) state previously set as MASTER, ignoring BACKUP", b.Name)
			return
		}
		b.State = StateBackup
	default:
		l.errorf(t.Pos, "(%s) unknown state %q, defaulting to BACKUP", b.Name, t.Text)
		l.hintf("write MASTER or BACKUP, in capitals")
		b.State = StateBackup
	}
	b.StatePos = t.Pos
}

// instNotify handles a notify keyword of an instance: as in keepalived
// the first one written wins, a later one is reported and ignored.
func instNotify(f func(*instBuild) **Script) kwFunc[*instBuild] {
	return firstScriptKw(f, func(b *instBuild) string { return "(" + b.Name + ")" })
}

func instInterface(l *loader, n *Node, b *instBuild) {
	t, ok := l.arg(n, 0)
	if !ok {
		return
	}
	if t.Text == "lo" {
		l.errorf(t.Pos, "(%s) cannot use a loopback interface (lo) for vrrp, ignoring", b.Name)
		return
	}
	b.Interface = t.Text
}

func instVRID(l *loader, n *Node, b *instBuild) {
	if v, ok := l.intArg(n, 0, 1, 255); ok {
		b.VRID, b.VRIDPos = int(v), n.Args[0].Pos
	}
}

func instPriority(l *loader, n *Node, b *instBuild) {
	if v, ok := l.intArg(n, 0, 1, 255); ok {
		b.Priority, b.PrioPos, b.prioSet = int(v), n.Args[0].Pos, true
		return
	}
	l.hintf("(%s) using the default priority 100", b.Name)
	// keepalived sets 100 explicitly, so `state MASTER` does not make
	// the instance an owner.
	b.Priority, b.prioSet = 100, true
}

func instAdvertInt(l *loader, n *Node, b *instBuild) {
	d, ok := l.durArg(n, 0, 0, 255*time.Second)
	if !ok {
		return
	}
	if d == 0 {
		l.errorf(n.Args[0].Pos, "(%s) advert_int must be greater than 0, using 1", b.Name)
		return
	}
	b.AdvertInt, b.advertTok = d, n.Args[0]
}

func instVersion(l *loader, n *Node, b *instBuild) {
	if v, ok := l.intArg(n, 0, 2, 3); ok {
		b.Version, b.versionSet = int(v), true
	}
}

func instAuth(l *loader, n *Node, b *instBuild) {
	b.Auth.Pos = n.Keyword.Pos
	for _, c := range n.Children {
		switch c.Keyword.Text {
		case "auth_type":
			t, ok := l.arg(c, 0)
			if !ok {
				continue
			}
			switch t.Text {
			case "PASS":
				b.Auth.Type = AuthPass
			case "AH":
				b.Auth.Type = AuthAH
			default:
				l.errorf(t.Pos, "(%s) unknown auth_type %q, must be PASS or AH", b.Name, t.Text)
			}
		case "auth_pass":
			t, ok := l.arg(c, 0)
			if !ok {
				continue
			}
			b.Auth.Pass = t.Text
			if len(t.Text) > 8 {
				l.warnf(t.Pos, "(%s) auth_pass is longer than 8 characters, truncating it to %q", b.Name, t.Text[:8])
				l.hintf("only the first 8 characters are sent; peers compare those")
				b.Auth.Pass = t.Text[:8]
			}
		default:
			l.warnf(c.Keyword.Pos, "unknown keyword %q in authentication", c.Keyword.Text)
		}
	}
}

// family returns 4 or 6.
func familyOf(is4 bool) vrrp.Family {
	if is4 {
		return vrrp.IPv4
	}
	return vrrp.IPv6
}

func instVIPs(l *loader, n *Node, b *instBuild) {
	for _, c := range n.Children {
		v, ok := l.parseVIP(c)
		if !ok {
			continue
		}
		f := familyOf(v.Prefix.Addr().Is4())
		if b.Family == 0 {
			b.Family = f
		} else if b.Family != f {
			l.errorf(c.Keyword.Pos, "(%s) address family must match the instance (IPv%d): ignoring %s", b.Name, b.Family, v.Prefix.Addr())
			l.hintf("put addresses of the other family in virtual_ipaddress_excluded, or in a second vrrp_instance")
			continue
		}
		b.VIPs = append(b.VIPs, v)
	}
}

func instExcludedVIPs(l *loader, n *Node, b *instBuild) {
	for _, c := range n.Children {
		if v, ok := l.parseVIP(c); ok {
			b.ExcludedVIPs = append(b.ExcludedVIPs, v)
		}
	}
}

func instRoutes(l *loader, n *Node, b *instBuild) {
	for _, c := range n.Children {
		if r, ok := l.parseRoute(c, true); ok {
			b.VirtualRoutes = append(b.VirtualRoutes, r)
		}
	}
}

func instRules(l *loader, n *Node, b *instBuild) {
	for _, c := range n.Children {
		if r, ok := l.parseRule(c); ok {
			b.VirtualRules = append(b.VirtualRules, r)
		}
	}
}

// setFamily fixes the instance family from an address, reporting a clash.
func (l *loader) setFamily(b *instBuild, t Token, is4 bool) bool {
	f := familyOf(is4)
	if b.Family == 0 {
		b.Family = f
		return true
	}
	if b.Family != f {
		l.errorf(t.Pos, "(%s) address family of %s does not match the instance (IPv%d), ignoring it", b.Name, t.Text, b.Family)
		return false
	}
	return true
}

func instUnicastSrc(l *loader, n *Node, b *instBuild) {
	if a, ok := l.addrArg(n, 0); ok && l.setFamily(b, n.Args[0], a.Is4()) {
		b.UnicastSrcIP = a
	}
}

func instMcastSrc(l *loader, n *Node, b *instBuild) {
	if a, ok := l.addrArg(n, 0); ok && l.setFamily(b, n.Args[0], a.Is4()) {
		b.McastSrcIP = a
	}
}

func instUnicastPeers(l *loader, n *Node, b *instBuild) {
	b.UnicastPeerBlock = true
	for _, c := range n.Children {
		p := UnicastPeer{Pos: c.Keyword.Pos}
		a, err := parseHostAddr(c.Keyword.Text)
		if err != nil {
			l.errorf(c.Keyword.Pos, "(%s) invalid unicast_peer address %q, skipping it", b.Name, c.Keyword.Text)
			continue
		}
		if !l.setFamily(b, c.Keyword, a.Is4()) {
			continue
		}
		p.Addr = a
		ok := true
		for i := 0; i < len(c.Args) && ok; i += 2 {
			switch c.Args[i].Text {
			case "min_ttl", "max_ttl":
				v, good := l.intArg(c, i+1, 0, 255)
				if !good {
					ok = false
					break
				}
				if c.Args[i].Text == "min_ttl" {
					p.MinTTL = int(v)
				} else {
					p.MaxTTL = int(v)
				}
			default:
				l.errorf(c.Args[i].Pos, "(%s) unknown unicast_peer option %q", b.Name, c.Args[i].Text)
				ok = false
			}
		}
		if ok {
			b.UnicastPeers = append(b.UnicastPeers, p)
		}
	}
}

func instOldUnicastChecksum(l *loader, n *Node, b *instBuild) {
	b.OldUnicastChecksum = OldChecksumOn
	if len(n.Args) > 0 {
		if n.Args[0].Text != "never" {
			l.errorf(n.Args[0].Pos, "(%s) old_unicast_checksum takes no argument or \"never\"", b.Name)
			return
		}
		b.OldUnicastChecksum = OldChecksumNever
	}
}

func instUseVMAC(l *loader, n *Node, b *instBuild) {
	b.UseVMAC = true
	for i := 0; i < len(n.Args); i++ {
		switch n.Args[i].Text {
		case "netlink_notify_msg":
		case "group":
			i++
		default:
			if b.VMACName == "" {
				b.VMACName = n.Args[i].Text
			}
		}
	}
}

func instGarpDur(f func(*GarpSettings) *time.Duration, set func(*garpSet) *bool) kwFunc[*instBuild] {
	return func(l *loader, n *Node, b *instBuild) {
		if d, ok := l.durArg(n, 0, 0, 86400*time.Second); ok {
			*f(&b.Garp), *set(&b.garp) = d, true
		}
	}
}

func instGarpInt(f func(*GarpSettings) *int, set func(*garpSet) *bool) kwFunc[*instBuild] {
	return func(l *loader, n *Node, b *instBuild) {
		if v, ok := l.intArg(n, 0, 0, 1<<31-1); ok {
			*f(&b.Garp), *set(&b.garp) = int(v), true
		}
	}
}

func instGarpExtraIf(l *loader, n *Node, b *instBuild) {
	i := 0
	if len(n.Args) > 0 && n.Args[0].Text == "all" {
		b.Garp.ExtraIfAll = true
		i = 1
	}
	if d, ok := l.durArg(n, i, 0, 86400*time.Second); ok {
		b.Garp.ExtraIf = d
	}
}
