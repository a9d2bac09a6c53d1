package config

import (
	"bytes"
	"errors"
	"io"
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

// includeCheck is a set of keepalived's include checks: what makes a
// problem with an include an error rather than a warning. keepalived's
// include_check keyword sets the level for later includes; each include
// variant adds its own checks to that level.
type includeCheck uint8

const (
	// checkReadable: every match must be a readable regular file that is
	// not executable (a directory, a dangling symlink, an unreadable or an
	// executable file is an error instead of being skipped quietly).
	checkReadable includeCheck = 1 << iota
	// checkMatch: a pattern must match a file, unless it has wildcards
	// that matched nothing in directories that exist.
	checkMatch
	// checkWildcard: a pattern must match a file, wildcards or not.
	checkWildcard
	// checkBrace: every file and directory the pattern names must exist,
	// each brace alternative included; if one is missing, nothing is read.
	checkBrace
	checkAll = checkReadable | checkMatch | checkWildcard | checkBrace
)

// includeKeywords are keepalived's include and its variants, with the
// checks each adds to the include_check level: includer is "readable",
// includem "match", includew "wildcard_match" (with match), includeb
// "brace_match", includea all of them. The match checks imply readable.
var includeKeywords = map[string]includeCheck{
	"include":  0,
	"includer": checkReadable,
	"includem": checkReadable | checkMatch,
	"includew": checkReadable | checkMatch | checkWildcard,
	"includeb": checkReadable | checkBrace,
	"includea": checkAll,
}

// includeCheckWords are the words of include_check. keepalived's parser
// reads "read" although its manual says "readable"; both are accepted.
var includeCheckWords = map[string]includeCheck{
	"readable": checkReadable, "read": checkReadable,
	"match": checkMatch, "wildcard_match": checkWildcard, "brace_match": checkBrace,
}

// setIncludeCheck applies "include_check [WORD...]" to the level later
// includes start from, as keepalived does: no word means every check; a
// first word without a sign sets the level to readable plus that check;
// "+WORD" adds a check and "-WORD" removes one. A later word without a
// sign is an error, and is ignored.
func (pp *preproc) setIncludeCheck(args []ptok) {
	if len(args) == 0 {
		pp.includeCheck = checkAll
		return
	}
	for i, a := range args {
		word, sign := a.Text, byte(0)
		if word != "" && (word[0] == '+' || word[0] == '-') {
			sign, word = word[0], word[1:]
		} else if i == 0 {
			pp.includeCheck = 0
		} else {
			pp.errf(a.Pos, "include_check: %q after the first check needs + or - (add or remove it); ignored", a.Text)
			continue
		}
		c, ok := includeCheckWords[word]
		if !ok {
			pp.errf(a.Pos, "include_check: unknown check %q (want readable, match, wildcard_match or brace_match); ignored", word)
			continue
		}
		switch sign {
		case 0:
			pp.includeCheck = checkReadable | c
		case '+':
			pp.includeCheck |= c
		default:
			pp.includeCheck &^= c
		}
	}
}

// trackBlocks follows the block structure of the logical lines the tree
// is built from, so that an include_check statement directly inside a
// global_defs block, the only place keepalived reads it, takes effect for
// the includes after it. A '{' opens the block of the statement before it
// on its line, or of the statement ending the previous line; blocks opened
// by a line for another config id (skip) are dropped with it.
func (pp *preproc) trackBlocks(toks []ptok, skip bool) {
	stmt := pp.pendingStmt
	pp.pendingStmt = ""
	for k := 0; k < len(toks); k++ {
		switch toks[k].kind {
		case tokOpen:
			if skip {
				stmt = ""
			}
			pp.blocks = append(pp.blocks, stmt)
			stmt = ""
		case tokClose:
			if len(pp.blocks) > 0 {
				pp.blocks = pp.blocks[:len(pp.blocks)-1]
			}
			stmt = ""
		default:
			m := k + 1
			for m < len(toks) && toks[m].kind == tokWord {
				m++
			}
			stmt = toks[k].Text
			if !skip && stmt == "include_check" && len(pp.blocks) == 1 && pp.blocks[0] == "global_defs" {
				pp.setIncludeCheck(toks[k+1 : m])
			}
			k = m - 1
		}
	}
	pp.pendingStmt = stmt
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

// checkContent reads r through and reports why it cannot be a
// configuration file: too big, or binary (a NUL byte, or mostly bytes that
// are not UTF-8). It leaves r at its start again, and holds at most one
// chunk of it in memory, in buf.
func checkContent(name string, r io.ReadSeeker, buf []byte) (*Diagnostic, error) {
	var s contentScan
	carry := 0 // bytes of an incomplete character kept from the last chunk
	for {
		n, err := io.ReadFull(r, buf[carry:])
		data := buf[:carry+n]
		end := err != nil
		cut := len(data)
		if !end {
			cut = completeRunes(data)
		}
		if s.scan(data[:cut]) {
			break
		}
		carry = copy(buf, data[cut:])
		if s.size > MaxFileSize {
			return &Diagnostic{Pos: Pos{File: name, Line: 1, Col: 1}, Severity: SeverityError,
				Msg: sprintf("file is more than %d bytes, the limit for a configuration file", MaxFileSize)}, nil
		}
		if end {
			if err != io.EOF && err != io.ErrUnexpectedEOF {
				return nil, err
			}
			break
		}
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if !s.nul && s.invalid*10 <= s.size {
		return nil, nil
	}
	return &Diagnostic{Pos: Pos{File: name, Line: s.badLine, Col: s.badCol}, Severity: SeverityError,
		Msg: "this is a binary file, not a keepalived configuration (NUL or non-UTF-8 bytes)"}, nil
}

// contentScan counts, chunk by chunk, what makes a file binary.
type contentScan struct {
	size, invalid   int
	nul             bool
	lines           int // newlines before the current chunk
	lineStart       int // offset just after the last of them
	badLine, badCol int // first NUL, or else first invalid byte
}

// scan takes the next chunk, which ends on a character boundary, and
// reports whether a NUL settled the question.
func (s *contentScan) scan(b []byte) bool {
	bad := -1
	if i := bytes.IndexByte(b, 0); i >= 0 {
		bad, s.nul = i, true
	} else if !utf8.Valid(b) {
		for i := 0; i < len(b); {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				if s.invalid == 0 {
					bad = i
				}
				s.invalid++
			}
			i += n
		}
	}
	if bad >= 0 && (s.nul || s.invalid > 0 && s.badLine == 0) {
		before := b[:bad]
		line, start := s.lines+bytes.Count(before, []byte{'\n'}), s.lineStart
		if k := bytes.LastIndexByte(before, '\n'); k >= 0 {
			start = s.size + k + 1
		}
		s.badLine, s.badCol = line+1, s.size+bad-start+1
	}
	s.lines += bytes.Count(b, []byte{'\n'})
	if k := bytes.LastIndexByte(b, '\n'); k >= 0 {
		s.lineStart = s.size + k + 1
	}
	s.size += len(b)
	return s.nul
}

// completeRunes returns how much of b ends on a character boundary: an
// incomplete UTF-8 sequence at its end waits for the next chunk.
func completeRunes(b []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(b); k++ {
		if utf8.RuneStart(b[len(b)-k]) {
			if !utf8.FullRune(b[len(b)-k:]) {
				return len(b) - k
			}
			break
		}
	}
	return len(b)
}

// include handles "include PATTERN" written at kw: brace expansion, globbing
// relative to the including file, and each matching regular file in order.
//
// What is wrong is told apart as keepalived's glob does, and it is an
// error when the include_check level or the variant asks for that check,
// a warning otherwise: nothing matched because a file or directory the
// pattern names does not exist (match, or brace_match when the pattern
// has braces), nothing matched although the directories exist (wildcards
// that matched nothing: wildcard_match), some of the names exist and some
// do not (brace_match: then nothing is read), and a match that is not a
// readable, regular, non-executable file (readable; it is skipped).
func (p *parser) include(kw, pattern Token) {
	checks := p.pp.includeCheck | includeKeywords[kw.Text]
	report := func(c includeCheck, format string, args ...any) {
		if checks&c != 0 {
			p.pp.errf(pattern.Pos, format, args...)
		} else {
			p.pp.quietf(pattern.Pos, format, args...)
		}
	}
	pat := pattern.Text
	if !filepath.IsAbs(pat) {
		pat = filepath.Join(filepath.Dir(p.files[len(p.files)-1]), pat)
	}
	var matches []string
	missing, wild := 0, false
	for _, alt := range expandBraces(pat) {
		m, err := p.opts.glob(alt)
		if err != nil {
			p.pp.errf(pattern.Pos, "%s %s: %v", kw.Text, pattern.Text, err)
			return
		}
		sort.Strings(m)
		matches = append(matches, m...)
		wild = wild || hasMeta(alt)
		missing += p.missingNames(alt, len(m) > 0, 0)
	}
	if len(matches) == 0 {
		c := checkWildcard
		if missing > 0 || !wild {
			c = checkMatch
			if hasBrace(pattern.Text) {
				c = checkBrace
			}
		}
		report(c, "%s %s: no configuration file matches", kw.Text, pattern.Text)
		return
	}
	if missing > 0 {
		if checks&checkBrace != 0 {
			p.pp.errf(pattern.Pos, "%s %s: %d of the files or directories it names do not exist; nothing included", kw.Text, pattern.Text, missing)
			return
		}
		p.pp.quietf(pattern.Pos, "%s %s: %d of the files or directories it names do not exist", kw.Text, pattern.Text, missing)
	}
	n, reported := 0, false
	for _, m := range matches {
		info, err := p.opts.stat(m)
		switch {
		case err != nil:
			report(checkReadable, "%s %s: %v; skipped", kw.Text, pattern.Text, err)
			reported = true
			continue
		case info != nil && info.IsDir():
			// keepalived skips directories quietly unless asked to check.
			if checks&checkReadable != 0 {
				p.pp.errf(pattern.Pos, "%s %s: %s is a directory", kw.Text, pattern.Text, m)
				reported = true
			}
			continue
		case info != nil && (!info.Mode().IsRegular() || info.Mode()&0o111 != 0):
			report(checkReadable, "%s %s: %s is not a regular non-executable file; skipped", kw.Text, pattern.Text, m)
			reported = true
			continue
		}
		n++
		p.includeFile(kw, pattern, m, checks)
	}
	if n == 0 && !reported {
		p.pp.quietf(pattern.Pos, "%s %s: no configuration file matches", kw.Text, pattern.Text)
	}
}

// missingNames counts, for one brace alternative of an include pattern,
// the names keepalived's glob looks up and does not find: the path itself
// when it has no wildcards (matched says whether it exists), the
// directory a wildcard is expanded in, and a literal last element in each
// directory a wildcard directory part matched. Wildcards that match
// nothing in a directory that exists count nothing.
func (p *parser) missingNames(alt string, matched bool, depth int) int {
	dir, file := filepath.Split(alt)
	if !hasMeta(dir) {
		if !hasMeta(file) {
			if matched {
				return 0
			}
			return 1
		}
		if p.isDir(dir) {
			return 0
		}
		return 1
	}
	if depth > 16 {
		return 0
	}
	dirPat := strings.TrimRight(dir, string(filepath.Separator))
	found, _ := p.opts.glob(dirPat)
	var dirs []string
	for _, d := range found {
		if p.isDir(d) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) == 0 {
		return p.missingNames(dirPat, false, depth+1)
	}
	if hasMeta(file) {
		return 0
	}
	n := 0
	for _, d := range dirs {
		if m, _ := p.opts.glob(filepath.Join(d, file)); len(m) == 0 {
			n++
		}
	}
	return n
}

// isDir reports whether name is a directory. Without a way to stat
// (a custom ReadFile and no Stat) a directory is assumed to exist.
func (p *parser) isDir(name string) bool {
	if name == "" {
		name = "."
	}
	info, err := p.opts.stat(filepath.Clean(name))
	return err == nil && (info == nil || info.IsDir())
}

// hasMeta reports whether a glob pattern has wildcards (or escapes), as
// filepath.Glob reads it.
func hasMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// hasBrace reports whether an include pattern has an unescaped '{', which
// makes keepalived report missing names against brace_match.
func hasBrace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '{':
			return true
		}
	}
	return false
}

// includeFile reads one file an include matched. A file that cannot be
// read is skipped: an error under the readable check, a warning otherwise.
// An included file may change include_check for the rest of itself and
// what it includes; the level is restored when it ends, as keepalived does.
func (p *parser) includeFile(kw, pattern Token, name string, checks includeCheck) {
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
	if !p.pp.chargeInput(pattern.Pos, fileCharge) {
		return
	}
	r, err := p.openChecked(name)
	if err != nil {
		if err == errTooBig || checks&checkReadable != 0 {
			p.pp.errf(pattern.Pos, "%s %s: %v", kw.Text, pattern.Text, err)
		} else {
			p.pp.warnf(pattern.Pos, "%s %s: %v; skipped", kw.Text, pattern.Text, err)
		}
		return
	}
	defer r.Close()
	if d, err := checkContent(name, r, p.scanBuf()); err != nil || d != nil {
		if err != nil {
			p.pp.errf(pattern.Pos, "%s %s: %v", kw.Text, pattern.Text, err)
		} else {
			p.pp.cap.add(&p.pp.diags, *d)
		}
		return
	}
	saved := p.pp.includeCheck
	p.readFile(name, r)
	p.pp.includeCheck = saved
}

// errTooBig is returned for files over MaxFileSize.
var errTooBig = errors.New("file is larger than the 100 MB limit for a configuration file")

// source is an open configuration file.
type source interface {
	io.ReadSeeker
	io.Closer
}

// memSource is a file read through Options.ReadFile.
type memSource struct{ *bytes.Reader }

func (memSource) Close() error { return nil }

// openChecked opens name, refusing files over MaxFileSize (before reading
// them when their size is known) and anything but a regular file.
func (p *parser) openChecked(name string) (source, error) {
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
	if p.opts.ReadFile != nil {
		src, err := p.opts.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if len(src) > MaxFileSize {
			return nil, errTooBig
		}
		return memSource{bytes.NewReader(src)}, nil
	}
	return os.Open(name)
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
