package config

import (
	"path/filepath"
	"strings"
)

// Limits that keep hostile or mistaken input from exploding. They are far
// above anything a real configuration needs.
const (
	maxLineBytes        = 64 << 10 // one line after parameter substitution
	maxSubstPerLine     = 256      // parameter substitutions on one line
	maxExpansionDepth   = 64       // nested multi-line parameters and generators
	defaultMaxExpansion = 64 << 20 // bytes produced by substitution and generators
	minLineCharge       = 32       // what one generated line costs at least
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
	defs     map[string]*def
	open     *def // multi-line definition being read
	dir      string
	spent    int // bytes of expansion so far
	budget   int
	limitHit bool
	diags    []Diagnostic
	emit     func(t text, skip bool)
}

func (pp *preproc) errf(p Pos, format string, args ...any) {
	pp.diags = append(pp.diags, Diagnostic{Pos: p, Severity: SeverityError, Msg: sprintf(format, args...)})
}

func (pp *preproc) warnf(p Pos, format string, args ...any) {
	pp.diags = append(pp.diags, Diagnostic{Pos: p, Severity: SeverityWarning, Msg: sprintf(format, args...)})
}

// physical handles one line as read from a file.
func (pp *preproc) physical(raw text) {
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

// charge spends n bytes of the expansion budget; once it is exhausted one
// error is reported and every later expansion is dropped.
func (pp *preproc) charge(at Pos, n int) bool {
	if pp.limitHit {
		return false
	}
	pp.spent += n
	if pp.spent > pp.budget {
		pp.limitHit = true
		pp.errf(at, "parameters and generators expand to more than %d bytes; expansion stopped", pp.budget)
		return false
	}
	return true
}

// countLine charges one generated line against the expansion budget.
func (pp *preproc) countLine(at Pos) bool { return pp.charge(at, minLineCharge) }

// line processes one logical line at expansion depth depth.
func (pp *preproc) line(t text, depth int) {
	if depth > maxExpansionDepth {
		if !pp.limitHit {
			pp.limitHit = true // one error, then no more expansion
			pp.errf(t.pos(0), "parameter or generator expansion nested more than %d deep", maxExpansionDepth)
		}
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
// ${_PWD}, ${_INSTANCE}, ${_HASH} and ${_BANG}.
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
// "$NAME" followed by a blank, ',', ')' or the end of the line.
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
		name, end, isRef := reference(t.s, at)
		var d *def
		if isRef {
			d, isRef = pp.lookup(name)
		}
		if !isRef || d.multiline && end != len(t.s) {
			i = at + 1
			continue
		}
		p := t.pos(at)
		if count++; count > maxSubstPerLine {
			pp.errf(p, "more than %d parameter substitutions on one line (recursive definition of $%s?)", maxSubstPerLine, name)
			return t, nil, nil, false, false
		}
		val := d.value
		if d.multiline {
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

// setDir records the directory of the file being read, for ${_PWD}.
func (pp *preproc) setDir(file string) {
	if d, err := filepath.Abs(filepath.Dir(file)); err == nil {
		pp.dir = d
	} else {
		pp.dir = filepath.Dir(file)
	}
}
