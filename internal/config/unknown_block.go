package config

import "slices"

// keepalived reads a block it does not know in a way that changes how the
// rest of the file is read: it ignores the '{' after an unknown keyword,
// reads the lines inside as lines of the enclosing block, and takes the
// unknown block's '}' as the end of the enclosing block, so what follows
// is read one level up (at the top level, a '}' is one more unknown
// keyword). A misspelt `virtual_ipadress { ... }` inside a vrrp_instance
// thus ends the instance early. The loader reads the tree the same way,
// so that the model is what keepalived would run and every line keepalived
// complains about is reported.

// blocks is the loader's state for this.
type blocks struct {
	depth   int            // dispatch nesting; 1 is the top level
	closers map[*Node]bool // stand-ins for the '}' of an unknown block
	spill   []*Node        // lines pushed out of the block being read
}

// closer returns a stand-in for a '}' written at pos.
func (l *loader) closer(pos Pos) []*Node {
	if pos.Line == 0 {
		return nil // an unterminated block, already reported
	}
	c := &Node{Keyword: Token{Text: "}", Pos: pos}}
	if l.closers == nil {
		l.closers = map[*Node]bool{}
	}
	l.closers[c] = true
	return []*Node{c}
}

// unknownBlock splices the body of the unknown keyword nodes[i], and a
// stand-in for its '}', into the block being read.
func (l *loader) unknownBlock(nodes []*Node, i int) []*Node {
	n := nodes[i]
	if !n.Block {
		return nodes
	}
	if l.depth > 1 {
		l.hintf("keepalived ignores the '{' of an unknown keyword: the lines inside belong to the enclosing block, and the '}' on line %d ends that block", n.End.Line)
	} else {
		l.hintf("keepalived ignores the '{' of an unknown keyword: the lines inside are read as top-level lines, and the '}' on line %d is one too many", n.End.Line)
	}
	return slices.Concat(nodes[:i+1], n.Children, l.closer(n.End), nodes[i+1:])
}

// closeAt handles the stand-in '}' nodes[i]: it ends the block being read,
// and what follows it is read by the enclosing one; at the top level it is
// reported, as keepalived reports it, and skipped. It says whether the
// block ended.
func (l *loader) closeAt(nodes []*Node, i int) bool {
	if l.depth > 1 {
		l.spill = slices.Clone(nodes[i+1:])
		return true
	}
	l.warnf(nodes[i].Keyword.Pos, "unexpected '}': no block is open")
	return false
}

// takeSpill splices in, after nodes[i] whose handler just ran, the lines
// an unknown block pushed out of nodes[i]'s block, then a stand-in for
// nodes[i]'s own '}', which now closes this block.
func (l *loader) takeSpill(nodes []*Node, i int) []*Node {
	if l.spill == nil {
		return nodes
	}
	sp := l.spill
	l.spill = nil
	return slices.Concat(nodes[:i+1], sp, l.closer(nodes[i].End), nodes[i+1:])
}
