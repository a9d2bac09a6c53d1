package config

import (
	"bufio"
	"io"
	"strings"
	"unicode/utf8"
)

// Dump writes nodes as keepalived.conf text, one statement per line and
// blocks indented by four spaces. Words that were quoted, or that would not
// read back as the same single word, are written in double quotes with
// keepalived escapes, so that ParseBytes of the output gives the same tree
// apart from positions.
func Dump(w io.Writer, nodes []*Node) error {
	bw := bufio.NewWriter(w)
	dumpNodes(bw, nodes, 0)
	return bw.Flush()
}

func dumpNodes(w *bufio.Writer, nodes []*Node, depth int) {
	for _, n := range nodes {
		indent(w, depth)
		kw := n.Keyword
		if _, ok := includeKeywords[kw.Text]; ok {
			kw.Quoted = true // bare, the line might be read as an include
		}
		writeWord(w, kw, true)
		for _, a := range n.Args {
			w.WriteByte(' ')
			writeWord(w, a, false)
		}
		if n.Block {
			w.WriteString(" {\n")
			dumpNodes(w, n.Children, depth+1)
			indent(w, depth)
			w.WriteByte('}')
		}
		w.WriteByte('\n')
	}
}

func indent(w *bufio.Writer, depth int) {
	for range depth {
		w.WriteString("    ")
	}
}

// writeWord writes t bare when that reads back as the same word, and in
// double quotes otherwise. first is set for the first word of a line, where
// '@' and '~' have meanings of their own.
func writeWord(w *bufio.Writer, t Token, first bool) {
	s := t.Text
	if !t.Quoted && !needsQuotes(s, first) {
		w.WriteString(s)
		return
	}
	w.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			w.WriteByte('\\')
			w.WriteByte(c)
		case c == '$':
			w.WriteString(`\x24`) // keeps parameter substitution away
		case c < 0x20 || c == 0x7f:
			writeHex(w, c)
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				writeHex(w, c)
			} else {
				w.WriteString(s[i : i+n])
			}
			i += n
			continue
		default:
			w.WriteByte(c)
		}
		i++
	}
	w.WriteByte('"')
}

func writeHex(w *bufio.Writer, c byte) {
	const digits = "0123456789abcdef"
	w.WriteString(`\x`)
	w.WriteByte(digits[c>>4])
	w.WriteByte(digits[c&0xf])
}

// needsQuotes reports whether s would not read back as one bare word.
func needsQuotes(s string, first bool) bool {
	if s == "" || !utf8.ValidString(s) {
		return true
	}
	if first && (s[0] == '@' || s[0] == '~') {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f || strings.IndexByte("\"'{}!#\\$", c) >= 0 {
			return true
		}
	}
	return false
}
