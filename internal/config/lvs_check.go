package config

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The keywords keepalived 2.2 takes inside each checker block, and the
// values it refuses there, so that a misspelt checker keyword or a bad
// port fails the config test as it does in keepalived.

// checkerConn and checkerCommon are the keywords every connecting checker
// takes; MISC_CHECK takes only checkerCommon.
var (
	checkerConn   = strings.Fields(`connect_ip connect_port bindto bind_port bind_if connect_timeout fwmark`)
	checkerCommon = strings.Fields(`retry delay_before_retry warmup delay_loop alpha log_all_failures`)
)

// checkerOwn are each checker type's own keywords ("+" marks connecting
// checkers, which also take checkerConn).
var checkerOwn = map[string]string{
	"TCP_CHECK":  "+",
	"PING_CHECK": "+",
	"HTTP_GET":   "+ nb_get_retry virtualhost http_protocol enable_sni fast_recovery url",
	"SSL_GET":    "+ nb_get_retry virtualhost http_protocol enable_sni fast_recovery url",
	"SMTP_CHECK": "+ helo_name host",
	"DNS_CHECK":  "+ type name",
	"UDP_CHECK":  "+ payload require_reply min_reply_length max_reply_length",
	"MISC_CHECK": "misc_path misc_timeout misc_dynamic user",
}

// checkerExact are checker types that take only their own keywords.
var checkerExact = map[string]string{
	"FILE_CHECK": "track_file weight",
	"BFD_CHECK":  "name alpha",
}

var urlKeywords = strings.Fields(`path digest status_code virtualhost regex regex_no_match
regex_options regex_min_offset regex_max_offset regex_stack`)

// checkerKeywords returns the set of keywords a checker type takes.
func checkerKeywords(typ string) map[string]bool {
	set := map[string]bool{}
	add := func(ws []string) {
		for _, w := range ws {
			set[w] = true
		}
	}
	if own, ok := checkerExact[typ]; ok {
		add(strings.Fields(own))
		return set
	}
	own := strings.Fields(checkerOwn[typ])
	if len(own) > 0 && own[0] == "+" {
		add(checkerConn)
		own = own[1:]
	}
	add(checkerCommon)
	add(own)
	return set
}

// checkChecker reports what keepalived reports in a checker block:
// unknown keywords, ports out of range, bad HTTP status codes and urls
// without a path, a MISC_CHECK without misc_path.
func (l *loader) checkChecker(n *Node, c *Checker) {
	l.checkCheckerBlock(n.Children, checkerKeywords(n.Keyword.Text), n.Keyword.Text, c, nil)
	if n.Keyword.Text == "MISC_CHECK" && !slices.ContainsFunc(n.Children, func(c *Node) bool { return c.Keyword.Text == "misc_path" }) {
		l.errorf(closePos(n), "No script path has been specified for MISC_CHECKER - skipping")
	}
}

// It reads the values into c, or into h for an SMTP host block.
func (l *loader) checkCheckerBlock(nodes []*Node, known map[string]bool, block string, c *Checker, h *CheckHost) {
	tm, conn := &c.Timing, &c.Conn
	if h != nil {
		tm, conn = &h.Timing, &h.Conn
	}
	for _, k := range nodes {
		kw := k.Keyword.Text
		switch {
		case !known[kw]:
			l.warnf(k.Keyword.Pos, "unknown keyword %q in %s", kw, block)
			if kw == "sni_name" && h == nil { // ours (docs/lvs.md); keepalived 2.2 does not know it
				c.SNIName = strings.Join(texts(k.Args), " ")
			}
		case !l.lvsValueOK(k):
		case kw == "host" && k.Block:
			host := CheckHost{Pos: k.Keyword.Pos}
			l.checkCheckerBlock(k.Children, checkerKeywords("TCP_CHECK"), "host", c, &host)
			c.Hosts = append(c.Hosts, host)
		case kw == "url" && k.Block:
			if u, ok := l.checkURL(k); ok {
				c.URLs = append(c.URLs, u)
			}
		default:
			if kw == "nb_get_retry" {
				l.warnf(k.Keyword.Pos, "nb_get_retry is deprecated, use retry")
			}
			if !l.connOpt(k, conn) && !l.timingOpt(k, tm) && h == nil {
				l.checkerOpt(k, c)
			}
		}
	}
}

// checkURL checks and reads a url { } block of HTTP_GET or SSL_GET; one
// without a path is dropped.
func (l *loader) checkURL(n *Node) (URLCheck, bool) {
	known := map[string]bool{}
	for _, w := range urlKeywords {
		known[w] = true
	}
	u := URLCheck{Pos: n.Keyword.Pos}
	path := false
	for _, k := range n.Children {
		a, _ := firstArg(k)
		switch kw := k.Keyword.Text; {
		case !known[kw]:
			l.warnf(k.Keyword.Pos, "unknown keyword %q in url", kw)
		case kw == "path":
			path = true
			u.Path = a.Text
		case kw == "virtualhost":
			u.VirtualHost = a.Text
		case kw == "digest" && len(k.Args) > 0 && len(a.Text) != 32:
			l.errorf(a.Pos, "digest '%s' character length should be 32 rather than %d", a.Text, len(a.Text))
		case kw == "digest" && len(k.Args) > 0:
			if strings.Trim(strings.ToLower(a.Text), "0123456789abcdef") != "" {
				l.errorf(a.Pos, "digest '%s' is not a hex MD5, ignoring it", a.Text)
			} else {
				u.Digest = strings.ToLower(a.Text)
			}
		case kw == "status_code":
			for _, w := range k.Args {
				lo, hi, ok := parseStatusWord(w.Text)
				if !ok {
					l.errorf(w.Pos, "invalid HTTP_GET status code %q, must be 100-599 or a range of them", w.Text)
					continue
				}
				u.Status.add(lo, hi)
			}
		case kw == "regex" && len(k.Args) > 0:
			re, err := regexp.Compile(strings.Trim(strings.Join(texts(k.Args), " "), `"`))
			if err != nil {
				l.errorf(a.Pos, "invalid regex %q: %v, ignoring it", a.Text, err)
			} else {
				u.Regex = Regexp{re}
			}
		case kw == "regex_no_match":
			u.RegexNoMatch = true
		}
	}
	if !path {
		at := n.End
		if at.Line == 0 {
			at = n.Keyword.Pos
		}
		l.errorf(at, "HTTP/SSL_GET checker url has no path, ignoring it")
	}
	return u, path
}

// checkVirtualServers runs the checks keepalived makes on virtual servers
// beyond completeLVS's defaults, each with keepalived's message (its config
// test then fails): no real servers drops the virtual server; port 0 only
// for persistent services; no second copy of a real server; real server
// ports against the virtual server's; the quorum against the weights.
func (l *loader) checkVirtualServers() {
	groups := map[string]*VirtualServerGroup{}
	for _, g := range l.cfg.VirtualServerGroups {
		groups[g.Name] = g
	}
	var kept []*VirtualServer
	for _, v := range l.cfg.VirtualServers {
		name := v.Addr.String()
		if v.Group != "" {
			name = v.Group
		} else if v.Fwmark != 0 {
			name = "fwmark " + strconv.Itoa(v.Fwmark)
		}
		if len(v.RealServers) == 0 {
			l.errorf(v.Pos, "virtual server %s has no real servers, ignoring it", name)
			continue
		}
		kept = append(kept, v)
		persistent := v.PersistenceTimeout > 0
		if g := groups[v.Group]; g != nil {
			zero := false
			for _, e := range g.Entries {
				zero = zero || e.Addr.IsValid() && e.Port == 0
			}
			if zero && !persistent {
				l.errorf(v.Pos, "virtual server %s: port 0 is only valid for persistent services, making it persistent", name)
				persistent = true
			}
		}
		if v.Group == "" && v.Fwmark == 0 && v.Port == 0 && !persistent {
			l.errorf(v.Pos, "virtual server %s: port 0 is only valid for persistent services, making it persistent", name)
		}
		l.checkRealServers(v, name)
	}
	l.cfg.VirtualServers = kept
}

// checkRealServers drops repeated real servers and checks ports and the
// quorum, as keepalived does.
func (l *loader) checkRealServers(v *VirtualServer, name string) {
	var kept []*RealServer
	weights := 0
	for _, rs := range v.RealServers {
		if slices.ContainsFunc(kept, func(k *RealServer) bool { return k.Addr == rs.Addr && k.Port == rs.Port }) {
			l.errorf(rs.Pos, "virtual server %s: real server %s port %d is repeated, ignoring it", name, rs.Addr, rs.Port)
			continue
		}
		kept = append(kept, rs)
		weights += rs.Weight
		if rs.Method == KindNAT || v.Group != "" {
			continue
		}
		switch {
		case v.Fwmark != 0 && rs.Port != 0:
			l.errorf(rs.Pos, "fwmark virtual server %s: real server %s has a port, which will be ignored", name, rs.Addr)
		case v.Fwmark == 0 && rs.Port != 0 && rs.Port != v.Port:
			l.errorf(rs.Pos, "virtual server %s and real server %s ports don't match, using %d", name, rs.Addr, v.Port)
		}
	}
	v.RealServers = kept
	quorum := max(v.Quorum, 1)
	if quorum > weights {
		l.errorf(v.Pos, "virtual server %s: quorum %d exceeds the total weight of its real servers %d, using %d", name, quorum, weights, weights)
		quorum = weights
	}
	if v.Hysteresis >= quorum {
		l.errorf(v.Pos, "virtual server %s: hysteresis %d >= quorum %d", name, v.Hysteresis, quorum)
	}
}

// optionValue is the value of the last option named name, or "".
func optionValue(opts []Option, name string) string {
	for i := len(opts) - 1; i >= 0; i-- {
		if opts[i].Name == name {
			return opts[i].Value
		}
	}
	return ""
}

// closePos is where n's block closes, or its keyword when it has none:
// keepalived names the closing line for problems it finds reading a block.
func closePos(n *Node) Pos {
	if n.End.Line > 0 {
		return n.End
	}
	return n.Keyword.Pos
}

// lvsValues check the values keepalived checks for LVS keywords at any
// level (virtual_server, real_server, checker).
var lvsValues = map[string]func(string) bool{
	"retry":              isUint,
	"nb_get_retry":       isUint,
	"connect_timeout":    func(s string) bool { d, ok := parseTimer(s); return ok && d > 0 && d <= maxUintMicros },
	"delay_loop":         func(s string) bool { d, ok := parseTimer(s); return ok && d > 0 },
	"delay_before_retry": func(s string) bool { _, ok := parseTimer(s); return ok },
	"warmup":             func(s string) bool { _, ok := parseTimer(s); return ok },
	"connect_ip":         func(s string) bool { _, err := parseHostAddr(s); return err == nil },
	"bindto":             func(s string) bool { _, err := parseHostAddr(s); return err == nil },
}

// maxUintMicros is the longest timer keepalived keeps in 32 bits of µs.
const maxUintMicros = (1<<32 - 1) * time.Microsecond

// isUint says whether s is an unsigned 32-bit number ("" reads as 0).
func isUint(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil || s == ""
}

// lvsValueOK reports, as keepalived does, a bad value of an LVS keyword
// and says whether the value may be used.
func (l *loader) lvsValueOK(n *Node) bool {
	ok := lvsValues[n.Keyword.Text]
	if ok == nil || len(n.Args) == 0 || ok(n.Args[0].Text) {
		return true
	}
	l.errorf(n.Args[0].Pos, "%s: invalid value %q, ignoring it", n.Keyword.Text, n.Args[0].Text)
	return false
}

// checkedOpt is fn for values lvsValueOK accepts.
func checkedOpt[T any](fn kwFunc[T]) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		if l.lvsValueOK(n) {
			fn(l, n, t)
		}
	}
}
