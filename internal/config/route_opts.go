package config

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// NameTable is one of the name tables iproute2 keeps (rt_tables,
// rt_protos, ...), or the system's IP protocol list.
type NameTable string

// The name tables route and rule options are resolved in.
const (
	RouteTables NameTable = "rt_tables"
	RouteProtos NameTable = "rt_protos"
	RouteRealms NameTable = "rt_realms"
	RouteScopes NameTable = "rt_scopes"
	DSFields    NameTable = "rt_dsfield"
	IfGroups    NameTable = "group"
	IPProtocols NameTable = "protocols" // /etc/protocols, for ipproto
)

// Names resolves names in iproute2's name tables. A nil Options.Names
// means FileNames reading the system's files.
type Names interface {
	// Lookup returns the number table t gives name, and whether it has one.
	Lookup(t NameTable, name string) (uint32, bool)
}

// NameDirs are where iproute2 keeps its name tables, in lookup order: the
// administrator's first.
var NameDirs = []string{"/etc/iproute2", "/usr/share/iproute2", "/usr/lib/iproute2"}

// FileNames reads iproute2's name tables (each file and its FILE.d/*.conf)
// from Dirs, and IP protocols from /etc/protocols, once per table.
type FileNames struct {
	// Dirs are the directories searched; nil means NameDirs.
	Dirs []string
	// Protocols is the protocols file; empty means /etc/protocols.
	Protocols string

	mu     sync.Mutex
	tables map[NameTable]map[string]uint32
}

var _ Names = (*FileNames)(nil)

// Lookup implements Names.
func (f *FileNames) Lookup(t NameTable, name string) (uint32, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tables == nil {
		f.tables = map[NameTable]map[string]uint32{}
	}
	m, ok := f.tables[t]
	if !ok {
		m = f.read(t)
		f.tables[t] = m
	}
	n, ok := m[name]
	return n, ok
}

func (f *FileNames) read(t NameTable) map[string]uint32 {
	if t == IPProtocols {
		p := f.Protocols
		if p == "" {
			p = "/etc/protocols"
		}
		b, _ := os.ReadFile(p)
		return ParseProtocolsFile(b)
	}
	dirs := f.Dirs
	if dirs == nil {
		dirs = NameDirs
	}
	out := map[string]uint32{}
	for _, dir := range dirs {
		files := []string{filepath.Join(dir, string(t))}
		more, _ := filepath.Glob(filepath.Join(dir, string(t)+".d", "*.conf"))
		for _, file := range append(files, more...) {
			b, err := os.ReadFile(file)
			if err != nil {
				continue
			}
			for k, v := range ParseNameTable(b) {
				if _, dup := out[k]; !dup {
					out[k] = v
				}
			}
		}
	}
	return out
}

// ParseNameTable parses an iproute2 name table ("ID NAME" per line, #
// comments, IDs decimal or 0x hex) into name → ID. Lines it cannot read
// are skipped, as iproute2 and keepalived skip them; the first of two
// lines naming the same name wins.
func ParseNameTable(b []byte) map[string]uint32 {
	out := map[string]uint32{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		n, ok := parseCUint(f[0], 1<<32-1)
		if !ok {
			continue
		}
		if _, dup := out[f[1]]; !dup {
			out[f[1]] = uint32(n)
		}
	}
	return out
}

// ParseProtocolsFile parses /etc/protocols ("name number aliases...")
// into name and alias → number.
func ParseProtocolsFile(b []byte) map[string]uint32 {
	out := map[string]uint32{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, err := strconv.ParseUint(f[1], 10, 8)
		if err != nil {
			continue
		}
		for _, name := range append([]string{f[0]}, f[2:]...) {
			if _, dup := out[name]; !dup {
				out[name] = uint32(n)
			}
		}
	}
	return out
}

// builtinNames are the entries keepalived knows without any file.
var builtinNames = map[NameTable]map[string]uint32{
	RouteTables: {"default": 253, "main": 254, "local": 255},
	RouteProtos: {"none": 0, "redirect": 1, "kernel": 2, "boot": 3, "static": 4, "gated": 8,
		"ra": 9, "mrt": 10, "zebra": 11, "bird": 12, "dnrouted": 13, "xorp": 14, "ntk": 15,
		"dhcp": 16, "babel": 42},
	RouteScopes: {"global": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255},
}

// lookupName resolves s in table t the way keepalived does: a number
// (C syntax: decimal, 0x hex, 0 octal) up to max, else a name from the
// table's files, else one of keepalived's built-in names.
func (l *loader) lookupName(t NameTable, s string, max uint64) (uint32, bool) {
	if n, ok := parseCUint(s, 1<<64-1); ok || isCNumber(s) {
		return uint32(n), ok && n <= max
	}
	if n, ok := l.names.Lookup(t, s); ok && uint64(n) <= max {
		return n, true
	}
	n, ok := builtinNames[t][s]
	return n, ok
}

// isCNumber says whether s starts like a number, so that it is never
// looked up as a name.
func isCNumber(s string) bool {
	return s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '-' || s[0] == '+')
}

// parseCUint parses an unsigned number as C's strtoul with base 0 does
// (decimal, 0x hex or 0 octal), the whole string, up to max.
func parseCUint(s string, max uint64) (uint64, bool) {
	s = strings.TrimPrefix(s, "+")
	if s == "" || s[0] == '-' || s[0] == '+' || strings.ContainsRune(s, '_') {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil || strings.HasPrefix(s, "0b") || strings.HasPrefix(s, "0B") ||
		strings.HasPrefix(s, "0o") || strings.HasPrefix(s, "0O") {
		return 0, false
	}
	return n, n <= max
}

// parseDecimal parses a decimal unsigned number up to max, as keepalived's
// get_u8/get_u32 do.
func parseDecimal(s string, max uint64) (uint64, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n <= max
}

// rtt limits: the kernel keeps RTO between 0.2 and 120 seconds, and
// keepalived moves rtt, rttvar and rto_min values into that range.
const (
	rttMinMs = 200
	rttMaxMs = 120000
)

// parseRTT parses an rtt, rttvar or rto_min value as keepalived does:
// "N" in the kernel's units (1/unitsPerMs ms), "Nms"/"Nmsec", or "N[.F]s"
// (also sec, secs) in seconds with up to three decimals. It returns the
// value as a duration and whether it had to be moved into [0.2s, 120s].
func parseRTT(s string, unitsPerMs uint64) (d time.Duration, clamped, ok bool) {
	raw, shift := true, 0
	num := s
	if i := strings.IndexAny(s, "sS"); i >= 0 {
		switch strings.ToLower(s[i:]) {
		case "s", "sec", "secs":
		default:
			return 0, false, false
		}
		raw, shift, num = false, 3, s[:i]
		if i > 0 && (s[i-1] == 'm' || s[i-1] == 'M') {
			shift, num = 0, s[:i-1]
		}
		if num == "" {
			return 0, false, false
		}
	}
	if strings.ContainsAny(num, "eE") {
		return 0, false, false
	}
	v, ok := parseFixed(num, shift)
	if !ok || v > rttMaxMs*unitsPerMs {
		return 0, false, false
	}
	if !raw {
		v *= unitsPerMs
	}
	switch {
	case v > rttMaxMs*unitsPerMs:
		v, clamped = rttMaxMs*unitsPerMs, true
	case v < rttMinMs*unitsPerMs:
		v, clamped = rttMinMs*unitsPerMs, true
	}
	return time.Duration(v) * time.Millisecond / time.Duration(unitsPerMs), clamped, true
}

// parseFixed parses "N[.F]" with at most shift decimals as N*10^shift+F.
func parseFixed(s string, shift int) (uint64, bool) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if len(frac) > shift || (hasDot && whole == "" && frac == "") {
		return 0, false
	}
	frac += strings.Repeat("0", shift-len(frac))
	n, ok := parseDecimal(whole+frac, 1<<53)
	return n, ok
}

// NameMap is a Names held in memory: table → name → number.
type NameMap map[NameTable]map[string]uint32

// Lookup implements Names.
func (m NameMap) Lookup(t NameTable, name string) (uint32, bool) {
	n, ok := m[t][name]
	return n, ok
}
