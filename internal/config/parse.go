package config

import (
	"bufio"
	"bytes"
	"errors"
	"io"
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
	// MaxInput bounds, in bytes, the text read from configuration files
	// in total, a file included twice counting twice (each line counts at
	// least 32 bytes, each file opened 8 KiB); 0 means 128 MiB. Past it
	// reading stops and the configuration is refused, so that include
	// "diamonds" and huge files end quickly.
	MaxInput int
	// Random returns a uniformly random integer in [0, n) for
	// ${_RANDOM [MIN [MAX]]}; n is at least 1. Nil means math/rand/v2.
	Random func(n uint64) uint64
	// LookupEnv reads an environment variable for ${_ENV NAME}; nil means
	// os.LookupEnv.
	LookupEnv func(name string) (string, bool)
	// Names resolves the iproute2 names (tables, protocols, realms, ...)
	// written in routes and rules; nil means a FileNames reading
	// /etc/iproute2 and /etc/protocols.
	Names Names
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
// positioned diagnostics (at most MaxDiagnostics of them, then a summary);
// parsing carries on after each one, so the tree is as complete as the
// input allows, unless a budget is exhausted (see Options), which stops
// reading with an error.
func ParseFile(path string, opts Options) ([]*Node, []Diagnostic) {
	return parseFile(path, opts).result()
}

// ParseBytes parses src as a keepalived.conf named name (used in positions
// and to resolve relative includes).
func ParseBytes(name string, src []byte, opts Options) ([]*Node, []Diagnostic) {
	return parseBytes(name, src, opts).result()
}

// parsed is what the syntax phase hands to the model phase.
type parsed struct {
	nodes  []*Node
	diags  []Diagnostic
	cap    diagCap
	halted bool // a budget stopped reading: the text is incomplete
	// stopped: keepalived would stop reading at a keyword missing its
	// parameter (exit 2), see stopf.
	stopped bool
}

// result returns the tree and the diagnostics with their summary.
func (r parsed) result() ([]*Node, []Diagnostic) {
	return r.nodes, r.cap.finish(r.diags)
}

func parseFile(path string, opts Options) parsed {
	p := newParser(&opts)
	r, err := p.openChecked(path)
	if err != nil {
		p.pp.errf(Pos{File: path}, "read configuration: %v", err)
		return p.parsed(nil)
	}
	defer r.Close()
	return p.parse(path, r)
}

func parseBytes(name string, src []byte, opts Options) parsed {
	return newParser(&opts).parse(name, bytes.NewReader(src))
}

func (p *parser) parsed(nodes []*Node) parsed {
	return parsed{nodes: nodes, diags: p.pp.diags, cap: p.pp.cap, halted: p.pp.halted, stopped: p.stopped}
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
	chunk   []ptok          // backing store for the tokens of lines, filled in order
	scratch []ptok          // tokens of the line being read
	words   int             // tokens kept so far, bounded by maxWords
	readers []*bufio.Reader // one per include depth, reused
	scan    []byte          // checkContent's buffer, reused
	stopped bool            // see parsed.stopped
}

// scanBuf returns the buffer files are checked in.
func (p *parser) scanBuf() []byte {
	if p.scan == nil {
		p.scan = make([]byte, 64<<10)
	}
	return p.scan
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
	input := opts.MaxInput
	if input <= 0 {
		input = defaultMaxInput
	}
	p.pp = &preproc{configID: opts.configID(), defs: map[string]*def{}, budget: budget,
		inputBudget: input, random: opts.Random, getenv: opts.LookupEnv, reported: map[Pos]bool{}}
	if p.pp.random == nil {
		p.pp.random = rand.Uint64N
	}
	if p.pp.getenv == nil {
		p.pp.getenv = os.LookupEnv
	}
	p.pp.emit = p.emit
	return p
}

func (p *parser) parse(name string, r io.ReadSeeker) parsed {
	if d, err := checkContent(name, r, p.scanBuf()); err != nil || d != nil {
		if err != nil {
			p.pp.errf(Pos{File: name}, "read configuration: %v", err)
		} else {
			p.pp.cap.add(&p.pp.diags, *d)
		}
		return p.parsed(nil)
	}
	p.readFile(name, r)
	return p.parsed(p.build())
}

// readFile feeds the lines of one file, read from r, to the
// preprocessor, a line at a time, so that a big file is never held in
// memory whole. A line longer than maxLineBytes is reported and skipped
// unread (keepalived skips lines over 1 KiB).
func (p *parser) readFile(name string, r io.Reader) {
	depth := len(p.files)
	p.files = append(p.files, name)
	prevDir := p.pp.dir
	p.pp.setDir(name)
	if depth == len(p.readers) {
		p.readers = append(p.readers, bufio.NewReaderSize(r, maxLineBytes+1))
	}
	br := p.readers[depth]
	br.Reset(r)
	for n := 1; !p.pp.halted; n++ {
		at := Pos{File: name, Line: n, Col: 1}
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			size := len(b)
			for errors.Is(err, bufio.ErrBufferFull) {
				b, err = br.ReadSlice('\n')
				size += len(b)
			}
			if !p.pp.chargeInput(at, size) {
				break
			}
			p.pp.errf(at, "line is longer than %d bytes; ignored", maxLineBytes)
		} else if len(b) > 0 {
			if !p.pp.chargeInput(at, len(b)) {
				break
			}
			line := bytes.TrimRight(bytes.TrimSuffix(b, []byte{'\n'}), "\r")
			p.pp.physical(sourceText(string(line), at))
		}
		if err != nil {
			if err != io.EOF {
				p.pp.errf(at, "read configuration: %v", err)
			}
			break
		}
	}
	p.pp.endFile()
	p.pp.dir = prevDir
	p.files = p.files[:len(p.files)-1]
}

// emit receives a logical line from the preprocessor.
func (p *parser) emit(t text, skip bool) {
	if p.pp.halted {
		return
	}
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
	if p.words += len(p.scratch); p.words > maxWords {
		p.pp.halt(p.scratch[0].Pos, "the configuration has more than %d words and braces", maxWords)
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
