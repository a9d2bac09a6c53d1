package config

import (
	"bytes"
	"net/netip"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Whether a reload changed something is decided by comparing typed
// identities: each value with its positions cleared and its pointers
// followed, so that two loads of the same text, or of a text whose lines
// moved, are the same. same_test.go checks that every field counts.

// SameInstance reports whether a and b configure the same vrrp_instance,
// wherever each is written.
func SameInstance(a, b *Instance) bool {
	if a == nil || b == nil {
		return a == b
	}
	return instanceIdentity(a) == instanceIdentity(b) &&
		slices.EqualFunc(a.VIPs, b.VIPs, SameVIP) &&
		slices.EqualFunc(a.ExcludedVIPs, b.ExcludedVIPs, SameVIP) &&
		slices.EqualFunc(a.VirtualRoutes, b.VirtualRoutes, SameRoute) &&
		slices.EqualFunc(a.VirtualRules, b.VirtualRules, SameRule) &&
		slices.EqualFunc(a.UnicastPeers, b.UnicastPeers, func(x, y UnicastPeer) bool {
			x.Pos, y.Pos = Pos{}, Pos{}
			return x == y
		}) &&
		sameTracking(&a.Tracking, &b.Tracking) &&
		sameNotifications(&a.Notifications, &b.Notifications) &&
		sameScript(a.NotifyMasterRxLowerPri, b.NotifyMasterRxLowerPri) &&
		sameBGPAnnounce(a.BGPAnnounce, b.BGPAnnounce) &&
		sameAuthHMAC(a.AuthHMAC, b.AuthHMAC)
}

// sameAuthHMAC reports whether two auth_hmac blocks (nil: none) agree,
// keys included, wherever each is written.
func sameAuthHMAC(a, b *AuthHMAC) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.ActiveKey == b.ActiveKey && a.Monotonic == b.Monotonic && a.TimeWindow == b.TimeWindow &&
		a.Mode == b.Mode && slices.EqualFunc(a.Keys, b.Keys, func(x, y HMACKey) bool {
		return x.ID == y.ID && bytes.Equal(x.Key, y.Key)
	})
}

// sameBGPAnnounce reports whether two bgp_announce settings (nil: none)
// agree, wherever each is written.
func sameBGPAnnounce(a, b *BGPAnnounce) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Backup == b.Backup
}

// SameSyncGroup reports whether a and b configure the same
// vrrp_sync_group, wherever each is written.
func SameSyncGroup(a, b *SyncGroup) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name && slices.Equal(a.Members, b.Members) &&
		a.GlobalTracking == b.GlobalTracking && a.SyncGroupTrackingWeight == b.SyncGroupTrackingWeight &&
		sameTracking(&a.Tracking, &b.Tracking) && sameNotifications(&a.Notifications, &b.Notifications)
}

// instanceScalars is the part of an Instance that is a plain value.
type instanceScalars struct {
	name, iface, vmacName, vrf, syncGroup                           string
	state                                                           State
	oldUnicastChecksum                                              OldChecksum
	vrid, priority, version, unicastTTL, downTimerAdverts           int
	advertInt, preemptDelay                                         time.Duration
	family                                                          vrrp.Family
	authType                                                        AuthType
	authPass                                                        string
	unicastSrc, mcastSrc, mcastDst                                  netip.Addr
	garp                                                            GarpSettings
	noVirtualIPs, unicastPeerBlock, unicastFaultNoPeer              bool
	checkUnicastSrc, trackSrcIP, nopreempt, accept, strictMode      bool
	useVMAC, vmacXmitBase, useVMACAddr, useIPVlan, dontTrackPrimary bool
	promoteSecondaries, skipCheckAdvAddr, lowerPrioNoAdvert         bool
	higherPrioSendAdvert, ownerIgnoreAdverts, v3ChecksumAsV2        bool
	fastFailover                                                    bool
	kernelRxBufSize                                                 int
}

func instanceIdentity(c *Instance) instanceScalars {
	return instanceScalars{
		name: c.Name, iface: c.Interface, vmacName: c.VMACName, oldUnicastChecksum: c.OldUnicastChecksum,
		vrf: c.VRF, syncGroup: c.SyncGroup, state: c.State,
		vrid: c.VRID, priority: c.Priority, version: c.Version, unicastTTL: c.UnicastTTL, downTimerAdverts: c.DownTimerAdverts,
		advertInt: c.AdvertInt, preemptDelay: c.PreemptDelay, family: c.Family,
		authType: c.Auth.Type, authPass: c.Auth.Pass,
		unicastSrc: c.UnicastSrcIP, mcastSrc: c.McastSrcIP, mcastDst: c.McastDstIP, garp: c.Garp,
		noVirtualIPs: c.NoVirtualIPs, unicastPeerBlock: c.UnicastPeerBlock, unicastFaultNoPeer: c.UnicastFaultNoPeer,
		checkUnicastSrc: c.CheckUnicastSrc, trackSrcIP: c.TrackSrcIP, nopreempt: c.Nopreempt, accept: c.Accept,
		strictMode: c.StrictMode, useVMAC: c.UseVMAC, vmacXmitBase: c.VMACXmitBase, useVMACAddr: c.UseVMACAddr,
		useIPVlan: c.UseIPVlan, dontTrackPrimary: c.DontTrackPrimary, promoteSecondaries: c.PromoteSecondaries,
		skipCheckAdvAddr: c.SkipCheckAdvAddr, lowerPrioNoAdvert: c.LowerPrioNoAdvert,
		higherPrioSendAdvert: c.HigherPrioSendAdvert, ownerIgnoreAdverts: c.OwnerIgnoreAdverts,
		v3ChecksumAsV2: c.V3ChecksumAsV2, fastFailover: c.FastFailover, kernelRxBufSize: c.KernelRxBufSize,
	}
}

// optBool is a *bool as a value: unset, false or true.
type optBool uint8

func optBoolOf(b *bool) optBool {
	switch {
	case b == nil:
		return 0
	case *b:
		return 2
	}
	return 1
}

// opt is a pointer's target as a value, and whether there is one.
type opt[T comparable] struct {
	v   T
	set bool
}

func optOf[T comparable](p *T) opt[T] {
	if p == nil {
		return opt[T]{}
	}
	return opt[T]{*p, true}
}

// SameVIP reports whether two addresses are configured alike.
func SameVIP(a, b VIP) bool {
	la, lb := optOf(a.PreferredLft), optOf(b.PreferredLft)
	a.Pos, a.TrackGroupPos, a.PreferredLft = Pos{}, Pos{}, nil
	b.Pos, b.TrackGroupPos, b.PreferredLft = Pos{}, Pos{}, nil
	return a == b && la == lb
}

// SameRule reports whether two rules are configured alike.
func SameRule(a, b Rule) bool {
	type ptrs struct {
		mask, supLen, supIfgroup opt[uint32]
		uid, sport, dport        opt[Range]
	}
	id := func(r *Rule) ptrs {
		p := ptrs{optOf(r.FwMask), optOf(r.SuppressPrefixLen), optOf(r.SuppressIfgroup),
			optOf(r.UIDRange), optOf(r.Sport), optOf(r.Dport)}
		r.Pos, r.TrackGroupPos = Pos{}, Pos{}
		r.FwMask, r.SuppressPrefixLen, r.SuppressIfgroup, r.UIDRange, r.Sport, r.Dport = nil, nil, nil, nil, nil, nil
		return p
	}
	pa, pb := id(&a), id(&b)
	return a == b && pa == pb
}

// SameRoute reports whether two routes are configured alike.
func SameRoute(a, b Route) bool {
	return routeIdentity(&a) == routeIdentity(&b) &&
		slices.Equal(a.Nexthops, b.Nexthops) && slices.Equal(a.Metrics.Locked, b.Metrics.Locked)
}

// routeScalars is the part of a Route that is a plain value.
type routeScalars struct {
	typ                                 RouteType
	dst, from                           netip.Prefix
	src, via                            netip.Addr
	dev, trackGroup, congctl            string
	table, metric, realms, expires      uint32
	protocol, tos, hoplimit             uint8
	onLink, appendRoute, noTrack        bool
	scope                               opt[Scope]
	pref                                opt[uint8]
	ttlPropagate                        opt[bool]
	mtu, advMSS, window, cwnd, initCwnd uint32
	initRwnd, ssthresh, reordering      uint32
	rtt, rttVar, rtoMin                 time.Duration
	ecn, quickACK, fastOpenNoCookie     bool
}

func routeIdentity(r *Route) routeScalars {
	m := r.Metrics
	return routeScalars{
		typ: r.Type, dst: r.Dst, from: r.From, src: r.Src, via: r.Via, dev: r.Dev, trackGroup: r.TrackGroup,
		table: r.Table, metric: r.Metric, realms: r.Realms, expires: r.Expires, protocol: r.Protocol, tos: r.Tos,
		onLink: r.OnLink, appendRoute: r.Append, noTrack: r.NoTrack,
		scope: optOf(r.Scope), pref: optOf(r.Pref), ttlPropagate: optOf(r.TTLPropagate),
		congctl: m.Congctl, hoplimit: m.Hoplimit, mtu: m.MTU, advMSS: m.AdvMSS, window: m.Window, cwnd: m.Cwnd,
		initCwnd: m.InitCwnd, initRwnd: m.InitRwnd, ssthresh: m.Ssthresh, reordering: m.Reordering,
		rtt: m.RTT, rttVar: m.RTTVar, rtoMin: m.RTOMin, ecn: m.ECN, quickACK: m.QuickACK, fastOpenNoCookie: m.FastOpenNoCookie,
	}
}

// sameTracking reports whether two track_* lists are alike, entry by
// entry.
func sameTracking(a, b *Tracking) bool {
	ref := func(x, y TrackRef) bool { return x.Name == y.Name && x.Weight == y.Weight }
	return slices.EqualFunc(a.TrackScripts, b.TrackScripts, ref) &&
		slices.EqualFunc(a.TrackInterfaces, b.TrackInterfaces, ref) &&
		slices.EqualFunc(a.TrackFiles, b.TrackFiles, ref) &&
		slices.EqualFunc(a.TrackProcesses, b.TrackProcesses, ref) &&
		slices.EqualFunc(a.TrackBFDs, b.TrackBFDs, ref)
}

// sameNotifications reports whether two sets of notify scripts and
// alerts are alike.
func sameNotifications(a, b *Notifications) bool {
	return sameScript(a.NotifyMaster, b.NotifyMaster) && sameScript(a.NotifyBackup, b.NotifyBackup) &&
		sameScript(a.NotifyFault, b.NotifyFault) && sameScript(a.NotifyStop, b.NotifyStop) &&
		sameScript(a.NotifyDeleted, b.NotifyDeleted) && sameScript(a.Notify, b.Notify) &&
		a.NotifyPriorityChanges == b.NotifyPriorityChanges && optBoolOf(a.SMTPAlert) == optBoolOf(b.SMTPAlert)
}

// sameScript reports whether two scripts (nil: none) run the same command
// as the same user.
func sameScript(a, b *Script) bool {
	if a == nil || b == nil {
		return a == b
	}
	return slices.Equal(a.Cmd, b.Cmd) && a.User == b.User && a.Group == b.Group
}

// SameInstanceGlobals reports whether a and b agree on every global_defs
// setting that shapes a running instance (its socket, wire checks and
// defaults). Router id, e-mail, dump, metrics, FIFO and startup/shutdown
// script settings may change freely: they do not touch running instances
// (FIFOs and startup scripts are opened at start only); so do the LVS
// data plane (lvs_backend) and the BGP speaker, which are not VRRP's.
func SameInstanceGlobals(a, b GlobalDefs) bool {
	return instanceGlobalsOf(a) == instanceGlobalsOf(b)
}

// instanceGlobals is the identity of the global_defs settings that shape
// a running instance: every field of GlobalDefs but the free ones
// SameInstanceGlobals names (TestSameInstanceGlobals keeps the
// two lists whole).
type instanceGlobals struct {
	vrrpStrict, skipCheckAdvAddr, checkUnicastSrc bool
	lowerPrioNoAdvert, higherPrioSendAdvert       bool
	ownerIgnoreAdverts, v3ChecksumAsV2            bool
	vrrpVersion, downTimerAdverts                 int
	mcastGroup4, mcastGroup6                      netip.Addr
	garp                                          GarpSettings
	dynamicInterfaces                             bool
	defaultInterface                              string
	startupDelay                                  time.Duration
	vmacPrefix, vmacAddrPrefix                    string
	netNamespace, instance                        string
	logUnknownVRIDs                               bool
	smtpAlert, smtpAlertVRRP                      optBool
	noEmailFaults                                 bool
	smtpHeloName                                  string
	nftTable                                      string
	nftPriority                                   int
	nftPrioritySet, nftCounters                   bool
	rxBufs                                        RxBufs
}

func instanceGlobalsOf(g GlobalDefs) instanceGlobals {
	return instanceGlobals{
		vrrpStrict: g.VRRPStrict, skipCheckAdvAddr: g.SkipCheckAdvAddr, checkUnicastSrc: g.CheckUnicastSrc,
		lowerPrioNoAdvert: g.LowerPrioNoAdvert, higherPrioSendAdvert: g.HigherPrioSendAdvert,
		ownerIgnoreAdverts: g.OwnerIgnoreAdverts, v3ChecksumAsV2: g.V3ChecksumAsV2,
		vrrpVersion: g.VRRPVersion, downTimerAdverts: g.DownTimerAdverts,
		mcastGroup4: g.McastGroup4, mcastGroup6: g.McastGroup6, garp: g.Garp,
		dynamicInterfaces: g.DynamicInterfaces, defaultInterface: g.DefaultInterface, startupDelay: g.StartupDelay,
		vmacPrefix: g.VMACPrefix, vmacAddrPrefix: g.VMACAddrPrefix, netNamespace: g.NetNamespace, instance: g.Instance,
		logUnknownVRIDs: g.LogUnknownVRIDs, smtpAlert: optBoolOf(g.SMTPAlert), smtpAlertVRRP: optBoolOf(g.SMTPAlertVRRP),
		noEmailFaults: g.NoEmailFaults, smtpHeloName: g.SMTPHeloName,
		nftTable: g.NFTablesTable, nftPriority: g.NFTablesPriority, nftPrioritySet: g.NFTablesPrioritySet, nftCounters: g.NFTablesCounters,
		rxBufs: g.RxBufs,
	}
}
