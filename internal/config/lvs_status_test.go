package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStatusCodes(t *testing.T) {
	tests := []struct {
		in   string
		want string
		errs int
	}{
		{"", "200-299", 0},
		{"200", "200", 0},
		{"200-204 301 500-599", "200-204 301 500-599", 0},
		{"99 600 300-200 abc 2x0 -5 +200 404", "404", 7},
		{"100-599", "100-599", 0},
	}
	for _, tt := range tests {
		s, errs := ParseStatusCodes(strings.Fields(tt.in))
		if got := s.String(); got != tt.want || len(errs) != tt.errs {
			t.Errorf("ParseStatusCodes(%q) = %q, %d errors; want %q, %d", tt.in, got, len(errs), tt.want, tt.errs)
		}
	}
}

func FuzzParseStatusCodes(f *testing.F) {
	for _, s := range []string{"200", "200-299 301", "99-600", "a-b", "-", "300-200"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, _ := ParseStatusCodes(strings.Fields(in))
		again, errs := ParseStatusCodes(strings.Fields(s.String()))
		if len(errs) != 0 {
			t.Errorf("%q: String %q does not read back: %v", in, s.String(), errs)
		}
		for c := range 700 {
			if s.Has(c) != again.Has(c) || s.Has(c) && (c < 100 || c > 599) {
				t.Errorf("%q: code %d accepted %v, read back %v", in, c, s.Has(c), again.Has(c))
			}
		}
	})
}

func TestParseHex(t *testing.T) {
	tests := []struct {
		in         string
		mask       bool
		data, dmsk []byte
		err        bool
	}{
		{"0102", false, []byte{1, 2}, nil, false},
		{"1 2 ab", false, []byte{1, 2, 0xab}, nil, false},
		{"AbCd", false, []byte{0xab, 0xcd}, nil, false},
		{"0x", true, []byte{0}, []byte{0x0f}, false},
		{"x1", false, nil, nil, true},
		{"zz", false, nil, nil, true},
		{"   ", false, nil, nil, true},
	}
	for _, tt := range tests {
		d, m, err := ParseHex(tt.in, tt.mask)
		if (err != nil) != tt.err || !cmp.Equal(d, tt.data) || !cmp.Equal(m, tt.dmsk) {
			t.Errorf("ParseHex(%q, %v) = %x, %x, %v; want %x, %x, err %v", tt.in, tt.mask, d, m, err, tt.data, tt.dmsk, tt.err)
		}
	}
}

func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"0102", "1 2 ab", "xX 0f", "", "g"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, mask bool) {
		d, m, err := ParseHex(in, mask)
		if err != nil {
			return
		}
		if len(d) == 0 || len(d) > (len(in)+1)/2 || (m != nil && len(m) != len(d)) || (!mask && m != nil) {
			t.Errorf("ParseHex(%q) = %x, %x", in, d, m)
		}
	})
}
