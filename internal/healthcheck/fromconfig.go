package healthcheck

import (
	"fmt"
	"net/netip"
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
// (BFD_CHECK, a FILE_CHECK without its track_file, an HTTP checker
// without a url). It reads only typed fields: config has parsed and
// checked every value. Real servers with no checker are listed too: they
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
	return fmt.Sprintf("[%s]:%s:%d", vs.Addr, vs.Protocol, vs.Port)
}

func (b *builder) realServer(vs *config.VirtualServer, rs *config.RealServer) RealServer {
	name := fmt.Sprintf("[%s]:%s:%d", rs.Addr, vs.Protocol, rs.Port)
	out := RealServer{Name: name, VS: VSName(vs), Weight: rs.Weight, Omega: vs.Omega}
	// keepalived's inheritance: virtual server, then real server (the
	// config model has already given rs.Alpha the virtual server's).
	base := Timing{DelayLoop: vs.DelayLoop, ConnectTimeout: DefaultConnectTimeout, Retry: -1,
		DelayBeforeRetry: -1, Warmup: -1, Alpha: rs.Alpha}
	b.where = name
	timing(&base, vs.Timing)
	timing(&base, rs.Timing)
	vhost := vs.VirtualHost
	if rs.VirtualHost != "" {
		vhost = rs.VirtualHost
	}
	for _, c := range rs.Checkers {
		b.where = fmt.Sprintf("%s %s (%s)", name, c.Type, c.Pos)
		if chk, ok := b.check(c, rs, base, vhost); ok {
			out.Checks = append(out.Checks, smtpHosts(c, rs, chk)...)
		}
	}
	return out
}

// timing applies the timing keywords written at one level over t.
func timing(t *Timing, w config.CheckTiming) {
	set(&t.DelayLoop, w.DelayLoop)
	set(&t.ConnectTimeout, w.ConnectTimeout)
	set(&t.DelayBeforeRetry, w.DelayBeforeRetry)
	set(&t.Warmup, w.Warmup)
	set(&t.Retry, w.Retry)
	set(&t.Alpha, w.Alpha)
}

// set copies *v to *dst when v is written.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (b *builder) check(c *config.Checker, rs *config.RealServer, base Timing, vhost string) (Check, bool) {
	kind := c.Type
	if kind == BFD {
		b.warnf("%s is not supported (BFD is not implemented); this checker is not run", c.Type)
		return Check{}, false
	}
	t := base
	timing(&t, c.Timing)
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
	chk := Check{Kind: kind, Timing: t, Target: target(c.Conn, rs)}
	switch kind {
	case HTTP, SSL:
		chk.HTTP = b.http(c, kind, vhost)
	case SMTP:
		chk.SMTP = &SMTPSpec{Helo: c.HeloName}
	case DNS:
		chk.DNS = &DNSSpec{Type: c.DNSType, Name: c.DNSName}
		if chk.DNS.Type == 0 {
			chk.DNS.Type = DNSTypes["SOA"]
		}
	case Misc:
		chk.Misc = misc(c)
	case UDP:
		chk.UDP = &UDPSpec{Payload: c.Payload, RequireReply: c.RequireReply, Reply: c.Reply,
			ReplyMask: c.ReplyMask, MinReply: c.MinReplyLength, MaxReply: c.MaxReplyLength}
	case File:
		f, ok := b.file(c)
		if !ok {
			return Check{}, false
		}
		chk.File = f
	}
	return chk, true
}

// smtpHosts returns the checks an SMTP_CHECK runs, as keepalived does with
// its (deprecated) host { } blocks: each block is a checker of its own
// with the same helo_name and timing, connecting where the block says
// (default: the real server). The checker's own target stays when any
// connection keyword is set on it or no block is usable; otherwise the
// first block replaces it. As with any checkers, the real server is up
// only while all of them pass.
func smtpHosts(c *config.Checker, rs *config.RealServer, chk Check) []Check {
	if chk.Kind != SMTP {
		return []Check{chk}
	}
	var hosts []Check
	for _, sb := range c.Hosts {
		h := chk
		h.Target = target(sb.Conn, rs)
		set(&h.Timing.ConnectTimeout, sb.Timing.ConnectTimeout)
		hosts = append(hosts, h)
	}
	if len(hosts) == 0 || c.Conn.Set {
		return append([]Check{chk}, hosts...)
	}
	return hosts
}

// target is where a checker with connection keywords c connects.
func target(c config.CheckConn, rs *config.RealServer) Target {
	addr, port := rs.Addr, uint16(rs.Port)
	if c.ConnectIP.IsValid() {
		addr = c.ConnectIP
	}
	if c.ConnectPort != 0 {
		port = c.ConnectPort
	}
	return Target{Addr: netip.AddrPortFrom(addr, port), BindTo: c.BindTo, BindPort: c.BindPort,
		BindIf: c.BindIf, Fwmark: c.Fwmark}
}

func (b *builder) http(c *config.Checker, kind Kind, vhost string) *HTTPSpec {
	h := &HTTPSpec{VirtualHost: vhost, Protocol: "1.0"}
	if c.VirtualHost != "" {
		h.VirtualHost = c.VirtualHost
	}
	if c.HTTPProtocol != "" {
		h.Protocol = c.HTTPProtocol
	}
	if kind == SSL {
		h.TLS = &TLSSpec{SNI: c.EnableSNI, SNIName: c.SNIName}
		if b.cfg.SSL != nil {
			h.TLS.CA, h.TLS.Certificate, h.TLS.Key = b.cfg.SSL.CA, b.cfg.SSL.Certificate, b.cfg.SSL.Key
		}
	}
	for _, cu := range c.URLs {
		u := URL{Path: cu.Path, VirtualHost: cu.VirtualHost, Digest: cu.Digest, Status: cu.Status,
			Regex: cu.Regex.Regexp, RegexNoMatch: cu.Regex.Regexp != nil && cu.RegexNoMatch}
		h.URLs = append(h.URLs, u)
	}
	if len(h.URLs) == 0 {
		b.warnf("%s has no url; it only checks the connection", kind)
		h.URLs = []URL{{Path: "/"}}
	}
	return h
}

func misc(c *config.Checker) *MiscSpec {
	m := &MiscSpec{Dynamic: c.MiscDynamic, Timeout: c.MiscTimeout}
	if c.Misc != nil {
		m.Argv, m.User, m.Group = c.Misc.Cmd, c.Misc.User, c.Misc.Group
	}
	if c.User != "" {
		m.User, m.Group = c.User, c.Group
	}
	return m
}

func (b *builder) file(c *config.Checker) (*FileSpec, bool) {
	var tf *config.TrackFile
	for _, f := range b.cfg.TrackFiles {
		if f.Name == c.TrackFile {
			tf = f
		}
	}
	if tf == nil {
		b.warnf("FILE_CHECK: track_file %q not found - ignoring this checker", c.TrackFile)
		return nil, false
	}
	f := &FileSpec{Name: tf.Name, Path: tf.File, Weight: tf.Weight.Value, Reverse: tf.Weight.Reverse}
	if c.FileWeight.Set {
		f.Weight, f.Reverse = c.FileWeight.Value, c.FileWeight.Reverse
	}
	return f, true
}
