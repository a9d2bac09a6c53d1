package healthcheck

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Defaults keepalived applies to every checker unless its kind says
// otherwise.
const (
	DefaultConnectTimeout   = 5 * time.Second
	DefaultRetry            = 1
	DefaultDelayBeforeRetry = time.Second
)

// FromConfig returns the real servers of cfg's virtual servers with their
// checkers, after keepalived's inheritance of timing (checker, real
// server, virtual server, kind default), and warnings for what is not run
// (BFD_CHECK; settings that do not parse are skipped with a warning as
// keepalived does). Real servers with no checker are listed too: they
// are always up.
func FromConfig(cfg *config.Config) ([]RealServer, []string) {
	b := builder{cfg: cfg}
	var out []RealServer
	for _, vs := range cfg.VirtualServers {
		for _, rs := range vs.RealServers {
			out = append(out, b.realServer(vs, rs))
		}
	}
	return out, b.warnings
}

type builder struct {
	cfg      *config.Config
	warnings []string
	where    string
}

func (b *builder) warnf(format string, args ...any) {
	b.warnings = append(b.warnings, b.where+": "+fmt.Sprintf(format, args...))
}

// VSName is keepalived's name of a virtual server: "[IP]:proto:port",
// "FWM N" or "GROUP NAME".
func VSName(vs *config.VirtualServer) string {
	switch {
	case vs.Fwmark != 0:
		return fmt.Sprintf("FWM %d", vs.Fwmark)
	case vs.Group != "":
		return "GROUP " + vs.Group
	}
	return fmt.Sprintf("[%s]:%s:%d", vs.Addr, strings.ToLower(vs.Protocol), vs.Port)
}

func (b *builder) realServer(vs *config.VirtualServer, rs *config.RealServer) RealServer {
	name := fmt.Sprintf("[%s]:%s:%d", rs.Addr, strings.ToLower(vs.Protocol), rs.Port)
	out := RealServer{Name: name, VS: VSName(vs), Weight: rs.Weight, Omega: vs.Omega}
	// keepalived's inheritance: virtual server, then real server (the
	// config model has already given rs.Alpha the virtual server's).
	base := Timing{DelayLoop: vs.DelayLoop, ConnectTimeout: DefaultConnectTimeout, Retry: -1,
		DelayBeforeRetry: -1, Warmup: -1, Alpha: rs.Alpha}
	b.where = name
	b.timing(&base, vs.Options)
	b.timing(&base, rs.Options)
	vhost := last(rs.Options, "virtualhost", vs.VirtualHost)
	for _, c := range rs.Checkers {
		b.where = fmt.Sprintf("%s %s (%s)", name, c.Type, c.Pos)
		if chk, ok := b.check(c, rs, base, vhost); ok {
			out.Checks = append(out.Checks, b.smtpHosts(c, rs, chk)...)
		}
	}
	return out
}

// timing applies the timing keywords of opts over t.
func (b *builder) timing(t *Timing, opts []config.Option) {
	for _, o := range opts {
		switch o.Name {
		case "delay_loop":
			b.dur(&t.DelayLoop, o, true)
		case "connect_timeout":
			b.dur(&t.ConnectTimeout, o, true)
		case "delay_before_retry":
			b.dur(&t.DelayBeforeRetry, o, false)
		case "warmup":
			b.dur(&t.Warmup, o, false)
		case "retry", "nb_get_retry":
			if n, err := strconv.ParseUint(o.Value, 10, 31); err == nil {
				t.Retry = int(n)
			} else {
				b.warnf("invalid %s %q - ignoring", o.Name, o.Value)
			}
		case "alpha":
			switch strings.ToLower(o.Value) {
			case "", "yes", "on", "true":
				t.Alpha = true
			case "no", "off", "false":
				t.Alpha = false
			default:
				b.warnf("invalid alpha parameter %q", o.Value)
			}
		}
	}
}

func (b *builder) dur(d *time.Duration, o config.Option, positive bool) {
	f, err := strconv.ParseFloat(o.Value, 64)
	if err != nil || f < 0 || (positive && f == 0) || f > 86400 {
		b.warnf("invalid %s %q - ignoring", o.Name, o.Value)
		return
	}
	*d = time.Duration(f * float64(time.Second))
}

func (b *builder) check(c *config.Checker, rs *config.RealServer, base Timing, vhost string) (Check, bool) {
	kind, ok := ParseKind(c.Type)
	if !ok || kind == BFD {
		b.warnf("%s is not supported (BFD is not implemented); this checker is not run", c.Type)
		return Check{}, false
	}
	t := base
	b.timing(&t, c.Options)
	retry, dbr := DefaultRetry, DefaultDelayBeforeRetry
	switch kind {
	case Misc:
		retry = 0
	case DNS:
		retry, dbr = 3, 0
	case HTTP, SSL:
		dbr = 3 * time.Second
	}
	if t.Retry < 0 {
		t.Retry = retry
	}
	if kind == File {
		t.Retry = 0 // keepalived's FILE_CHECK follows the file, it never retries
	}
	if t.DelayBeforeRetry < 0 {
		t.DelayBeforeRetry = dbr
		if dbr == 0 {
			t.DelayBeforeRetry = t.DelayLoop
		}
	}
	if t.Warmup < 0 {
		t.Warmup = t.DelayLoop
	}
	chk := Check{Kind: kind, Timing: t, Target: b.target(c.Options, rs)}
	switch kind {
	case HTTP, SSL:
		chk.HTTP = b.http(c, kind, vhost)
	case SMTP:
		chk.SMTP = &SMTPSpec{Helo: last(c.Options, "helo_name", "")}
	case DNS:
		chk.DNS = b.dns(c)
	case Misc:
		chk.Misc = b.misc(c)
	case UDP:
		chk.UDP = b.udp(c)
	case File:
		f, ok := b.file(c)
		if !ok {
			return Check{}, false
		}
		chk.File = f
	}
	return chk, true
}

// connOptions are the keywords that say where a probe connects; an
// SMTP_CHECK that sets none of them takes its first host block's instead.
var connOptions = []string{"connect_ip", "connect_port", "bindto", "bind_port", "bind_if", "fwmark", "connect_timeout"}

// smtpHosts returns the checks an SMTP_CHECK runs, as keepalived does with
// its (deprecated) host { } blocks: each block is a checker of its own
// with the same helo_name and timing, connecting where the block says
// (default: the real server). The checker's own target stays when any
// connection keyword is set on it or no block is usable; otherwise the
// first block replaces it. As with any checkers, the real server is up
// only while all of them pass.
func (b *builder) smtpHosts(c *config.Checker, rs *config.RealServer, chk Check) []Check {
	if chk.Kind != SMTP {
		return []Check{chk}
	}
	var hosts []Check
	for _, sb := range c.Sub {
		if sb.Keyword != "host" {
			continue
		}
		h := chk
		h.Target = b.target(sb.Options, rs)
		if o, ok := lastOpt(sb.Options, "connect_timeout"); ok {
			b.dur(&h.Timing.ConnectTimeout, o, true)
		}
		hosts = append(hosts, h)
	}
	own := len(hosts) == 0
	for _, k := range connOptions {
		own = own || has(c.Options, k)
	}
	if own {
		return append([]Check{chk}, hosts...)
	}
	return hosts
}

func (b *builder) target(opts []config.Option, rs *config.RealServer) Target {
	addr, port := rs.Addr, uint16(rs.Port)
	var t Target
	for _, o := range opts {
		var err error
		switch o.Name {
		case "connect_ip":
			addr, err = netip.ParseAddr(o.Value)
		case "connect_port":
			port, err = parseU16(o.Value)
		case "bindto":
			t.BindTo, err = netip.ParseAddr(o.Value)
		case "bind_port":
			t.BindPort, err = parseU16(o.Value)
		case "bind_if":
			t.BindIf = o.Value
		case "fwmark":
			var n uint64
			n, err = strconv.ParseUint(o.Value, 10, 32)
			t.Fwmark = uint32(n)
		}
		if err != nil {
			b.warnf("invalid %s %q - ignoring", o.Name, o.Value)
		}
	}
	t.Addr = netip.AddrPortFrom(addr, port)
	return t
}

func parseU16(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	return uint16(n), err
}

func (b *builder) http(c *config.Checker, kind Kind, vhost string) *HTTPSpec {
	h := &HTTPSpec{VirtualHost: last(c.Options, "virtualhost", vhost), Protocol: "1.0"}
	if p := last(c.Options, "http_protocol", ""); p != "" {
		switch strings.ToUpper(p) {
		case "1.0", "1.1", "1.0C":
			h.Protocol = strings.ToUpper(p)
		default:
			b.warnf("invalid http_protocol %q - using 1.0", p)
		}
	}
	if kind == SSL {
		h.TLS = &TLSSpec{SNI: has(c.Options, "enable_sni"), SNIName: last(c.Options, "sni_name", "")}
		if b.cfg.SSL != nil {
			h.TLS.CA = last(b.cfg.SSL.Options, "ca", "")
			h.TLS.Certificate = last(b.cfg.SSL.Options, "certificate", "")
			h.TLS.Key = last(b.cfg.SSL.Options, "key", "")
		}
	}
	for _, sb := range c.Sub {
		if sb.Keyword != "url" {
			continue
		}
		u := URL{Path: last(sb.Options, "path", ""), VirtualHost: last(sb.Options, "virtualhost", "")}
		if d := last(sb.Options, "digest", ""); d != "" {
			if len(d) != 32 || strings.Trim(strings.ToLower(d), "0123456789abcdef") != "" {
				b.warnf("url %s: digest %q is not an MD5 hex string - ignoring", u.Path, d)
			} else {
				u.Digest = strings.ToLower(d)
			}
		}
		for _, o := range sb.Options {
			if o.Name == "status_code" {
				s, errs := ParseStatusCodes(strings.Fields(o.Value))
				for _, e := range errs {
					b.warnf("%v", e)
				}
				for i := range s.bits {
					u.Status.bits[i] |= s.bits[i]
				}
			}
		}
		if re := last(sb.Options, "regex", ""); re != "" {
			r, err := regexp.Compile(strings.Trim(re, `"`))
			if err != nil {
				b.warnf("url %s: regex %q: %v - ignoring", u.Path, re, err)
			} else {
				u.Regex, u.RegexNoMatch = r, has(sb.Options, "regex_no_match")
			}
		}
		if u.Path == "" {
			b.warnf("url without a path - ignoring")
			continue
		}
		h.URLs = append(h.URLs, u)
	}
	if len(h.URLs) == 0 {
		b.warnf("%s has no url; it only checks the connection", kind)
		h.URLs = []URL{{Path: "/"}}
	}
	return h
}

func (b *builder) dns(c *config.Checker) *DNSSpec {
	d := &DNSSpec{Type: DNSTypes["SOA"], Name: last(c.Options, "name", "")}
	if t := last(c.Options, "type", ""); t != "" {
		if n, ok := DNSTypes[strings.ToUpper(t)]; ok {
			d.Type = n
		} else {
			b.warnf("unknown DNS check type %q - using SOA", t)
		}
	}
	return d
}

func (b *builder) misc(c *config.Checker) *MiscSpec {
	m := &MiscSpec{Dynamic: has(c.Options, "misc_dynamic")}
	if c.Misc != nil {
		m.Argv, m.User, m.Group = c.Misc.Cmd, c.Misc.User, c.Misc.Group
	}
	if u := last(c.Options, "user", ""); u != "" {
		m.User, m.Group, _ = strings.Cut(u, " ")
	}
	if v := last(c.Options, "misc_timeout", ""); v != "" {
		if n, err := strconv.ParseUint(v, 10, 31); err == nil {
			m.Timeout = time.Duration(n) * time.Second
		} else {
			b.warnf("invalid misc_timeout %q - ignoring", v)
		}
	}
	return m
}

func (b *builder) udp(c *config.Checker) *UDPSpec {
	u := &UDPSpec{MaxReply: 255}
	for _, o := range c.Options {
		var err error
		switch o.Name {
		case "payload":
			u.Payload, _, err = ParseHex(o.Value, false)
		case "require_reply":
			u.RequireReply = true
			if o.Value != "" {
				u.Reply, u.ReplyMask, err = ParseHex(o.Value, true)
			}
		case "min_reply_length":
			u.MinReply, err = strconv.Atoi(o.Value)
		case "max_reply_length":
			u.MaxReply, err = strconv.Atoi(o.Value)
		}
		if err != nil {
			b.warnf("invalid UDP_CHECK %s %q - ignoring", o.Name, o.Value)
		}
	}
	return u
}

func (b *builder) file(c *config.Checker) (*FileSpec, bool) {
	name := last(c.Options, "track_file", "")
	var tf *config.TrackFile
	for _, f := range b.cfg.TrackFiles {
		if f.Name == name {
			tf = f
		}
	}
	if tf == nil {
		b.warnf("FILE_CHECK: track_file %q not found - ignoring this checker", name)
		return nil, false
	}
	f := &FileSpec{Name: tf.Name, Path: tf.File, Weight: tf.Weight.Value, Reverse: tf.Weight.Reverse}
	if w := last(c.Options, "weight", ""); w != "" {
		v, rest, _ := strings.Cut(w, " ")
		n, err := strconv.Atoi(v)
		if err != nil {
			b.warnf("invalid FILE_CHECK weight %q - ignoring", w)
		} else {
			f.Weight, f.Reverse = n, strings.TrimSpace(rest) == "reverse"
		}
	}
	return f, true
}

// has reports whether opts holds keyword name.
func has(opts []config.Option, name string) bool {
	for _, o := range opts {
		if o.Name == name {
			return true
		}
	}
	return false
}

// lastOpt returns the last option called name in opts.
func lastOpt(opts []config.Option, name string) (config.Option, bool) {
	var out config.Option
	found := false
	for _, o := range opts {
		if o.Name == name {
			out, found = o, true
		}
	}
	return out, found
}

// last returns the value of the last name in opts, or def.
func last(opts []config.Option, name, def string) string {
	for _, o := range opts {
		if o.Name == name {
			def = o.Value
		}
	}
	return def
}
