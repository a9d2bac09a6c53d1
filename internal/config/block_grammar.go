package config

// keepalived 2.2.7 decides what a '{' means by the keyword before it, not by
// where the braces are. A keyword that has a block of its own in keepalived
// takes the lines after it as that block even when its '{' is missing (a
// keyword with sub-keywords reports "Missing '{'"; a list such as
// virtual_ipaddress only logs it). A '{' after any other keyword, or on a
// line of its own where no block may start, is ignored ("Unexpected '{'"),
// so the '}' written to close it closes the enclosing block. The builder
// follows that, with the tables below: they name, per enclosing block, the
// keywords that own a block in keepalived. (Keywords keepalived does not
// know are the loader's business, see unknown_block.go.)

// blockKind says what kind of block a keyword owns in keepalived.
type blockKind uint8

const (
	noBlock    blockKind = iota // a plain keyword, or one we do not list
	subBlock                    // a block of sub-keywords (vrrp_instance, real_server, ...)
	valueBlock                  // a list read line by line (virtual_ipaddress, group, ...)
)

// blockKeywords maps an enclosing block ("" for the top level) to the
// keywords inside it that own a block.
var blockKeywords = func() map[string]map[string]blockKind {
	m := map[string]map[string]blockKind{}
	add := func(parent string, k blockKind, kws ...string) {
		if m[parent] == nil {
			m[parent] = map[string]blockKind{}
		}
		for _, kw := range kws {
			m[parent][kw] = k
		}
	}
	add("", subBlock, "global_defs", "vrrp_instance", "vrrp_script", "vrrp_sync_group",
		"track_file", "vrrp_track_file", "vrrp_track_process", "track_group", "garp_group",
		"virtual_server", "bfd_instance", "SSL")
	add("", valueBlock, "static_ipaddress", "static_routes", "static_rules",
		"linkbeat_interfaces", "interface_up_down_delays", "virtual_server_group")
	add("global_defs", valueBlock, "notification_email")
	add("garp_group", valueBlock, "interfaces")
	add("track_group", valueBlock, "group")
	add("vrrp_sync_group", valueBlock, "group", "track_bfd", "track_file", "track_interface",
		"track_process", "track_script")
	add("vrrp_instance", subBlock, "authentication")
	add("vrrp_instance", valueBlock, "virtual_ipaddress", "virtual_ipaddress_excluded",
		"virtual_routes", "virtual_rules", "track_bfd", "track_file", "track_interface",
		"track_process", "track_script", "unicast_peer")
	add("virtual_server", subBlock, "real_server")
	for c := range checkerTypes {
		add("real_server", subBlock, c)
	}
	add("HTTP_GET", subBlock, "url")
	add("SSL_GET", subBlock, "url")
	add("SMTP_CHECK", subBlock, "host")
	// gokeepalived's own blocks (keepalived 2.2.7 does not know them).
	add("", subBlock, "anycast_group")
	add("anycast_group", valueBlock, "virtual_ipaddress")
	add("global_defs", subBlock, "bgp_speaker")
	add("bgp_speaker", subBlock, "neighbor")
	return m
}()

// blockOf returns the kind of block kw owns inside the block of parent.
func blockOf(parent, kw string) blockKind {
	return blockKeywords[parent][kw]
}
