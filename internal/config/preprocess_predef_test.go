package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// fakeRandom returns a Random for Options that records each n it is asked
// for and answers n-1 (high) or 0, so the bounds of ${_RANDOM} show.
func fakeRandom(high bool, asked *[]uint64) func(uint64) uint64 {
	return func(n uint64) uint64 {
		*asked = append(*asked, n)
		if high {
			return n - 1
		}
		return 0
	}
}

// fakeEnv is an environment for ${_ENV}.
func fakeEnv(name string) (string, bool) {
	v, ok := map[string]string{
		"HOME": "/root", "EMPTY": "", "TWO": "x y", "REF": "${P}", "ADDR": "10.0.0.1/24",
	}[name]
	return v, ok
}

func TestPredefinedRandom(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		high    bool     // Random answers n-1, else 0
		want    string   // tree, compacted
		asked   []uint64 // the n Random was called with
		wantErr []string
	}{
		{name: "default range, high", in: "a ${_RANDOM}", high: true, want: "a 32767", asked: []uint64{32768}},
		{name: "default range, low", in: "a ${_RANDOM}", want: "a 0", asked: []uint64{32768}},
		{name: "bare", in: "a $_RANDOM", high: true, want: "a 32767", asked: []uint64{32768}},
		{name: "bare before comma", in: "a $_RANDOM,b", want: "a 0,b", asked: []uint64{32768}},
		{name: "MIN only, high", in: "a ${_RANDOM 10}", high: true, want: "a 32767", asked: []uint64{32758}},
		{name: "MIN only, low", in: "a ${_RANDOM 10}", want: "a 10", asked: []uint64{32758}},
		{name: "MIN and MAX, high", in: "a x${_RANDOM 5 7}y", high: true, want: "a x7y", asked: []uint64{3}},
		{name: "MIN and MAX, low", in: "a ${_RANDOM 5 7}", want: "a 5", asked: []uint64{3}},
		{name: "several blanks", in: "a ${_RANDOM   5   7}", want: "a 5", asked: []uint64{3}},
		{name: "leading zeros", in: "a ${_RANDOM 007 010}", high: true, want: "a 10", asked: []uint64{4}},
		{name: "MIN equals MAX", in: "a ${_RANDOM 7 7}", high: true, want: "a 7", asked: []uint64{1}},
		{name: "largest", in: "a ${_RANDOM 0 9223372036854775807}", high: true,
			want: "a 9223372036854775807", asked: []uint64{1 << 63}},
		{name: "each reference its own draw", in: "a ${_RANDOM 1 3} ${_RANDOM 4 6}", high: true,
			want: "a 3 6", asked: []uint64{3, 3}},
		{name: "argument from a parameter", in: "$LO=3\na ${_RANDOM ${LO} 9}", want: "a 3", asked: []uint64{7}},
		{name: "in a generator", in: "~SEQ(I,1,2) a$I ${_RANDOM 1 2}", high: true,
			want: "a1 2; a2 2", asked: []uint64{2, 2}},
		{name: "too many arguments: replaced, extra ignored", in: "a ${_RANDOM 1 2 3}", high: true,
			want: "a 2", asked: []uint64{2},
			wantErr: []string{"1:3: warning: ${_RANDOM 1 2 3}: takes at most MIN and MAX; 3 ignored"}},
		{name: "MIN greater than MAX", in: "a ${_RANDOM 10 5}", want: "a ${_RANDOM 10 5}",
			wantErr: []string{"1:3: error: ${_RANDOM 10 5}: MIN 10 is greater than MAX 5; left as written"}},
		{name: "MIN over the default MAX", in: "a ${_RANDOM 40000}", want: "a ${_RANDOM 40000}",
			wantErr: []string{"1:3: error: ${_RANDOM 40000}: MIN 40000 is greater than MAX 32767; left as written"}},
		{name: "MIN not a number", in: "a ${_RANDOM x}", want: "a ${_RANDOM x}",
			wantErr: []string{"1:3: warning: ${_RANDOM x}: MIN must be a non-negative decimal integer; left as written"}},
		{name: "MAX not a number", in: "a ${_RANDOM 1 0x10}", want: "a ${_RANDOM 1 0x10}",
			wantErr: []string{"1:3: warning: ${_RANDOM 1 0x10}: MAX must be a non-negative decimal integer; left as written"}},
		{name: "negative", in: "b c ${_RANDOM -1}", want: "b c ${_RANDOM -1}",
			wantErr: []string{`1:5: warning: ${_RANDOM -1}: "-" cannot be part of an argument; left as written`}},
		{name: "fraction", in: "a ${_RANDOM 1.5}", want: "a ${_RANDOM 1.5}",
			wantErr: []string{`1:3: warning: ${_RANDOM 1.5}: "." cannot be part of an argument; left as written`}},
		{name: "out of range", in: "a ${_RANDOM 99999999999999999999}", want: "a ${_RANDOM 99999999999999999999}",
			wantErr: []string{"1:3: warning: ${_RANDOM 99999999999999999999}: MIN must be at most 9223372036854775807; left as written"}},
		{name: "blank before the brace", in: "a ${_RANDOM 1 }", want: "a ${_RANDOM 1 }",
			wantErr: []string{"1:3: warning: ${_RANDOM 1 }: blank before '}'; left as written"}},
		{name: "not arguments: no blank after the name", in: "a ${_RANDOM-1}", want: "a $ { _RANDOM-1 }"},
		{name: "not arguments: tab", in: "a ${_RANDOM\t5}", want: "a $ { _RANDOM 5 }"},
		{name: "not arguments: quotes", in: `a ${_RANDOM "5"}`, want: `a $ { _RANDOM "5" }`},
		{name: "unterminated", in: "a ${_RANDOM 5", want: "a $ { _RANDOM 5 }",
			wantErr: []string{`1:4: error: missing '}' for the block of "a" opened here`}},
		{name: "other name", in: "a $_RANDOMX ${_RANDOM5}", want: "a $_RANDOMX ${_RANDOM5}"},
		{name: "bare form followed by text is not a reference", in: "a $_RANDOM}", want: "a $_RANDOM",
			wantErr: []string{"1:11: error: unexpected '}': no block is open"}},
		{name: "user definition overrides, arguments and all", in: "$_RANDOM=fixed\na ${_RANDOM} $_RANDOM ${_RANDOM 1 2}",
			want: "a fixed fixed fixed"},
		{name: "one warning for a line rescanned", in: "$Y=1\na ${_RANDOM x} $Y $Y", want: "a ${_RANDOM x} 1 1",
			wantErr: []string{"2:3: warning: ${_RANDOM x}: MIN must be a non-negative decimal integer; left as written"}},
		{name: "one warning for a generated line", in: "$X=${_RANDOM x}\n~SEQ(I,1,3) a $X",
			want:    "a ${_RANDOM x}; a ${_RANDOM x}; a ${_RANDOM x}",
			wantErr: []string{"2:15: warning: ${_RANDOM x}: MIN must be a non-negative decimal integer; left as written"}},
		{name: "reported where the parameter is used", in: "$X=${_RANDOM 9 1}\n\n  a   $X",
			want:    "a ${_RANDOM 9 1}",
			wantErr: []string{"3:7: error: ${_RANDOM 9 1}: MIN 9 is greater than MAX 1; left as written"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []uint64
			opts := Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob, Random: fakeRandom(tt.high, &asked), LookupEnv: fakeEnv}
			nodes, diags := ParseBytes("t.conf", []byte(tt.in), opts)
			if diff := cmp.Diff(tt.want, compact(nodes)); diff != "" {
				t.Errorf("tree (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.asked, asked); diff != "" {
				t.Errorf("Random called with (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErr, diagStrings(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPredefinedRandomDefaultSource draws from math/rand/v2 when Options
// has no Random: every value lies in the range, and they are not all equal.
func TestPredefinedRandomDefaultSource(t *testing.T) {
	nodes, diags := ParseBytes("t.conf", []byte("~SEQ(I,1,300) a ${_RANDOM 3 5}\n"), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diagStrings(diags))
	}
	if len(nodes) != 300 {
		t.Fatalf("got %d lines, want 300", len(nodes))
	}
	seen := map[int]bool{}
	for _, n := range nodes {
		v, err := strconv.Atoi(n.Args[0].Text)
		if err != nil || v < 3 || v > 5 {
			t.Fatalf("value %q outside [3, 5]", n.Args[0].Text)
		}
		seen[v] = true
	}
	if len(seen) < 2 {
		t.Errorf("300 draws from [3, 5] gave only %v", seen)
	}
}

func TestPredefinedEnv(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr []string
	}{
		{name: "set", in: "a ${_ENV HOME}", want: "a /root"},
		{name: "inside a word", in: "a ip=${_ENV ADDR}x", want: "a ip=10.0.0.1/24x"},
		{name: "set but empty", in: "a ${_ENV EMPTY} b", want: "a b"},
		{name: "value with a blank makes two words", in: "a ${_ENV TWO}", want: "a x y"},
		{name: "value is rescanned for parameters", in: "$P=7\na ${_ENV REF}", want: "a 7"},
		{name: "unset: empty, with a warning", in: "a ${_ENV UNSET}b", want: "a b",
			wantErr: []string{"1:3: warning: ${_ENV UNSET}: environment variable UNSET is not set; replaced by an empty value"}},
		{name: "no name", in: "a ${_ENV}", want: "a ${_ENV}",
			wantErr: []string{"1:3: warning: ${_ENV}: needs the name of an environment variable, as ${_ENV NAME}; left as written"}},
		{name: "bare form has no name", in: "a $_ENV", want: "a $_ENV",
			wantErr: []string{"1:3: warning: $_ENV: needs the name of an environment variable, as ${_ENV NAME}; left as written"}},
		{name: "two names", in: "a ${_ENV HOME EMPTY}", want: "a ${_ENV HOME EMPTY}",
			wantErr: []string{"1:3: warning: ${_ENV HOME EMPTY}: takes one environment variable name; left as written"}},
		{name: "bad character", in: "a ${_ENV HO.ME}", want: "a ${_ENV HO.ME}",
			wantErr: []string{`1:3: warning: ${_ENV HO.ME}: "." cannot be part of an argument; left as written`}},
		{name: "bare parameter before the brace is not replaced", in: "$V=HOME\na ${_ENV $V}", want: "a $ { _ENV $V }"},
		{name: "name from a braced parameter", in: "$V=HOME\na ${_ENV ${V}}", want: "a /root"},
		{name: "user definition overrides", in: "$_ENV=mine\na ${_ENV} ${_ENV HOME} $_ENV", want: "a mine mine mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []uint64
			opts := Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob, Random: fakeRandom(false, &asked), LookupEnv: fakeEnv}
			nodes, diags := ParseBytes("t.conf", []byte(tt.in), opts)
			if diff := cmp.Diff(tt.want, compact(nodes)); diff != "" {
				t.Errorf("tree (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErr, diagStrings(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPredefinedEnvDefaultSource reads the process environment when
// Options has no LookupEnv.
func TestPredefinedEnvDefaultSource(t *testing.T) {
	t.Setenv("GOKEEPALIVED_TEST_ENV", "eth7")
	nodes, diags := ParseBytes("t.conf", []byte("interface ${_ENV GOKEEPALIVED_TEST_ENV}\n"), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
	if got := compact(nodes); got != "interface eth7" || len(diags) > 0 {
		t.Errorf("got %q, %v; want \"interface eth7\" and no diagnostics", got, diagStrings(diags))
	}
}

// includeCase is one way an include can go wrong; sev gives, for each
// variant, what it must be reported as: "error", "warning" or "" (nothing).
type includeCase struct {
	name    string
	pattern string
	files   fstest.MapFS
	msg     string // the message after "VARIANT PATTERN: "
	read    string // the tree when the include goes on
	sev     map[string]string
}

// The files every include case sees besides its own, under etc/.
func includeCaseFiles(extra fstest.MapFS) fstest.MapFS {
	fs := fstest.MapFS{
		"etc/a.conf":       {Data: []byte("a")},
		"etc/d/other.txt":  {Data: []byte("not matched")},
		"etc/dirs/x.conf":  {Data: []byte("x")},
		"etc/dirs/y/.keep": {Data: []byte("")},
		"etc/sub1/k.conf":  {Data: []byte("k1")},
		"etc/sub2/j.conf":  {Data: []byte("j2")},
		"etc/exec/e.conf":  {Data: []byte("e"), Mode: 0o755},
		"etc/exec/f.conf":  {Data: []byte("f")},
	}
	for k, v := range extra {
		fs[k] = v
	}
	return fs
}

var includeCases = []includeCase{
	{name: "literal file missing (match)", pattern: "nope.conf",
		msg: "no configuration file matches",
		sev: map[string]string{"include": "warning", "includer": "warning", "includem": "error", "includew": "error", "includeb": "warning", "includea": "error"}},
	{name: "wildcard in a missing directory (match)", pattern: "nodir/*.conf",
		msg: "no configuration file matches",
		sev: map[string]string{"include": "warning", "includer": "warning", "includem": "error", "includew": "error", "includeb": "warning", "includea": "error"}},
	{name: "wildcard matching nothing (wildcard_match)", pattern: "d/*.conf",
		msg: "no configuration file matches",
		sev: map[string]string{"include": "warning", "includer": "warning", "includem": "warning", "includew": "error", "includeb": "warning", "includea": "error"}},
	{name: "wildcard directory matching nothing (wildcard_match)", pattern: "q*/k.conf",
		msg: "no configuration file matches",
		sev: map[string]string{"include": "warning", "includer": "warning", "includem": "warning", "includew": "error", "includeb": "warning", "includea": "error"}},
	{name: "wildcard directory under a missing directory (match)", pattern: "nodir/q*/k.conf",
		msg: "no configuration file matches",
		sev: map[string]string{"include": "warning", "includer": "warning", "includem": "error", "includew": "error", "includeb": "warning", "includea": "error"}},
	{name: "brace alternatives all missing (brace_match)", pattern: "{nope,nada}.conf",
		msg: "no configuration file matches",
		sev: map[string]string{"include": "warning", "includer": "warning", "includem": "warning", "includew": "warning", "includeb": "error", "includea": "error"}},
	{name: "one brace alternative missing (brace_match: nothing read)", pattern: "{a,nope}.conf",
		msg: "1 of the files or directories it names do not exist", read: "a",
		sev: map[string]string{"include": "warning", "includer": "warning", "includem": "warning", "includew": "warning", "includeb": "error", "includea": "error"}},
	{name: "literal name missing in one matched directory (brace_match)", pattern: "sub*/k.conf",
		msg: "1 of the files or directories it names do not exist", read: "k1",
		sev: map[string]string{"include": "warning", "includer": "warning", "includem": "warning", "includew": "warning", "includeb": "error", "includea": "error"}},
	{name: "a match is a directory (readable)", pattern: "dirs/*",
		msg: "etc/dirs/y is a directory", read: "x",
		sev: map[string]string{"include": "", "includer": "error", "includem": "error", "includew": "error", "includeb": "error", "includea": "error"}},
	{name: "a match is executable (readable)", pattern: "exec/*.conf",
		msg: "etc/exec/e.conf is not a regular non-executable file; skipped", read: "f",
		sev: map[string]string{"include": "warning", "includer": "error", "includem": "error", "includew": "error", "includeb": "error", "includea": "error"}},
}

// TestIncludeVariants runs every include variant on every way an include
// can fail, and checks the severity keepalived's checks give it.
func TestIncludeVariants(t *testing.T) {
	for _, c := range includeCases {
		for _, v := range []string{"include", "includer", "includem", "includew", "includeb", "includea"} {
			t.Run(c.name+"/"+v, func(t *testing.T) {
				src := v + " " + c.pattern + "\nend"
				m := memFS{files: includeCaseFiles(fstest.MapFS{"etc/main.conf": {Data: []byte(src)}})}
				nodes, diags := ParseFile("etc/main.conf", m.options())
				var want []string
				if sev := c.sev[v]; sev != "" {
					msg := c.msg
					if sev == "error" && strings.HasSuffix(msg, "do not exist") {
						msg += "; nothing included"
					}
					want = []string{"etc/main.conf:1:" + strconv.Itoa(len(v)+2) + ": " + sev + ": " + v + " " + c.pattern + ": " + msg}
				}
				var got []string
				for _, d := range diags {
					got = append(got, d.String())
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("diagnostics (-want +got):\n%s", diff)
				}
				wantTree := "end"
				if c.read != "" && !(strings.Contains(c.msg, "do not exist") && c.sev[v] == "error") {
					wantTree = c.read + "; end"
				}
				if diff := cmp.Diff(wantTree, compact(nodes)); diff != "" {
					t.Errorf("tree (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestIncludeCheck sets include_check and checks which later includes it
// makes strict, where it is read and how long it lasts.
func TestIncludeCheck(t *testing.T) {
	gd := func(check string) string { return "global_defs {\n" + check + "\n}\n" }
	tests := []struct {
		name  string
		files fstest.MapFS
		want  []string
	}{
		{name: "no word: every check",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check") + "include nope.conf\ninclude d/*.conf\ninclude {a,nope}.conf\ninclude dirs/*")}},
			want: []string{
				"etc/main.conf:4:9: error: include nope.conf: no configuration file matches",
				"etc/main.conf:5:9: error: include d/*.conf: no configuration file matches",
				"etc/main.conf:6:9: error: include {a,nope}.conf: 1 of the files or directories it names do not exist; nothing included",
				"etc/main.conf:7:9: error: include dirs/*: etc/dirs/y is a directory"}},
		{name: "match",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check match") + "include nope.conf\ninclude d/*.conf\ninclude dirs/*")}},
			want: []string{
				"etc/main.conf:4:9: error: include nope.conf: no configuration file matches",
				"etc/main.conf:5:9: warning: include d/*.conf: no configuration file matches",
				"etc/main.conf:6:9: error: include dirs/*: etc/dirs/y is a directory"}},
		{name: "wildcard_match",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check wildcard_match") + "include nope.conf\ninclude d/*.conf")}},
			want: []string{
				"etc/main.conf:4:9: warning: include nope.conf: no configuration file matches",
				"etc/main.conf:5:9: error: include d/*.conf: no configuration file matches"}},
		{name: "brace_match",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check brace_match") + "include nope.conf\ninclude {nope,nada}.conf\ninclude {a,nope}.conf")}},
			want: []string{
				"etc/main.conf:4:9: warning: include nope.conf: no configuration file matches",
				"etc/main.conf:5:9: error: include {nope,nada}.conf: no configuration file matches",
				"etc/main.conf:6:9: error: include {a,nope}.conf: 1 of the files or directories it names do not exist; nothing included"}},
		{name: "readable",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check readable") + "include nope.conf\ninclude dirs/*\ninclude exec/*.conf")}},
			want: []string{
				"etc/main.conf:4:9: warning: include nope.conf: no configuration file matches",
				"etc/main.conf:5:9: error: include dirs/*: etc/dirs/y is a directory",
				"etc/main.conf:6:9: error: include exec/*.conf: etc/exec/e.conf is not a regular non-executable file; skipped"}},
		{name: "read, as keepalived's parser spells it",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check read") + "include dirs/*")}},
			want:  []string{"etc/main.conf:4:9: error: include dirs/*: etc/dirs/y is a directory"}},
		{name: "add and remove",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check +match -readable") + "include nope.conf\ninclude dirs/*")}},
			want:  []string{"etc/main.conf:4:9: error: include nope.conf: no configuration file matches"}},
		{name: "set then remove",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check match +brace_match -match") + "include nope.conf\ninclude {nope,x}.conf\ninclude dirs/*")}},
			want: []string{
				"etc/main.conf:4:9: warning: include nope.conf: no configuration file matches",
				"etc/main.conf:5:9: error: include {nope,x}.conf: no configuration file matches",
				"etc/main.conf:6:9: error: include dirs/*: etc/dirs/y is a directory"}},
		{name: "later reset clears the level",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check\ninclude_check wildcard_match") + "include nope.conf")}},
			want:  []string{"etc/main.conf:5:9: warning: include nope.conf: no configuration file matches"}},
		{name: "second word without a sign",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check match wildcard_match") + "include nope.conf\ninclude d/*.conf")}},
			want: []string{
				`etc/main.conf:2:21: error: include_check: "wildcard_match" after the first check needs + or - (add or remove it); ignored`,
				"etc/main.conf:4:9: error: include nope.conf: no configuration file matches",
				"etc/main.conf:5:9: warning: include d/*.conf: no configuration file matches"}},
		{name: "unknown word",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check +bogus") + "include nope.conf")}},
			want: []string{
				`etc/main.conf:2:15: error: include_check: unknown check "bogus" (want readable, match, wildcard_match or brace_match); ignored`,
				"etc/main.conf:4:9: warning: include nope.conf: no configuration file matches"}},
		{name: "braces on the next line, or all on one line",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte("global_defs\n{\ninclude_check match\n}\ninclude nope.conf\nglobal_defs { include_check wildcard_match }\ninclude nope.conf\ninclude d/*.conf")}},
			want: []string{
				"etc/main.conf:5:9: error: include nope.conf: no configuration file matches",
				"etc/main.conf:7:9: warning: include nope.conf: no configuration file matches",
				"etc/main.conf:8:9: error: include d/*.conf: no configuration file matches"}},
		{name: "only in global_defs",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte("include_check\nvrrp_instance V {\ninclude_check\n}\nglobal_defs {\nx {\ninclude_check\n}\n}\ninclude nope.conf")}},
			want:  []string{"etc/main.conf:10:9: warning: include nope.conf: no configuration file matches"}},
		{name: "not in a block for another config id",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte("@other global_defs {\ninclude_check\n}\nglobal_defs {\n@other include_check\n}\ninclude nope.conf")}},
			want:  []string{"etc/main.conf:7:9: warning: include nope.conf: no configuration file matches"}},
		{name: "applies to includes inside included files",
			files: fstest.MapFS{
				"etc/main.conf":  {Data: []byte(gd("include_check match") + "include inner.conf")},
				"etc/inner.conf": {Data: []byte("include nope.conf")}},
			want: []string{"etc/inner.conf:1:9: error: include nope.conf: no configuration file matches"}},
		{name: "set in an included file, restored when it ends",
			files: fstest.MapFS{
				"etc/main.conf":  {Data: []byte("include inner.conf\ninclude nope.conf")},
				"etc/inner.conf": {Data: []byte(gd("include_check") + "include nada.conf")}},
			want: []string{
				"etc/inner.conf:4:9: error: include nada.conf: no configuration file matches",
				"etc/main.conf:2:9: warning: include nope.conf: no configuration file matches"}},
		{name: "a variant adds to the level",
			files: fstest.MapFS{"etc/main.conf": {Data: []byte(gd("include_check wildcard_match") + "includeb {a,nope}.conf\ninclude d/*.conf")}},
			want: []string{
				"etc/main.conf:4:10: error: includeb {a,nope}.conf: 1 of the files or directories it names do not exist; nothing included",
				"etc/main.conf:5:9: error: include d/*.conf: no configuration file matches"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := memFS{files: includeCaseFiles(tt.files)}
			_, diags := ParseFile("etc/main.conf", m.options())
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIncludeCheckLoads checks that include_check in global_defs is a
// known keyword with an effect, not one "accepted without effect".
func TestIncludeCheckLoads(t *testing.T) {
	cfg, diags := LoadBytes("t.conf", []byte("global_defs {\ninclude_check +match\n}\n"), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
	if HasErrors(diags) {
		t.Fatalf("diagnostics: %v", diags)
	}
	for _, n := range cfg.NoEffect {
		if n.Keyword == "include_check" {
			t.Errorf("include_check listed as having no effect")
		}
	}
}

// TestIncludeUnreadableOnDisk covers matches that cannot be read, on a real
// file system. The tests run as root, for whom permission bits do not stop
// a read, so unreadable is made from entries no one can read as a file: a
// dangling symlink (stat fails), a directory named like a config file, and
// a FIFO (not a regular file; reading it would block).
func TestIncludeUnreadableOnDisk(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "conf.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("conf.d/good.conf", "good")
	if err := os.Symlink(filepath.Join(dir, "missing-target"), filepath.Join(dir, "conf.d", "dangling.conf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "conf.d", "dir.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "conf.d", "fifo.conf"), 0o644); err != nil {
		t.Fatal(err)
	}
	cd := filepath.Join(dir, "conf.d")
	for _, tt := range []struct {
		variant string
		sev     string // for the dangling symlink and the FIFO
		dirSev  string // for the directory
	}{
		{"include", "warning", ""},
		{"includer", "error", "error"},
		{"includea", "error", "error"},
	} {
		t.Run(tt.variant, func(t *testing.T) {
			write("main.conf", tt.variant+" conf.d/*.conf\nend")
			nodes, diags := ParseFile(filepath.Join(dir, "main.conf"), Options{ConfigID: "main"})
			if got := compact(nodes); got != "good; end" {
				t.Errorf("tree %q, want \"good; end\"", got)
			}
			at := filepath.Join(dir, "main.conf") + ":1:" + strconv.Itoa(len(tt.variant)+2) + ": "
			pre := tt.variant + " conf.d/*.conf: "
			want := []string{at + tt.sev + ": " + pre + "stat " + cd + "/dangling.conf: no such file or directory; skipped"}
			if tt.dirSev != "" {
				want = append(want, at+tt.dirSev+": "+pre+cd+"/dir.conf is a directory")
			}
			want = append(want, at+tt.sev+": "+pre+cd+"/fifo.conf is not a regular non-executable file; skipped")
			var got []string
			for _, d := range diags {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
