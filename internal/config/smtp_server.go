package config

import (
	"net/netip"
	"strconv"
	"strings"
)

// smtpServerValid says whether keepalived 2.2.7 would take host and port
// as smtp_server: the port a decimal in [1, 65535], the host an address
// or a name its resolver answers. We do not resolve (the config package
// has no network side effects): a name counts when getaddrinfo would read
// it as a number (inet_aton's forms, "10.1" or "167772161") or when it is
// a syntactically valid host name whose last label is not all digits.
// Anything else ("10.0.0.300", "99999999999", "") never resolves.
func smtpServerValid(host, port string) bool {
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 || port[0] == '+' {
		return false
	}
	if !strings.ContainsAny(host, "-/") {
		if a, err := netip.ParseAddr(host); err == nil && a.Zone() == "" {
			return true
		}
	}
	return inetAton(host) || hostName(host)
}

// inetAton says whether s is an IPv4 address in one of inet_aton's forms:
// one to four parts, each decimal, octal (leading 0) or hex (0x), the last
// filling the bytes the others leave.
func inetAton(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return false
	}
	for i, p := range parts {
		v, ok := atonPart(p)
		if !ok {
			return false
		}
		limit := uint64(255)
		if i == len(parts)-1 {
			limit = 1<<(8*(5-len(parts))) - 1
		}
		if v > limit {
			return false
		}
	}
	return true
}

func atonPart(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
		p, base = p[2:], 16
	case len(p) > 1 && p[0] == '0':
		p, base = p[1:], 8
	}
	if p == "" || strings.ContainsAny(p, "+-_") {
		return 0, false
	}
	v, err := strconv.ParseUint(p, base, 32)
	return v, err == nil
}

// hostName says whether s is a host name (RFC 1123): dot-separated labels
// of letters, digits and inner hyphens, the last not all digits.
func hostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := range len(l) {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}
