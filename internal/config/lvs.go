package config

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// The LVS half (virtual_server, real_server, checkers) is parsed and
// validated into typed values (lvs_types.go); the daemon runs it through
// internal/lvs/director.

// VirtualServer is a virtual_server block: `IP PORT`, `fwmark N` or
// `group NAME`.
type VirtualServer struct {
	Pos    Pos        `json:",omitzero"`
	Addr   netip.Addr `json:",omitzero"`
	Port   int        `json:",omitempty"`
	Fwmark int        `json:",omitempty"`
	Group  string     `json:",omitempty"`
	// Protocol is TCP, UDP or SCTP; keepalived defaults to UDP (and says
	// so); empty for fwmark services, where it does not apply.
	Protocol Protocol  `json:",omitzero"`
	Sched    Scheduler `json:",omitempty"`
	// Method is the default forwarding method of the real servers.
	Method LBKind `json:",omitempty"`
	// Tunnel is TUN's options (type, port, checksum).
	Tunnel    Tunnel `json:",omitzero"`
	DelayLoop time.Duration
	// SchedFlags are flag-1..3 and sh-/mh-port, sh-/mh-fallback.
	SchedFlags SchedFlags `json:",omitempty"`
	// OPS is one-packet scheduling (ops); Hashed is `hashed`.
	OPS    bool `json:",omitempty"`
	Hashed bool `json:",omitempty"`
	// PersistenceTimeout is 0 for a service without persistence;
	// PersistenceGranularity is the prefix length of the client address
	// a persistent entry covers (0: the whole address).
	PersistenceTimeout     time.Duration `json:",omitempty"`
	PersistenceGranularity int           `json:",omitempty"`
	PersistenceEngine      string        `json:",omitempty"`
	// Quorum (default 1) and Hysteresis set when the service counts as
	// up: the sum of the live real servers' weights against
	// Quorum ± Hysteresis. QuorumUp and QuorumDown run on changes.
	Quorum     int
	Hysteresis int     `json:",omitempty"`
	QuorumUp   *Script `json:",omitempty"`
	QuorumDown *Script `json:",omitempty"`
	// Inhibit and Alpha are the defaults of the real servers'
	// inhibit_on_failure and alpha. Omega runs the quorum_down and
	// notify_down scripts on shutdown. HASuspend installs the service
	// only while its address is on this host.
	Inhibit     bool   `json:",omitempty"`
	Alpha       bool   `json:",omitempty"`
	Omega       bool   `json:",omitempty"`
	HASuspend   bool   `json:",omitempty"`
	VirtualHost string `json:",omitempty"`
	// SMTPAlert is the virtual server's smtp_alert (nil: not written;
	// then global_defs smtp_alert, else off).
	SMTPAlert *bool `json:",omitempty"`
	// Weight is the weight of real servers that set none (default 1).
	Weight int
	// Timing is the checker timing written here (retry,
	// delay_before_retry, warmup, connect_timeout; delay_loop is
	// DelayLoop), inherited by the checkers.
	Timing CheckTiming `json:",omitzero"`

	RealServers []*RealServer `json:",omitempty"`
	// Sorry is the sorry_server; its Inhibit is sorry_server_inhibit.
	Sorry *RealServer `json:",omitempty"`
	// Options are the other keywords, kept as written.
	Options []Option `json:",omitempty"`
}

// RealServer is a real_server (or sorry_server) entry.
type RealServer struct {
	Pos        Pos `json:",omitzero"`
	Addr       netip.Addr
	Port       int        `json:",omitempty"`
	Weight     int        // default 1
	Checkers   []*Checker `json:",omitempty"`
	NotifyUp   *Script    `json:",omitempty"`
	NotifyDown *Script    `json:",omitempty"`
	// Method and Tunnel default to the virtual server's.
	Method LBKind `json:",omitempty"`
	Tunnel Tunnel `json:",omitzero"`
	// Inhibit (inhibit_on_failure) keeps a failed server in the pool
	// with weight 0 instead of removing it; Alpha starts it as failed
	// until its checkers pass. Both default to the virtual server's.
	Inhibit bool `json:",omitempty"`
	Alpha   bool `json:",omitempty"`
	// SMTPAlert is the real server's smtp_alert (nil: not written; then
	// global_defs smtp_alert, else on).
	SMTPAlert *bool `json:",omitempty"`
	// UThreshold and LThreshold are IPVS's connection thresholds.
	UThreshold int `json:",omitempty"`
	LThreshold int `json:",omitempty"`
	// Timing is the checker timing written here, over the virtual
	// server's; VirtualHost is its virtualhost (default the virtual
	// server's).
	Timing      CheckTiming `json:",omitzero"`
	VirtualHost string      `json:",omitempty"`
	Options     []Option    `json:",omitempty"`
}

// Checker is a health checker block (TCP_CHECK, HTTP_GET, SSL_GET,
// MISC_CHECK, SMTP_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK,
// BFD_CHECK). Its keywords are read into the typed fields (a type's own
// fields are zero for other types); Options and Sub keep them as written.
type Checker struct {
	Pos     Pos `json:",omitzero"`
	Type    CheckerKind
	Misc    *Script    `json:",omitempty"`
	Options []Option   `json:",omitempty"`
	Sub     []SubBlock `json:",omitempty"`

	Timing CheckTiming `json:",omitzero"`
	Conn   CheckConn   `json:",omitzero"`
	// HTTP_GET, SSL_GET: HTTPProtocol is "1.0", "1.0C", "1.1" or "" (not
	// written: 1.0); SNIName is sni_name.
	VirtualHost  string     `json:",omitempty"`
	HTTPProtocol string     `json:",omitempty"`
	EnableSNI    bool       `json:",omitempty"`
	SNIName      string     `json:",omitempty"`
	URLs         []URLCheck `json:",omitempty"`
	// SMTP_CHECK.
	HeloName string      `json:",omitempty"`
	Hosts    []CheckHost `json:",omitempty"`
	// DNS_CHECK: DNSType 0 is not written (SOA).
	DNSType uint16 `json:",omitempty"`
	DNSName string `json:",omitempty"`
	// MISC_CHECK: user USER [GROUP], misc_timeout (0: not written),
	// misc_dynamic.
	User        string        `json:",omitempty"`
	Group       string        `json:",omitempty"`
	MiscTimeout time.Duration `json:",omitempty"`
	MiscDynamic bool          `json:",omitempty"`
	// UDP_CHECK: ReplyMask has the bits of 'x' nibbles (nil: none);
	// MaxReplyLength defaults to 255.
	Payload        []byte `json:",omitempty"`
	RequireReply   bool   `json:",omitempty"`
	Reply          []byte `json:",omitempty"`
	ReplyMask      []byte `json:",omitempty"`
	MinReplyLength int    `json:",omitempty"`
	MaxReplyLength int    `json:",omitempty"`
	// FILE_CHECK: the track_file and the weight written here (Set false:
	// the track_file's).
	TrackFile  string `json:",omitempty"`
	FileWeight Weight `json:",omitzero"`
}

// SubBlock is a url { } or host { } block of a checker.
type SubBlock struct {
	Pos     Pos `json:",omitzero"`
	Keyword string
	Options []Option
}

// VirtualServerGroup is a virtual_server_group block.
type VirtualServerGroup struct {
	Pos     Pos `json:",omitzero"`
	Name    string
	Entries []VSGEntry
}

// VSGEntry is one line of a virtual_server_group: an address (or the last
// byte/word range A-B) and port, or a fwmark.
type VSGEntry struct {
	Pos     Pos        `json:",omitzero"`
	Addr    netip.Addr `json:",omitzero"`
	RangeTo netip.Addr `json:",omitzero"`
	Port    int        `json:",omitempty"`
	Fwmark  int        `json:",omitempty"`
}

// SSLContext is the top-level SSL block used by SSL_GET.
type SSLContext struct {
	Options []Option
	// CA, Certificate and Key are the files named by ca, certificate and
	// key.
	CA          string `json:",omitempty"`
	Certificate string `json:",omitempty"`
	Key         string `json:",omitempty"`
}

// vsOptions and rsOptions are the keywords kept verbatim as Options.
// The checker timings (retry, connect_timeout, ...) stay here for the
// checker engine to read.
var vsOptions = strings.Fields(`ip_family retry delay_before_retry warmup connect_timeout
snmp_name`)

var rsOptions = strings.Fields(`virtualhost
connect_timeout retry delay_before_retry warmup delay_loop log_all_failures`)

// smtpAlertKw reads a virtual or real server's smtp_alert: alone it means
// on; a value that is not a boolean is an error, as keepalived's, and
// leaves the setting as it was.
func smtpAlertKw[T any](who string, f func(T) **bool) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		v := true
		if len(n.Args) > 0 {
			var ok bool
			if v, ok = parseBool(n.Args[0].Text); !ok {
				l.errorf(n.Args[0].Pos, "Invalid %s smtp_alert parameter %s", who, n.Args[0].Text)
				return
			}
		}
		*f(t) = &v
	}
}

func optKw[T any](f func(T) *[]Option) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		*f(t) = append(*f(t), Option{Name: n.Keyword.Text, Value: strings.Join(texts(n.Args), " ")})
	}
}

// timedOptKw keeps a keyword as written and reads it into the timing when
// it is one.
func timedOptKw[T any](f func(T) (*[]Option, *CheckTiming)) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		opts, tm := f(t)
		optKw(func(T) *[]Option { return opts })(l, n, t)
		l.timingOpt(n, tm)
	}
}

var vsKeywords table[*VirtualServer]
var rsKeywords table[*RealServer]

func init() {
	vsOpt := checkedOpt(timedOptKw(func(v *VirtualServer) (*[]Option, *CheckTiming) { return &v.Options, &v.Timing })) // lvs_check.go
	vsKeywords = table[*VirtualServer]{
		"protocol": func(l *loader, n *Node, v *VirtualServer) {
			t, _ := l.arg(n, 0)
			p, ok := parseProtocol(t.Text)
			switch {
			case ok && v.Fwmark != 0:
				l.warnf(n.Keyword.Pos, "virtual server FWM %d: protocol specified for fwmark, protocol will be ignored", v.Fwmark)
			case ok:
				v.Protocol = p
			case t.Text != "":
				l.errorf(t.Pos, "unknown protocol %q, must be TCP, UDP or SCTP", t.Text)
			}
		},
		"lvs_sched":               schedKw,
		"lb_algo":                 schedKw,
		"lvs_method":              vsKindKw,
		"lb_kind":                 vsKindKw,
		"flag-1":                  schedFlagKw,
		"flag-2":                  schedFlagKw,
		"flag-3":                  schedFlagKw,
		"sh-port":                 schedFlagKw,
		"sh-fallback":             schedFlagKw,
		"mh-port":                 schedFlagKw,
		"mh-fallback":             schedFlagKw,
		"ops":                     setKw(func(v *VirtualServer) *bool { return &v.OPS }, true),
		"hashed":                  setKw(func(v *VirtualServer) *bool { return &v.Hashed }, true),
		"persistence_timeout":     persistenceKw,
		"persistence_granularity": granularityKw,
		"persistence_engine":      strKw(func(v *VirtualServer) *string { return &v.PersistenceEngine }),
		"quorum":                  countKw(func(v *VirtualServer) *int { return &v.Quorum }, 1),
		"hysteresis":              countKw(func(v *VirtualServer) *int { return &v.Hysteresis }, 0),
		"quorum_up":               firstScriptKw(func(v *VirtualServer) **Script { return &v.QuorumUp }, vsWho),
		"quorum_down":             firstScriptKw(func(v *VirtualServer) **Script { return &v.QuorumDown }, vsWho),
		"inhibit_on_failure":      setKw(func(v *VirtualServer) *bool { return &v.Inhibit }, true),
		"alpha":                   setKw(func(v *VirtualServer) *bool { return &v.Alpha }, true),
		"omega":                   setKw(func(v *VirtualServer) *bool { return &v.Omega }, true),
		"ha_suspend":              setKw(func(v *VirtualServer) *bool { return &v.HASuspend }, true),
		"virtualhost":             strKw(func(v *VirtualServer) *string { return &v.VirtualHost }),
		"smtp_alert":              smtpAlertKw("virtual_server", func(v *VirtualServer) **bool { return &v.SMTPAlert }),
		"weight":                  intKw(func(v *VirtualServer) *int { return &v.Weight }, 0, 65535),
		"sorry_server_inhibit": func(l *loader, n *Node, v *VirtualServer) {
			if v.Sorry == nil {
				l.errorf(n.Keyword.Pos, "Ignoring sorry_server inhibit used before or without sorry_server")
				return
			}
			v.Sorry.Inhibit = true
		},
		"sorry_server_lvs_method": func(l *loader, n *Node, v *VirtualServer) {
			if v.Sorry == nil {
				l.errorf(n.Keyword.Pos, "sorry_server forwarding used without sorry_server")
				return
			}
			l.parseKind(n, &v.Sorry.Method, &v.Sorry.Tunnel)
		},
		"delay_loop": durKw(func(v *VirtualServer) *time.Duration { return &v.DelayLoop }, time.Microsecond, 86400*time.Second),
		"real_server": func(l *loader, n *Node, v *VirtualServer) {
			if rs := l.loadRealServer(n); rs != nil {
				v.RealServers = append(v.RealServers, rs)
			}
		},
		"sorry_server": func(l *loader, n *Node, v *VirtualServer) {
			if rs := l.loadRealServer(n); rs != nil {
				v.Sorry = rs
			}
		},
	}
	for _, k := range vsOptions {
		vsKeywords[k] = vsOpt
	}
	vsKeywords["persistence_timeout"] = persistenceKw // lvs_check.go
	rsOpt := checkedOpt(timedOptKw(func(r *RealServer) (*[]Option, *CheckTiming) { return &r.Options, &r.Timing }))
	rsKeywords = table[*RealServer]{
		"weight": func(l *loader, n *Node, r *RealServer) {
			if x, ok := l.intArg(n, 0, 0, 65535); ok {
				r.Weight = int(x)
				l.rsSet(r, "weight")
			}
		},
		"notify_up":   scriptKw(func(r *RealServer) **Script { return &r.NotifyUp }),
		"notify_down": scriptKw(func(r *RealServer) **Script { return &r.NotifyDown }),
		"lvs_method":  rsKindKw,
		"uthreshold":  intKw(func(r *RealServer) *int { return &r.UThreshold }, 0, 1<<32-1),
		"lthreshold":  intKw(func(r *RealServer) *int { return &r.LThreshold }, 0, 1<<32-1),
		"inhibit_on_failure": func(l *loader, n *Node, r *RealServer) {
			r.Inhibit = l.boolArg(n, 0)
			l.rsSet(r, "inhibit")
		},
		"alpha": func(l *loader, n *Node, r *RealServer) {
			r.Alpha = l.boolArg(n, 0)
			l.rsSet(r, "alpha")
		},
		"smtp_alert": smtpAlertKw("real_server", func(r *RealServer) **bool { return &r.SMTPAlert }),
	}
	for _, k := range rsOptions {
		rsKeywords[k] = rsOpt
	}
	rsKeywords["virtualhost"] = func(l *loader, n *Node, r *RealServer) {
		rsOpt(l, n, r)
		r.VirtualHost = l.stringArg(n, 0)
	}
	for _, k := range checkerNames[1:] {
		rsKeywords[k] = func(l *loader, n *Node, r *RealServer) { r.Checkers = append(r.Checkers, l.loadChecker(n)) }
	}
}

// loadVirtualServer reads a virtual_server block.
func (l *loader) loadVirtualServer(n *Node) {
	v := &VirtualServer{Pos: n.Keyword.Pos, DelayLoop: 60 * time.Second, Quorum: 1, Weight: 1}
	switch {
	case len(n.Args) >= 2 && n.Args[0].Text == "fwmark":
		x, ok := l.intArg(n, 1, 1, 1<<32-1)
		if !ok {
			return
		}
		v.Fwmark = int(x)
	case len(n.Args) >= 2 && n.Args[0].Text == "group":
		v.Group = n.Args[1].Text
	case len(n.Args) >= 1:
		a, err := parseHostAddr(n.Args[0].Text)
		if err != nil {
			l.errorf(n.Args[0].Pos, "virtual_server: invalid address %q, skipping it", n.Args[0].Text)
			return
		}
		v.Addr = a
		if len(n.Args) > 1 {
			p, ok := l.intArg(n, 1, 0, 65535)
			if !ok {
				return
			}
			v.Port = int(p)
		}
	default:
		l.errorf(endPos(n), "virtual_server needs an address, fwmark or group")
		return
	}
	dispatch(l, n.Children, vsKeywords, v, "virtual_server")
	l.cfg.VirtualServers = append(l.cfg.VirtualServers, v)
}

func vsKindKw(l *loader, n *Node, v *VirtualServer) { l.parseKind(n, &v.Method, &v.Tunnel) }

func rsKindKw(l *loader, n *Node, r *RealServer) { l.parseKind(n, &r.Method, &r.Tunnel) }

// loadRealServer reads a real_server or sorry_server: `IP [PORT] [{...}]`.
func (l *loader) loadRealServer(n *Node) *RealServer {
	t, ok := l.arg(n, 0)
	if !ok {
		return nil
	}
	a, err := parseHostAddr(t.Text)
	if err != nil {
		l.errorf(t.Pos, "%s: invalid address %q, skipping it", n.Keyword.Text, t.Text)
		return nil
	}
	rs := &RealServer{Pos: n.Keyword.Pos, Addr: a, Weight: 1}
	if len(n.Args) > 1 {
		p, ok := l.intArg(n, 1, 0, 65535)
		if !ok {
			return nil
		}
		rs.Port = int(p)
	}
	dispatch(l, n.Children, rsKeywords, rs, n.Keyword.Text)
	return rs
}

// loadChecker reads a checker block.
func (l *loader) loadChecker(n *Node) *Checker {
	kind, _ := checkerKind(n.Keyword.Text) // only checker keywords reach here
	c := &Checker{Pos: n.Keyword.Pos, Type: kind}
	if c.Type == CheckUDP {
		c.MaxReplyLength = 255
	}
	l.checkChecker(n, c) // lvs_check.go
	for _, k := range n.Children {
		switch {
		case k.Keyword.Text == "misc_path" && c.Type == CheckMisc:
			if len(k.Args) > 0 {
				c.Misc = &Script{Pos: k.Args[0].Pos, Cmd: splitCommand(strings.Join(texts(k.Args), " "))}
				l.scripts = append(l.scripts, c.Misc)
			}
		case k.Block:
			sb := SubBlock{Pos: k.Keyword.Pos, Keyword: k.Keyword.Text}
			for _, o := range k.Children {
				sb.Options = append(sb.Options, Option{Name: o.Keyword.Text, Value: strings.Join(texts(o.Args), " ")})
			}
			c.Sub = append(c.Sub, sb)
		default:
			c.Options = append(c.Options, Option{Name: k.Keyword.Text, Value: strings.Join(texts(k.Args), " ")})
		}
	}
	return c
}

// loadVSGroup reads a virtual_server_group block.
func (l *loader) loadVSGroup(n *Node) {
	if len(n.Args) == 0 {
		l.errorf(endPos(n), "virtual_server_group needs a name")
		return
	}
	g := &VirtualServerGroup{Pos: n.Args[0].Pos, Name: n.Args[0].Text}
	for _, c := range n.Children {
		e := VSGEntry{Pos: c.Keyword.Pos}
		if c.Keyword.Text == "fwmark" {
			x, ok := l.intArg(c, 0, 1, 1<<32-1)
			if !ok {
				continue
			}
			e.Fwmark = int(x)
			g.Entries = append(g.Entries, e)
			continue
		}
		if !l.parseVSGAddr(c.Keyword, &e) {
			continue
		}
		if len(c.Args) > 0 {
			p, ok := l.intArg(c, 0, 0, 65535)
			if !ok {
				continue
			}
			e.Port = int(p)
		}
		g.Entries = append(g.Entries, e)
	}
	l.cfg.VirtualServerGroups = append(l.cfg.VirtualServerGroups, g)
}

// parseVSGAddr parses ADDR or ADDR-LAST, where LAST replaces the last byte
// (IPv4) or the last 16-bit word in hex (IPv6).
func (l *loader) parseVSGAddr(t Token, e *VSGEntry) bool {
	s, last, hasRange := strings.Cut(t.Text, "-")
	a, err := parseHostAddr(s)
	if err != nil {
		l.errorf(t.Pos, "virtual_server_group: invalid address %q", t.Text)
		return false
	}
	e.Addr = a
	if !hasRange {
		return true
	}
	b := a.AsSlice()
	if a.Is4() {
		x, err := strconv.ParseUint(last, 10, 8)
		if err != nil || byte(x) < b[3] {
			l.errorf(t.Pos, "virtual_server_group: invalid address range %q", t.Text)
			return false
		}
		b[3] = byte(x)
	} else {
		x, err := strconv.ParseUint(last, 16, 16)
		if err != nil || uint16(x) < uint16(b[14])<<8|uint16(b[15]) {
			l.errorf(t.Pos, "virtual_server_group: invalid address range %q", t.Text)
			return false
		}
		b[14], b[15] = byte(x>>8), byte(x)
	}
	e.RangeTo, _ = netip.AddrFromSlice(b)
	return true
}

// loadSSL reads the top-level SSL block.
func (l *loader) loadSSL(n *Node) {
	s := &SSLContext{}
	for _, c := range n.Children {
		s.Options = append(s.Options, Option{Name: c.Keyword.Text, Value: strings.Join(texts(c.Args), " ")})
		if f := map[string]*string{"ca": &s.CA, "certificate": &s.Certificate, "key": &s.Key}[c.Keyword.Text]; f != nil {
			*f = l.stringArg(c, 0)
		}
	}
	l.cfg.SSL = s
}

// bfdKeywords is the bfd_instance table.
var bfdKeywords = table[*BFDInstance]{
	"neighbor_ip":  addrKw(func(b *BFDInstance) *netip.Addr { return &b.Neighbor }),
	"neighbour_ip": addrKw(func(b *BFDInstance) *netip.Addr { return &b.Neighbor }),
	"source_ip":    addrKw(func(b *BFDInstance) *netip.Addr { return &b.Source }),
	"min_rx":       msKw(func(b *BFDInstance) *time.Duration { return &b.MinRx }),
	"min_tx":       msKw(func(b *BFDInstance) *time.Duration { return &b.MinTx }),
	"idle_tx":      msKw(func(b *BFDInstance) *time.Duration { return &b.IdleTx }),
	"multiplier":   intKw(func(b *BFDInstance) *int { return &b.Multiplier }, 1, 255),
	"passive":      setKw(func(b *BFDInstance) *bool { return &b.Passive }, true),
	"ttl":          intKw(func(b *BFDInstance) *int { return &b.TTL }, 1, 255),
	"hoplimit":     intKw(func(b *BFDInstance) *int { return &b.TTL }, 1, 255),
	"max_hops":     intKw(func(b *BFDInstance) *int { return &b.MaxHops }, 0, 255),
	"multihop":     setKw(func(b *BFDInstance) *bool { return &b.Multihop }, true),
	"weight":       intKw(func(b *BFDInstance) *int { return &b.Weight }, -253, 253),
	"vrrp":         setKw(func(b *BFDInstance) *bool { return &b.VRRPOnly }, true),
	"checker":      setKw(func(b *BFDInstance) *bool { return &b.CheckerOnly }, true),
}

// msKw reads a BFD interval written in milliseconds.
func msKw(f func(*BFDInstance) *time.Duration) kwFunc[*BFDInstance] {
	return func(l *loader, n *Node, b *BFDInstance) {
		if v, ok := l.intArg(n, 0, 1, 1000000); ok {
			*f(b) = time.Duration(v) * time.Millisecond
		}
	}
}

// loadBFD reads a bfd_instance block.
func (l *loader) loadBFD(n *Node) {
	if len(n.Args) == 0 {
		l.errorf(endPos(n), "bfd_instance needs a name")
		return
	}
	l.noEffect(&Node{Keyword: n.Keyword, Args: n.Args})
	b := &BFDInstance{Pos: n.Args[0].Pos, Name: n.Args[0].Text, MinRx: 10 * time.Millisecond,
		MinTx: 10 * time.Millisecond, IdleTx: time.Second, Multiplier: 5, TTL: 255}
	dispatch(l, n.Children, bfdKeywords, b, "bfd_instance")
	if !b.Neighbor.IsValid() {
		l.errorf(n.Args[0].Pos, "bfd_instance %s has no neighbor_ip, ignoring it", b.Name)
		return
	}
	l.cfg.BFDInstances = append(l.cfg.BFDInstances, b)
}

// vsWho names a virtual server in a repeated-keyword message.
func vsWho(*VirtualServer) string { return "virtual_server" }
