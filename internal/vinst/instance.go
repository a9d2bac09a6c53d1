package vinst

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"

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

// Instance is one running vrrp_instance: its machine and everything the loop
// needs to carry out the machine's actions.
type Instance struct {
	Conf *config.Instance
	Log  *slog.Logger
	M    *instance.Machine
	Unit *Unit
	Idx  int // member index in unit

	Link     system.Link
	Fam      vrrp.Family
	Src      netip.Addr // advert source (unicast_src_ip, mcast_src_ip or primary)
	Group    netip.Addr
	GroupDst [1]netip.Addr // group, as a destination list without allocating
	Conn     *Socket
	Expect   vrrp.Expect
	SendTpl  vrrp.Advertisement
	Mode     vrrp.ChecksumMode
	Peers    []netip.Addr
	TTL      uint8
	IPID     uint16
	RxAdv    vrrp.Advertisement
	AH       *vrrp.AHState // auth_type AH sequence and keys
	HMAC     *vrrp.HMAC    // auth_hmac keys, sequence, replay marks (hmac.go)

	VIPs      []system.VIP // virtual_ipaddress then virtual_ipaddress_excluded
	VIPIf     []string
	Present   []bool
	VIPRetry  bool // some VIP failed to go on; retried at each advert
	Stats     control.Stats
	Cleared   control.Stats // what SIGRTMAX-1 took out of Stats (the metrics add it back)
	LastTrans control.Transition
	Effects   effect.Set
	DropLog   LogLimiter[vrrp.Reason] // drop reasons, one line a minute each
	CauseLog  LogLimiter[string]      // other per-packet lines
	Routes    *route.Virtual          // virtual_routes and virtual_rules, made on first use
	Dyn       Dyn                     // missing interface, missing address, no_accept drop rules
	VMAC      *vmac.Link              // use_vmac: the VMAC and the configured interface

	SrcTrk SrcTrack // what track_src_ip last read
}

// New resolves the interface and addresses of ci and builds its
// machine. It does not open sockets or start the machine.
// It reads the daemon only through g (the globals of ci's configuration)
// and the system, so a reload can build instances off the loop.
func New(log *slog.Logger, links Links, g *config.GlobalDefs, ci *config.Instance) (*Instance, error) {
	ifname := ci.Interface
	if ifname == "" {
		ifname = g.DefaultInterface
	}
	if ifname == "" {
		ifname = "eth0"
	}
	link, missing, err := lookupLink(links, g, ci, ifname)
	if err != nil {
		return nil, err
	}
	vi := &Instance{
		Conf:    ci,
		Link:    link,
		Log:     log.With("instance", ci.Name, "vrid", ci.VRID, "iface", link.Name),
		Effects: effect.Set{},
		Dyn:     Dyn{Missing: missing},
	}
	vi.Stats.Drops = map[string]uint64{}
	vi.Fam = ci.Family
	if vi.Fam == 0 {
		vi.Fam = vrrp.IPv4
	}
	if err := vi.ResolveVIPs(links); err != nil {
		return nil, err
	}
	if err := vi.ResolveSource(links); err != nil && !vi.sourceOK(err) {
		return nil, err
	}
	vi.BuildWire(g)
	vi.M = instance.New(fromconfig.Config(ci, vi.Src))
	return vi, nil
}

// ResolveVIPs turns the config's addresses into system VIPs on interfaces.
func (vi *Instance) ResolveVIPs(links Links) error {
	add := func(v config.VIP) error {
		link := vi.Link
		if v.Dev != "" && v.Dev != link.Name {
			l, err := links.Lookup(v.Dev)
			if err != nil {
				return fmt.Errorf("vrrp_instance %s: %s: virtual address %s: %w", vi.Conf.Name, v.Pos, v.Prefix, err)
			}
			link = l
		}
		vi.VIPs = append(vi.VIPs, route.SystemVIP(v, link.Index))
		vi.VIPIf = append(vi.VIPIf, link.Name)
		return nil
	}
	for _, v := range vi.Conf.VIPs {
		if err := add(v); err != nil {
			return err
		}
	}
	for _, v := range vi.Conf.ExcludedVIPs {
		if err := add(v); err != nil {
			return err
		}
	}
	vi.Present = make([]bool, len(vi.VIPs))
	return nil
}

// ResolveSource picks the advert source address as keepalived does.
func (vi *Instance) ResolveSource(links Links) error {
	ci := vi.Conf
	switch {
	case ci.UnicastSrcIP.IsValid():
		vi.Src = ci.UnicastSrcIP
		return nil
	case ci.McastSrcIP.IsValid():
		vi.Src = ci.McastSrcIP
		return nil
	}
	exclude := make([]netip.Addr, 0, len(vi.VIPs))
	for _, v := range vi.VIPs {
		exclude = append(exclude, v.Prefix.Addr())
	}
	var err error
	link := vi.SrcLink() // the configured interface, also under use_vmac
	if vi.Fam == vrrp.IPv6 {
		vi.Src, err = links.LinkLocalIPv6(link.Index, exclude...)
	} else {
		vi.Src, err = links.PrimaryIPv4(link.Index, exclude...)
	}
	if err != nil {
		return fmt.Errorf("vrrp_instance %s: source address on %s: %w", ci.Name, link.Name, err)
	}
	return nil
}

// BuildWire prepares the advert template and the receive expectations
// under the globals g.
func (vi *Instance) BuildWire(g *config.GlobalDefs) {
	ci := vi.Conf
	var addrs []netip.Addr
	for _, v := range ci.VIPs {
		addrs = append(addrs, v.Prefix.Addr())
	}
	vi.SendTpl = vrrp.Advertisement{
		Version:  vrrp.Version(ci.Version),
		VRID:     uint8(ci.VRID),
		Interval: ci.AdvertInt,
		Addrs:    addrs,
	}
	switch {
	case ci.V3ChecksumAsV2: // config applies global_defs unless the instance says otherwise
		vi.Mode = vrrp.ChecksumAsV2
	case ci.OldUnicastChecksum == config.OldChecksumOn:
		vi.Mode = vrrp.ChecksumOldUnicast
	case ci.OldUnicastChecksum == config.OldChecksumNever:
		vi.Mode = vrrp.ChecksumNoFallback
	}
	vi.Expect = vrrp.Expect{
		Version:       vrrp.Version(ci.Version),
		VRID:          uint8(ci.VRID),
		Interval:      ci.AdvertInt,
		Unicast:       len(ci.UnicastPeers) > 0,
		Checksum:      vi.Mode,
		AcceptAnyForm: true,
		CheckAddrs:    !(ci.SkipCheckAdvAddr || g.SkipCheckAdvAddr),
		VIPs:          addrs,
		CheckPeers:    ci.CheckUnicastSrc || g.CheckUnicastSrc,
	}
	if ci.Version == 2 && ci.Auth.Type == config.AuthPass {
		vi.SendTpl.AuthType = vrrp.AuthPass
		vi.SendTpl.AuthData = vrrp.PassData(ci.Auth.Pass)
		vi.Expect.AuthType = vrrp.AuthPass
		vi.Expect.AuthData = vi.SendTpl.AuthData
	}
	vi.SetupAH()
	for _, p := range ci.UnicastPeers {
		vi.Peers = append(vi.Peers, p.Addr)
		vi.Expect.Peers = append(vi.Expect.Peers, vrrp.Peer{Addr: p.Addr, MinTTL: uint8(p.MinTTL), MaxTTL: uint8(p.MaxTTL)})
	}
	vi.SetupHMAC()
	if len(vi.Peers) > 0 && ci.UnicastTTL > 0 {
		vi.TTL = uint8(ci.UnicastTTL)
	}
	vi.Group = ci.McastDstIP
	if !vi.Group.IsValid() {
		if vi.Fam == vrrp.IPv6 {
			vi.Group = g.McastGroup6
		} else {
			vi.Group = g.McastGroup4
		}
	}
	if !vi.Group.IsValid() {
		vi.Group = system.GroupIPv4
		if vi.Fam == vrrp.IPv6 {
			vi.Group = system.GroupIPv6
		}
	}
	vi.GroupDst[0] = vi.Group
}

// Writer sends an instance's encoded advert, at once or batched with
// others (the daemon's timer pass); it accounts it through Sent.
type Writer interface {
	WriteAdvert(vi *Instance, m system.Message, prio uint8)
}

// SendAdvert sends one advert with priority prio to the group or each peer
// through w. It runs on the loop, so every instance encodes into the one
// buf.
func (vi *Instance) SendAdvert(buf []byte, prio uint8, w Writer) []byte {
	if vi.Conn == nil { // interface gone (dynamic_interfaces)
		return buf
	}
	adv := vi.SendTpl
	adv.Priority = prio
	dsts := vi.Peers
	if len(dsts) == 0 {
		dsts = vi.GroupDst[:]
	}
	vi.IPID++
	if vi.IPID == 0 {
		vi.IPID = 1
	}
	seq := vi.AHNextSeq() // one per round, like the IP ID
	for _, dst := range dsts {
		form := vrrp.FormMessage
		switch {
		case vi.Fam == vrrp.IPv6:
			form = vrrp.FormPseudo
		case adv.Version == vrrp.V3:
			form = vi.Mode.SendForm(len(vi.Peers) > 0)
		}
		var err error
		var ah system.Sealer
		buf, ah = vi.AppendAH(buf[:0], seq)
		buf, err = adv.Append(buf, vrrp.Sum{Form: form, Src: vi.Src, Dst: dst})
		if err != nil {
			vi.Log.Error("encode advert", "err", err)
			return buf
		}
		buf = vi.SignHMAC(buf)
		w.WriteAdvert(vi, system.Message{Src: vi.Src, Dst: dst, TTL: vi.TTL, ID: vi.IPID, Payload: buf, AH: ah}, prio)
	}
	return buf
}

// Sent accounts one advert of vi to dst: counted when it went out
// (err nil), logged when not.
func (vi *Instance) Sent(dst netip.Addr, prio uint8, err error) {
	if err != nil {
		vi.Log.Warn("send advert", "dst", dst, "err", err)
		return
	}
	vi.Stats.AdvertSent++
	if prio == 0 {
		vi.Stats.PriZeroSent++
	}
}

// Dyn is what the daemon follows of an instance's interface: whether
// it exists (dynamic_interfaces) and has a source address, and the
// addresses in the no_accept drop set.
type Dyn struct {
	Missing bool         // the interface does not exist (dynamic_interfaces)
	NoAddr  bool         // the interface has no usable source address
	Dropped []netip.Addr // addresses in the no_accept drop set
	Hinted  bool         // the no_accept hint was logged

	// SrcNotLocal: the unicast source was no address of the node when
	// the socket opened (unicast_src.go).
	SrcNotLocal bool
}

// lookupLink resolves an instance's interface. A missing one is an error
// unless dynamic_interfaces is set; then the instance waits for it.
func lookupLink(links Links, g *config.GlobalDefs, ci *config.Instance, ifname string) (system.Link, bool, error) {
	link, err := links.Lookup(ifname)
	if err == nil {
		return link, false, nil
	}
	if errors.Is(err, system.ErrNoInterface) && g.DynamicInterfaces {
		return system.Link{Name: ifname}, true, nil
	}
	return system.Link{}, false, fmt.Errorf("vrrp_instance %s: interface %s: %w", ci.Name, ifname, err)
}

// sourceOK reports whether the error of resolveSource leaves vi able to
// start (in FAULT until an address comes): the interface is missing or has
// no address of the wanted kind yet.
func (vi *Instance) sourceOK(err error) bool {
	switch {
	case vi.Dyn.Missing:
		return true
	case errors.Is(err, system.ErrNoAddress):
		vi.Dyn.NoAddr = true
		vi.Log.Warn("no usable address on the interface: the instance stays in FAULT until one is added", "err", err)
		return true
	}
	return false
}

// SrcTrack is what the daemon last read about an instance's tracked source
// address: whether addr was on the interface with index ifindex. It is
// read again when either no longer matches the instance.
type SrcTrack struct {
	Ifindex int
	Addr    netip.Addr
	Gone    bool
}

func (vi *Instance) Targets() []Target {
	t := make([]Target, len(vi.VIPs))
	for i, v := range vi.VIPs {
		t[i] = Target{v.Ifindex, v.Prefix.Addr()}
	}
	return t
}

// srcLink is the interface whose address is the advert source: the
// configured interface, also when the instance lives on a VMAC (which has
// no address of its own on the subnet).
func (vi *Instance) SrcLink() system.Link {
	if vi.VMAC.HasMain() {
		return vi.VMAC.Base()
	}
	return vi.Link
}

// observed is what the loop knows of vi's interface and source address.
func (vi *Instance) Observed() effect.Instance {
	return effect.Instance{
		Conf:     vi.Conf,
		Iface:    vi.Link.Name,
		IfaceUp:  vi.Link.Up,
		Missing:  vi.Dyn.Missing,
		NoAddr:   vi.Dyn.NoAddr,
		IPv6:     vi.Fam == vrrp.IPv6,
		SrcGone:  vi.SrcTrk.Gone,
		SrcIface: vi.SrcLink().Name,

		SrcNotLocal: vi.Dyn.SrcNotLocal, // unicast_src.go
	}
}

// ConnKey names one receive/send socket: an interface and a family.
type ConnKey struct {
	Ifindex int
	Fam     vrrp.Family
}

// RxKey names the instance a received advert is for.
type RxKey struct {
	ConnKey
	VRID uint8
}

// Socket is one open socket shared by the instances on its interface.
type Socket struct {
	Key  ConnKey
	Conn system.Conn
	Refs int
	AH   bool // an auth_type AH socket
}

// Target is one address to announce with GARP/NA.
type Target struct {
	Ifindex int
	Addr    netip.Addr
}

// Links is what an instance asks of the interfaces while it is built.
type Links interface {
	Lookup(name string) (system.Link, error)
	system.LinkResolver
}

// Key is the key received adverts for vi are demultiplexed by.
func (vi *Instance) Key() RxKey {
	return RxKey{ConnKey{vi.Link.Index, vi.Fam}, uint8(vi.Conf.VRID)}
}

// Virtual returns vi's virtual routes and rules, resolved on first use.
func (vi *Instance) Virtual() *route.Virtual {
	if vi.Routes == nil {
		vi.Routes = route.NewVirtual(vi.Log, vi.Conf.VirtualRoutes, vi.Conf.VirtualRules)
	}
	return vi.Routes
}

// MasterRoutes returns the virtual routes and rules of the master
// instances of insts (the ones to put back when deleted from outside).
func MasterRoutes(insts []*Instance) []*route.Virtual {
	var out []*route.Virtual
	for _, vi := range insts {
		if vi.Routes != nil && vi.M.State() == instance.Master {
			out = append(out, vi.Routes)
		}
	}
	return out
}
