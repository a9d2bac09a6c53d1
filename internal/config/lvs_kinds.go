package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The LVS half's enumerated words, resolved here while parsing so that
// the packages running it (lvs, healthcheck) never read config text.

// Protocol is a virtual server's IP protocol, by its IANA number; 0 is
// none (fwmark services).
type Protocol uint8

// The protocols IPVS balances.
const (
	ProtoTCP  Protocol = 6
	ProtoUDP  Protocol = 17
	ProtoSCTP Protocol = 132
)

var protoNames = map[Protocol]string{ProtoTCP: "TCP", ProtoUDP: "UDP", ProtoSCTP: "SCTP"}

// parseProtocol reads protocol's argument (case-insensitive, as
// keepalived's).
func parseProtocol(s string) (Protocol, bool) {
	for p, n := range protoNames {
		if strings.EqualFold(n, s) {
			return p, true
		}
	}
	return 0, false
}

// String names the protocol as keepalived's messages do: tcp, udp, sctp
// or none.
func (p Protocol) String() string {
	if n, ok := protoNames[p]; ok {
		return strings.ToLower(n)
	}
	if p == 0 {
		return "none"
	}
	return "proto-" + strconv.Itoa(int(p))
}

// MarshalText writes the keyword as the configuration spells it (TCP).
func (p Protocol) MarshalText() ([]byte, error) {
	if n, ok := protoNames[p]; ok {
		return []byte(n), nil
	}
	return []byte(p.String()), nil
}

// CheckerKind is the type of a health checker block; the zero value is
// invalid.
type CheckerKind uint8

// Checker kinds, one per keepalived checker keyword.
const (
	CheckTCP  CheckerKind = iota + 1 // TCP_CHECK
	CheckHTTP                        // HTTP_GET
	CheckSSL                         // SSL_GET
	CheckSMTP                        // SMTP_CHECK
	CheckDNS                         // DNS_CHECK
	CheckMisc                        // MISC_CHECK
	CheckPing                        // PING_CHECK
	CheckUDP                         // UDP_CHECK
	CheckFile                        // FILE_CHECK
	CheckBFD                         // BFD_CHECK (parsed; not run)
)

var checkerNames = [...]string{CheckTCP: "TCP_CHECK", CheckHTTP: "HTTP_GET", CheckSSL: "SSL_GET",
	CheckSMTP: "SMTP_CHECK", CheckDNS: "DNS_CHECK", CheckMisc: "MISC_CHECK", CheckPing: "PING_CHECK",
	CheckUDP: "UDP_CHECK", CheckFile: "FILE_CHECK", CheckBFD: "BFD_CHECK"}

// checkerKind returns the kind of a checker keyword (case-sensitive, as
// keepalived's keywords are).
func checkerKind(kw string) (CheckerKind, bool) {
	for k, n := range checkerNames {
		if n != "" && n == kw {
			return CheckerKind(k), true
		}
	}
	return 0, false
}

// String returns keepalived's keyword for k.
func (k CheckerKind) String() string { return wordOf(checkerNames[:], k, "CheckerKind") }

// wordOf names v from its table of words, or as TYPE(N) when it has none.
func wordOf[T ~uint8](words []string, v T, typ string) string {
	if int(v) < len(words) && words[v] != "" {
		return words[v]
	}
	return fmt.Sprintf("%s(%d)", typ, uint8(v))
}

// MarshalText writes the keyword.
func (k CheckerKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// TunnelType is TUN forwarding's encapsulation; the values are the
// kernel's (IP_VS_CONN_F_TUNNEL_TYPE_*), the zero value ipip (the default).
type TunnelType uint8

// The tunnel types of `lvs_method TUN type ...`.
const (
	TunnelIPIP TunnelType = iota
	TunnelGUE
	TunnelGRE
)

var tunnelTypeNames = [...]string{TunnelIPIP: "ipip", TunnelGUE: "gue", TunnelGRE: "gre"}

func (t TunnelType) String() string { return wordOf(tunnelTypeNames[:], t, "TunnelType") }

// MarshalText writes the configuration's word (ipip, gue, gre).
func (t TunnelType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// TunnelCsum is a GUE/GRE tunnel's checksum option; the values are the
// kernel's (IP_VS_TUNNEL_ENCAP_FLAG_*), the zero value nocsum.
type TunnelCsum uint8

// The checksum options of `lvs_method TUN type gue|gre ...`.
const (
	TunnelNoCsum  TunnelCsum = 0
	TunnelCsumOn  TunnelCsum = 1
	TunnelRemCsum TunnelCsum = 2
)

var tunnelCsumNames = [...]string{TunnelNoCsum: "nocsum", TunnelCsumOn: "csum", TunnelRemCsum: "remcsum"}

func (c TunnelCsum) String() string { return wordOf(tunnelCsumNames[:], c, "TunnelCsum") }

// MarshalText writes the configuration's word (nocsum, csum, remcsum).
func (c TunnelCsum) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Tunnel is TUN forwarding's options: `type ipip|gue port N|gre` and
// `nocsum|csum|remcsum`. The zero value is plain ipip.
type Tunnel struct {
	Type TunnelType `json:",omitzero"`
	// Port is the GUE destination port (GUE only, and required there).
	Port uint16     `json:",omitempty"`
	Csum TunnelCsum `json:",omitzero"`
}

// parseTunnel reads the words after TUN as keepalived does: options in
// any order, the last of each kind winning; then GUE must have a port and
// nothing else may, ipip takes no checksum and gre no remote checksum.
// On an error the tunnel is left as it was (keepalived keeps TUN with its
// defaults).
func (l *loader) parseTunnel(n *Node, args []Token, tun *Tunnel) {
	var t Tunnel
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a.Text {
		case "type", "port":
			if i+1 == len(args) {
				l.errorf(a.Pos, "%s: missing tunnel %s after %q", n.Keyword.Text, a.Text, a.Text)
				return
			}
			i++
			v := args[i]
			if a.Text == "port" {
				p, err := strconv.ParseUint(v.Text, 10, 16)
				if err != nil || p == 0 {
					l.errorf(v.Pos, "%s: invalid gue tunnel port %s (1-65535)", n.Keyword.Text, v.Text)
					return
				}
				t.Port = uint16(p)
				continue
			}
			k := slices.Index(tunnelTypeNames[:], v.Text)
			if k < 0 {
				l.errorf(v.Pos, "%s: unknown tunnel type %s (ipip, gue or gre)", n.Keyword.Text, v.Text)
				return
			}
			t.Type = TunnelType(k)
		default:
			k := slices.Index(tunnelCsumNames[:], a.Text)
			if k < 0 {
				l.errorf(a.Pos, "%s: invalid tunnel option %s (type, port, nocsum, csum or remcsum)", n.Keyword.Text, a.Text)
				return
			}
			t.Csum = TunnelCsum(k)
		}
	}
	switch at := args[0].Pos; {
	case (t.Type == TunnelGUE) != (t.Port != 0):
		l.errorf(at, "%s: gue tunnels require a port, other tunnel types cannot have one", n.Keyword.Text)
	case t.Type == TunnelIPIP && t.Csum != TunnelNoCsum:
		l.errorf(at, "%s: ipip tunnels do not support a checksum option", n.Keyword.Text)
	case t.Type == TunnelGRE && t.Csum == TunnelRemCsum:
		l.errorf(at, "%s: gre tunnels do not support the remote checksum option", n.Keyword.Text)
	default:
		*tun = t
	}
}
