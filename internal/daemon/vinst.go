package daemon

import (
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/effect"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/instance/fromconfig"
	"github.com/gokeepalived/gokeepalived/internal/route"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vmac"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// vinst is one running vrrp_instance: its machine and everything the loop
// needs to carry out the machine's actions.
type vinst struct {
	conf *config.Instance
	log  *slog.Logger
	m    *instance.Machine
	unit *unit
	idx  int // member index in unit

	link     system.Link
	fam      vrrp.Family
	src      netip.Addr // advert source (unicast_src_ip, mcast_src_ip or primary)
	group    netip.Addr
	groupDst [1]netip.Addr // group, as a destination list without allocating
	conn     *connEntry
	expect   vrrp.Expect
	sendTpl  vrrp.Advertisement
	mode     vrrp.ChecksumMode
	peers    []netip.Addr
	ttl      uint8
	ipID     uint16
	rxAdv    vrrp.Advertisement
	ah       *vrrp.AHState // auth_type AH sequence and keys
	hmac     *vrrp.HMAC    // auth_hmac keys, sequence, replay marks (hmac.go)

	vips      []system.VIP // virtual_ipaddress then virtual_ipaddress_excluded
	vipIf     []string
	present   []bool
	vipRetry  bool // some VIP failed to go on; retried at each advert
	stats     control.Stats
	cleared   control.Stats // stats_keep.go: what SIGRTMAX-1 took out of stats
	lastTrans control.Transition
	effects   effect.Set
	dropLog   logLimiter[vrrp.Reason] // drop reasons, one line a minute each
	causeLog  logLimiter[string]      // other per-packet lines
	routes    *route.Virtual          // virtual_routes and virtual_rules, made on first use
	dyn       dynInst                 // missing interface, missing address, no_accept drop rules
	vmac      *vmac.Link              // use_vmac: the VMAC and the configured interface

	srcTrk     srcTrack  // what track_src_ip last read
	ownerLogAt time.Time // last owner_ignore_adverts log
}

// newVinst resolves the interface and addresses of ci and builds its
// machine. It does not open sockets or start the machine.
// It reads the daemon only through g (the globals of ci's configuration)
// and the system, so a reload can build instances off the loop.
func (d *Daemon) newVinst(g *config.GlobalDefs, ci *config.Instance) (*vinst, error) {
	ifname := ci.Interface
	if ifname == "" {
		ifname = g.DefaultInterface
	}
	if ifname == "" {
		ifname = "eth0"
	}
	link, missing, err := d.lookupLink(g, ci, ifname) // dynif.go: dynamic_interfaces
	if err != nil {
		return nil, err
	}
	vi := &vinst{
		conf:    ci,
		link:    link,
		log:     d.log.With("instance", ci.Name, "vrid", ci.VRID, "iface", link.Name),
		effects: effect.Set{},
		dyn:     dynInst{missing: missing},
	}
	vi.stats.Drops = map[string]uint64{}
	vi.fam = ci.Family
	if vi.fam == 0 {
		vi.fam = vrrp.IPv4
	}
	if err := d.resolveVIPs(vi); err != nil {
		return nil, err
	}
	if err := d.resolveSource(vi); err != nil && !d.sourceOK(vi, err) {
		return nil, err
	}
	d.buildWire(g, vi)
	vi.m = instance.New(fromconfig.Config(ci, vi.src))
	return vi, nil
}

// resolveVIPs turns the config's addresses into system VIPs on interfaces.
func (d *Daemon) resolveVIPs(vi *vinst) error {
	add := func(v config.VIP) error {
		link := vi.link
		if v.Dev != "" && v.Dev != link.Name {
			l, err := d.sys.links.Lookup(v.Dev)
			if err != nil {
				return fmt.Errorf("vrrp_instance %s: %s: virtual address %s: %w", vi.conf.Name, v.Pos, v.Prefix, err)
			}
			link = l
		}
		vi.vips = append(vi.vips, route.SystemVIP(v, link.Index))
		vi.vipIf = append(vi.vipIf, link.Name)
		return nil
	}
	for _, v := range vi.conf.VIPs {
		if err := add(v); err != nil {
			return err
		}
	}
	for _, v := range vi.conf.ExcludedVIPs {
		if err := add(v); err != nil {
			return err
		}
	}
	vi.present = make([]bool, len(vi.vips))
	return nil
}

// resolveSource picks the advert source address as keepalived does.
func (d *Daemon) resolveSource(vi *vinst) error {
	ci := vi.conf
	switch {
	case ci.UnicastSrcIP.IsValid():
		vi.src = ci.UnicastSrcIP
		return nil
	case ci.McastSrcIP.IsValid():
		vi.src = ci.McastSrcIP
		return nil
	}
	exclude := make([]netip.Addr, 0, len(vi.vips))
	for _, v := range vi.vips {
		exclude = append(exclude, v.Prefix.Addr())
	}
	var err error
	link := vi.srcLink() // the configured interface, also under use_vmac
	if vi.fam == vrrp.IPv6 {
		vi.src, err = d.sys.links.LinkLocalIPv6(link.Index, exclude...)
	} else {
		vi.src, err = d.sys.links.PrimaryIPv4(link.Index, exclude...)
	}
	if err != nil {
		return fmt.Errorf("vrrp_instance %s: source address on %s: %w", ci.Name, link.Name, err)
	}
	return nil
}

// buildWire prepares the advert template and the receive expectations
// under the globals g.
func (d *Daemon) buildWire(g *config.GlobalDefs, vi *vinst) {
	ci := vi.conf
	var addrs []netip.Addr
	for _, v := range ci.VIPs {
		addrs = append(addrs, v.Prefix.Addr())
	}
	vi.sendTpl = vrrp.Advertisement{
		Version:  vrrp.Version(ci.Version),
		VRID:     uint8(ci.VRID),
		Interval: ci.AdvertInt,
		Addrs:    addrs,
	}
	switch {
	case ci.V3ChecksumAsV2: // config applies global_defs unless the instance says otherwise
		vi.mode = vrrp.ChecksumAsV2
	case ci.OldUnicastChecksum == "on":
		vi.mode = vrrp.ChecksumOldUnicast
	case ci.OldUnicastChecksum == "never":
		vi.mode = vrrp.ChecksumNoFallback
	}
	vi.expect = vrrp.Expect{
		Version:       vrrp.Version(ci.Version),
		VRID:          uint8(ci.VRID),
		Interval:      ci.AdvertInt,
		Unicast:       len(ci.UnicastPeers) > 0,
		Checksum:      vi.mode,
		AcceptAnyForm: true,
		CheckAddrs:    !(ci.SkipCheckAdvAddr || g.SkipCheckAdvAddr),
		VIPs:          addrs,
		CheckPeers:    ci.CheckUnicastSrc || g.CheckUnicastSrc,
	}
	if ci.Version == 2 && ci.Auth.Type == config.AuthPass {
		vi.sendTpl.AuthType = vrrp.AuthPass
		vi.sendTpl.AuthData = vrrp.PassData(ci.Auth.Pass)
		vi.expect.AuthType = vrrp.AuthPass
		vi.expect.AuthData = vi.sendTpl.AuthData
	}
	vi.setupAH()
	for _, p := range ci.UnicastPeers {
		vi.peers = append(vi.peers, p.Addr)
		vi.expect.Peers = append(vi.expect.Peers, vrrp.Peer{Addr: p.Addr, MinTTL: uint8(p.MinTTL), MaxTTL: uint8(p.MaxTTL)})
	}
	vi.setupHMAC() // hmac.go
	if len(vi.peers) > 0 && ci.UnicastTTL > 0 {
		vi.ttl = uint8(ci.UnicastTTL)
	}
	vi.group = ci.McastDstIP
	if !vi.group.IsValid() {
		if vi.fam == vrrp.IPv6 {
			vi.group = g.McastGroup6
		} else {
			vi.group = g.McastGroup4
		}
	}
	if !vi.group.IsValid() {
		vi.group = system.GroupIPv4
		if vi.fam == vrrp.IPv6 {
			vi.group = system.GroupIPv6
		}
	}
	vi.groupDst[0] = vi.group
}

// sendAdvert sends one advert with priority prio to the group or each peer.
// It runs on the loop, so every instance encodes into the one d.txBuf.
func (d *Daemon) sendAdvert(vi *vinst, prio uint8) {
	if vi.conn == nil { // interface gone (dynamic_interfaces)
		return
	}
	adv := vi.sendTpl
	adv.Priority = prio
	dsts := vi.peers
	if len(dsts) == 0 {
		dsts = vi.groupDst[:]
	}
	vi.ipID++
	if vi.ipID == 0 {
		vi.ipID = 1
	}
	seq := vi.ahNextSeq() // one per round, like the IP ID
	for _, dst := range dsts {
		form := vrrp.FormMessage
		switch {
		case vi.fam == vrrp.IPv6:
			form = vrrp.FormPseudo
		case adv.Version == vrrp.V3:
			form = vi.mode.SendForm(len(vi.peers) > 0)
		}
		var err error
		var ah system.Sealer
		d.txBuf, ah = vi.appendAH(d.txBuf[:0], seq)
		d.txBuf, err = adv.Append(d.txBuf, vrrp.Sum{Form: form, Src: vi.src, Dst: dst})
		if err != nil {
			vi.log.Error("encode advert", "err", err)
			return
		}
		d.txBuf = vi.signHMAC(d.txBuf)
		d.writeAdvert(vi, system.Message{Src: vi.src, Dst: dst, TTL: vi.ttl, ID: vi.ipID, Payload: d.txBuf, AH: ah}, prio)
	}
}
