package config

// builder turns logical lines of tokens into the statement tree. A
// statement is a keyword and the words after it on its line; a '{' on the
// same line, or first on the next line, opens its block; the block ends at
// the matching '}', wherever it sits. Text after a '}' on the same line
// starts new statements, as keepalived splits lines at braces.
type builder struct {
	lines  []logical
	li, ti int
	errf   func(Pos, string, ...any)
}

func (p *parser) build() []*Node {
	b := &builder{lines: p.lines, errf: p.pp.errf}
	nodes, _, _ := b.block(0)
	return nodes
}

// peek returns the next token, moving past finished lines.
func (b *builder) peek() (ptok, bool) {
	for b.li < len(b.lines) {
		if b.ti < len(b.lines[b.li].toks) {
			return b.lines[b.li].toks[b.ti], true
		}
		b.li++
		b.ti = 0
	}
	return ptok{}, false
}

func (b *builder) advance() { b.ti++ }

// block reads statements until the '}' that closes a block at depth, or
// the end of input (closed is false then).
func (b *builder) block(depth int) (nodes []*Node, end Pos, closed bool) {
	for {
		tk, ok := b.peek()
		if !ok {
			return nodes, Pos{}, false
		}
		skip := b.lines[b.li].skip
		switch tk.kind {
		case tokClose:
			b.advance()
			if depth > 0 {
				return nodes, tk.Pos, true
			}
			b.errf(tk.Pos, "unexpected '}': no block is open")
		case tokOpen:
			b.advance()
			if !skip {
				b.errf(tk.Pos, "unexpected '{': a block must follow a keyword")
			}
			kids, _, closed := b.block(depth + 1)
			if !closed {
				b.errf(tk.Pos, "missing '}' for this '{'")
			}
			if !skip {
				nodes = append(nodes, kids...)
			}
		default:
			if n, skip := b.statement(depth); !skip {
				nodes = append(nodes, n)
			}
		}
	}
}

// statement reads one keyword, its arguments and its block.
func (b *builder) statement(depth int) (n *Node, skip bool) {
	li := b.li
	line := b.lines[li]
	kw := line.toks[b.ti]
	b.advance()
	n = &Node{Keyword: kw.Token}
	words := 0
	for k := b.ti; k < len(line.toks) && line.toks[k].kind == tokWord; k++ {
		words++
	}
	if words > 0 {
		n.Args = make([]Token, 0, words)
	}
	for b.ti < len(line.toks) && line.toks[b.ti].kind == tokWord {
		n.Args = append(n.Args, line.toks[b.ti].Token)
		b.advance()
	}
	var open ptok
	switch {
	case b.ti < len(line.toks) && line.toks[b.ti].kind == tokOpen:
		open = line.toks[b.ti]
		b.advance()
	case b.ti == len(line.toks) && li+1 < len(b.lines) &&
		(line.skip || !b.lines[li+1].skip) && b.lines[li+1].toks[0].kind == tokOpen:
		b.li, b.ti = li+1, 0
		open = b.lines[b.li].toks[0]
		b.advance()
	default:
		return n, line.skip
	}
	n.Block = true
	kids, end, closed := b.block(depth + 1)
	n.Children, n.End = kids, end
	if !closed {
		b.errf(open.Pos, "missing '}' for the block of %q opened here", kw.Text)
	}
	return n, line.skip
}
