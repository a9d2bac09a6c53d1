package healthcheck

import (
	"context"
	"net/netip"
	"regexp"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Kind is the type of a health checker: the config's, resolved while
// the configuration is read.
type Kind = config.CheckerKind

// Checker kinds, one per keepalived checker keyword.
const (
	TCP  = config.CheckTCP  // TCP_CHECK
	HTTP = config.CheckHTTP // HTTP_GET
	SSL  = config.CheckSSL  // SSL_GET
	SMTP = config.CheckSMTP // SMTP_CHECK
	DNS  = config.CheckDNS  // DNS_CHECK
	Misc = config.CheckMisc // MISC_CHECK
	Ping = config.CheckPing // PING_CHECK
	UDP  = config.CheckUDP  // UDP_CHECK
	File = config.CheckFile // FILE_CHECK
	BFD  = config.CheckBFD  // BFD_CHECK (not supported: FromConfig reports it)
)

// Target is where a probe connects and how: connect_ip/connect_port
// (default: the real server), bindto/bind_port, bind_if and fwmark.
type Target struct {
	Addr     netip.AddrPort
	BindTo   netip.Addr `json:",omitzero"`
	BindPort uint16     `json:",omitempty"`
	BindIf   string     `json:",omitempty"`
	Fwmark   uint32     `json:",omitempty"`
}

// Timing is a checker's schedule after keepalived's inheritance (checker,
// then real server, then virtual server, then the checker kind's default).
type Timing struct {
	DelayLoop        time.Duration // between checks
	ConnectTimeout   time.Duration // per connection (and per I/O step)
	Retry            int           // failures tolerated before DOWN
	DelayBeforeRetry time.Duration // between retries
	Warmup           time.Duration // first check at 1 s + random [0, Warmup]
	Alpha            bool          // start DOWN until the first success
}

// HTTPSpec is HTTP_GET / SSL_GET.
type HTTPSpec struct {
	URLs        []URL
	VirtualHost string   `json:",omitempty"` // checker, real or virtual server virtualhost
	Protocol    string   // "1.0" (default), "1.0C" or "1.1"
	TLS         *TLSSpec `json:",omitempty"`
}

// TLSSpec is the TLS side of SSL_GET: the global SSL block and enable_sni.
type TLSSpec struct {
	SNI         bool   `json:",omitempty"` // enable_sni: send the virtualhost (or sni_name) as SNI
	SNIName     string `json:",omitempty"`
	CA          string `json:",omitempty"` // verify the server against this CA file when set
	Certificate string `json:",omitempty"` // client certificate
	Key         string `json:",omitempty"`
}

// URL is a url { } block of HTTP_GET / SSL_GET.
type URL struct {
	Path         string
	Digest       string         `json:",omitempty"` // lower-case hex MD5 of the body, "" for none
	Status       StatusCodes    // accepted codes; default 200-299
	VirtualHost  string         `json:",omitempty"`
	Regex        *regexp.Regexp `json:"-"`
	RegexNoMatch bool           `json:",omitempty"` // regex_no_match: success when it does not match
}

// SMTPSpec is SMTP_CHECK.
type SMTPSpec struct {
	Helo string // helo_name; default smtpchecker.keepalived.org
}

// DNSSpec is DNS_CHECK.
type DNSSpec struct {
	Type uint16 // query type; default SOA
	Name string // queried name; default the root
}

// StatusCodes is the set of HTTP status codes a url accepts (config
// reads status_code into it).
type StatusCodes = config.StatusCodes

// DNSTypes are the query types DNS_CHECK accepts, by keepalived's names.
var DNSTypes = config.DNSTypes

// MiscSpec is MISC_CHECK. Path is the command as configured; the probe
// only runs it after the script security gate passed it.
type MiscSpec struct {
	Argv    []string
	User    string        `json:",omitempty"`
	Group   string        `json:",omitempty"`
	Timeout time.Duration // misc_timeout; 0: delay_loop
	Dynamic bool          `json:",omitempty"` // misc_dynamic: exit 2..255 sets the weight to status-2
}

// UDPSpec is UDP_CHECK.
type UDPSpec struct {
	Payload      []byte `json:",omitempty"`
	RequireReply bool   `json:",omitempty"`
	Reply        []byte `json:",omitempty"` // expected leading bytes of the reply
	ReplyMask    []byte `json:",omitempty"` // bits set: ignored
	MinReply     int    `json:",omitempty"`
	MaxReply     int    // default 65535
}

// FileSpec is FILE_CHECK: the value in File times Weight (negated with
// reverse) is added to the real server's weight; Weight 0 means a
// non-zero value is a failure.
type FileSpec struct {
	Name    string // the track_file
	Path    string
	Weight  int
	Reverse bool `json:",omitempty"`
}

// Check is one configured health checker of a real server.
type Check struct {
	Kind   Kind
	Target Target
	Timing Timing
	HTTP   *HTTPSpec `json:",omitempty"`
	SMTP   *SMTPSpec `json:",omitempty"`
	DNS    *DNSSpec  `json:",omitempty"`
	Misc   *MiscSpec `json:",omitempty"`
	UDP    *UDPSpec  `json:",omitempty"`
	File   *FileSpec `json:",omitempty"`
}

// Budget is the longest a probe of c may take before the runner gives up
// on it: the probe enforces connect_timeout (or misc_timeout) itself;
// this bound is the backstop, with room for a script's kill grace.
func (c *Check) Budget() time.Duration {
	t := c.Timing.ConnectTimeout
	switch c.Kind {
	case Misc:
		t = c.Timing.DelayLoop
		if c.Misc != nil && c.Misc.Timeout > 0 {
			t = c.Misc.Timeout
		}
		return t + 5*time.Second
	case HTTP, SSL:
		if c.HTTP != nil {
			t *= time.Duration(4 * max(1, len(c.HTTP.URLs)))
		}
	}
	return t + time.Second
}

// RealServer is a real server and its checkers.
type RealServer struct {
	Name   string // keepalived's "[IP]:proto:port" of the real server
	VS     string // keepalived's name of its virtual server
	Weight int    // configured weight (iweight)
	Omega  bool   `json:",omitempty"` // on Stop, report it down (keepalived's omega)
	Checks []Check
}

// WeightMode says how a successful Result changes its checker's share of
// the real server's weight.
type WeightMode uint8

// WeightMode values. The zero value keeps the configured weight.
const (
	WeightKeep WeightMode = iota // the checker adds nothing
	WeightSet                    // misc_dynamic: the real server's weight becomes N
	WeightAdd                    // FILE_CHECK: N is added to the configured weight
)

// Result is what one probe found.
type Result struct {
	OK      bool
	Reason  string        // why it failed, or what succeeded
	Latency time.Duration // how long the probe took
	Weight  WeightMode
	N       int
}

// Prober runs one probe of one checker. Probe must return by the time ctx
// is done, leaving no goroutine or file descriptor behind.
type Prober interface {
	Probe(ctx context.Context, t Target) Result
}

// ProberFunc adapts a function to Prober.
type ProberFunc func(ctx context.Context, t Target) Result

// Probe calls f.
func (f ProberFunc) Probe(ctx context.Context, t Target) Result { return f(ctx, t) }
