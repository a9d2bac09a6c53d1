package config

import (
	"sort"
	"strings"
)

// span maps a run of bytes of a text back to where they were written.
type span struct {
	off   int  // first byte of the run in text.s
	pos   Pos  // position of that byte
	fixed bool // every byte of the run has pos (text produced by substitution)
}

// text is one line of configuration text that remembers the source position
// of every byte, so that words produced by trimming, comment removal and
// parameter substitution still point at what the user wrote. Most lines
// have a single span, kept in one without allocating.
type text struct {
	s     string
	one   span   // the only span, when spans is nil
	spans []span // sorted by off, spans[0].off == 0; nil when one applies
}

// sourceText is text read verbatim from a file at pos.
func sourceText(s string, pos Pos) text {
	return text{s: s, one: span{off: 0, pos: pos}}
}

// fixedText is text produced by substitution: every byte reports at.
func fixedText(s string, at Pos) text {
	return text{s: s, one: span{off: 0, pos: at, fixed: true}}
}

// spanAt returns the span holding byte i and its index (-1 for one).
func (t text) spanAt(i int) (span, int) {
	if t.spans == nil {
		return t.one, -1
	}
	k := sort.Search(len(t.spans), func(j int) bool { return t.spans[j].off > i }) - 1
	if k < 0 {
		k = 0
	}
	return t.spans[k], k
}

// pos returns the source position of byte i; i == len(s) gives the position
// just after the last byte.
func (t text) pos(i int) Pos {
	sp, _ := t.spanAt(i)
	if sp.fixed {
		return sp.pos
	}
	p := sp.pos
	p.Col += i - sp.off
	return p
}

// slice returns t.s[i:j] with its positions.
func (t text) slice(i, j int) text {
	if i == 0 && j == len(t.s) {
		return t
	}
	first, k := t.spanAt(i)
	if !first.fixed {
		first.pos.Col += i - first.off
	}
	first.off = 0
	out := text{s: t.s[i:j], one: first}
	if k < 0 {
		return out
	}
	for _, sp := range t.spans[k+1:] {
		if sp.off >= j {
			break
		}
		if out.spans == nil {
			out.spans = []span{first}
		}
		sp.off -= i
		out.spans = append(out.spans, sp)
	}
	return out
}

// list returns t's spans as a slice.
func (t text) list() []span {
	if t.spans == nil {
		return []span{t.one}
	}
	return t.spans
}

// concat joins texts, keeping every byte's position.
func concat(parts ...text) text {
	if len(parts) == 1 {
		return parts[0]
	}
	n := 0
	for _, p := range parts {
		n += len(p.s)
	}
	var b strings.Builder
	b.Grow(n)
	var spans []span
	for _, p := range parts {
		if p.s == "" {
			continue
		}
		off := b.Len()
		for _, sp := range p.list() {
			sp.off += off
			if n := len(spans); n > 0 && continues(spans[n-1], sp) {
				continue
			}
			spans = append(spans, sp)
		}
		b.WriteString(p.s)
	}
	out := text{s: b.String()}
	switch len(spans) {
	case 0:
	case 1:
		out.one = spans[0]
	default:
		out.spans = spans
	}
	return out
}

// continues reports whether sp adds nothing to prev: both are substituted
// text from one place, or sp is the source text that follows prev's.
func continues(prev, sp span) bool {
	if prev.fixed != sp.fixed || prev.pos.Line != sp.pos.Line || prev.pos.File != sp.pos.File {
		return false
	}
	if sp.fixed {
		return prev.pos.Col == sp.pos.Col
	}
	return prev.pos.Col+(sp.off-prev.off) == sp.pos.Col
}

// replace returns t with t.s[i:j] replaced by val, whose bytes all report at.
func (t text) replace(i, j int, val string, at Pos) text {
	return concat(t.slice(0, i), fixedText(val, at), t.slice(j, len(t.s)))
}

// isBlank reports the characters keepalived strips around lines and words.
func isBlank(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n'
}

// trimBlank removes leading and trailing blanks.
func (t text) trimBlank() text {
	i, j := 0, len(t.s)
	for i < j && isBlank(t.s[i]) {
		i++
	}
	for j > i && isBlank(t.s[j-1]) {
		j--
	}
	return t.slice(i, j)
}

// closingQuote returns the index of the quote q that closes the quoted
// string opened at s[open], honouring backslash escapes, or -1.
func closingQuote(s string, open int, q byte) int {
	for i := open + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			return i
		}
	}
	return -1
}

// decomment strips a physical line the way keepalived does before anything
// else looks at it: leading and trailing blanks go, a '!' or '#' outside
// quotes starts a comment, "\!" and "\#" outside quotes are literal '!' and
// '#'. A single quote only quotes when it is closed on the same line (so that
// "it's" stays a word). cont reports a trailing backslash, which continues a
// multi-line parameter definition; the backslash stays in the text. unterm is
// the position of a double quote that is never closed, or the zero Pos.
func decomment(t text) (out text, cont bool, unterm Pos) {
	t = t.trimBlank()
	s := t.s
	var quote byte
	var partsBuf [4]text
	parts := partsBuf[:0]
	start := 0
	end := len(s)
scan:
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				cont = true
				break scan
			}
			if quote == 0 && (s[i+1] == '#' || s[i+1] == '!') {
				parts = append(parts, t.slice(start, i))
				start = i + 1
			}
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"':
			if closingQuote(s, i, '"') < 0 {
				unterm = t.pos(i)
				break scan
			}
			quote = c
		case c == '\'':
			if closingQuote(s, i, '\'') >= 0 {
				quote = c
			}
		case c == '!' || c == '#':
			end = i
			break scan
		}
	}
	parts = append(parts, t.slice(start, end))
	out = concat(parts...).trimBlank()
	if cont && !strings.HasSuffix(out.s, "\\") {
		cont = false // the backslash was inside a comment
	}
	return out, cont, unterm
}

// tokKind tells words from the structural braces.
type tokKind uint8

const (
	tokWord  tokKind = iota
	tokOpen          // an unquoted '{'
	tokClose         // an unquoted '}'
)

// ptok is a token as the block parser sees it.
type ptok struct {
	Token
	kind tokKind
}

// tokenize splits a processed line into words and braces. Quoted parts of a
// word ("..." or '...') keep their blanks and braces and have keepalived's
// escapes resolved; an unquoted '{' or '}' is always a token of its own.
// Outside quotes a backslash keeps itself and the next byte literally.
//
// With braces false, '{' and '}' are ordinary characters: include lines are
// recognised that way, before braces split lines, as keepalived does.
//
// Tokens are appended to toks, which is returned.
func tokenize(toks []ptok, t text, braces bool, errf func(Pos, string, ...any)) []ptok {
	s := t.s
	i := 0
	for i < len(s) {
		c := s[i]
		if isBlank(c) {
			i++
			continue
		}
		if braces && (c == '{' || c == '}') {
			k := tokOpen
			if c == '}' {
				k = tokClose
			}
			toks = append(toks, ptok{Token: Token{Text: s[i : i+1], Pos: t.pos(i)}, kind: k})
			i++
			continue
		}
		start := i
		j := i
		for j < len(s) && !isBlank(s[j]) && !(braces && (s[j] == '{' || s[j] == '}')) && strings.IndexByte("\"'\\$", s[j]) < 0 {
			j++
		}
		if j == len(s) || isBlank(s[j]) || s[j] == '{' || s[j] == '}' {
			// A plain word: no quotes, escapes or parameters to resolve.
			toks = append(toks, ptok{Token: Token{Text: s[start:j], Pos: t.pos(start)}})
			i = j
			continue
		}
		var b strings.Builder
		quoted := false
	word:
		for i < len(s) {
			c := s[i]
			switch {
			case c == '$' && i+1 < len(s) && s[i+1] == '{':
				// An undefined ${NAME} stays one word, as written.
				if _, end, ok := reference(s, i); ok {
					b.WriteString(s[i:end])
					i = end
				} else {
					b.WriteByte(c)
					i++
				}
			case isBlank(c) || braces && (c == '{' || c == '}'):
				break word
			case c == '\\':
				b.WriteByte(c)
				if i+1 < len(s) {
					b.WriteByte(s[i+1])
				}
				i += 2
			case c == '"' || c == '\'':
				end := closingQuote(s, i, c)
				if end < 0 {
					if c == '"' {
						errf(t.pos(i), "unterminated quoted string")
						end = len(s)
					} else {
						b.WriteByte(c)
						i++
						continue
					}
				}
				unescape(&b, s[i+1:end])
				quoted = true
				i = end + 1
			default:
				b.WriteByte(c)
				i++
			}
		}
		toks = append(toks, ptok{Token: Token{Text: b.String(), Pos: t.pos(start), Quoted: quoted}})
	}
	return toks
}

// unescape writes s with keepalived's quoted-string escapes resolved: \a \b
// \E \f \n \r \t \v, \nnn (up to three octal digits), \xXX (up to two hex
// digits), \cC (control-C), and \C for any other C is C itself.
func unescape(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		c = s[i]
		switch {
		case c == 'x' && i+1 < len(s) && isHex(s[i+1]):
			v := 0
			for n := 0; n < 2 && i+1 < len(s) && isHex(s[i+1]); n++ {
				i++
				v = v<<4 | hexVal(s[i])
			}
			b.WriteByte(byte(v))
		case c == 'c' && i+1 < len(s):
			i++
			b.WriteByte(s[i] & 0x1f)
		case c >= '0' && c <= '7':
			v := int(c - '0')
			for n := 0; n < 2 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; n++ {
				i++
				v = v<<3 | int(s[i]-'0')
			}
			b.WriteByte(byte(v))
		default:
			b.WriteByte(simpleEscape(c))
		}
	}
}

func simpleEscape(c byte) byte {
	switch c {
	case 'a':
		return '\a'
	case 'b':
		return '\b'
	case 'E':
		return 0x1b
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'v':
		return '\v'
	}
	return c
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}
