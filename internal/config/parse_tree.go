package config

// builder turns logical lines of tokens into the statement tree. A
// statement is a keyword and the words after it on its line; a '{' on the
// same line, or first on the next line, opens its block; the block ends at
// the matching '}', wherever it sits. Text after a '}' on the same line
// starts new statements, as keepalived splits lines at braces. As in
// keepalived, a keyword that owns a block there (block_grammar.go) takes
// the lines after it as its block even without the '{', and a '{' where no
// block may start is ignored, so the '}' meant for it closes the block it
// sits in.
//
// Blocks nest at most maxBlockDepth deep: a deeper block is reported once
// and skipped whole, without recursion, so that no input can exhaust the
// stack.
type builder struct {
	lines   []logical
	li, ti  int
	errf    func(Pos, string, ...any)
	quietf  func(Pos, string, ...any) // a note that, as in keepalived, fails no test
	halted  bool                      // reading stopped early: unclosed blocks are not news
	tooDeep bool                      // the nesting error was reported
	stopped bool                      // keepalived would stop reading (see parsed.stopped)
	extra   map[Pos]bool              // '}'s reported by extraCloses
	inside  map[[2]int]bool           // tokens (line, index) read inside a block keepalived knows
}

func (p *parser) build() []*Node {
	b := &builder{lines: p.lines, errf: p.pp.errf, quietf: p.pp.quietf, halted: p.pp.halted}
	b.extra = extraCloses(p.lines, p.pp.errf)
	if at, ok := checkerStops(p.lines); ok {
		p.pp.errf(at, "keepalived's checker process reads this line outside its block, as a track_file without a name, and stops (exit 2): a '{' or '}' before it is missing or extra")
		p.stopped = true
	}
	foreign := foreignTop(p.lines)
	toks := make([]Token, len(foreign))
	for i, at := range foreign {
		toks[i] = p.lines[at[0]].toks[at[1]].Token
	}
	p.lines, p.chunk = nil, nil
	b.inside = map[[2]int]bool{}
	nodes, _, _ := b.block(0, "")
	p.stopped = p.stopped || b.stopped
	for i, at := range foreign {
		if tk := toks[i]; b.inside[at] && !b.extra[tk.Pos] {
			b.errf(tk.Pos, "keepalived's processes that do not own the enclosing block read %q here as a top-level line, and report it: a '{' or '}' before it is missing or extra", tk.Text)
		}
	}
	return nodes
}

// peek returns the next token, moving past finished lines; a finished
// line is dropped, so its tokens can be collected while the tree grows.
func (b *builder) peek() (ptok, bool) {
	for b.li < len(b.lines) {
		if b.ti < len(b.lines[b.li].toks) {
			return b.lines[b.li].toks[b.ti], true
		}
		b.lines[b.li] = logical{}
		b.li++
		b.ti = 0
	}
	return ptok{}, false
}

// missing reports a block left open at the end of the input.
func (b *builder) missing(p Pos, format string, args ...any) {
	if !b.halted {
		b.errf(p, format, args...)
	}
}

// enter reports whether a block opened at open may be read at depth;
// when it is too deep, it reports that once and skips the block.
func (b *builder) enter(open Pos, depth int) bool {
	if depth <= maxBlockDepth {
		return true
	}
	if !b.tooDeep {
		b.tooDeep = true
		b.errf(open, "blocks nested more than %d deep; this block is ignored", maxBlockDepth)
	}
	level := 1
	for level > 0 {
		tk, ok := b.peek()
		if !ok {
			b.missing(open, "missing '}' for this '{'")
			return false
		}
		b.advance()
		switch tk.kind {
		case tokOpen:
			level++
		case tokClose:
			level--
		}
	}
	return false
}

func (b *builder) advance() { b.ti++ }

// block reads statements until the '}' that closes a block at depth, or
// the end of input (closed is false then). ctx is the keyword whose block
// this is, as keepalived reads it ("" at the top level).
func (b *builder) block(depth int, ctx string) (nodes []*Node, end Pos, closed bool) {
	for {
		tk, ok := b.peek()
		if !ok {
			return nodes, Pos{}, false
		}
		skip := b.lines[b.li].skip
		if ctx != "" && b.inside != nil {
			b.inside[[2]int{b.li, b.ti}] = true
		}
		switch tk.kind {
		case tokClose:
			b.advance()
			if depth > 0 {
				return nodes, tk.Pos, true
			}
			if !b.extra[tk.Pos] {
				b.errf(tk.Pos, "unexpected '}': no block is open")
			}
		case tokOpen:
			b.advance()
			if !skip {
				// keepalived ignores it; the '}' written for it closes
				// this block.
				b.errf(tk.Pos, "unexpected '{': a block must follow a keyword; ignored, so the next '}' closes the enclosing block")
				continue
			}
			if !b.enter(tk.Pos, depth+1) {
				continue
			}
			// A block opened by a line for another config id goes with it.
			if _, _, closed := b.block(depth+1, ctx); !closed {
				b.missing(tk.Pos, "missing '}' for this '{'")
			}
		default:
			if n, skip := b.statement(depth, ctx); !skip {
				nodes = append(nodes, n)
			}
		}
	}
}

// statement reads one keyword, its arguments and its block.
func (b *builder) statement(depth int, ctx string) (n *Node, skip bool) {
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
		(line.skip || !b.lines[li+1].skip) && b.lines[li+1].toks[0].kind == tokOpen &&
		(line.skip || blockOf(ctx, kw.Text) != noBlock):
		// A '{' first on the next line opens the block of a keyword
		// that owns one; after any other keyword keepalived ignores it
		// (block, below, reports it).
		b.li, b.ti = li+1, 0
		open = b.lines[b.li].toks[0]
		b.advance()
	default:
		kind := blockOf(ctx, kw.Text)
		next, ok := b.peek()
		if line.skip || kind == noBlock || !ok || b.lines[b.li].skip {
			return n, line.skip
		}
		// keepalived reads the lines that follow as the block all the same.
		if kw.Text == "virtual_server_group" {
			// keepalived's handler then reads a line that is not there.
			b.errf(next.Pos, "missing '{' at the beginning of the block of %q on line %d (keepalived stops here: a parameter is missing)", kw.Text, kw.Pos.Line)
			b.stopped = true
		} else if kind == subBlock {
			b.errf(next.Pos, "missing '{' at the beginning of the block of %q on line %d; these lines are read as its block", kw.Text, kw.Pos.Line)
		} else {
			b.quietf(next.Pos, "missing '{' at the beginning of the block of %q on line %d; these lines are read as its block", kw.Text, kw.Pos.Line)
		}
		open = ptok{Token: Token{Text: "{", Pos: kw.Pos}, kind: tokOpen}
	}
	n.Block = true
	if !b.enter(open.Pos, depth+1) {
		return n, line.skip
	}
	if blockOf(ctx, kw.Text) != noBlock {
		ctx = kw.Text
	}
	kids, end, closed := b.block(depth+1, ctx)
	n.Children, n.End = kids, end
	if !closed {
		b.missing(open.Pos, "missing '}' for the block of %q opened here", kw.Text)
	}
	return n, line.skip
}
