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
	for _, c := range checkerNames[1:] {
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

// keepalived reads the file once per process (parent, checker, VRRP,
// BFD), each knowing only its own blocks: a block of another process's
// keyword is skipped by counting braces when its '{' follows, and its
// lines are read as top-level lines when not. So a lost or extra brace in
// a vrrp_instance can make the checker process read the instance's
// `track_file {` as a top-level track_file without a name, where it stops
// with exit status 2. process.read models that reading, for the checker
// process (checkerStops) and for a process owning no top-level block
// (foreignTop).

// process is a keepalived reading process as far as the block grammar
// goes.
type process struct {
	// owns are the top-level blocks the process reads itself; every
	// other top-level block is skipped.
	owns map[string]bool
	// dropIDBlocks counts the braces of an @id line for another id into
	// the block being skipped: we drop the block such a line opens (a
	// deliberate difference, docs/deviations.md). Without it the line is
	// simply not read, as keepalived does.
	dropIDBlocks bool
}

var (
	checkerProcess = process{owns: checkerRoots}
	foreignProcess = process{dropIDBlocks: true}
)

// read reads lines as p does and calls top for the first token of each
// statement read at the top level (a brace alone counts as one): its
// line's index, its own index and its statement's word count (0 for a
// brace). It stops when top returns false.
func (p process) read(lines []logical, top func(li, k, words int) bool) {
	skip := 0         // braces open in a skipped block (another process's)
	skipNext := false // a '{' first on the next line opens a skipped block
	ownNext := false  // the process's own block opens next, '{' or not
	level := 0        // braces open in a block the process reads
	prevWord := false
	for li, ln := range lines {
		if ln.skip {
			for _, tk := range ln.toks {
				switch {
				case !p.dropIDBlocks:
				case tk.kind == tokOpen:
					skip++
				case tk.kind == tokClose && skip > 0:
					skip--
				}
			}
			continue
		}
		toks := ln.toks
		for k := 0; k < len(toks); k++ {
			tk := toks[k]
			if skipNext {
				skipNext = false
				if tk.kind == tokOpen {
					skip = 1 // the block of another process's keyword
					continue
				}
			}
			if ownNext {
				ownNext = false
				level = 1
				if tk.kind == tokOpen {
					prevWord = false
					continue
				}
			}
			if skipping(&skip, tk.kind) {
				continue
			}
			if tk.kind != tokWord {
				if level == 0 && !top(li, k, 0) {
					return
				}
				switch {
				case tk.kind == tokClose && level > 0:
					level--
				case tk.kind == tokOpen && prevWord && level > 0:
					// Only a '{' after a keyword opens a block;
					// keepalived ignores any other.
					level++
				}
				prevWord = false
				continue
			}
			// A keepalived line: the words up to the next brace.
			m := k + 1
			for m < len(toks) && toks[m].kind == tokWord {
				m++
			}
			words := m - k
			prevWord = true
			if level == 0 {
				if !top(li, k, words) {
					return
				}
				switch kw := tk.Text; {
				case p.owns[kw]:
					ownNext = true
				case blockKeywords[""][kw] != noBlock || otherRoots[kw]:
					skipNext = true
				}
			}
			k = m - 1
		}
	}
}

// checkerStops returns the position of the first line the checker
// process reads as a top-level track_file without a name.
func checkerStops(lines []logical) (at Pos, ok bool) {
	checkerProcess.read(lines, func(li, k, words int) bool {
		tk := lines[li].toks[k]
		if tk.kind == tokWord && tk.Text == "track_file" && words == 1 {
			at, ok = tk.Pos, true
		}
		return !ok
	})
	return at, ok
}

// checkerRoots are the top-level blocks the checker process reads itself.
var checkerRoots = map[string]bool{"track_file": true, "virtual_server": true,
	"virtual_server_group": true, "SSL": true}

// otherRoots are top-level keywords without a block that the checker
// process knows (and skips).
var otherRoots = map[string]bool{"linkbeat_use_polling": true, "net_namespace": true,
	"net_namespace_ipvs": true, "namespace_with_ipsets": true, "use_pid_dir": true,
	"instance": true, "child_wait_time": true}

// extraCloses reports, as keepalived does whatever the blocks, each '}'
// that closes more braces than were opened before it in the text, and
// returns their positions.
func extraCloses(lines []logical, errf func(Pos, string, ...any)) map[Pos]bool {
	var at map[Pos]bool
	depth := 0
	for _, ln := range lines {
		// The braces of an @id line for another id count: we drop the
		// block it opens (a deliberate difference, docs/deviations.md).
		for _, tk := range ln.toks {
			switch tk.kind {
			case tokOpen:
				depth++
			case tokClose:
				if depth--; depth < 0 {
					errf(tk.Pos, "unexpected '}': no block is open")
					depth = 0
					if at == nil {
						at = map[Pos]bool{}
					}
					at[tk.Pos] = true
				}
			}
		}
	}
	return at
}

// foreignTop reads lines as a keepalived process that owns none of the
// top-level blocks does (each process skips the blocks of the others):
// a block whose '{' follows its keyword is skipped by counting braces;
// without it, the lines after the keyword are read at the top level. It
// returns where the first token of each line read at the top level that
// way is: its line's and its own index.
func foreignTop(lines []logical) [][2]int {
	var out [][2]int
	foreignProcess.read(lines, func(li, k, _ int) bool {
		out = append(out, [2]int{li, k})
		return true
	})
	return out
}

// skipping counts a brace into the depth of a block being skipped and
// says whether the token belongs to that block.
func skipping(depth *int, k tokKind) bool {
	if *depth == 0 {
		return false
	}
	switch k {
	case tokOpen:
		*depth++
	case tokClose:
		*depth--
	}
	return true
}
