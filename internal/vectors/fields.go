package vectors

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Checksum is the decoded checksum_form field of an advert.
type Checksum struct {
	// Form is message-only, pseudo-header, ipv6-pseudo-header or none.
	Form string
	// Src and Dst are the pseudo-header addresses (pseudo forms only).
	Src, Dst netip.Addr
}

// ChecksumForm decodes checksum_form: "message-only", "none",
// "pseudo-header(src=S,dst=D)" or "ipv6-pseudo-header(src=S,dst=D)".
func (v *Vector) ChecksumForm() (Checksum, error) {
	s, err := v.Str("checksum_form")
	if err != nil {
		return Checksum{}, err
	}
	name, args, ok := strings.Cut(s, "(")
	if !ok {
		return Checksum{Form: s}, nil
	}
	args, ok = strings.CutSuffix(args, ")")
	srcS, dstS, ok2 := strings.Cut(args, ",")
	srcS, ok3 := strings.CutPrefix(srcS, "src=")
	dstS, ok4 := strings.CutPrefix(dstS, "dst=")
	if !ok || !ok2 || !ok3 || !ok4 {
		return Checksum{}, fmt.Errorf("vector %s: checksum_form %q: want %s(src=S,dst=D)", v.Name, s, name)
	}
	c := Checksum{Form: name}
	if c.Src, err = netip.ParseAddr(srcS); err != nil {
		return Checksum{}, fmt.Errorf("vector %s: checksum_form: %w", v.Name, err)
	}
	if c.Dst, err = netip.ParseAddr(dstS); err != nil {
		return Checksum{}, fmt.Errorf("vector %s: checksum_form: %w", v.Name, err)
	}
	return c, nil
}

// Text returns key with the file's C-style escapes undone: \0 is a NUL
// byte, \\ a backslash, \xHH a byte (used by vrrp.auth_data.text).
func (v *Vector) Text(key string) ([]byte, error) {
	s, err := v.Str(key)
	if err != nil {
		return nil, err
	}
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("vector %s: %s: trailing backslash", v.Name, key)
		}
		i++
		switch s[i] {
		case '0':
			out = append(out, 0)
		case '\\':
			out = append(out, '\\')
		case 'x':
			if i+2 >= len(s) {
				return nil, fmt.Errorf("vector %s: %s: short \\x escape", v.Name, key)
			}
			b, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return nil, fmt.Errorf("vector %s: %s: \\x escape: %w", v.Name, key, err)
			}
			out = append(out, byte(b))
			i += 2
		default:
			return nil, fmt.Errorf("vector %s: %s: unknown escape \\%c", v.Name, key, s[i])
		}
	}
	return out, nil
}

// Match returns the value and verdict of a recomputed checksum field such
// as checksum.message_only ("0x5397 match" → 0x5397, true).
func (v *Vector) Match(key string) (uint16, bool, error) {
	s, err := v.Str(key)
	if err != nil {
		return 0, false, err
	}
	val, verdict, ok := strings.Cut(s, " ")
	n, err := strconv.ParseUint(val, 0, 16)
	if !ok || err != nil || (verdict != "match" && verdict != "no") {
		return 0, false, fmt.Errorf("vector %s: %s %q: want '0xHHHH match|no'", v.Name, key, s)
	}
	return uint16(n), verdict == "match", nil
}

// MAC returns key as a hardware address (eth.src, arp.sha, ...).
func (v *Vector) MAC(key string) (net.HardwareAddr, error) {
	s, err := v.Str(key)
	if err != nil {
		return nil, err
	}
	m, err := net.ParseMAC(s)
	if err != nil {
		return nil, fmt.Errorf("vector %s: %s: %w", v.Name, key, err)
	}
	return m, nil
}
