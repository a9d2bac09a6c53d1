package system

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// NameDirs are where iproute2 keeps its name tables (rt_tables,
// rt_protos, ...), in lookup order: the administrator's first.
var NameDirs = []string{"/etc/iproute2", "/usr/share/iproute2", "/usr/lib/iproute2"}

var builtinTables = map[string]int{
	"unspec": unix.RT_TABLE_UNSPEC, "default": unix.RT_TABLE_DEFAULT,
	"main": unix.RT_TABLE_MAIN, "local": unix.RT_TABLE_LOCAL,
}

var builtinProtos = map[string]int{
	"unspec": unix.RTPROT_UNSPEC, "redirect": unix.RTPROT_REDIRECT, "kernel": unix.RTPROT_KERNEL,
	"boot": unix.RTPROT_BOOT, "static": unix.RTPROT_STATIC, "gated": unix.RTPROT_GATED,
	"ra": unix.RTPROT_RA, "mrt": unix.RTPROT_MRT, "zebra": unix.RTPROT_ZEBRA,
	"bird": unix.RTPROT_BIRD, "dnrouted": unix.RTPROT_DNROUTED, "xorp": unix.RTPROT_XORP,
	"ntk": unix.RTPROT_NTK, "dhcp": unix.RTPROT_DHCP, "keepalived": unix.RTPROT_KEEPALIVED,
	"babel": unix.RTPROT_BABEL, "bgp": unix.RTPROT_BGP, "isis": unix.RTPROT_ISIS,
	"ospf": unix.RTPROT_OSPF, "rip": unix.RTPROT_RIP, "eigrp": unix.RTPROT_EIGRP,
}

// ParseTable resolves a routing table as `ip route ... table T` does: a
// number, main/local/default/unspec, or a name from rt_tables (and
// rt_tables.d/*.conf) in dirs; nil dirs means NameDirs.
func ParseTable(s string, dirs []string) (int, error) {
	return parseID(s, "table", "rt_tables", builtinTables, dirs, 1<<32-1)
}

// ParseProtocol resolves a route protocol: a number, a well-known name
// (kernel, boot, static, keepalived, ...) or a name from rt_protos in dirs;
// nil dirs means NameDirs.
func ParseProtocol(s string, dirs []string) (uint8, error) {
	n, err := parseID(s, "protocol", "rt_protos", builtinProtos, dirs, 255)
	return uint8(n), err
}

func parseID(s, what, file string, builtin map[string]int, dirs []string, maxID uint64) (int, error) {
	if n, err := strconv.ParseUint(s, 0, 64); err == nil {
		if n > maxID {
			return 0, fmt.Errorf("%s %q out of range", what, s)
		}
		return int(n), nil
	}
	if n, ok := builtin[s]; ok {
		return n, nil
	}
	if dirs == nil {
		dirs = NameDirs
	}
	for _, dir := range dirs {
		files := []string{filepath.Join(dir, file)}
		more, _ := filepath.Glob(filepath.Join(dir, file+".d", "*.conf"))
		for _, f := range append(files, more...) {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			if n, ok := ParseNameTable(b)[s]; ok && uint64(n) <= maxID {
				return n, nil
			}
		}
	}
	return 0, fmt.Errorf("unknown %s %q", what, s)
}

// ParseNameTable parses an iproute2 name table (rt_tables format: "ID
// NAME" per line, # comments, IDs decimal or 0x hex) into name → ID. Lines
// it cannot read are skipped, as iproute2 skips them.
func ParseNameTable(b []byte) map[string]int {
	out := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, err := strconv.ParseUint(f[0], 0, 32)
		if err != nil {
			continue
		}
		if _, dup := out[f[1]]; !dup {
			out[f[1]] = int(n)
		}
	}
	return out
}
