package config

import (
	"errors"
	"strings"
)

// ParseHex reads a UDP_CHECK payload or reply as keepalived does: hex
// digits two to a byte, blanks separating bytes (a lone digit is a byte of
// its own), and, when mask is allowed, 'x' or 'X' for a nibble that
// matches anything (its bits set in the returned mask).
func ParseHex(s string, mask bool) (data, dmask []byte, err error) {
	masked := false
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		v, m, ok := hexNibble(s[i], mask)
		if !ok {
			return nil, nil, errors.New("invalid hex string " + strings.TrimSpace(s))
		}
		i++
		if i < len(s) && s[i] != ' ' && s[i] != '\t' {
			v2, m2, ok := hexNibble(s[i], mask)
			if !ok {
				return nil, nil, errors.New("invalid hex string " + strings.TrimSpace(s))
			}
			i++
			v, m = v<<4|v2, m<<4|m2
		}
		masked = masked || m != 0
		data, dmask = append(data, v), append(dmask, m)
	}
	if len(data) == 0 {
		return nil, nil, errors.New("empty hex string")
	}
	if !masked {
		dmask = nil
	}
	return data, dmask, nil
}

func hexNibble(c byte, mask bool) (v, m byte, ok bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', 0, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, 0, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, 0, true
	case mask && (c == 'x' || c == 'X'):
		return 0, 0xf, true
	}
	return 0, 0, false
}
