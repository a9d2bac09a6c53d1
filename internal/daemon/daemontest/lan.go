package daemontest

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/noaccept"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
	"github.com/gokeepalived/gokeepalived/internal/track"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// The one LAN interface every node has, and the loopback.
const (
	lanIfindex = 2
	lanIfname  = "eth0"
)

// LAN is one Ethernet segment joining the nodes, and the transcript of
// what happened on it.
type LAN struct {
	mu     sync.Mutex
	start  time.Time
	nodes  []*Node
	cut    map[[2]string]bool // pairs that cannot hear each other
	events []event
	closed bool // the scenario ended: record nothing more
}

// event is one transcript line: what node did at at.
type event struct {
	at   time.Duration
	node string // "" for the scenario's own commands
	// lane orders a node's lines at one instant: the loop's (0) in the
	// order it did them, then its notify scripts' (1), which run beside
	// the loop and each other, sorted.
	lane int
	seq  int
	text string
}

// NewLAN returns an empty LAN whose clock starts now.
func NewLAN() *LAN { return &LAN{start: time.Now(), cut: map[[2]string]bool{}} }

// record adds a transcript line for node.
func (l *LAN) record(node, format string, args ...any) { l.recordIn(node, 0, format, args...) }

// recordIn adds a transcript line for node in lane.
func (l *LAN) recordIn(node string, lane int, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.events = append(l.events, event{at: time.Since(l.start), node: node, lane: lane, seq: len(l.events), text: fmt.Sprintf(format, args...)})
}

// Transcript renders the events in time order; at one instant the
// scenario's commands come first, then each node's lines in the order it
// did them (nodes by name, the loop's before its notify scripts'), so
// that goroutines running at the same instant cannot reorder it. Repeated identical lines collapse into one with a
// count.
func (l *LAN) Transcript() string {
	l.mu.Lock()
	evs := slices.Clone(l.events)
	l.mu.Unlock()
	slices.SortStableFunc(evs, func(a, b event) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		if c := strings.Compare(a.node, b.node); c != 0 {
			return c
		}
		if a.lane != b.lane || a.lane == 0 {
			return a.lane - b.lane
		}
		return strings.Compare(a.text, b.text)
	})
	var b strings.Builder
	var last time.Duration = -1
	for i := 0; i < len(evs); {
		e, n := evs[i], 1
		for i+n < len(evs) && evs[i+n].at == e.at && evs[i+n].node == e.node && evs[i+n].text == e.text {
			n++
		}
		i += n
		stamp := ""
		if e.at != last {
			stamp, last = e.at.String(), e.at
		}
		who := e.node
		if who == "" {
			who = "--"
		}
		line := fmt.Sprintf("%-12s %-3s %s", stamp, who, e.text)
		if n > 1 {
			line += fmt.Sprintf(" x%d", n)
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

// Cut stops a and b hearing each other; Heal lets them again.
func (l *LAN) Cut(a, b string)  { l.setCut(a, b, true) }
func (l *LAN) Heal(a, b string) { l.setCut(a, b, false) }

func (l *LAN) setCut(a, b string, on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if on {
		l.cut[[2]string{a, b}], l.cut[[2]string{b, a}] = true, true
	} else {
		delete(l.cut, [2]string{a, b})
		delete(l.cut, [2]string{b, a})
	}
}

// deliver carries m from one node's socket to every socket on the LAN
// that hears it: the multicast group reaches every node, a unicast
// address only its owner.
func (l *LAN) deliver(from *Node, fam system.Family, m system.Message) {
	l.mu.Lock()
	var to []*conn
	for _, n := range l.nodes {
		if n == from || n.dead || l.cut[[2]string{from.Name, n.Name}] || from.dead {
			continue
		}
		if !m.Dst.IsMulticast() && !n.owns(m.Dst) {
			continue
		}
		for _, c := range n.conns() {
			if c.fam == fam && c.ifindex == lanIfindex {
				to = append(to, c)
			}
		}
	}
	l.mu.Unlock()
	ttl := m.TTL
	if ttl == 0 || m.Dst.IsMulticast() {
		ttl = 255
	}
	for _, c := range to {
		p := systemtest.Packet{Payload: slices.Clone(m.Payload), Meta: system.Meta{Src: m.Src, Dst: m.Dst, TTL: ttl, Ifindex: c.ifindex}}
		select {
		case c.in <- p:
		default: // a full receive queue drops, as a socket buffer does
		}
	}
}

// Node is one daemon on the LAN and its fake machine.
type Node struct {
	Name string
	// Addr is the node's own address on eth0, its advert source.
	Addr netip.Addr

	lan    *LAN
	file   string // its keepalived.conf
	links  *systemtest.LinkWatcher
	addrw  *systemtest.AddrWatcher
	table  *systemtest.Addresser
	dead   bool // crashed: silent, and its table frozen (under lan.mu)
	mu     sync.Mutex
	open   []*conn
	sigs   chan<- os.Signal
	script map[string]int         // exit code per script's arguments; missing means 0
	ifaces map[string]system.Link // interfaces as they last were, to add them back
	lastTx map[uint8]uint8
	log    strings.Builder // everything the daemon logged, for failures
	d      *daemon.Daemon
	cancel context.CancelFunc
	done   chan error
}

// AddNode puts a node named name with address addr on the LAN; its
// configuration is read from file.
func (l *LAN) AddNode(name string, addr netip.Addr, file string) *Node {
	n := &Node{Name: name, Addr: addr, lan: l, file: file, table: &systemtest.Addresser{},
		script: map[string]int{}, lastTx: map[uint8]uint8{}, ifaces: map[string]system.Link{}}
	a4 := addr.As4()
	n.table.Set(lanIfindex, netip.PrefixFrom(addr, 24),
		netip.PrefixFrom(netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 15: a4[3]}), 64))
	lo := system.Link{Index: 1, Name: "lo", MTU: 65536, Up: true}
	eth := system.Link{Index: lanIfindex, Name: lanIfname, MTU: 1500, Up: true, MAC: []byte{0x02, 0, 0, 0, 0, a4[3]}}
	n.ifaces[lo.Name], n.ifaces[eth.Name] = lo, eth
	n.links = systemtest.NewLinkWatcher(lo, eth)
	n.links.Addrs = n.table
	n.addrw = systemtest.NewAddrWatcher()
	l.mu.Lock()
	l.nodes = append(l.nodes, n)
	l.mu.Unlock()
	return n
}

// Node returns the node named name, or nil.
func (l *LAN) Node(name string) *Node {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range l.nodes {
		if n.Name == name {
			return n
		}
	}
	return nil
}

// record adds a transcript line for n, unless n crashed.
func (n *Node) record(format string, args ...any) { n.recordIn(0, format, args...) }

func (n *Node) recordIn(lane int, format string, args ...any) {
	n.lan.mu.Lock()
	dead := n.dead
	n.lan.mu.Unlock()
	if !dead {
		n.lan.recordIn(n.Name, lane, format, args...)
	}
}

func (n *Node) owns(a netip.Addr) bool {
	ps, _ := n.table.List(lanIfindex, 0)
	return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Addr() == a })
}

func (n *Node) conns() []*conn {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.open)
}

// system is the node's daemon.System: every part a fake.
func (n *Node) system() daemon.System {
	return daemon.System{
		Links:        n.links,
		Addrs:        &addrs{n: n},
		Announce:     &announcer{n: n},
		OpenConn:     n.openConn,
		NewTimer:     func() (system.LoopTimer, error) { return system.NewRuntimeTimer(), nil },
		WatchAddrs:   n.addrw.Watch,
		OpenFirewall: func(system.FirewallConfig) (noaccept.Rules, error) { return dropSet{}, nil },
		Signals: func(c chan<- os.Signal) func() {
			n.mu.Lock()
			n.sigs = c
			n.mu.Unlock()
			return func() {}
		},
		Exec: track.ExecFunc(n.exec),
	}
}

// Start builds the node's daemon and runs it until Stop, Crash or a
// signal ends it.
func (n *Node) Start() error {
	log := slog.New(&logHandler{n: n})
	d, err := daemon.New(daemon.Config{File: n.file, Logger: log, DumpDir: filepath.Dir(n.file)}, n.system())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.d, n.cancel, n.done = d, cancel, make(chan error, 1)
	go func() {
		err := d.Run(ctx)
		if err != nil {
			n.record("daemon ended: %v", err)
		} else {
			n.record("daemon ended")
		}
		n.mu.Lock()
		n.sigs = nil
		n.mu.Unlock()
		n.done <- err
	}()
	return nil
}

// running reports whether the node's daemon runs.
func (n *Node) running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.sigs != nil
}

// Signal sends s to the node's daemon.
func (n *Node) Signal(s os.Signal) error {
	n.mu.Lock()
	c := n.sigs
	n.mu.Unlock()
	if c == nil {
		return fmt.Errorf("node %s is not running", n.Name)
	}
	c <- s
	return nil
}

// Crash kills the node as SIGKILL would: from now on it sends nothing,
// hears nothing, and its addresses stay as they are.
func (n *Node) Crash() {
	n.lan.mu.Lock()
	n.dead = true
	n.lan.mu.Unlock()
	n.Stop()
}

// Stop ends the daemon (gracefully unless it crashed) and waits for it.
func (n *Node) Stop() {
	if n.cancel == nil {
		return
	}
	n.cancel()
	<-n.done
	n.cancel = nil
}

// SetScript makes the scripts whose arguments (after the program, which
// the script gate may have resolved to another path) are args exit with
// code from now on.
func (n *Node) SetScript(args string, code int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.script[args] = code
}

// exec answers a script with the exit code SetScript gave its arguments.
// A script whose first argument starts with "notify" (a notify script, by
// the scenarios' convention) is put in the transcript with its arguments,
// which the daemon appended (type, name, state, priority).
func (n *Node) exec(ctx context.Context, c track.Command) track.Outcome {
	args := c.Script.Argv()[1:]
	if len(args) > 0 && strings.HasPrefix(args[0], "notify") {
		n.recordIn(1, "exec %s", strings.Join(args, " "))
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return track.Outcome{ExitCode: n.script[strings.Join(args, " ")]}
}

// changeLink makes interface ifname go up or down, appear (add: at the
// index it had, or a new one) or go away (del), and tells the daemon. The
// node's addresses stay with the index, as the scenario wants them back.
func (n *Node) changeLink(ifname, how string) error {
	n.mu.Lock()
	link, known := n.ifaces[ifname]
	if !known {
		link = system.Link{Index: lanIfindex + 1 + len(n.ifaces), Name: ifname, MTU: 1500,
			MAC: []byte{0x02, 0, 0, 0, byte(len(n.ifaces)), n.Addr.As4()[3]}}
	}
	n.mu.Unlock()
	_, err := n.links.Lookup(ifname)
	exists := err == nil
	switch how {
	case "up", "down":
		if !exists {
			return fmt.Errorf("link %s: no such interface", ifname)
		}
		link.Up = how == "up"
	case "add":
		if exists {
			return fmt.Errorf("link %s: exists", ifname)
		}
		link.Up = true
	case "del":
		if !exists {
			return fmt.Errorf("link %s: no such interface", ifname)
		}
	default:
		return fmt.Errorf("link %s %s: want up, down, add or del", ifname, how)
	}
	n.mu.Lock()
	n.ifaces[ifname] = link
	n.mu.Unlock()
	n.links.Send(system.LinkEvent{Link: link, Deleted: how == "del"})
	return nil
}

// readFIFO returns the lines waiting in the FIFO at path, without waiting
// for more (the daemon holds it open read-write, so it buffers them).
func readFIFO(path string) ([]string, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("fifo: %w", err)
	}
	defer unix.Close(fd)
	var data []byte
	buf := make([]byte, 4096)
	for {
		k, err := unix.Read(fd, buf)
		if k > 0 {
			data = append(data, buf[:k]...)
			continue
		}
		if err != nil && err != unix.EAGAIN {
			return nil, fmt.Errorf("fifo: %w", err)
		}
		break
	}
	if len(data) == 0 {
		return nil, nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n"), nil
}

// Log returns everything the node's daemon logged.
func (n *Node) Log() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.log.String()
}

// VIPs returns the addresses on the node's eth0 other than its own.
func (n *Node) VIPs() []netip.Prefix {
	ps, _ := n.table.List(lanIfindex, 0)
	return slices.DeleteFunc(ps, func(p netip.Prefix) bool {
		return p.Addr() == n.Addr || p.Addr().IsLinkLocalUnicast()
	})
}

// changeAddr adds p to interface ifname or removes it, as another program
// would, and tells the daemon.
func (n *Node) changeAddr(ifname, how string, p netip.Prefix) error {
	n.mu.Lock()
	link, ok := n.ifaces[ifname]
	n.mu.Unlock()
	if !ok {
		return fmt.Errorf("addr: no interface %s", ifname)
	}
	v := system.VIP{Prefix: p, Ifindex: link.Index}
	var err error
	switch how {
	case "add":
		err = n.table.Add(v)
	case "del":
		err = n.table.Del(v)
	default:
		return fmt.Errorf("addr %s: want add or del", how)
	}
	if err != nil {
		return err
	}
	n.addrw.Send(system.AddrEvent{Ifindex: link.Index, Prefix: p, New: how == "add"})
	return nil
}

// addrs is a node's address table as the daemon sees it: the fake, with
// every change in the transcript. A crashed node's table is frozen.
type addrs struct{ n *Node }

func (a *addrs) alive() bool {
	a.n.lan.mu.Lock()
	defer a.n.lan.mu.Unlock()
	return !a.n.dead
}

func (a *addrs) Add(v system.VIP) error {
	if !a.alive() {
		return nil
	}
	a.n.record("add %s dev %d", v.Prefix, v.Ifindex)
	return a.n.table.Add(v)
}

func (a *addrs) Del(v system.VIP) error {
	if !a.alive() {
		return nil
	}
	a.n.record("del %s dev %d", v.Prefix, v.Ifindex)
	return a.n.table.Del(v)
}

func (a *addrs) List(ifindex int, fam system.Family) ([]netip.Prefix, error) {
	return a.n.table.List(ifindex, fam)
}

func (a *addrs) Close() error { return nil }

// announcer puts a node's gratuitous ARPs and NAs in the transcript.
type announcer struct{ n *Node }

func (a *announcer) Gratuitous(ifindex int, addr netip.Addr) error {
	a.n.record("gratuitous %s dev %d", addr, ifindex)
	return nil
}

func (a *announcer) Close() error { return nil }

// conn is one VRRP socket of a node on the LAN.
type conn struct {
	n         *Node
	ifindex   int
	fam       system.Family
	in        chan systemtest.Packet
	closeOnce sync.Once
	closed    chan struct{}
}

func (n *Node) openConn(cfg system.ConnConfig) (system.Conn, error) {
	if cfg.Ifindex != lanIfindex && !n.knows(cfg.Ifindex) {
		return nil, fmt.Errorf("node %s: no LAN on interface %d: %w", n.Name, cfg.Ifindex, system.ErrNoInterface)
	}
	c := &conn{n: n, ifindex: cfg.Ifindex, fam: cfg.Family, in: make(chan systemtest.Packet, 256), closed: make(chan struct{})}
	n.mu.Lock()
	n.open = append(n.open, c)
	n.mu.Unlock()
	return c, nil
}

// knows reports whether a link the scenario added has index ifindex: a
// daemon may open sockets on it, though only eth0 reaches other nodes.
func (n *Node) knows(ifindex int) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, l := range n.ifaces {
		if l.Index == ifindex && l.Name != "lo" {
			return true
		}
	}
	return false
}

func (c *conn) Read(b []byte) (int, system.Meta, error) {
	select {
	case p := <-c.in:
		return copy(b, p.Payload), p.Meta, nil
	case <-c.closed:
		return 0, system.Meta{}, fmt.Errorf("lan conn: %w", system.ErrClosed)
	}
}

// Write puts the advert on the LAN, and in the transcript when its
// priority differs from the node's last advert for that VRID.
func (c *conn) Write(m system.Message) error {
	if m.Src == (netip.Addr{}) {
		m.Src = c.n.Addr
	}
	fam := vrrp.IPv4
	if c.fam == system.IPv6 {
		fam = vrrp.IPv6
	}
	if adv, err := vrrp.ParseAdvertisement(m.Payload, fam); err == nil {
		c.n.mu.Lock()
		last, seen := c.n.lastTx[adv.VRID]
		c.n.lastTx[adv.VRID] = adv.Priority
		c.n.mu.Unlock()
		if !seen || last != adv.Priority {
			c.n.record("advert vrid %d priority %d to %s", adv.VRID, adv.Priority, m.Dst)
		}
	}
	if c.ifindex == lanIfindex {
		c.n.lan.deliver(c.n, c.fam, m)
	}
	return nil
}

func (c *conn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.n.mu.Lock()
		c.n.open = slices.DeleteFunc(c.n.open, func(x *conn) bool { return x == c })
		c.n.mu.Unlock()
	})
	return nil
}

// logHandler keeps everything a node's daemon logs, and puts its state
// transitions (the records that carry a "cause") in the transcript.
type logHandler struct {
	n     *Node
	attrs []slog.Attr
}

func (h *logHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", time.Since(h.n.lan.start), r.Level, r.Message)
	transition := false
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		transition = transition || a.Key == "cause"
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.n.mu.Lock()
	h.n.log.WriteString(b.String() + "\n")
	h.n.mu.Unlock()
	if transition {
		h.n.record("%s", r.Message)
	}
	return nil
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{n: h.n, attrs: append(slices.Clip(h.attrs), as...)}
}

func (h *logHandler) WithGroup(string) slog.Handler { return h }

// dropSet is no_accept's drop set in the harness: nothing to filter on a
// fake LAN, so it only keeps the daemon off nftables.
type dropSet struct{}

func (dropSet) Drop([]netip.Addr) error  { return nil }
func (dropSet) Allow([]netip.Addr) error { return nil }
func (dropSet) Close() error             { return nil }
