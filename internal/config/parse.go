package config

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"
)

// Options control how ParseFile and ParseBytes read a configuration.
type Options struct {
	// ConfigID selects @id lines (keepalived's -i/--config-id). Empty means
	// the short host name, as keepalived does.
	ConfigID string
	// ReadFile reads a file; nil means os.ReadFile.
	ReadFile func(name string) ([]byte, error)
	// Glob expands an include pattern (braces are already expanded); nil
	// means filepath.Glob.
	Glob func(pattern string) ([]string, error)
	// Stat describes a file, so that oversized files are refused before
	// they are read and directories matched by an include are skipped. Nil
	// means os.Stat, unless ReadFile is set, in which case sizes are checked
	// after reading.
	Stat func(name string) (fs.FileInfo, error)
	// MaxExpansion bounds, in bytes, the text that parameter substitution,
	// multi-line parameters and ~SEQ/~LST generators may produce in total
	// (each generated line counts at least 32 bytes); 0 means 64 MiB.
	MaxExpansion int
	// Random returns a uniformly random integer in [0, n) for
	// ${_RANDOM [MIN [MAX]]}; n is at least 1. Nil means math/rand/v2.
	Random func(n uint64) uint64
	// LookupEnv reads an environment variable for ${_ENV NAME}; nil means
	// os.LookupEnv.
	LookupEnv func(name string) (string, bool)
	// InterfaceExists, when set, makes Load check, as keepalived's config
	// test does, that the interfaces the configuration names exist. Nil
	// means no check (the daemon copes with interfaces that come later).
	InterfaceExists func(name string) bool
}

// configID returns the id that @id lines are compared with.
func (o *Options) configID() string {
	if o.ConfigID != "" {
		return o.ConfigID
	}
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	if i := strings.IndexByte(h, '.'); i >= 0 {
		h = h[:i]
	}
	return h
}

// ParseFile reads the keepalived.conf at path, with everything it includes,
// and returns its statements as a tree. All problems found are returned as
// positioned diagnostics; parsing carries on after each one, so the tree is
// as complete as the input allows.
func ParseFile(path string, opts Options) ([]*Node, []Diagnostic) {
	p := newParser(&opts)
	src, err := p.readChecked(path)
	if err != nil {
		p.pp.errf(Pos{File: path}, "read configuration: %v", err)
		return nil, p.pp.diags
	}
	return p.parse(path, src)
}

// ParseBytes parses src as a keepalived.conf named name (used in positions
// and to resolve relative includes).
func ParseBytes(name string, src []byte, opts Options) ([]*Node, []Diagnostic) {
	return newParser(&opts).parse(name, src)
}

// logical is one line after preprocessing, split into tokens.
type logical struct {
	toks []ptok
	skip bool // an @id line for another configuration id
}

// parser drives the preprocessor over files and builds the tree.
type parser struct {
	opts    *Options
	pp      *preproc
	files   []string // include stack, outermost first
	lines   []logical
	chunk   []ptok // backing store for the tokens of lines, filled in order
	scratch []ptok // tokens of the line being read
}

// store copies toks into the current chunk, so that lines share a few large
// allocations instead of one small one each.
func (p *parser) store(toks []ptok) []ptok {
	if cap(p.chunk)-len(p.chunk) < len(toks) {
		p.chunk = make([]ptok, 0, max(4096, len(toks)))
	}
	n := len(p.chunk)
	p.chunk = append(p.chunk, toks...)
	return p.chunk[n:len(p.chunk):len(p.chunk)]
}

func newParser(opts *Options) *parser {
	p := &parser{opts: opts}
	budget := opts.MaxExpansion
	if budget <= 0 {
		budget = defaultMaxExpansion
	}
	p.pp = &preproc{configID: opts.configID(), defs: map[string]*def{}, budget: budget,
		random: opts.Random, getenv: opts.LookupEnv, reported: map[Pos]bool{}}
	if p.pp.random == nil {
		p.pp.random = rand.Uint64N
	}
	if p.pp.getenv == nil {
		p.pp.getenv = os.LookupEnv
	}
	p.pp.emit = p.emit
	return p
}

func (p *parser) parse(name string, src []byte) ([]*Node, []Diagnostic) {
	if d := checkContent(name, src); d != nil {
		return nil, []Diagnostic{*d}
	}
	p.readFile(name, src)
	nodes := p.build()
	return nodes, p.pp.diags
}

// readFile feeds the lines of one file to the preprocessor.
func (p *parser) readFile(name string, src []byte) {
	p.files = append(p.files, name)
	prevDir := p.pp.dir
	p.pp.setDir(name)
	s := string(src)
	for n := 1; s != ""; n++ {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		line = strings.TrimRight(line, "\r")
		p.pp.physical(sourceText(line, Pos{File: name, Line: n, Col: 1}))
	}
	p.pp.endFile()
	p.pp.dir = prevDir
	p.files = p.files[:len(p.files)-1]
}

// emit receives a logical line from the preprocessor.
func (p *parser) emit(t text, skip bool) {
	if !skip && strings.HasPrefix(t.s, "include") {
		words := tokenize(nil, t, false, func(Pos, string, ...any) {})
		if _, ok := includeKeywords[words[0].Text]; ok && len(words) == 2 {
			p.include(words[0].Token, words[1].Token)
			return
		}
	}
	p.scratch = tokenize(p.scratch[:0], t, true, p.pp.errf)
	if len(p.scratch) == 0 {
		return
	}
	toks := p.store(p.scratch)
	if skip {
		// keepalived drops just this line. When it opens a block we drop
		// the block as well; a line whose braces close outer blocks is
		// dropped alone, so the outer blocks stay balanced.
		bal := 0
		for _, tk := range toks {
			switch tk.kind {
			case tokOpen:
				bal++
			case tokClose:
				bal--
			}
			if bal < 0 {
				return
			}
		}
		p.lines = append(p.lines, logical{toks: toks, skip: true})
		p.pp.trackBlocks(toks, true)
		return
	}
	p.lines = append(p.lines, logical{toks: toks})
	p.pp.trackBlocks(toks, false)
}
