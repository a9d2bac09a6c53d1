package vectors

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Vector is one entry of a vector file.
type Vector struct {
	Name   string // <case>/<nn>-<kind>-<sender>-<detail>
	Case   string // capture case, e.g. c01-v2-pass-blog
	Kind   string // advert, garp or unsolicited-na
	Sender string // a, b or "a vmac"
	Frame  []byte // the whole Ethernet frame
	VRRP   []byte // the VRRP message (adverts only; nil otherwise)
	// Fields holds every key/value line of the entry, the ones above too.
	Fields map[string]string
	// Line is the line number of the entry's name line.
	Line int
}

// Load reads a vector file. Errors carry the file and line.
func Load(path string) ([]Vector, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load vectors: %w", err)
	}
	defer f.Close()
	return Read(f, path)
}

// Read reads vectors in the file format from r; name prefixes errors.
// Blank lines separate entries, '#' lines are comments, every other line
// is "key: value", an entry starts with name and has each key once.
func Read(r io.Reader, name string) ([]Vector, error) {
	path := name
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var (
		out  []Vector
		cur  *Vector
		line int
	)
	flush := func() error {
		if cur == nil {
			return nil
		}
		if err := cur.fill(); err != nil {
			return fmt.Errorf("%s:%d: %w", path, cur.Line, err)
		}
		out = append(out, *cur)
		cur = nil
		return nil
	}
	for sc.Scan() {
		line++
		text := sc.Text()
		switch {
		case strings.HasPrefix(text, "#"):
			continue
		case strings.TrimSpace(text) == "":
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		key, val, ok := strings.Cut(text, ": ")
		if !ok {
			key, ok = strings.CutSuffix(text, ":")
		}
		if !ok || key == "" {
			return nil, fmt.Errorf("%s:%d: want 'key: value', got %q", path, line, text)
		}
		if cur == nil {
			if key != "name" {
				return nil, fmt.Errorf("%s:%d: entry starts with %q, want name", path, line, key)
			}
			cur = &Vector{Fields: map[string]string{}, Line: line}
		}
		if _, dup := cur.Fields[key]; dup {
			return nil, fmt.Errorf("%s:%d: key %q twice in one entry", path, line, key)
		}
		cur.Fields[key] = val
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", path, line, err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// fill sets the typed fields from Fields.
func (v *Vector) fill() error {
	v.Name, v.Case, v.Kind, v.Sender = v.Fields["name"], v.Fields["case"], v.Fields["kind"], v.Fields["sender"]
	var err error
	if v.Frame, err = v.Hex("frame"); err != nil {
		return err
	}
	if _, ok := v.Fields["vrrp"]; ok {
		if v.VRRP, err = v.Hex("vrrp"); err != nil {
			return err
		}
	}
	return nil
}

// Has reports whether the entry has the key.
func (v *Vector) Has(key string) bool {
	_, ok := v.Fields[key]
	return ok
}

// Str returns the value of key, or an error naming the vector if absent.
func (v *Vector) Str(key string) (string, error) {
	s, ok := v.Fields[key]
	if !ok {
		return "", fmt.Errorf("vector %s: no %s", v.Name, key)
	}
	return s, nil
}

// Int returns key as an integer: decimal, or hex with a 0x prefix
// (the file writes 16/32-bit fields as 0x%04x / 0x%08x).
func (v *Vector) Int(key string) (int, error) {
	s, err := v.Str(key)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("vector %s: %s: %w", v.Name, key, err)
	}
	return int(n), nil
}

// Hex returns key decoded from hex (lowercase, no separators).
func (v *Vector) Hex(key string) ([]byte, error) {
	s, err := v.Str(key)
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("vector %s: %s: %w", v.Name, key, err)
	}
	return b, nil
}

// Addr returns key as one IP address.
func (v *Vector) Addr(key string) (netip.Addr, error) {
	s, err := v.Str(key)
	if err != nil {
		return netip.Addr{}, err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("vector %s: %s: %w", v.Name, key, err)
	}
	return a, nil
}

// Addrs returns key as a comma-separated list of IP addresses.
func (v *Vector) Addrs(key string) ([]netip.Addr, error) {
	s, err := v.Str(key)
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for f := range strings.SplitSeq(s, ",") {
		a, err := netip.ParseAddr(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("vector %s: %s: %w", v.Name, key, err)
		}
		out = append(out, a)
	}
	return out, nil
}
