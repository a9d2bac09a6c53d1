package config

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The typed values of the checker keywords (timing, connection and each
// checker type's own), read once here with keepalived's rules so that the
// checker engine never parses a string of the configuration.

// CheckTiming holds the checker timing keywords written at one level
// (virtual server, real server, checker, SMTP host); nil is "not written",
// and the engine applies keepalived's inheritance.
type CheckTiming struct {
	DelayLoop        *time.Duration `json:",omitempty"`
	ConnectTimeout   *time.Duration `json:",omitempty"`
	DelayBeforeRetry *time.Duration `json:",omitempty"`
	Warmup           *time.Duration `json:",omitempty"`
	Retry            *int           `json:",omitempty"` // retry or nb_get_retry
	Alpha            *bool          `json:",omitempty"`
}

// CheckConn says where a checker connects: zero fields are not written
// (the real server's address and port, no binding).
type CheckConn struct {
	ConnectIP   netip.Addr `json:",omitzero"`
	ConnectPort uint16     `json:",omitempty"`
	BindTo      netip.Addr `json:",omitzero"`
	BindPort    uint16     `json:",omitempty"`
	BindIf      string     `json:",omitempty"`
	Fwmark      uint32     `json:",omitempty"`
	// Set says whether any connection keyword (or connect_timeout) was
	// written: an SMTP_CHECK with none takes its first host's.
	Set bool `json:",omitempty"`
}

// CheckHost is a host { } block of SMTP_CHECK.
type CheckHost struct {
	Pos    Pos `json:",omitzero"`
	Conn   CheckConn
	Timing CheckTiming `json:",omitzero"`
}

// URLCheck is a url { } block of HTTP_GET or SSL_GET (one with a path:
// keepalived drops the others).
type URLCheck struct {
	Pos         Pos `json:",omitzero"`
	Path        string
	VirtualHost string `json:",omitempty"`
	// Digest is the lower-case hex MD5 of the body, "" for none.
	Digest string `json:",omitempty"`
	// Status are the accepted codes of every status_code line; empty
	// means keepalived's default 200-299.
	Status       StatusCodes `json:",omitzero"`
	Regex        Regexp      `json:",omitzero"`
	RegexNoMatch bool        `json:",omitempty"`
}

// Regexp is a compiled regex; nil when none was written. Equal compares
// the expressions (for go-cmp).
type Regexp struct{ *regexp.Regexp }

// Equal says whether r and o are the same expression.
func (r Regexp) Equal(o Regexp) bool {
	if r.Regexp == nil || o.Regexp == nil {
		return r.Regexp == o.Regexp
	}
	return r.String() == o.String()
}

// DNSTypes are the query types DNS_CHECK accepts, by keepalived's names.
var DNSTypes = map[string]uint16{"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16,
	"AAAA": 28, "RRSIG": 46, "DNSKEY": 48}

// timingOpt reads a timing keyword into t and says whether n was one.
// lvsValueOK has already refused the values keepalived refuses.
func (l *loader) timingOpt(n *Node, t *CheckTiming) bool {
	kw := n.Keyword.Text
	var d **time.Duration
	switch kw {
	case "delay_loop":
		d = &t.DelayLoop
	case "connect_timeout":
		d = &t.ConnectTimeout
	case "delay_before_retry":
		d = &t.DelayBeforeRetry
	case "warmup":
		d = &t.Warmup
	case "retry", "nb_get_retry":
		if a, ok := firstArg(n); ok {
			r, _ := strconv.ParseUint(a.Text, 10, 32) // isUint: "" reads as 0
			t.Retry = ptr(int(r))
		}
		return true
	case "alpha":
		v := true
		if a, ok := firstArg(n); ok {
			if v, ok = parseBool(a.Text); !ok {
				l.errorf(a.Pos, "invalid alpha parameter %q, ignoring it", a.Text)
				return true
			}
		}
		t.Alpha = &v
		return true
	default:
		return false
	}
	if a, ok := firstArg(n); ok {
		if v, ok := parseTimer(a.Text); ok {
			*d = &v
		}
	}
	return true
}

// firstArg is n's first argument, if any (these keywords say nothing when
// it is missing, as before).
func firstArg(n *Node) (Token, bool) {
	if len(n.Args) == 0 {
		return Token{}, false
	}
	return n.Args[0], true
}

func ptr[T any](v T) *T { return &v }

// connOpt reads a connection keyword into c and says whether n was one.
func (l *loader) connOpt(n *Node, c *CheckConn) bool {
	kw := n.Keyword.Text
	a, hasArg := firstArg(n)
	switch kw {
	case "connect_ip", "bindto":
		if hasArg {
			if ip, err := parseHostAddr(a.Text); err == nil {
				*map[string]*netip.Addr{"connect_ip": &c.ConnectIP, "bindto": &c.BindTo}[kw] = ip
			}
		}
	case "connect_port", "bind_port":
		if !hasArg {
			break
		}
		p, err := strconv.ParseUint(a.Text, 10, 32)
		if err != nil || p < 1 || p > 65535 {
			l.errorf(a.Pos, "invalid checker %s %q, must be 1-65535", kw, a.Text)
			return true
		}
		*map[string]*uint16{"connect_port": &c.ConnectPort, "bind_port": &c.BindPort}[kw] = uint16(p)
	case "bind_if":
		c.BindIf = a.Text
	case "fwmark":
		if !hasArg {
			break
		}
		m, err := strconv.ParseUint(a.Text, 10, 32)
		if err != nil {
			l.errorf(a.Pos, "invalid checker fwmark %q, ignoring it", a.Text)
			return true
		}
		c.Fwmark = uint32(m)
	case "connect_timeout":
		c.Set = true
		return false // a timing keyword too
	default:
		return false
	}
	c.Set = true
	return true
}

// checkerOpt reads a checker type's own keyword into c.
func (l *loader) checkerOpt(n *Node, c *Checker) {
	a, hasArg := firstArg(n)
	joined := strings.Join(texts(n.Args), " ")
	switch n.Keyword.Text {
	case "virtualhost":
		c.VirtualHost = a.Text
	case "http_protocol":
		switch p := strings.ToUpper(a.Text); p {
		case "1.0", "1.1", "1.0C":
			c.HTTPProtocol = p
		default:
			l.errorf(a.Pos, "invalid http_protocol %q, using 1.0", a.Text)
		}
	case "enable_sni":
		c.EnableSNI = true
	case "helo_name":
		c.HeloName = a.Text
	case "type":
		if t, ok := DNSTypes[strings.ToUpper(a.Text)]; ok {
			c.DNSType = t
		} else {
			l.errorf(a.Pos, "unknown DNS check type %q, using SOA", a.Text)
		}
	case "name":
		c.DNSName = a.Text
	case "user":
		c.User = a.Text
		if len(n.Args) > 1 {
			c.Group = n.Args[1].Text
		}
	case "misc_timeout":
		if s, ok := l.intArg(n, 0, 0, 1<<31-1); ok {
			c.MiscTimeout = time.Duration(s) * time.Second
		}
	case "misc_dynamic":
		c.MiscDynamic = true
	case "payload":
		if d, _, err := ParseHex(joined, false); err == nil {
			c.Payload = d
		} else if hasArg {
			l.errorf(a.Pos, "invalid UDP_CHECK payload %q: %v", joined, err)
		}
	case "require_reply":
		c.RequireReply = true
		if !hasArg {
			break
		}
		if d, m, err := ParseHex(joined, true); err == nil {
			c.Reply, c.ReplyMask = d, m
		} else {
			l.errorf(a.Pos, "invalid UDP_CHECK require_reply %q: %v", joined, err)
		}
	case "min_reply_length", "max_reply_length":
		if v, ok := l.intArg(n, 0, 0, 65535); ok {
			*map[string]*int{"min_reply_length": &c.MinReplyLength, "max_reply_length": &c.MaxReplyLength}[n.Keyword.Text] = int(v)
		}
	case "track_file":
		c.TrackFile = a.Text
	case "weight":
		if w, ok := l.parseWeight(n, 0, -254, 254); ok {
			c.FileWeight = w
		}
	}
}
