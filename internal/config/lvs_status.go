package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Status codes an HTTP checker can accept (keepalived's range).
const (
	minStatus = 100
	maxStatus = 599
)

// StatusCodes is the set of HTTP status codes a url accepts. The empty set
// means keepalived's default, 200-299.
type StatusCodes struct {
	bits [(maxStatus - minStatus + 64) / 64]uint64
}

// Has reports whether code is accepted.
func (s StatusCodes) Has(code int) bool {
	if code < minStatus || code > maxStatus {
		return false
	}
	if s.empty() {
		return code >= 200 && code <= 299
	}
	i := code - minStatus
	return s.bits[i/64]&(1<<(i%64)) != 0
}

// Equal says whether s and o were written with the same codes.
func (s StatusCodes) Equal(o StatusCodes) bool { return s.bits == o.bits }

func (s StatusCodes) empty() bool {
	for _, b := range s.bits {
		if b != 0 {
			return false
		}
	}
	return true
}

func (s *StatusCodes) add(lo, hi int) {
	for c := lo; c <= hi; c++ {
		i := c - minStatus
		s.bits[i/64] |= 1 << (i % 64)
	}
}

// String lists the accepted codes as ranges ("200-299 302").
func (s StatusCodes) String() string {
	var out []string
	for c := minStatus; c <= maxStatus; c++ {
		if !s.Has(c) {
			continue
		}
		hi := c
		for hi+1 <= maxStatus && s.Has(hi+1) {
			hi++
		}
		if hi == c {
			out = append(out, strconv.Itoa(c))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", c, hi))
		}
		c = hi
	}
	return strings.Join(out, " ")
}

// MarshalText writes the codes as String does.
func (s StatusCodes) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseStatusCodes reads the words of a status_code line: codes and
// ranges LO-HI within 100-599. As keepalived, a bad word is reported and
// skipped; the others still count.
func ParseStatusCodes(words []string) (StatusCodes, []error) {
	var s StatusCodes
	var errs []error
	for _, w := range words {
		lo, hi, ok := parseStatusWord(w)
		if !ok {
			errs = append(errs, fmt.Errorf("Invalid HTTP_GET status code '%s'", w))
			continue
		}
		s.add(lo, hi)
	}
	return s, errs
}

func parseStatusWord(w string) (lo, hi int, ok bool) {
	a, b, isRange := strings.Cut(w, "-")
	lo, err := strconv.Atoi(a)
	if err != nil || a == "" || a[0] == '+' {
		return 0, 0, false
	}
	hi = lo
	if isRange {
		if hi, err = strconv.Atoi(b); err != nil || b == "" || b[0] == '+' {
			return 0, 0, false
		}
	}
	if lo < minStatus || hi > maxStatus || lo > hi {
		return 0, 0, false
	}
	return lo, hi, true
}
