package config

import (
	"fmt"
	"maps"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/cli"
)

// loader carries the state of one Load: the model being built and every
// diagnostic found so far. Each keyword is handled by one small function
// registered in a per-block table (see the tables in global.go, vrrp*.go,
// lvs*.go).
type loader struct {
	stopped bool // see stopf
	cfg     *Config
	diags   []Diagnostic
	cap     diagCap // keeps diags within MaxDiagnostics

	// reported is set when keepalived's own config test would report a
	// problem (its exit code 5). Diagnostics only gokeepalived gives
	// (hints, silent repairs) do not set it.
	reported bool

	// rulePref counts down the preference keepalived assigns to IPv4
	// and IPv6 rules without one.
	rulePref [2]uint32

	// names resolves iproute2 names in route and rule options.
	names Names

	builds  []*instBuild // the instances, for completion
	scripts []*Script    // every command configured, for script security
	// vrrpScripts are the vrrp_script commands: keepalived judges their
	// security only when there is a vrrp_instance.
	vrrpScripts []*Script
	global      map[string]bool
	byName      map[string]*Instance // instances read so far, by name

	blocks // how keepalived reads the block of an unknown keyword (unknown_block.go)

	rsWritten map[rsField]bool // real server settings not inherited
}

// kwFunc handles one keyword inside a block whose model value is a T.
type kwFunc[T any] func(l *loader, n *Node, t T)

// table maps a keyword to its handler, one table per block kind.
type table[T any] map[string]kwFunc[T]

// dispatch runs the handler of every statement in nodes, warning (as
// keepalived does) about keywords the block does not know.
func dispatch[T any](l *loader, nodes []*Node, tab table[T], t T, block string) {
	l.depth++
	defer func() { l.depth-- }()
	for i := 0; i < len(nodes); i++ {
		n := nodes[i]
		if l.closers[n] {
			if l.closeAt(nodes, i) {
				return
			}
			continue
		}
		fn, ok := tab[n.Keyword.Text]
		if !ok {
			l.warnf(n.Keyword.Pos, "unknown keyword %q in %s", n.Keyword.Text, block)
			if s := cli.Suggest(n.Keyword.Text, slices.Sorted(maps.Keys(tab))); s != "" {
				l.hintf("did you mean %q?", s)
			}
			nodes = l.unknownBlock(nodes, i)
			continue
		}
		fn(l, n, t)
		nodes = l.takeSpill(nodes, i)
	}
}

// errorf records an error keepalived also reports: the item is dropped or
// replaced by a default, so the configuration is not what was written.
func (l *loader) errorf(pos Pos, format string, args ...any) {
	l.reported = true
	l.cap.add(&l.diags, Diagnostic{Pos: pos, Severity: SeverityError, Msg: fmt.Sprintf(format, args...)})
}

// fatalf records an error for which keepalived refuses to start: its
// vrrp process stops with a config error when chk_min_cfg or
// vrrp_complete_instance fail, or check_vrid_conflicts finds a clash.
// This is the one place a diagnostic becomes fatal (see Refuses); the
// config-test exit code is the same as for errorf (keepalived's -t gives
// 5 for these too).
func (l *loader) fatalf(pos Pos, format string, args ...any) {
	l.reported = true
	l.cap.add(&l.diags, Diagnostic{Pos: pos, Severity: SeverityError, Fatal: true, Msg: fmt.Sprintf(format, args...)})
}

// stopf records an error at which keepalived stops reading and exits
// with status 2, even under -t: a keyword's handler reads a parameter
// that is not there. We carry on, so that every other problem is
// reported too; the exit status is keepalived's.
func (l *loader) stopf(pos Pos, format string, args ...any) {
	l.errorf(pos, format+" (keepalived stops here: a parameter is missing)", args...)
	l.stopped = true
}

// warnf records a warning keepalived also reports (its config test fails
// with exit code 5, but it would run).
func (l *loader) warnf(pos Pos, format string, args ...any) {
	l.reported = true
	l.cap.add(&l.diags, Diagnostic{Pos: pos, Severity: SeverityWarning, Msg: fmt.Sprintf(format, args...)})
}

// hintf attaches a hint to the last diagnostic.
func (l *loader) hintf(format string, args ...any) {
	l.cap.hint(l.diags, fmt.Sprintf(format, args...))
}

// advisef records a warning keepalived does not give (it silently repairs
// or accepts the configuration). It does not change the exit code.
func (l *loader) advisef(pos Pos, hint, format string, args ...any) {
	l.cap.add(&l.diags, Diagnostic{Pos: pos, Severity: SeverityWarning, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

// noEffect records a keyword that is accepted but not acted on yet.
func (l *loader) noEffect(n *Node) {
	l.cfg.NoEffect = append(l.cfg.NoEffect, Note{Pos: n.Keyword.Pos, Keyword: n.Keyword.Text, Args: texts(n.Args)})
}

// texts returns the text of each token.
func texts(toks []Token) []string {
	if len(toks) == 0 {
		return nil
	}
	s := make([]string, len(toks))
	for i, t := range toks {
		s[i] = t.Text
	}
	return s
}

// endPos is where a missing argument would have been: just after the keyword.
func endPos(n *Node) Pos {
	p := n.Keyword.Pos
	if len(n.Args) > 0 {
		p = n.Args[len(n.Args)-1].Pos
		p.Col += len(n.Args[len(n.Args)-1].Text)
	} else {
		p.Col += len(n.Keyword.Text)
	}
	return p
}

// arg returns argument i, reporting an error when it is missing.
func (l *loader) arg(n *Node, i int) (Token, bool) {
	if i < len(n.Args) {
		return n.Args[i], true
	}
	l.errorf(endPos(n), "%s: missing argument", n.Keyword.Text)
	return Token{}, false
}

// intArg parses argument i as an integer in [lo, hi].
func (l *loader) intArg(n *Node, i int, lo, hi int64) (int64, bool) {
	t, ok := l.arg(n, i)
	if !ok {
		return 0, false
	}
	text := t.Text
	if text == "" {
		text = "0" // keepalived's strtol reads "" as 0
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		l.errorf(t.Pos, "%s: %q is not a number", n.Keyword.Text, t.Text)
		return 0, false
	}
	if v < lo || v > hi {
		l.errorf(t.Pos, "%s: %d outside range [%d, %d]", n.Keyword.Text, v, lo, hi)
		return 0, false
	}
	return v, true
}

// parseBool parses keepalived's <BOOL>: on/off, true/false, yes/no.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "on", "true", "yes":
		return true, true
	case "off", "false", "no":
		return false, true
	}
	return false, false
}

// boolArg parses an optional boolean argument: a keyword alone means true.
func (l *loader) boolArg(n *Node, i int) bool {
	if i >= len(n.Args) {
		return true
	}
	b, ok := parseBool(n.Args[i].Text)
	if !ok {
		l.errorf(n.Args[i].Pos, "%s: %q is not a boolean (on/off, true/false, yes/no)", n.Keyword.Text, n.Args[i].Text)
		return true
	}
	return b
}

// parseTimer parses keepalived's <TIMER>: seconds with an optional fraction,
// microsecond resolution.
func parseTimer(s string) (time.Duration, bool) {
	if strings.Trim(s, "0123456789.") != "" {
		return 0, false // keepalived reads plain decimals: no sign, exponent or hex
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e9 {
		return 0, false
	}
	return time.Duration(math.Round(f*1e6)) * time.Microsecond, true
}

// durArg parses argument i as a timer in [lo, hi].
func (l *loader) durArg(n *Node, i int, lo, hi time.Duration) (time.Duration, bool) {
	t, ok := l.arg(n, i)
	if !ok {
		return 0, false
	}
	d, ok := parseTimer(t.Text)
	if !ok {
		l.errorf(t.Pos, "%s: %q is not a number of seconds", n.Keyword.Text, t.Text)
		return 0, false
	}
	if d < lo || d > hi {
		l.errorf(t.Pos, "%s: %s outside range [%s, %s]", n.Keyword.Text, t.Text, fmtSecs(lo), fmtSecs(hi))
		return 0, false
	}
	return d, true
}

// fmtSecs prints d as keepalived writes timers: seconds with a fraction.
func fmtSecs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// addrArg parses argument i as an IP address.
func (l *loader) addrArg(n *Node, i int) (netip.Addr, bool) {
	t, ok := l.arg(n, i)
	if !ok {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(t.Text)
	if err != nil || a.Zone() != "" {
		l.errorf(t.Pos, "%s: invalid IP address %q", n.Keyword.Text, t.Text)
		return netip.Addr{}, false
	}
	return a, true
}

// parsePrefix parses ADDR[/LEN]; a bare address gets a host prefix.
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || p.Addr().Zone() != "" {
			return netip.Prefix{}, false
		}
		return p, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// stringArg returns argument i as a string.
func (l *loader) stringArg(n *Node, i int) string {
	t, _ := l.arg(n, i)
	return t.Text
}

// extraArgs warns about arguments after the last one a keyword takes.
func (l *loader) extraArgs(n *Node, max int) {
	if len(n.Args) > max {
		l.warnf(n.Args[max].Pos, "%s: unexpected argument %q", n.Keyword.Text, n.Args[max].Text)
	}
}

// The helpers below build table entries for the common shapes of keyword:
// a flag, a bounded integer, a timer, a string. Each takes an accessor for
// the field it sets.

func flagKw[T any](f func(T) *bool) kwFunc[T] {
	return func(l *loader, n *Node, t T) { *f(t) = l.boolArg(n, 0) }
}

func setKw[T any](f func(T) *bool, v bool) kwFunc[T] {
	return func(l *loader, n *Node, t T) { l.extraArgs(n, 0); *f(t) = v }
}

func intKw[T any](f func(T) *int, lo, hi int64) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		if v, ok := l.intArg(n, 0, lo, hi); ok {
			*f(t) = int(v)
		}
	}
}

func durKw[T any](f func(T) *time.Duration, lo, hi time.Duration) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		if d, ok := l.durArg(n, 0, lo, hi); ok {
			*f(t) = d
		}
	}
}

func strKw[T any](f func(T) *string) kwFunc[T] {
	return func(l *loader, n *Node, t T) { *f(t) = l.stringArg(n, 0) }
}

func addrKw[T any](f func(T) *netip.Addr) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		if a, ok := l.addrArg(n, 0); ok {
			*f(t) = a
		}
	}
}

// noEffectKw accepts a keyword and records that it has no effect yet.
func noEffectKw[T any]() kwFunc[T] {
	return func(l *loader, n *Node, _ T) { l.noEffect(n) }
}

// modelledNoEffect records the keyword's value in the model and notes
// that it has no effect yet, so `check -D` lists it.
func modelledNoEffect[T any](fn kwFunc[T]) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		fn(l, n, t)
		l.noEffect(n)
	}
}

// deprecatedKw handles an old spelling the way keepalived does: it works,
// with a warning naming the new one.
func deprecatedKw[T any](newName string, fn kwFunc[T]) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		l.advisef(n.Keyword.Pos, "", "%s is deprecated, use %s", n.Keyword.Text, newName)
		fn(l, n, t)
	}
}
