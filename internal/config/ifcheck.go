package config

// ifNameMax is the longest interface name Linux takes (IFNAMSIZ - 1).
const ifNameMax = 15

// ifKeywords are, per block, the keywords whose first argument names an
// interface.
var ifKeywords = map[string]map[string]bool{
	"vrrp_instance": {"interface": true},
	"garp_group":    {"interface": true},
}

// ifListBlocks are blocks whose every line names an interface.
var ifListBlocks = map[string]bool{"track_interface": true, "interfaces": true}

// ifAddrBlocks are blocks of address, route and rule lines in which a
// word after one of ifWords names an interface.
var ifAddrBlocks = map[string]bool{
	"virtual_ipaddress": true, "virtual_ipaddress_excluded": true, "virtual_routes": true,
	"virtual_rules": true, "static_ipaddress": true, "static_routes": true, "static_rules": true,
}

var ifWords = map[string]bool{"dev": true, "oif": true, "iif": true}

// checkInterfaces reports, as keepalived's config test does while it
// reads the file, the interfaces the configuration names that do not
// exist on this host (unless dynamic_interfaces is set), and instance
// interface names too long for Linux. It returns whether one was missing:
// keepalived then stops before its VRRP validation.
func (l *loader) checkInterfaces(nodes []*Node, exists func(string) bool) bool {
	if exists == nil || l.global["dynamic_interfaces"] {
		exists = func(string) bool { return true }
	}
	missing := false
	check := func(t Token) {
		if !exists(t.Text) {
			missing = true
			l.warnf(t.Pos, "interface %s does not exist", t.Text)
			l.hintf("keepalived's config test fails on it; set dynamic_interfaces in global_defs if it appears later")
		}
	}
	var walk func(block string, ns []*Node)
	walk = func(block string, ns []*Node) {
		for _, n := range ns {
			kw := n.Keyword.Text
			switch {
			case ifListBlocks[block]:
				check(n.Keyword)
			case ifAddrBlocks[block]:
				words := append([]Token{n.Keyword}, n.Args...)
				for i := 0; i+1 < len(words); i++ {
					if ifWords[words[i].Text] {
						check(words[i+1])
						i++
					}
				}
			case ifKeywords[block][kw] && len(n.Args) > 0:
				if block == "vrrp_instance" && len(n.Args[0].Text) > ifNameMax {
					l.warnf(n.Args[0].Pos, "interface name %q is too long, ignoring it", n.Args[0].Text)
					continue
				}
				if n.Args[0].Text != "lo" {
					check(n.Args[0])
				}
			}
			if n.Block && !ifAddrBlocks[block] {
				walk(kw, n.Children)
			}
		}
	}
	walk("", nodes)
	return missing
}
