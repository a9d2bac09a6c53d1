//go:build linux

package nftplane

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
)

// DefaultTable is the name of the plane's tables (one in the ip family,
// one in ip6, each made only when a service needs it).
const DefaultTable = "gokeepalived_lvs"

// Config configures New.
type Config struct {
	// Table names the plane's tables; empty means DefaultTable.
	Table string
	// NetNS, when not zero, is a file descriptor of the network
	// namespace to program; otherwise the calling thread's.
	NetNS int
	// Masquerade adds source NAT to connections it balances, so real
	// servers need not route their replies through the director.
	Masquerade bool
}

// Plane is the nftables data plane. Safe for concurrent use.
type Plane struct {
	cfg  Config
	conn *nftables.Conn

	mu     sync.Mutex
	have   map[nftables.TableFamily]bool
	closed bool
	// broken is set when a batch could not be completed; the netlink
	// connection may hold part of it, so nothing more is sent.
	broken error
}

var _ lvs.DataPlane = (*Plane)(nil)

// ErrUnavailable wraps the reason nftables cannot be used.
var ErrUnavailable = errors.New("nftables not available")

// New connects to nftables and removes tables a previous run left under
// the plane's name. It fails, saying why, when nftables cannot be used.
func New(cfg Config) (*Plane, error) {
	if cfg.Table == "" {
		cfg.Table = DefaultTable
	}
	opts := []nftables.ConnOption{nftables.AsLasting(), nftables.WithSockOptions(bigBatches)}
	if cfg.NetNS != 0 {
		opts = append(opts, nftables.WithNetNSFd(cfg.NetNS))
	}
	conn, err := nftables.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: open netlink: %v", ErrUnavailable, err)
	}
	p := &Plane{cfg: cfg, conn: conn, have: map[nftables.TableFamily]bool{}}
	tables, err := conn.ListTables()
	if err != nil {
		conn.CloseLasting()
		return nil, fmt.Errorf("%w: list tables: %v", ErrUnavailable, err)
	}
	for _, t := range tables {
		if t.Name == cfg.Table && (t.Family == nftables.TableFamilyIPv4 || t.Family == nftables.TableFamilyIPv6) {
			p.have[t.Family] = true
		}
	}
	if err := p.apply(lvs.State{}); err != nil {
		conn.CloseLasting()
		return nil, err
	}
	return p, nil
}

// Apply replaces the plane's tables with s in one netlink batch, which
// the kernel applies atomically: a failure leaves the previous rules in
// place. Conntrack keeps established connections on their real server
// whatever changes. It refuses a State it cannot express (schedulers
// needing connection counts, TUN, DR for now) rather than approximate.
func (p *Plane) Apply(s lvs.State) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("nftables plane closed")
	}
	return p.apply(s)
}

// Close deletes the plane's tables and the netlink connection.
func (p *Plane) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	err := p.apply(lvs.State{})
	return errors.Join(err, p.conn.CloseLasting())
}

// Release closes the netlink connection and leaves the plane's tables in
// the kernel (-I); the next New removes them.
func (p *Plane) Release() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return p.conn.CloseLasting()
}

// planned is a service checked and with its slots computed.
type planned struct {
	lvs.Service
	slots []int
}

func (p *Plane) apply(s lvs.State) error {
	if p.broken != nil {
		return p.broken
	}
	byFam := map[nftables.TableFamily][]planned{}
	for _, svc := range s.Services {
		if err := check(svc); err != nil {
			return err
		}
		sl, err := slots(svc.Sched, svc.Dests)
		if err != nil {
			return fmt.Errorf("virtual server %s: %w", svc.VS, err)
		}
		byFam[family(svc.Key)] = append(byFam[family(svc.Key)], planned{svc, sl})
	}
	for _, fam := range []nftables.TableFamily{nftables.TableFamilyIPv4, nftables.TableFamilyIPv6} {
		if p.have[fam] {
			p.conn.DelTable(&nftables.Table{Name: p.cfg.Table, Family: fam})
		}
		if len(byFam[fam]) > 0 {
			if err := p.build(fam, byFam[fam]); err != nil {
				p.broken = fmt.Errorf("nftables plane unusable after a failed batch: %w", err)
				return err
			}
		}
	}
	if err := p.conn.Flush(); err != nil {
		return fmt.Errorf("nftables: install table %s: %w", p.cfg.Table, err)
	}
	for _, fam := range []nftables.TableFamily{nftables.TableFamilyIPv4, nftables.TableFamilyIPv6} {
		p.have[fam] = len(byFam[fam]) > 0
	}
	return nil
}

// check says why a service cannot be installed by this plane.
func check(s lvs.Service) error {
	if h := s.Sched.NFTablesHint(); h != "" {
		return fmt.Errorf("virtual server %s: nftables cannot run scheduler %s: %s", s.VS, s.Sched, h)
	}
	for _, d := range s.Dests {
		switch d.Kind {
		case config.KindNAT, "":
		case config.KindTUN:
			return fmt.Errorf("virtual server %s: nftables cannot forward by TUN to %s (no IP-in-IP encapsulation); use NAT or lvs_backend ipvs", s.VS, d.Addr)
		default:
			return fmt.Errorf("virtual server %s: the nftables plane does not forward by %s yet (to %s); use NAT or lvs_backend ipvs", s.VS, d.Kind, d.Addr)
		}
		if d.Addr.Is6() != (family(s.Key) == nftables.TableFamilyIPv6) {
			return fmt.Errorf("virtual server %s: real server %s is of another address family", s.VS, d.Addr)
		}
	}
	return nil
}

func family(k lvs.ServiceKey) nftables.TableFamily {
	if (k.Fwmark != 0 && k.IPv6) || (k.Fwmark == 0 && k.Addr.Is6()) {
		return nftables.TableFamilyIPv6
	}
	return nftables.TableFamilyIPv4
}

// builder adds one family's table to the pending batch.
type builder struct {
	c    *nftables.Conn
	t    *nftables.Table
	v6   bool
	masq bool
}

func (p *Plane) build(f nftables.TableFamily, svcs []planned) error {
	b := &builder{c: p.conn, v6: f == nftables.TableFamilyIPv6, masq: p.cfg.Masquerade}
	b.t = p.conn.AddTable(&nftables.Table{Name: p.cfg.Table, Family: f})
	pre := b.baseChain("prerouting", nftables.ChainHookPrerouting, nftables.ChainPriorityNATDest)
	out := b.baseChain("output", nftables.ChainHookOutput, nftables.ChainPriorityNATDest)
	var post *nftables.Chain
	if b.masq {
		post = b.baseChain("postrouting", nftables.ChainHookPostrouting, nftables.ChainPriorityNATSource)
	}
	for i, s := range svcs {
		name := fmt.Sprintf("svc%d", i)
		if err := b.service(name, s); err != nil {
			return err
		}
		match := b.matchService(s.Key)
		for _, c := range []*nftables.Chain{pre, out} {
			b.rule(c, append(match, &expr.Verdict{Kind: expr.VerdictJump, Chain: name})...)
		}
		if post != nil {
			b.rule(post, append(b.matchOriginal(s.Key), &expr.Masq{})...)
		}
	}
	return nil
}

func (b *builder) baseChain(name string, hook *nftables.ChainHook, prio *nftables.ChainPriority) *nftables.Chain {
	return b.c.AddChain(&nftables.Chain{Name: name, Table: b.t, Type: nftables.ChainTypeNAT,
		Hooknum: hook, Priority: prio})
}

func (b *builder) rule(c *nftables.Chain, e ...expr.Any) {
	b.c.AddRule(&nftables.Rule{Table: b.t, Chain: c, Exprs: e})
}

// addrLen and the header offsets of the source and destination address.
func (b *builder) addr() (n, src, dst uint32) {
	if b.v6 {
		return 16, 8, 24
	}
	return 4, 12, 16
}

// matchService matches new packets for the service: destination address,
// protocol and port (port 0: any), or the firewall mark.
func (b *builder) matchService(k lvs.ServiceKey) []expr.Any {
	if k.Fwmark != 0 {
		return []expr.Any{
			&expr.Meta{Key: expr.MetaKeyMARK, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.NativeEndian.PutUint32(k.Fwmark)},
		}
	}
	n, _, dst := b.addr()
	e := []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: dst, Len: n},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: k.Addr.AsSlice()},
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{byte(k.Protocol)}},
	}
	if k.Port != 0 {
		e = append(e,
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(k.Port)})
	}
	return e
}

// matchOriginal matches, after DNAT, connections the service balanced:
// conntrack's original destination is the virtual address (or the
// packet carries the service's mark).
func (b *builder) matchOriginal(k lvs.ServiceKey) []expr.Any {
	if k.Fwmark != 0 {
		return b.matchService(k)
	}
	e := []expr.Any{
		&expr.Ct{Key: expr.CtKeyDST, Register: 1, Direction: 0},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: k.Addr.AsSlice()},
	}
	if k.Port != 0 {
		e = append(e, &expr.Ct{Key: expr.CtKeyPROTODST, Register: 1, Direction: 0},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(k.Port)})
	}
	return e
}

// service adds the service's chain, one chain per destination, its
// persistence sets and its scheduling map.
func (b *builder) service(name string, s planned) error {
	sl := s.slots
	c := b.c.AddChain(&nftables.Chain{Name: name, Table: b.t})
	var affinity []*nftables.Set
	for j, d := range s.Dests {
		dc := b.c.AddChain(&nftables.Chain{Name: fmt.Sprintf("%s-rs%d", name, j), Table: b.t})
		var e []expr.Any
		if s.Persistence > 0 {
			set, err := b.affinitySet(fmt.Sprintf("%s-aff%d", name, j), s.Persistence)
			if err != nil {
				return err
			}
			affinity = append(affinity, set)
			e = append(e, b.maskedSource(s.Granularity)...)
			e = append(e, &expr.Dynset{SrcRegKey: 1, SetName: set.Name, SetID: set.ID,
				Operation: uint32(unix.NFT_DYNSET_OP_UPDATE), Timeout: s.Persistence})
		}
		b.rule(dc, append(e, b.dnat(d)...)...)
	}
	for j, set := range affinity {
		e := append(b.maskedSource(s.Granularity),
			&expr.Lookup{SourceRegister: 1, SetName: set.Name, SetID: set.ID},
			&expr.Verdict{Kind: expr.VerdictGoto, Chain: fmt.Sprintf("%s-rs%d", name, j)})
		b.rule(c, e...)
	}
	if len(sl) > 0 {
		vmap, err := b.slotMap(name, sl)
		if err != nil {
			return err
		}
		e := append(b.selector(s, len(sl)),
			&expr.Lookup{SourceRegister: 1, DestRegister: 0, IsDestRegSet: true, SetName: vmap.Name, SetID: vmap.ID})
		b.rule(c, e...)
	}
	// No destination available: drop, as IPVS does.
	b.rule(c, &expr.Verdict{Kind: expr.VerdictDrop})
	return nil
}

// maskedSource loads the client address, masked to the persistence
// granularity, into register 1.
func (b *builder) maskedSource(bits int) []expr.Any {
	n, src, _ := b.addr()
	e := []expr.Any{&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: src, Len: n}}
	if bits > 0 && bits < int(n)*8 {
		m := make([]byte, n)
		for i := 0; i < bits; i++ {
			m[i/8] |= 0x80 >> (i % 8)
		}
		e = append(e, &expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: n, Mask: m, Xor: make([]byte, n)})
	}
	return e
}

func (b *builder) affinitySet(name string, timeout time.Duration) (*nftables.Set, error) {
	kt := nftables.TypeIPAddr
	if b.v6 {
		kt = nftables.TypeIP6Addr
	}
	set := &nftables.Set{Table: b.t, Name: name, KeyType: kt, HasTimeout: true, Timeout: timeout, Dynamic: true}
	if err := b.c.AddSet(set, nil); err != nil {
		return nil, fmt.Errorf("nftables: add set %s: %w", name, err)
	}
	return set, nil
}

// slotMap is the verdict map from slot number to destination chain.
func (b *builder) slotMap(name string, sl []int) (*nftables.Set, error) {
	set := &nftables.Set{Table: b.t, Name: name + "-slots", IsMap: true, Constant: true,
		KeyType: nftables.TypeInteger, DataType: nftables.TypeVerdict}
	els := make([]nftables.SetElement, len(sl))
	for i, j := range sl {
		els[i] = nftables.SetElement{Key: binaryutil.NativeEndian.PutUint32(uint32(i)),
			VerdictData: &expr.Verdict{Kind: expr.VerdictGoto, Chain: fmt.Sprintf("%s-rs%d", name, j)}}
	}
	// A constant map's size is fixed by its first message: one sent in
	// pieces is an ordinary map (the table is replaced whole anyway).
	set.Constant = len(els) <= elemChunk
	first := els[:min(len(els), elemChunk)]
	if err := b.c.AddSet(set, first); err != nil {
		return nil, fmt.Errorf("nftables: add map %s: %w", set.Name, err)
	}
	for rest := els[len(first):]; len(rest) > 0; rest = rest[min(len(rest), elemChunk):] {
		if err := b.c.SetAddElements(set, rest[:min(len(rest), elemChunk)]); err != nil {
			return nil, fmt.Errorf("nftables: add map %s: %w", set.Name, err)
		}
	}
	return set, nil
}

// elemChunk is how many map elements go in one netlink message: their
// list is one attribute, whose length field has 16 bits, so a map of
// thousands of slots must be sent in pieces (in the same batch).
const elemChunk = 512

// selector computes the slot number of a new connection into register
// 1: numgen inc for rr/wrr, jhash of the source (sh, mh; with the source
// port under sh-port/mh-port) or of the destination address (dh).
func (b *builder) selector(s planned, n int) []expr.Any {
	if s.Sched == config.SchedRR || s.Sched == config.SchedWRR {
		return []expr.Any{&expr.Numgen{Register: 1, Modulus: uint32(n), Type: unix.NFT_NG_INCREMENTAL}}
	}
	alen, src, dst := b.addr()
	off := src
	if s.Sched == config.SchedDH {
		off = dst
	}
	e := []expr.Any{&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: alen}}
	hlen := alen
	if s.Sched != config.SchedDH && s.Flags&config.SchedPort != 0 {
		// Concatenate the source port in the 32-bit register after the address.
		e = append(e, &expr.Payload{DestRegister: unix.NFT_REG32_00 + alen/4, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 2})
		hlen += 4
	}
	return append(e, &expr.Hash{SourceRegister: 1, DestRegister: 1, Length: hlen, Modulus: uint32(n),
		Seed: 0x9e3779b9, Type: expr.HashTypeJenkins})
}

// dnat rewrites the destination to the real server (its port, or the
// client's when the real server has none).
func (b *builder) dnat(d lvs.Dest) []expr.Any {
	nfproto := uint32(unix.NFPROTO_IPV4)
	if b.v6 {
		nfproto = unix.NFPROTO_IPV6
	}
	e := []expr.Any{&expr.Immediate{Register: 1, Data: d.Addr.AsSlice()}}
	nat := &expr.NAT{Type: expr.NATTypeDestNAT, Family: nfproto, RegAddrMin: 1, Specified: true}
	if d.Port != 0 {
		e = append(e, &expr.Immediate{Register: 2, Data: binaryutil.BigEndian.PutUint16(d.Port)})
		nat.RegProtoMin = 2
	}
	return append(e, nat)
}

// batchBuffer is the send and receive buffer the plane asks for: the
// kernel refuses a netlink batch larger than the socket's send buffer
// ("message too long"), 208 KiB by default, about 1,000 real servers; and
// its acknowledgements, one per message, overflow a default receive
// buffer ("no buffer space available"). 10,000 real servers take a few MiB.
const batchBuffer = 64 << 20

// bigBatches raises the socket's buffers to batchBuffer (beyond
// net.core.wmem_max/rmem_max where we may: SO_SNDBUFFORCE needs CAP_NET_ADMIN,
// which changing nftables needs anyway).
func bigBatches(c *netlink.Conn) error {
	rc, err := c.SyscallConn()
	if err != nil {
		return fmt.Errorf("netlink send buffer: %w", err)
	}
	var serr error
	err = rc.Control(func(fd uintptr) {
		for _, o := range [][2]int{{unix.SO_SNDBUFFORCE, unix.SO_SNDBUF}, {unix.SO_RCVBUFFORCE, unix.SO_RCVBUF}} {
			if serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, o[0], batchBuffer); serr != nil {
				serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, o[1], batchBuffer)
			}
			if serr != nil {
				return
			}
		}
	})
	if err != nil {
		return fmt.Errorf("netlink send buffer: %w", err)
	}
	if serr != nil {
		return fmt.Errorf("netlink send buffer: %w", serr)
	}
	return nil
}
