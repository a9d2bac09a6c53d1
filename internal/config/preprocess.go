package config

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// Limits that keep hostile or mistaken input from exploding. They are far
// above anything a real configuration needs. Going over the budgets
// (expansion, input, words) stops reading: the configuration is refused
// with one error saying where. Going over the others drops the line or
// block concerned, with one error, and reading goes on.
const (
	maxLineBytes        = 64 << 10  // one line, as read or after parameter substitution
	maxSubstPerLine     = 256       // parameter substitutions on one line
	maxExpansionDepth   = 64        // nested multi-line parameters and generators
	defaultMaxExpansion = 64 << 20  // bytes produced by substitution and generators
	defaultMaxInput     = 128 << 20 // bytes read from files, each time a file is included
	minLineCharge       = 32        // what one line costs at least
	fileCharge          = 8 << 10   // what opening one file costs
	maxBlockDepth       = 32        // nested { } blocks
)

// maxWords bounds the words and braces kept from the whole configuration:
// what the tree is built from, and so the memory a configuration can take.
// A variable so that tests can lower it.
var maxWords = 1 << 19

// The range of ${_RANDOM} when MIN or MAX is not given, as keepalived's.
const (
	randomMinDefault = 0
	randomMaxDefault = 32767
)

// def is one $NAME=value parameter.
type def struct {
	value     string   // single-line value
	lines     []string // multi-line value, blank lines dropped
	multiline bool
}

// preproc turns physical lines into logical lines the way keepalived's
// read_line does: comments, @id conditionals, $NAME definitions and
// substitution, ~SEQ/~LST generators and include. Logical lines go to emit.
type preproc struct {
	configID string
	random   func(n uint64) uint64            // uniform in [0, n), for ${_RANDOM}
	getenv   func(name string) (string, bool) // for ${_ENV VAR}
	reported map[Pos]bool                     // predefined references already diagnosed

	includeCheck includeCheck // keepalived's include_check level for the next include
	blocks       []string     // keyword of each open block ("" unnamed or dropped)
	pendingStmt  string       // statement ending the last line, whose '{' may come next

	defs        map[string]*def
	open        *def // multi-line definition being read
	dir         string
	spent       int // bytes of expansion so far
	budget      int
	input       int // bytes read from files so far, see chargeInput
	inputBudget int
	// halted is set once a budget is exhausted: nothing more is read or
	// expanded, and the configuration is refused.
	halted bool
	diags  []Diagnostic
	cap    diagCap
	emit   func(t text, skip bool)
}

func (pp *preproc) errf(p Pos, format string, args ...any) {
	pp.cap.add(&pp.diags, Diagnostic{Pos: p, Severity: SeverityError, Msg: sprintf(format, args...)})
}

func (pp *preproc) warnf(p Pos, format string, args ...any) {
	pp.cap.add(&pp.diags, Diagnostic{Pos: p, Severity: SeverityWarning, Msg: sprintf(format, args...)})
}

// halt reports why reading stops at p and stops it; only the first
// reason is reported.
func (pp *preproc) halt(p Pos, format string, args ...any) {
	if pp.halted {
		return
	}
	pp.halted = true
	// Kept even past MaxDiagnostics: it says why the rest is missing.
	pp.diags = append(pp.diags, Diagnostic{Pos: p, Severity: SeverityError, Msg: sprintf(format+"; reading stopped here", args...)})
}

// chargeInput spends n bytes (at least minLineCharge) of the input budget
// for text read from a file at p, and reports whether reading may go on.
func (pp *preproc) chargeInput(p Pos, n int) bool {
	if pp.halted {
		return false
	}
	pp.input += max(n, minLineCharge)
	if pp.input > pp.inputBudget {
		pp.halt(p, "the configuration and its includes are more than %d bytes to read (each include counted every time)", pp.inputBudget)
		return false
	}
	return true
}

// quietf records a warning that, as in keepalived, does not fail the
// config test.
func (pp *preproc) quietf(p Pos, format string, args ...any) {
	pp.warnf(p, format, args...)
	pp.diags[len(pp.diags)-1].Quiet = true
}

// physical handles one line as read from a file.
func (pp *preproc) physical(raw text) {
	if pp.halted {
		return
	}
	// An unterminated quote is reported when the line is tokenized, so
	// that it is reported once, and for text produced by substitution too.
	t, cont, _ := decomment(raw)
	if d := pp.open; d != nil {
		s := t.s
		if cont {
			s = strings.TrimRight(strings.TrimSuffix(s, "\\"), " \t")
		} else {
			pp.open = nil
		}
		if s != "" {
			d.lines = append(d.lines, s)
		}
		if pp.open == nil {
			pp.closeDef(d)
		}
		return
	}
	if t.s == "" {
		return
	}
	pp.line(t, 0)
}

// endFile ends a multi-line definition left open at the end of a file.
func (pp *preproc) endFile() {
	if d := pp.open; d != nil {
		pp.open = nil
		pp.closeDef(d)
	}
}

func (pp *preproc) closeDef(d *def) {
	if len(d.lines) == 0 {
		d.multiline = false
		d.value = ""
	}
}

// charge spends n bytes of the expansion budget; once it is exhausted
// reading stops.
func (pp *preproc) charge(at Pos, n int) bool {
	if pp.halted {
		return false
	}
	pp.spent += n
	if pp.spent > pp.budget {
		pp.halt(at, "parameters and generators expand to more than %d bytes", pp.budget)
		return false
	}
	return true
}

// countLine charges one generated line against the expansion budget.
func (pp *preproc) countLine(at Pos) bool { return pp.charge(at, minLineCharge) }

// line processes one logical line at expansion depth depth.
func (pp *preproc) line(t text, depth int) {
	if depth > maxExpansionDepth {
		pp.halt(t.pos(0), "parameter or generator expansion nested more than %d deep", maxExpansionDepth)
		return
	}
	if pp.halted {
		return
	}
	var pending []string // remaining lines of multi-line parameters
	var pendingAt []Pos
	defer func() {
		for i, l := range pending {
			if !pp.countLine(pendingAt[i]) {
				return
			}
			pp.line(fixedText(l, pendingAt[i]), depth+1)
		}
	}()
	for iter := 0; iter <= maxSubstPerLine; iter++ {
		t = t.trimBlank()
		if t.s == "" {
			return
		}
		if t.s[0] == '@' {
			rest, keep := pp.conditional(t)
			if !keep {
				if rest.s != "" {
					pp.emit(rest, true)
				}
				return
			}
			t = rest
			continue
		}
		if t.s[0] == '$' && pp.definition(t) {
			return
		}
		if strings.HasPrefix(t.s, "~SEQ") {
			pp.seq(t, depth)
			return
		}
		if strings.HasPrefix(t.s, "~LST") {
			pp.lst(t, depth)
			return
		}
		if t.s[0] == '~' || !strings.Contains(t.s, "$") {
			break
		}
		nt, more, moreAt, changed, ok := pp.substitute(t)
		if !ok {
			return
		}
		if !changed {
			break
		}
		t = nt
		pending = append(more, pending...)
		pendingAt = append(moreAt, pendingAt...)
	}
	pp.emit(t, false)
}

// conditional strips "@id " or "@^id " from the start of t and says whether
// the rest of the line applies to this configuration id.
func (pp *preproc) conditional(t text) (rest text, keep bool) {
	ofs, neg := 1, false
	if len(t.s) > 1 && t.s[1] == '^' {
		ofs, neg = 2, true
	}
	k := strings.IndexAny(t.s[ofs:], " \t")
	if k < 0 {
		return text{}, false // nothing after the id
	}
	id := t.s[ofs : ofs+k]
	rest = t.slice(ofs+k, len(t.s)).trimBlank()
	return rest, (id == pp.configID) != neg
}

// isNameStart and isNameChar define parameter names: [A-Za-z_][A-Za-z0-9_]*.
func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isNameChar(c byte) bool  { return isNameStart(c) || c >= '0' && c <= '9' }

// definition records a "$NAME=value" line and reports whether t was one.
func (pp *preproc) definition(t text) bool {
	s := t.s
	if len(s) < 2 || !isNameStart(s[1]) {
		return false
	}
	i := 2
	for i < len(s) && isNameChar(s[i]) {
		i++
	}
	if i >= len(s) || s[i] != '=' {
		return false
	}
	name := s[1:i]
	val := strings.TrimLeft(s[i+1:], " \t")
	d := &def{}
	if strings.HasSuffix(val, "\\") {
		d.multiline = true
		first := strings.TrimRight(strings.TrimSuffix(val, "\\"), " \t")
		if first != "" {
			d.lines = append(d.lines, first)
		}
		pp.open = d
	} else {
		d.value = val
	}
	pp.defs[name] = d
	return true
}

// lookup finds a parameter: the user's first, then keepalived's predefined
// ${_PWD}, ${_INSTANCE}, ${_HASH} and ${_BANG} (${_RANDOM} and ${_ENV},
// which take arguments, are handled by predefined).
func (pp *preproc) lookup(name string) (*def, bool) {
	if d, ok := pp.defs[name]; ok {
		return d, true
	}
	switch name {
	case "_PWD":
		return &def{value: pp.dir}, true
	case "_INSTANCE":
		return &def{value: pp.configID}, true
	case "_HASH":
		return &def{value: "#"}, true
	case "_BANG":
		return &def{value: "!"}, true
	}
	return nil, false
}

// reference parses a parameter reference at s[at] == '$': "${NAME}" or
// "$NAME" followed by a blank, ',', ')' or the end of the line. ${_RANDOM}
// and ${_ENV} may have arguments after a blank ("${_RANDOM 1 10}"); they are
// part of the reference, so that one left as written stays one word, and
// a user's own $_RANDOM or $_ENV replaces it whole, as in keepalived.
func reference(s string, at int) (name string, end int, ok bool) {
	i := at + 1
	braces := i < len(s) && s[i] == '{'
	if braces {
		i++
	}
	if i >= len(s) || !isNameStart(s[i]) {
		return "", 0, false
	}
	j := i + 1
	for j < len(s) && isNameChar(s[j]) {
		j++
	}
	name = s[i:j]
	if braces {
		if j < len(s) && s[j] == ' ' && (name == "_RANDOM" || name == "_ENV") {
			// Arguments: "${_RANDOM 1 10}", "${_ENV VAR}", one word as written.
			k := strings.IndexByte(s[j:], '}')
			if k < 0 || strings.ContainsAny(s[j:j+k], "${\"'\\") {
				return "", 0, false
			}
			return name, j + k + 1, true
		}
		if j >= len(s) || s[j] != '}' {
			return "", 0, false
		}
		return name, j + 1, true
	}
	if j < len(s) && !strings.ContainsRune(" \t,)", rune(s[j])) {
		return "", 0, false
	}
	return name, j, true
}

// substitute replaces defined parameters in t, rescanning replaced text so
// that values may refer to other parameters. A multi-line parameter is only
// replaced at the end of a line: its first line replaces the reference and
// the others are returned in more, each reported at the reference.
func (pp *preproc) substitute(t text) (out text, more []string, moreAt []Pos, changed, ok bool) {
	count := 0
	for i := 0; i < len(t.s); {
		j := strings.IndexByte(t.s[i:], '$')
		if j < 0 {
			break
		}
		at := i + j
		var name, val string
		var end int
		var d *def
		if v, e, replace, isPre := pp.predefined(t, at); isPre {
			if !replace {
				i = at + 1
				continue
			}
			name, val, end = t.s[at+1:e], v, e
		} else {
			var isRef bool
			name, end, isRef = reference(t.s, at)
			if isRef {
				d, isRef = pp.lookup(name)
			}
			if !isRef || d.multiline && end != len(t.s) {
				i = at + 1
				continue
			}
			val = d.value
		}
		p := t.pos(at)
		if count++; count > maxSubstPerLine {
			pp.errf(p, "more than %d parameter substitutions on one line (recursive definition of $%s?)", maxSubstPerLine, name)
			return t, nil, nil, false, false
		}
		if d != nil && d.multiline {
			val = d.lines[0]
			rest := d.lines[1:]
			at := make([]Pos, len(rest))
			for k := range at {
				at[k] = p
			}
			more = append(append([]string(nil), rest...), more...)
			moreAt = append(at, moreAt...)
		}
		if len(t.s)-(end-at)+len(val) > maxLineBytes {
			pp.errf(p, "substituting $%s makes the line longer than %d bytes", name, maxLineBytes)
			return t, nil, nil, false, false
		}
		t = t.replace(at, end, val, p)
		if !pp.charge(p, len(t.s)) {
			return t, nil, nil, false, false
		}
		changed = true
		if strings.HasPrefix(strings.TrimLeft(val, " \t"), "~") {
			break
		}
		i = at
	}
	return t, more, moreAt, changed, true
}

// predefined handles keepalived's predefined parameters that compute their
// value: ${_RANDOM [MIN [MAX]]} and ${_ENV VAR}, and the bare $_RANDOM and
// $_ENV, at t.s[at] == '$'. isPre is false when the text there is none of
// them, or when the configuration defined the name itself (it is then an
// ordinary parameter, which takes no arguments). Otherwise val replaces
// t.s[at:end] when replace is true; when it is false the reference is left
// as written and a diagnostic says why.
//
// Arguments follow the name after blanks inside the braces, as keepalived
// reads them: "${_RANDOM 1 10}". Text that cannot be arguments ("${_RANDOM-1}",
// quotes) or that holds another parameter ("${_RANDOM ${MIN}}", whose inner
// parameter is substituted first) is not a reference (yet), as reference
// also says.
func (pp *preproc) predefined(t text, at int) (val string, end int, replace, isPre bool) {
	s := t.s
	i := at + 1
	braces := i < len(s) && s[i] == '{'
	if braces {
		i++
	}
	j := i
	for j < len(s) && isNameChar(s[j]) {
		j++
	}
	name := s[i:j]
	if name != "_RANDOM" && name != "_ENV" {
		return "", 0, false, false
	}
	if _, user := pp.defs[name]; user {
		return "", 0, false, false
	}
	var args string
	if braces {
		k := strings.IndexByte(s[j:], '}')
		if k < 0 {
			return "", 0, false, false
		}
		args, end = s[j:j+k], j+k+1
		if args != "" && args[0] != ' ' || strings.ContainsAny(args, "${\"'\\") {
			return "", 0, false, false
		}
	} else {
		if j < len(s) && !strings.ContainsRune(" \t,)", rune(s[j])) {
			return "", 0, false, false
		}
		end = j
	}
	p, ref := t.pos(at), s[at:end]
	for k := 0; k < len(args); k++ {
		if c := args[k]; c != ' ' && !isNameChar(c) {
			pp.predefWarn(p, "%s: %q cannot be part of an argument; left as written", ref, string(c))
			return "", end, false, true
		}
	}
	if strings.HasSuffix(args, " ") {
		pp.predefWarn(p, "%s: blank before '}'; left as written", ref)
		return "", end, false, true
	}
	fields := strings.Fields(args)
	if name == "_ENV" {
		val, replace = pp.env(p, ref, fields)
	} else {
		val, replace = pp.randomValue(p, ref, fields)
	}
	return val, end, replace, true
}

// randomValue computes ${_RANDOM [MIN [MAX]]}: an integer in [MIN, MAX],
// 0 and 32767 by default. Arguments past MAX are ignored with a warning,
// as keepalived does; other bad arguments leave the reference as written.
func (pp *preproc) randomValue(p Pos, ref string, args []string) (string, bool) {
	bounds := []int64{randomMinDefault, randomMaxDefault}
	for k, a := range args {
		if k >= len(bounds) {
			pp.predefWarn(p, "%s: takes at most MIN and MAX; %s ignored", ref, strings.Join(args[k:], " "))
			break
		}
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || strings.TrimLeft(a, "0123456789") != "" {
			what := "a non-negative decimal integer"
			if err != nil && strings.TrimLeft(a, "0123456789") == "" {
				what = sprintf("at most %d", int64(math.MaxInt64))
			}
			pp.predefWarn(p, "%s: %s must be %s; left as written", ref, [...]string{"MIN", "MAX"}[k], what)
			return "", false
		}
		bounds[k] = n
	}
	lo, hi := bounds[0], bounds[1]
	if lo > hi {
		if !pp.reported[p] {
			pp.reported[p] = true
			pp.errf(p, "%s: MIN %d is greater than MAX %d; left as written", ref, lo, hi)
		}
		return "", false
	}
	return strconv.FormatInt(lo+int64(pp.random(uint64(hi-lo)+1)), 10), true
}

// env computes ${_ENV VAR}: the value of environment variable VAR. An unset
// variable gives an empty value, with a warning.
func (pp *preproc) env(p Pos, ref string, args []string) (string, bool) {
	switch len(args) {
	case 0:
		pp.predefWarn(p, "%s: needs the name of an environment variable, as ${_ENV NAME}; left as written", ref)
		return "", false
	case 1:
	default:
		pp.predefWarn(p, "%s: takes one environment variable name; left as written", ref)
		return "", false
	}
	v, ok := pp.getenv(args[0])
	if !ok {
		pp.predefWarn(p, "%s: environment variable %s is not set; replaced by an empty value", ref, args[0])
	}
	return v, true
}

// predefWarn reports a problem with a predefined parameter once for each
// place: a line is rescanned after every substitution, and a generator
// repeats its text.
func (pp *preproc) predefWarn(p Pos, format string, args ...any) {
	if pp.reported[p] {
		return
	}
	pp.reported[p] = true
	pp.warnf(p, format, args...)
}

// setDir records the directory of the file being read, for ${_PWD}.
func (pp *preproc) setDir(file string) {
	if d, err := filepath.Abs(filepath.Dir(file)); err == nil {
		pp.dir = d
	} else {
		pp.dir = filepath.Dir(file)
	}
}
