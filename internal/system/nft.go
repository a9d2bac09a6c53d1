//go:build linux

package system

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sort"
	"sync"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// Firewall defaults, as keepalived's (vrrp_nftables.c, global_data.c).
const (
	// DefaultFirewallTable is the nftables table keepalived uses for
	// no_accept (`nftables` with no argument).
	DefaultFirewallTable = "keepalived"
	// DefaultFirewallPriority is the hook priority of the table's chains
	// (`nftables_priority`): just before the usual filter chains (0).
	DefaultFirewallPriority = -1
)

// FirewallConfig configures NewFirewall.
type FirewallConfig struct {
	// Table is the table name in the ip and ip6 families; empty means
	// DefaultFirewallTable.
	Table string
	// Priority is the priority of the input and output chains
	// (nftables_priority); use DefaultFirewallPriority for keepalived's.
	Priority int32
	// Counters adds a counter to every rule (nftables_counters).
	Counters bool
	// Logger receives Info lines on table creation and removal; nil
	// discards.
	Logger *slog.Logger
}

// Firewall keeps keepalived's no_accept drop rules: for each family a table
// with an input chain dropping packets to the addresses in set "vips" and an
// output chain dropping packets from them (IPv6 neighbour solicitations and
// advertisements pass, so the address still resolves). The table is created
// with the first address and deleted by Close. Safe for concurrent use.
type Firewall struct {
	cfg  FirewallConfig
	log  *slog.Logger
	conn *nftables.Conn

	mu     sync.Mutex
	tables map[Family]*fwTable
	refs   map[netip.Addr]int
}

// fwTable is one family's table and its vips set.
type fwTable struct {
	table *nftables.Table
	vips  *nftables.Set
}

// NewFirewall opens a netlink connection to nftables in the calling thread's
// network namespace and deletes any table left with the same name by an
// earlier run (keepalived does the same at start-up). Nothing else is
// created until Drop.
func NewFirewall(cfg FirewallConfig) (*Firewall, error) {
	if cfg.Table == "" {
		cfg.Table = DefaultFirewallTable
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	conn, err := nftables.New(nftables.AsLasting())
	if err != nil {
		return nil, fmt.Errorf("open nftables netlink: %w", err)
	}
	f := &Firewall{cfg: cfg, log: cfg.Logger, conn: conn,
		tables: map[Family]*fwTable{}, refs: map[netip.Addr]int{}}
	for _, fam := range []Family{IPv4, IPv6} {
		if err := f.deleteTable(fam); err != nil {
			conn.CloseLasting()
			return nil, err
		}
	}
	return f, nil
}

func nftFamily(fam Family) nftables.TableFamily {
	if fam == IPv6 {
		return nftables.TableFamilyIPv6
	}
	return nftables.TableFamilyIPv4
}

// deleteTable removes fam's table if it exists.
func (f *Firewall) deleteTable(fam Family) error {
	ts, err := f.conn.ListTablesOfFamily(nftFamily(fam))
	if err != nil {
		return fmt.Errorf("list nftables %s tables: %w", fam, err)
	}
	for _, t := range ts {
		if t.Name != f.cfg.Table {
			continue
		}
		f.conn.DelTable(t)
		if err := f.conn.Flush(); err != nil {
			return fmt.Errorf("delete nftables table %s %s: %w", fam, f.cfg.Table, err)
		}
		f.log.Info("removed an nftables table left by an earlier run", "family", fam, "table", f.cfg.Table)
	}
	return nil
}

// Drop makes the host drop packets to and from addrs (no_accept while
// master). Addresses are counted: each Drop needs an Allow.
func (f *Firewall) Drop(addrs []netip.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	add := map[Family][]nftables.SetElement{}
	for _, a := range addrs {
		a = a.Unmap()
		f.refs[a]++
		if f.refs[a] == 1 {
			add[FamilyOf(a)] = append(add[FamilyOf(a)], nftables.SetElement{Key: a.AsSlice()})
		}
	}
	var errs []error
	for _, fam := range sortedFams(add) {
		t, err := f.table(fam)
		if err == nil {
			err = f.conn.SetAddElements(t.vips, add[fam])
		}
		if err == nil {
			err = f.conn.Flush()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("add %s drop rules to nftables table %s: %w", fam, f.cfg.Table, err))
		}
	}
	return errors.Join(errs...)
}

// Allow undoes one Drop of addrs.
func (f *Firewall) Allow(addrs []netip.Addr) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	del := map[Family][]nftables.SetElement{}
	for _, a := range addrs {
		a = a.Unmap()
		if f.refs[a] == 0 {
			continue
		}
		f.refs[a]--
		if f.refs[a] == 0 {
			delete(f.refs, a)
			del[FamilyOf(a)] = append(del[FamilyOf(a)], nftables.SetElement{Key: a.AsSlice()})
		}
	}
	var errs []error
	for _, fam := range sortedFams(del) {
		t := f.tables[fam]
		if t == nil {
			continue
		}
		err := f.conn.SetDeleteElements(t.vips, del[fam])
		if err == nil {
			err = f.conn.Flush()
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("remove %s drop rules from nftables table %s: %w", fam, f.cfg.Table, err))
		}
	}
	return errors.Join(errs...)
}

// Dropped returns the addresses currently dropped, sorted.
func (f *Firewall) Dropped() []netip.Addr {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]netip.Addr, 0, len(f.refs))
	for a := range f.refs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

// Close deletes the tables this Firewall created and closes the netlink
// connection.
func (f *Firewall) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for _, fam := range []Family{IPv4, IPv6} {
		t := f.tables[fam]
		if t == nil {
			continue
		}
		f.conn.DelTable(t.table)
		if err := f.conn.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("delete nftables table %s %s: %w", fam, f.cfg.Table, err))
			continue
		}
		delete(f.tables, fam)
		f.log.Info("nftables table removed", "family", fam, "table", f.cfg.Table)
	}
	clear(f.refs)
	if err := f.conn.CloseLasting(); err != nil {
		errs = append(errs, fmt.Errorf("close nftables netlink: %w", err))
	}
	return errors.Join(errs...)
}

// table returns fam's table, creating it with its chains, sets and rules.
func (f *Firewall) table(fam Family) (*fwTable, error) {
	if t := f.tables[fam]; t != nil {
		return t, nil
	}
	spec := fwSpec(fam, f.cfg)
	f.conn.AddTable(spec.table)
	for _, c := range spec.chains {
		f.conn.AddChain(c)
	}
	for _, s := range spec.sets {
		if err := f.conn.AddSet(s.set, s.elems); err != nil {
			return nil, fmt.Errorf("set %s: %w", s.set.Name, err)
		}
	}
	for _, r := range spec.rules {
		f.conn.AddRule(r)
	}
	if err := f.conn.Flush(); err != nil {
		return nil, fmt.Errorf("create nftables table %s %s: %w", fam, f.cfg.Table, err)
	}
	t := &fwTable{table: spec.table, vips: spec.sets[0].set}
	f.tables[fam] = t
	f.log.Info("nftables table created for no_accept", "family", fam, "table", f.cfg.Table, "priority", f.cfg.Priority)
	return t, nil
}

func sortedFams[V any](m map[Family]V) []Family {
	var out []Family
	for _, fam := range []Family{IPv4, IPv6} {
		if _, ok := m[fam]; ok {
			out = append(out, fam)
		}
	}
	return out
}

// fwSet is a set to create with its initial elements.
type fwSet struct {
	set   *nftables.Set
	elems []nftables.SetElement
}

// fwTableSpec is everything one family's table holds; sets[0] is "vips".
type fwTableSpec struct {
	table  *nftables.Table
	chains []*nftables.Chain
	sets   []fwSet
	rules  []*nftables.Rule
}

// fwSpec builds the table keepalived builds for fam, in nft terms:
//
//	table ip keepalived {
//	    set vips { type ipv4_addr }
//	    chain in  { type filter hook input  priority P; policy accept; ip daddr @vips drop }
//	    chain out { type filter hook output priority P; policy accept; ip saddr @vips drop }
//	}
//
// and for ip6 the same with ip6 addresses, plus a constant set
// "neighbor-discovery" { nd-neighbor-solicit, nd-neighbor-advert } that both
// chains accept before the drop rule.
func fwSpec(fam Family, cfg FirewallConfig) fwTableSpec {
	t := &nftables.Table{Name: cfg.Table, Family: nftFamily(fam)}
	accept := nftables.ChainPolicyAccept
	prio := nftables.ChainPriority(cfg.Priority)
	in := &nftables.Chain{Name: "in", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookInput, Priority: &prio, Policy: &accept}
	out := &nftables.Chain{Name: "out", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookOutput, Priority: &prio, Policy: &accept}
	keyType, daddr, saddr, alen := nftables.TypeIPAddr, uint32(16), uint32(12), uint32(4)
	if fam == IPv6 {
		keyType, daddr, saddr, alen = nftables.TypeIP6Addr, 24, 8, 16
	}
	vips := &nftables.Set{Table: t, Name: "vips", ID: 1, KeyType: keyType}
	spec := fwTableSpec{table: t, chains: []*nftables.Chain{in, out}, sets: []fwSet{{set: vips}}}
	if fam == IPv6 {
		nd := &nftables.Set{Table: t, Name: "neighbor-discovery", ID: 2, Constant: true, KeyType: nftables.TypeICMP6Type}
		spec.sets = append(spec.sets, fwSet{set: nd, elems: []nftables.SetElement{
			{Key: []byte{ndNeighborSolicit}}, {Key: []byte{ndNeighborAdvert}},
		}})
		for _, c := range []*nftables.Chain{in, out} {
			spec.rules = append(spec.rules, &nftables.Rule{Table: t, Chain: c,
				Exprs: withVerdict(cfg.Counters, expr.VerdictAccept,
					&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 6, Len: 1},
					&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_ICMPV6}},
					&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 1},
					&expr.Lookup{SourceRegister: 1, SetName: nd.Name, SetID: nd.ID},
				)})
		}
	}
	spec.rules = append(spec.rules,
		&nftables.Rule{Table: t, Chain: in, Exprs: withVerdict(cfg.Counters, expr.VerdictDrop,
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: daddr, Len: alen},
			&expr.Lookup{SourceRegister: 1, SetName: vips.Name, SetID: vips.ID})},
		&nftables.Rule{Table: t, Chain: out, Exprs: withVerdict(cfg.Counters, expr.VerdictDrop,
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: saddr, Len: alen},
			&expr.Lookup{SourceRegister: 1, SetName: vips.Name, SetID: vips.ID})},
	)
	return spec
}

// withVerdict appends an optional counter and the verdict to match.
func withVerdict(counter bool, v expr.VerdictKind, match ...expr.Any) []expr.Any {
	if counter {
		match = append(match, &expr.Counter{})
	}
	return append(match, &expr.Verdict{Kind: v})
}

// ICMPv6 neighbour discovery types (RFC 4861 §4.3, §4.4).
const (
	ndNeighborSolicit = 135
	ndNeighborAdvert  = 136
)
