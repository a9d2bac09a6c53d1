package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// genHeader splits "~SEQ(args) rest" or "~LST(args) rest" into the text
// between the parentheses (parameters substituted) and the rest of the line.
// For ~LST the closing parenthesis is the first one outside {...}.
func (pp *preproc) genHeader(t text, skip int, what string) (args string, rest text, ok bool) {
	s := t.s
	i := skip
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i >= len(s) || s[i] != '(' {
		pp.errf(t.pos(0), "invalid %s: want %s(...)", what, what)
		return "", text{}, false
	}
	depth, end := 0, -1
	for j := i + 1; j < len(s) && end < 0; j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
		case ')':
			if depth <= 0 {
				end = j
			}
		}
	}
	if end < 0 {
		pp.errf(t.pos(0), "invalid %s: missing ')'", what)
		return "", text{}, false
	}
	inner := t.slice(i+1, end)
	if strings.Contains(inner.s, "$") {
		sub, more, _, _, ok := pp.substitute(inner)
		if !ok {
			return "", text{}, false
		}
		if len(more) > 0 {
			pp.errf(t.pos(0), "invalid %s: a multi-line parameter cannot be used in its arguments", what)
			return "", text{}, false
		}
		inner = sub
	}
	return inner.s, t.slice(end+1, len(s)).trimBlank(), true
}

// seq expands "~SEQ(var, start, step, end) rest" and its hexadecimal form
// ~SEQx: rest is processed once per value with $var set to it. start and
// step may be omitted as keepalived allows.
func (pp *preproc) seq(t text, depth int) {
	hex := strings.HasPrefix(t.s, "~SEQx")
	skip := 4
	if hex {
		skip = 5
	}
	what := t.s[:skip]
	args, rest, ok := pp.genHeader(t, skip, what)
	if !ok {
		return
	}
	parts := strings.Split(args, ",")
	name := strings.TrimSpace(parts[0])
	if !validName(name) || len(parts) < 2 || len(parts) > 4 {
		pp.errf(t.pos(0), "invalid %s(%s): want (var, [start,] [step,] end)", what, args)
		return
	}
	nums := make([]int64, 0, 3)
	for _, p := range parts[1:] {
		n, err := strconv.ParseInt(strings.TrimSpace(p), 0, 64)
		if err != nil || strings.Contains(p, "_") {
			pp.errf(t.pos(0), "invalid %s(%s): %q is not an integer", what, args, strings.TrimSpace(p))
			return
		}
		nums = append(nums, n)
	}
	var start, step, end int64
	switch len(nums) {
	case 1:
		end = nums[0]
		step, start = 1, 1
		if end < 1 {
			step = -1
		}
		if end < 0 {
			start = -1
		}
	case 2:
		start, end, step = nums[0], nums[1], 1
		if start > end {
			step = -1
		}
	case 3:
		start, step, end = nums[0], nums[1], nums[2]
		if step == 0 || start < end && step < 0 || start > end && step > 0 {
			pp.errf(t.pos(0), "invalid %s(%s): step %d never reaches %d from %d", what, args, step, end, start)
			return
		}
	}
	if hex && (start < 0 || end < 0) {
		pp.errf(t.pos(0), "invalid %s(%s): ~SEQx needs values that are not negative", what, args)
		return
	}
	for v := start; step > 0 && v <= end || step < 0 && v >= end; v += step {
		if !pp.countLine(t.pos(0)) {
			return
		}
		val := strconv.FormatInt(v, 10)
		if hex {
			val = strconv.FormatInt(v, 16)
		}
		pp.defs[name] = &def{value: val}
		pp.line(rest, depth+1)
		if step > 0 && v > math.MaxInt64-step || step < 0 && v < math.MinInt64-step {
			return
		}
	}
}

// lst expands "~LST(var, v1, v2, ...) rest" and
// "~LST({var1, var2}, {a1, a2}, {b1, b2}, ...) rest".
func (pp *preproc) lst(t text, depth int) {
	args, rest, ok := pp.genHeader(t, 4, "~LST")
	if !ok {
		return
	}
	items, ok := splitList(args)
	if !ok || len(items) < 2 {
		pp.errf(t.pos(0), "invalid ~LST(%s): want (var, value, ...) or ({var, ...}, {value, ...}, ...)", args)
		return
	}
	names := items[0]
	for _, n := range names {
		if !validName(n) {
			pp.errf(t.pos(0), "invalid ~LST(%s): %q is not a parameter name", args, n)
			return
		}
	}
	for _, vals := range items[1:] {
		if len(vals) != len(names) {
			pp.errf(t.pos(0), "invalid ~LST(%s): %d values for %d variables", args, len(vals), len(names))
			return
		}
	}
	for _, vals := range items[1:] {
		if !pp.countLine(t.pos(0)) {
			return
		}
		for k, n := range names {
			pp.defs[n] = &def{value: vals[k]}
		}
		pp.line(rest, depth+1)
	}
}

// splitList splits "a, {b, c}, d" into [[a] [b c] [d]].
func splitList(s string) ([][]string, bool) {
	var out [][]string
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var item []string
		if i < len(s) && s[i] == '{' {
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, false
			}
			for _, v := range strings.Split(s[i+1:i+end], ",") {
				item = append(item, strings.TrimSpace(v))
			}
			i += end + 1
			for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
				i++
			}
		} else {
			j := strings.IndexByte(s[i:], ',')
			if j < 0 {
				j = len(s) - i
			}
			v := strings.TrimSpace(s[i : i+j])
			if strings.ContainsAny(v, "{}") {
				return nil, false
			}
			item = []string{v}
			i += j
		}
		out = append(out, item)
		if i >= len(s) {
			return out, true
		}
		if s[i] != ',' {
			return nil, false
		}
		i++
	}
}

func validName(n string) bool {
	if n == "" || !isNameStart(n[0]) {
		return false
	}
	for i := 1; i < len(n); i++ {
		if !isNameChar(n[i]) {
			return false
		}
	}
	return true
}
