package difft

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// MainFile is the name every generated case's top configuration file has.
const MainFile = "keepalived.conf"

// IncludeFile is the name of the file a case's include mutations write.
const IncludeFile = "part.conf"

// Seed is one configuration the generator mutates.
type Seed struct {
	// Name says where the seed came from (directory and file name).
	Name string
	// Text is the configuration.
	Text string
}

// Case is one generated configuration.
type Case struct {
	// Seed is the name of the seed it was made from.
	Seed string
	// Mutations name what was done to the seed, in order.
	Mutations []string
	// Files maps a file name (MainFile, IncludeFile) to its text.
	Files map[string]string
}

// String names the case for reports.
func (c Case) String() string {
	return c.Seed + " [" + strings.Join(c.Mutations, "; ") + "]"
}

// LoadSeeds reads every regular file matching the glob patterns as seeds,
// skipping files that include others (their includes would not be found
// next to the generated copy) and expected-output files.
func LoadSeeds(patterns ...string) ([]Seed, error) {
	var seeds []Seed
	for _, p := range patterns {
		files, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("seeds %s: %w", p, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, ".golden") || strings.HasSuffix(f, ".txt") {
				continue
			}
			if fi, err := os.Stat(f); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			name := filepath.Join(filepath.Base(filepath.Dir(f)), filepath.Base(f))
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("seed: %w", err)
			}
			if includeRE.Match(b) || skipSeeds[name] != "" {
				continue
			}
			seeds = append(seeds, Seed{Name: name, Text: ownKeywordRE.ReplaceAllString(string(b), "")})
		}
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("no seed configurations in %v", patterns)
	}
	return seeds, nil
}

// skipSeeds are seeds keepalived cannot judge, with the reason.
var skipSeeds = map[string]string{
	"syntax/errors.conf": "keepalived 2.2.7's -t never returns on its unterminated quote",
	// A conditional line opening a block drops the whole block here and
	// only the line in keepalived: a documented deviation (README).
	"syntax/conditional.conf":                             "conditional block lines, a documented deviation",
	"keepalived-samples/keepalived.conf.conditional_conf": "conditional block lines, a documented deviation",
	// Blocks of our own (bgp_speaker, anycast_group), which keepalived
	// reads as unknown line by line: a documented difference.
	"model/bgp.conf": "gokeepalived's own BGP blocks",
	// auth_hmac is keepalived 2.4's; 2.2.7 does not know it.
	"model/auth_hmac.conf": "keepalived 2.4's auth_hmac, unknown to 2.2.7",
}

// ownKeywordRE matches lines with gokeepalived's own keywords, which
// keepalived reports as unknown (a deliberate, documented difference);
// seeds lose them.
var ownKeywordRE = regexp.MustCompile(`(?m)^\s*(prometheus_listen|fast_failover|keepalived_timing|lvs_backend|bgp_announce)\b.*$`)

var includeRE = regexp.MustCompile(`(?m)^\s*include`)

// Generate returns case i of the run with the given seed: a seed chosen
// and mutated one to three times by a generator seeded with (seed, i).
func Generate(seeds []Seed, seed uint64, i int) Case {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	s := seeds[r.IntN(len(seeds))]
	m := &mutation{r: r, lines: strings.Split(s.Text, "\n"), vocab: vocabulary(seeds)}
	c := Case{Seed: s.Name, Files: map[string]string{}}
	for range 1 + r.IntN(3) {
		op := mutators[r.IntN(len(mutators))]
		if what := op(m); what != "" {
			c.Mutations = append(c.Mutations, what)
		}
	}
	c.Files[MainFile] = strings.Join(m.lines, "\n")
	if m.include != nil {
		c.Files[IncludeFile] = strings.Join(m.include, "\n")
	}
	return c
}

// mutation is the state of one case being built.
type mutation struct {
	r       *rand.Rand
	lines   []string
	include []string
	vocab   []string
}

// words splits line i into its words, ignoring comments.
func (m *mutation) words(i int) []string {
	l := m.lines[i]
	if j := strings.IndexAny(l, "!#"); j >= 0 {
		l = l[:j]
	}
	return strings.Fields(l)
}

// pick returns a random line index whose words satisfy ok, or -1.
func (m *mutation) pick(ok func(w []string) bool) int {
	var idx []int
	for i := range m.lines {
		if w := m.words(i); len(w) > 0 && ok(w) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return -1
	}
	return idx[m.r.IntN(len(idx))]
}

func isKeyword(w []string) bool { return w[0] != "{" && w[0] != "}" }

// setWord replaces word k of line i, keeping the line's indentation.
func (m *mutation) setWord(i, k int, v string) {
	w := m.words(i)
	w[k] = v
	m.lines[i] = indent(m.lines[i]) + strings.Join(w, " ")
}

func indent(l string) string { return l[:len(l)-len(strings.TrimLeft(l, " \t"))] }

// mutators are the mutations; each returns what it did, or "" when it
// found nothing to do.
var mutators = []func(m *mutation) string{
	dropLine, dupLine, misspell, badValue, badValue, enumSwap, enumSwap,
	moveLine, dropBrace, addBrace, unknownIface, includeBlock, includeMissing,
	insertKeyword, selfTrack,
}

func dropLine(m *mutation) string {
	i := m.pick(func([]string) bool { return true })
	if i < 0 {
		return ""
	}
	what := fmt.Sprintf("drop line %d %q", i+1, strings.TrimSpace(m.lines[i]))
	m.lines = slices.Delete(m.lines, i, i+1)
	return what
}

func dupLine(m *mutation) string {
	i := m.pick(isKeyword)
	if i < 0 {
		return ""
	}
	m.lines = slices.Insert(m.lines, i+1, m.lines[i])
	return fmt.Sprintf("duplicate line %d", i+1)
}

func misspell(m *mutation) string {
	i := m.pick(func(w []string) bool { return isKeyword(w) && len(w[0]) > 3 })
	if i < 0 {
		return ""
	}
	kw := []byte(m.words(i)[0])
	j := m.r.IntN(len(kw) - 1)
	switch m.r.IntN(3) {
	case 0:
		kw[j], kw[j+1] = kw[j+1], kw[j]
	case 1:
		kw = slices.Delete(kw, j, j+1)
	default:
		kw = slices.Insert(kw, j, 'x')
	}
	m.setWord(i, 0, string(kw))
	return fmt.Sprintf("misspell line %d as %s", i+1, kw)
}

// badValues are out-of-range and wrong-type arguments.
var badValues = []string{
	"0", "256", "-1", "65536", "99999999999", "abc", "1.5", "0x10", "10.0.0.300",
	"2001:db8::zz", "10.0.0.1/33", "eth9", "\"\"", "yes", "on", "1e3",
}

func badValue(m *mutation) string {
	i := m.pick(func(w []string) bool { return isKeyword(w) && len(w) >= 2 && w[1] != "{" })
	if i < 0 {
		return ""
	}
	w := m.words(i)
	k := 1 + m.r.IntN(len(w)-1)
	if w[k] == "{" || w[k] == "}" {
		return ""
	}
	v := badValues[m.r.IntN(len(badValues))]
	m.setWord(i, k, v)
	return fmt.Sprintf("line %d word %d = %s", i+1, k+1, v)
}

// enums are keywords with a fixed set of values, with a wrong one in each.
var enums = map[string][]string{
	"state":                           {"MASTER", "BACKUP", "master", "FAULT", "MASTR"},
	"lb_algo":                         {"rr", "wrr", "lc", "wlc", "sh", "dh", "lblc", "mh", "fo", "ovf", "foo"},
	"lvs_sched":                       {"rr", "wlc", "sh", "bogus"},
	"lb_kind":                         {"NAT", "DR", "TUN", "nat", "XX"},
	"lvs_method":                      {"NAT", "DR", "TUN", "XX"},
	"protocol":                        {"TCP", "UDP", "SCTP", "tcp", "ICMP"},
	"auth_type":                       {"PASS", "AH", "MD5"},
	"version":                         {"2", "3", "4"},
	"persistence_engine":              {"sip", "foo"},
	"vrrp_garp_master_refresh_repeat": {"1", "0", "-5"},
	"smtp_alert":                      {"", "on", "off", "maybe"},
	"nopreempt":                       {"", "extra"},
	"connect_port":                    {"80", "0", "70000"},
	"delay_loop":                      {"6", "0", "-1", "x"},
	"weight":                          {"1", "0", "-254", "255", "300"},
}

func enumSwap(m *mutation) string {
	i := m.pick(func(w []string) bool { _, ok := enums[w[0]]; return ok })
	if i < 0 {
		return ""
	}
	w := m.words(i)
	vals := enums[w[0]]
	v := vals[m.r.IntN(len(vals))]
	m.lines[i] = indent(m.lines[i]) + strings.TrimSpace(w[0]+" "+v)
	return fmt.Sprintf("line %d %s %s", i+1, w[0], v)
}

func moveLine(m *mutation) string {
	i := m.pick(func(w []string) bool { return isKeyword(w) && !slices.Contains(w, "{") })
	if i < 0 {
		return ""
	}
	l := m.lines[i]
	m.lines = slices.Delete(m.lines, i, i+1)
	j := m.r.IntN(len(m.lines) + 1)
	m.lines = slices.Insert(m.lines, j, l)
	return fmt.Sprintf("move line %d to %d", i+1, j+1)
}

// braceLine picks a line holding brace b and the byte offset of one.
func (m *mutation) braceLine(b string) (int, int) {
	i := m.pick(func(w []string) bool { return slices.Contains(w, b) })
	if i < 0 {
		return -1, 0
	}
	return i, strings.Index(m.lines[i], b)
}

func dropBrace(m *mutation) string {
	b := []string{"{", "}"}[m.r.IntN(2)]
	i, j := m.braceLine(b)
	if i < 0 {
		return ""
	}
	m.lines[i] = m.lines[i][:j] + m.lines[i][j+1:]
	return fmt.Sprintf("drop %s on line %d", b, i+1)
}

func addBrace(m *mutation) string {
	b := []string{"{", "}"}[m.r.IntN(2)]
	j := m.r.IntN(len(m.lines) + 1)
	m.lines = slices.Insert(m.lines, j, b)
	return fmt.Sprintf("add %s at line %d", b, j+1)
}

var ifaceRE = regexp.MustCompile(`\beth[0-9][0-9.]*\b`)

func unknownIface(m *mutation) string {
	i := m.pick(func([]string) bool { return true })
	var idx []int
	for k, l := range m.lines {
		if ifaceRE.MatchString(l) {
			idx = append(idx, k)
		}
	}
	if len(idx) == 0 || i < 0 {
		return ""
	}
	i = idx[m.r.IntN(len(idx))]
	name := []string{"eth9", "nosuch0", "lo", "averyveryverylongname0"}[m.r.IntN(4)]
	m.lines[i] = ifaceRE.ReplaceAllString(m.lines[i], name)
	return fmt.Sprintf("interface %s on line %d", name, i+1)
}

// blockEnd returns the index of the line closing the block opened on line
// i, or -1 when braces do not balance.
func (m *mutation) blockEnd(i int) int {
	depth := 0
	for k := i; k < len(m.lines); k++ {
		for _, w := range m.words(k) {
			depth += strings.Count(w, "{") - strings.Count(w, "}")
		}
		if depth <= 0 && k > i || depth == 0 && k == i && strings.Contains(m.lines[k], "}") {
			return k
		}
	}
	return -1
}

// topBlocks returns the first line of every top-level block.
func (m *mutation) topBlocks() []int {
	var out []int
	depth := 0
	for k := range m.lines {
		w := m.words(k)
		if depth == 0 && len(w) > 0 && isKeyword(w) {
			out = append(out, k)
		}
		for _, x := range w {
			depth += strings.Count(x, "{") - strings.Count(x, "}")
		}
	}
	return out
}

func includeBlock(m *mutation) string {
	if m.include != nil {
		return ""
	}
	tops := m.topBlocks()
	if len(tops) == 0 {
		return ""
	}
	i := tops[m.r.IntN(len(tops))]
	e := m.blockEnd(i)
	if e < 0 {
		return ""
	}
	m.include = slices.Clone(m.lines[i : e+1])
	m.lines = slices.Replace(m.lines, i, e+1, "include "+IncludeFile)
	return fmt.Sprintf("lines %d-%d into %s", i+1, e+1, IncludeFile)
}

func includeMissing(m *mutation) string {
	what := []string{"include missing.conf", "include /nonexistent/*.conf", "include"}[m.r.IntN(3)]
	j := m.r.IntN(len(m.lines) + 1)
	m.lines = slices.Insert(m.lines, j, what)
	return fmt.Sprintf("%q at line %d", what, j+1)
}

// vocabulary is every keyword line of the seeds, for insertKeyword.
func vocabulary(seeds []Seed) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range seeds {
		for _, l := range strings.Split(s.Text, "\n") {
			l = strings.TrimSpace(l)
			if j := strings.IndexAny(l, "!#"); j >= 0 {
				l = strings.TrimSpace(l[:j])
			}
			if l == "" || strings.ContainsAny(l, "{}") || seen[l] {
				continue
			}
			seen[l] = true
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

func insertKeyword(m *mutation) string {
	if len(m.vocab) == 0 {
		return ""
	}
	l := m.vocab[m.r.IntN(len(m.vocab))]
	j := m.r.IntN(len(m.lines) + 1)
	m.lines = slices.Insert(m.lines, j, l)
	return fmt.Sprintf("insert %q at line %d", l, j+1)
}

// selfTrack makes an instance track its own interface.
func selfTrack(m *mutation) string {
	i := m.pick(func(w []string) bool { return w[0] == "interface" && len(w) == 2 })
	if i < 0 {
		return ""
	}
	ifname := m.words(i)[1]
	m.lines = slices.Insert(m.lines, i+1, "track_interface {", "    "+ifname, "}")
	return fmt.Sprintf("track own interface %s after line %d", ifname, i+1)
}
