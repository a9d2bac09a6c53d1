package plan

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
)

// NodeSpec names one node of the plan: its configuration file, the config
// id its conditional lines (@id) are read with, and its primary addresses,
// which the configuration does not say unless it sets unicast_src_ip or
// mcast_src_ip.
type NodeSpec struct {
	// Name is how the node is called in the output (A, B, ...).
	Name string
	// Path is the node's keepalived.conf.
	Path string
	// ConfigID is keepalived's -i for this node; empty means the node name
	// (not this machine's host name, which says nothing about the node).
	ConfigID string
	// Addrs are the node's primary addresses, per interface.
	Addrs []IfaceAddr
}

// IfaceAddr is a primary address of a node on one interface; Iface ""
// applies to every interface without an address of its own. The prefix
// length is the subnet the address is on (default /24 for IPv4, /64 for
// IPv6), used to check that VRRP peers share a LAN.
type IfaceAddr struct {
	Iface  string
	Prefix netip.Prefix
}

// String formats a as IFACE=ADDR/LEN, or ADDR/LEN for every interface.
func (a IfaceAddr) String() string {
	if a.Iface == "" {
		return a.Prefix.String()
	}
	return a.Iface + "=" + a.Prefix.String()
}

// ParseNodeSpec parses the value of --node:
//
//	NAME=PATH[,id=ID][,IFACE=ADDR[/LEN]]...[,ADDR[/LEN]]
//
// A bare ADDR applies to every interface. PATH may not contain a comma.
func ParseNodeSpec(s string) (NodeSpec, error) {
	parts := strings.Split(s, ",")
	name, path, ok := strings.Cut(parts[0], "=")
	if !ok || name == "" || path == "" {
		return NodeSpec{}, fmt.Errorf("node %q: want NAME=PATH[,id=ID][,IFACE=ADDR]", s)
	}
	if err := checkName(name); err != nil {
		return NodeSpec{}, fmt.Errorf("node %q: %w", s, err)
	}
	n := NodeSpec{Name: name, Path: path}
	for _, p := range parts[1:] {
		k, v, kv := strings.Cut(p, "=")
		switch {
		case kv && k == "id":
			if v == "" {
				return NodeSpec{}, fmt.Errorf("node %q: empty id", s)
			}
			n.ConfigID = v
		case kv:
			a, err := parseIfaceAddr(k, v)
			if err != nil {
				return NodeSpec{}, fmt.Errorf("node %q: %w", s, err)
			}
			n.Addrs = append(n.Addrs, a)
		default:
			a, err := parseIfaceAddr("", p)
			if err != nil {
				return NodeSpec{}, fmt.Errorf("node %q: %w", s, err)
			}
			n.Addrs = append(n.Addrs, a)
		}
	}
	return n, nil
}

// ParseAddrSpec parses the value of --addr: NODE:IFACE=ADDR[/LEN], or
// NODE=ADDR[/LEN] for every interface of the node.
func ParseAddrSpec(s string) (node string, a IfaceAddr, err error) {
	lhs, v, ok := strings.Cut(s, "=")
	if !ok {
		return "", IfaceAddr{}, fmt.Errorf("addr %q: want NODE:IFACE=ADDR or NODE=ADDR", s)
	}
	node, iface, hasIface := strings.Cut(lhs, ":")
	if err := checkName(node); err != nil {
		return "", IfaceAddr{}, fmt.Errorf("addr %q: %w", s, err)
	}
	if hasIface && iface == "" {
		return "", IfaceAddr{}, fmt.Errorf("addr %q: empty interface name", s)
	}
	a, err = parseIfaceAddr(iface, v)
	if err != nil {
		return "", IfaceAddr{}, fmt.Errorf("addr %q: %w", s, err)
	}
	return node, a, nil
}

// ParseConfigID parses the value of -i/--config-id: NODE=ID for one node,
// or a bare ID for every node that has none (node is then "").
func ParseConfigID(s string) (node, id string, err error) {
	node, id, ok := strings.Cut(s, "=")
	if !ok {
		node, id = "", s
	} else if err := checkName(node); err != nil {
		return "", "", fmt.Errorf("config id %q: %w", s, err)
	}
	if id == "" {
		return "", "", fmt.Errorf("config id %q: empty id", s)
	}
	return node, id, nil
}

func checkName(name string) error {
	if name == "" {
		return errors.New("empty node name")
	}
	if strings.ContainsAny(name, ":=, \t\n") {
		return fmt.Errorf("node name %q may not contain ':', '=', ',' or blanks", name)
	}
	return nil
}

func parseIfaceAddr(iface, v string) (IfaceAddr, error) {
	if strings.ContainsAny(iface, " \t\n/") {
		return IfaceAddr{}, fmt.Errorf("bad interface name %q", iface)
	}
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return IfaceAddr{}, fmt.Errorf("bad address: %w", err)
		}
		if p.Addr().Zone() != "" {
			return IfaceAddr{}, fmt.Errorf("bad address %q: zones are not supported", v)
		}
		return IfaceAddr{Iface: iface, Prefix: p}, nil
	}
	ad, err := netip.ParseAddr(v)
	if err != nil {
		return IfaceAddr{}, fmt.Errorf("bad address: %w", err)
	}
	if ad.Zone() != "" {
		return IfaceAddr{}, fmt.Errorf("bad address %q: zones are not supported", v)
	}
	return IfaceAddr{Iface: iface, Prefix: defaultPrefix(ad.Unmap())}, nil
}

// defaultPrefix gives a with the subnet assumed when none is written.
func defaultPrefix(a netip.Addr) netip.Prefix {
	if a.Is4() {
		return netip.PrefixFrom(a, 24)
	}
	return netip.PrefixFrom(a, 64)
}

// NameFromPath derives a node name from a configuration path: the file
// name without its extension, or the directory name when the file is
// called keepalived.conf.
func NameFromPath(path string) string {
	base := filepath.Base(path)
	if base == "keepalived.conf" {
		if d := filepath.Base(filepath.Dir(path)); d != "." && d != "/" {
			return d
		}
	}
	name := strings.TrimSuffix(base, filepath.Ext(base))
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(":=, \t\n", r) {
			return '_'
		}
		return r
	}, name)
	if name == "" {
		return "node"
	}
	return name
}
