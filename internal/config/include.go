package config

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxFileSize is the largest configuration file ParseFile and ParseBytes
// read; anything bigger is refused with one error.
const MaxFileSize = 100 << 20

// maxIncludeDepth bounds nested includes even when a cycle hides behind
// different spellings of one path.
const maxIncludeDepth = 32

// maxBraceExpansions bounds the patterns one include's braces expand to.
const maxBraceExpansions = 1024

// includeKeywords are keepalived's include and its stricter variants. Plain
// include only warns about patterns that match nothing (keepalived logs and
// carries on); includem, includew, includeb and includea make it an error.
var includeKeywords = map[string]bool{
	"include": false, "includer": false,
	"includem": true, "includew": true, "includeb": true, "includea": true,
}

func (o *Options) readFile(name string) ([]byte, error) {
	if o.ReadFile != nil {
		return o.ReadFile(name)
	}
	return os.ReadFile(name)
}

func (o *Options) glob(pattern string) ([]string, error) {
	if o.Glob != nil {
		return o.Glob(pattern)
	}
	return filepath.Glob(pattern)
}

// stat returns nil info when no Stat is available (a custom ReadFile
// without a custom Stat): the size is then checked after reading.
func (o *Options) stat(name string) (fs.FileInfo, error) {
	if o.Stat != nil {
		return o.Stat(name)
	}
	if o.ReadFile != nil {
		return nil, nil
	}
	return os.Stat(name)
}

// checkContent reports why src cannot be a configuration file: too big, or
// binary (a NUL byte, or mostly bytes that are not UTF-8).
func checkContent(name string, src []byte) *Diagnostic {
	if len(src) > MaxFileSize {
		return &Diagnostic{Pos: Pos{File: name, Line: 1, Col: 1}, Severity: SeverityError,
			Msg: sprintf("file is %d bytes, larger than the %d byte limit for a configuration file", len(src), MaxFileSize)}
	}
	bad := -1
	if i := bytes.IndexByte(src, 0); i >= 0 {
		bad = i
	} else if !utf8.Valid(src) {
		invalid, first := 0, -1
		for i := 0; i < len(src); {
			r, n := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && n == 1 {
				invalid++
				if first < 0 {
					first = i
				}
			}
			i += n
		}
		if invalid*10 > len(src) {
			bad = first
		}
	}
	if bad < 0 {
		return nil
	}
	line := 1 + bytes.Count(src[:bad], []byte{'\n'})
	col := bad - bytes.LastIndexByte(src[:bad], '\n')
	return &Diagnostic{Pos: Pos{File: name, Line: line, Col: col}, Severity: SeverityError,
		Msg: "this is a binary file, not a keepalived configuration (NUL or non-UTF-8 bytes)"}
}

// include handles "include PATTERN" written at kw: brace expansion, globbing
// relative to the including file, and each matching regular file in order.
func (p *parser) include(kw, pattern Token) {
	strict := includeKeywords[kw.Text]
	pat := pattern.Text
	if !filepath.IsAbs(pat) {
		pat = filepath.Join(filepath.Dir(p.files[len(p.files)-1]), pat)
	}
	var matches []string
	for _, alt := range expandBraces(pat) {
		m, err := p.opts.glob(alt)
		if err != nil {
			p.pp.errf(pattern.Pos, "%s %s: %v", kw.Text, pattern.Text, err)
			return
		}
		sort.Strings(m)
		matches = append(matches, m...)
	}
	n := 0
	for _, m := range matches {
		if info, err := p.opts.stat(m); err == nil && info != nil && info.IsDir() {
			continue
		}
		n++
		p.includeFile(kw, pattern, m)
	}
	if n == 0 {
		msg := sprintf("%s %s: no configuration file matches", kw.Text, pattern.Text)
		if strict {
			p.pp.errf(pattern.Pos, "%s", msg)
		} else {
			p.pp.warnf(pattern.Pos, "%s", msg)
		}
	}
}

func (p *parser) includeFile(kw, pattern Token, name string) {
	clean := filepath.Clean(name)
	for i, f := range p.files {
		if filepath.Clean(f) == clean {
			chain := append(append([]string(nil), p.files[i:]...), name)
			p.pp.errf(pattern.Pos, "include cycle: %s", strings.Join(chain, " -> "))
			return
		}
	}
	if len(p.files) >= maxIncludeDepth {
		p.pp.errf(pattern.Pos, "includes nested more than %d deep", maxIncludeDepth)
		return
	}
	src, err := p.readChecked(name)
	if err != nil {
		p.pp.errf(pattern.Pos, "%s %s: %v", kw.Text, pattern.Text, err)
		return
	}
	if d := checkContent(name, src); d != nil {
		p.pp.diags = append(p.pp.diags, *d)
		return
	}
	p.readFile(name, src)
}

// errTooBig is returned for files over MaxFileSize.
var errTooBig = errors.New("file is larger than the 100 MB limit for a configuration file")

// readChecked reads name, refusing files over MaxFileSize before reading them
// when their size is known.
func (p *parser) readChecked(name string) ([]byte, error) {
	info, err := p.opts.stat(name)
	if err != nil {
		return nil, err
	}
	if info != nil {
		if !info.Mode().IsRegular() {
			return nil, errors.New("not a regular file")
		}
		if info.Size() > MaxFileSize {
			return nil, errTooBig
		}
	}
	src, err := p.opts.readFile(name)
	if err != nil {
		return nil, err
	}
	if len(src) > MaxFileSize {
		return nil, errTooBig
	}
	return src, nil
}

// expandBraces expands csh-style braces: "a{b,c{d,e}}f" gives abf, acdf,
// acef. Unbalanced braces and braces without a comma are left as written.
func expandBraces(s string) []string {
	return expandBracesN(s, 0)
}

func expandBracesN(s string, depth int) []string {
	if depth > 16 {
		return []string{s}
	}
	open := -1
	level := 0
	var commas []int
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '{':
			if level == 0 {
				open = i
				commas = commas[:0]
			}
			level++
		case ',':
			if level == 1 {
				commas = append(commas, i)
			}
		case '}':
			if level == 0 {
				continue
			}
			level--
			if level != 0 {
				continue
			}
			if len(commas) == 0 {
				open = -1
				continue
			}
			prefix, suffix := s[:open], s[i+1:]
			var out []string
			start := open + 1
			for _, c := range append(commas, i) {
				for _, tail := range expandBracesN(s[start:c]+suffix, depth+1) {
					out = append(out, prefix+tail)
				}
				start = c + 1
				if len(out) > maxBraceExpansions {
					return out[:maxBraceExpansions]
				}
			}
			return out
		}
	}
	return []string{s}
}
