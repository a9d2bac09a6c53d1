package config

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The name rule. Names from the configuration end up in metric labels
// (which must be valid UTF-8), the status API, log lines and notify FIFO
// lines (`INSTANCE "VI_1" MASTER 100`), so every name must be non-empty,
// valid UTF-8 and free of control characters (a newline would forge a FIFO
// line). Instance and sync group names, which FIFO lines quote, must not
// hold a double quote either. Interface names follow keepalived's rule:
// shorter than IFNAMSIZ (16 bytes). keepalived itself only asks that names
// be given and unique (checked where each block is loaded).
//
// A block defined under a bad name is ignored, with an error; a bad name
// used inside a block (an interface, a tracker, a group member) is an
// error. Either way the configuration has an error, so the daemon refuses
// it.

// nameKind says which rule applies to a name.
type nameKind uint8

const (
	nameFIFO      nameKind = iota + 1 // written quoted into FIFO lines
	namePlain                         // labels, JSON and logs only
	nameInterface                     // a network interface
)

// maxIfnameBytes is the longest interface name Linux takes (IFNAMSIZ-1).
const maxIfnameBytes = 15

// namedBlocks are the top-level blocks whose first argument names what
// they define.
var namedBlocks = map[string]nameKind{
	"vrrp_instance":        nameFIFO,
	"vrrp_sync_group":      nameFIFO,
	"vrrp_script":          namePlain,
	"track_file":           namePlain,
	"vrrp_track_file":      namePlain,
	"vrrp_track_process":   namePlain,
	"track_group":          namePlain,
	"virtual_server_group": namePlain,
	"bfd_instance":         namePlain,
	"anycast_group":        namePlain,
}

// nameLists are the blocks, inside another block, each of whose lines
// starts with a name.
var nameLists = map[string]nameKind{
	"track_script":             namePlain,
	"track_file":               namePlain,
	"track_process":            namePlain,
	"track_bfd":                namePlain,
	"group":                    nameFIFO,
	"track_interface":          nameInterface,
	"interfaces":               nameInterface,
	"linkbeat_interfaces":      nameInterface,
	"interface_up_down_delays": nameInterface,
}

// wordLists are the nameLists where every word of a line is a name.
var wordLists = map[string]bool{"group": true, "interfaces": true, "linkbeat_interfaces": true}

// routeBlocks hold addresses, routes and rules in `ip` syntax, where the
// word after dev, iif or oif is an interface.
var routeBlocks = map[string]bool{
	"virtual_ipaddress": true, "virtual_ipaddress_excluded": true,
	"virtual_routes": true, "virtual_rules": true,
	"static_ipaddress": true, "static_routes": true, "static_rules": true,
}

// badName says what is wrong with name under kind's rule, or "".
func badName(name string, kind nameKind) string {
	if name == "" {
		return "is empty"
	}
	if !utf8.ValidString(name) {
		return "is not valid UTF-8"
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return sprintf("holds the control character %U", r)
		}
	}
	switch {
	case kind == nameFIFO && strings.ContainsRune(name, '"'):
		return "holds a double quote, which notify FIFO lines put names in"
	case kind == nameInterface && len(name) > maxIfnameBytes:
		return sprintf("is longer than %d bytes", maxIfnameBytes)
	}
	return ""
}

const nameHint = "names appear in logs, metrics, the status API and notify FIFO lines: use printable UTF-8"

// checkNames applies the name rule to the whole tree and returns the
// top-level nodes whose names pass.
func (l *loader) checkNames(nodes []*Node) []*Node {
	kept := nodes[:0:0]
	for k, n := range nodes {
		kind, named := namedBlocks[n.Keyword.Text]
		if !named {
			// static_routes, linkbeat_interfaces, ...
			l.checkInnerNames(nodes[k : k+1])
			kept = append(kept, n)
			continue
		}
		if len(n.Args) > 0 {
			if why := badName(n.Args[0].Text, kind); why != "" {
				l.fatalf(n.Args[0].Pos, "%s name %q %s; ignoring the %s", n.Keyword.Text, n.Args[0].Text, why, n.Keyword.Text)
				l.hintf(nameHint)
				continue
			}
		}
		l.checkInnerNames(n.Children)
		kept = append(kept, n)
	}
	if len(kept) == len(nodes) {
		return nodes
	}
	return kept
}

// checkInnerNames checks the names used inside a block.
func (l *loader) checkInnerNames(nodes []*Node) {
	for _, n := range nodes {
		switch {
		case (n.Keyword.Text == "interface" || n.Keyword.Text == "use_vmac") && len(n.Args) > 0:
			l.checkName(n.Args[0], n.Keyword.Text, nameInterface)
		case routeBlocks[n.Keyword.Text]:
			for _, c := range n.Children {
				for i := 0; i+1 < len(c.Args); i++ {
					switch c.Args[i].Text {
					case "dev", "iif", "oif":
						l.checkName(c.Args[i+1], c.Args[i].Text, nameInterface)
					}
				}
			}
			continue
		case nameLists[n.Keyword.Text] != 0:
			kind := nameLists[n.Keyword.Text]
			for _, c := range n.Children {
				l.checkName(c.Keyword, n.Keyword.Text, kind)
				if wordLists[n.Keyword.Text] {
					for _, a := range c.Args {
						l.checkName(a, n.Keyword.Text, kind)
					}
				}
			}
			continue
		}
		l.checkInnerNames(n.Children)
	}
}

// checkName reports a name used at t that breaks the rule.
func (l *loader) checkName(t Token, what string, kind nameKind) {
	if why := badName(t.Text, kind); why != "" {
		l.fatalf(t.Pos, "%s name %q %s", what, t.Text, why)
		l.hintf(nameHint)
	}
}
