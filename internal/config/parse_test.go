package config

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// compact renders nodes on one line: "kw arg { child; child }; next".
// Quoted tokens are shown Go-quoted.
func compact(nodes []*Node) string {
	var parts []string
	for _, n := range nodes {
		words := []string{tokString(n.Keyword)}
		for _, a := range n.Args {
			words = append(words, tokString(a))
		}
		s := strings.Join(words, " ")
		if n.Block {
			if len(n.Children) == 0 {
				s += " {}"
			} else {
				s += " { " + compact(n.Children) + " }"
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func tokString(t Token) string {
	if t.Quoted {
		return strconv.Quote(t.Text)
	}
	return t.Text
}

// diagStrings renders diagnostics without the file name.
func diagStrings(ds []Diagnostic) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%d:%d: %s: %s", d.Pos.Line, d.Pos.Col, d.Severity, d.Msg))
	}
	return out
}

// parseString parses in as "t.conf" with config id "main".
func parseString(t *testing.T, in string) ([]*Node, []Diagnostic) {
	t.Helper()
	return ParseBytes("t.conf", []byte(in), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob})
}

func noFiles(name string) ([]byte, error) { return nil, fmt.Errorf("open %s: no such file", name) }
func noGlob(string) ([]string, error)     { return nil, nil }

func TestParseBytes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr []string
	}{
		{name: "empty", in: "", want: ""},
		{name: "statement", in: "router_id  LVS_1\n", want: "router_id LVS_1"},
		{name: "block next line", in: "global_defs\n{\n router_id a\n}\n", want: "global_defs { router_id a }"},
		{name: "block same line", in: "global_defs {\n router_id a }\n", want: "global_defs { router_id a }"},
		{name: "one line block", in: "authentication { auth_type PASS }", want: "authentication { auth_type PASS }"},
		{name: "list on one line", in: "group { VI_1 VI_2 }", want: "group { VI_1 VI_2 }"},
		{name: "nested one line", in: "a { b { c } d }", want: "a { b { c }; d }"},
		{name: "brace glued to words", in: "a{b}c", want: "a { b }; c"},
		{name: "empty block", in: "a {}\nvrrp_script b\n{\n}", want: "a {}; vrrp_script b {}"},
		{name: "text after close", in: "a {\n} b c", want: "a {}; b c"},
		{name: "comments", in: "! x\n# y\na b ! c\nd#e\nf \"g # h\" # i\n", want: `a b; d; f "g # h"`},
		{name: "escaped comment chars", in: `a \#b \!c`, want: `a #b !c`},
		{name: "crlf", in: "a {\r\n b\r\n}\r\n", want: "a { b }"},
		{name: "double quotes", in: `script "/bin/x y"`, want: `script "/bin/x y"`},
		{name: "single quotes", in: `script '/bin/x y'`, want: `script "/bin/x y"`},
		{name: "apostrophe is a letter", in: `router_id it's # note`, want: `router_id it's`},
		{name: "quotes join words", in: `x abcd" efg h "mnop`, want: `x "abcd efg h mnop"`},
		{name: "quoted braces", in: `x "{" "}"`, want: `x "{" "}"`},
		{name: "escapes", in: `x "\t\x41\101\cA\\\"\E\q"`, want: `x "\tAA\x01\\\"\x1bq"`},
		{name: "backslash outside quotes literal", in: `x a\b`, want: `x a\b`},
		{name: "conditional match", in: "@main a 1\n@other a 2\n@^main b 1\n@^other b 2", want: "a 1; b 2"},
		{name: "conditional no text", in: "@main\nx", want: "x"},
		{name: "conditional block dropped", in: "@other a {\n b\n}\nc", want: "c"},
		{name: "conditional block next line dropped", in: "@other a\n{\n b\n}\nc", want: "c"},
		{name: "conditional block kept", in: "@main a {\n b\n}", want: "a { b }"},
		{name: "conditional close brace dropped alone", in: "a {\n@other }\n}", want: "a {}"},
		{name: "param", in: "$P=240\npriority $P\nx ${P}0", want: "priority 240; x 2400"},
		{name: "param needs separator", in: "$P=1\nx $Pq $P,$P) ${P}", want: "x $Pq 1,1) 1"},
		{name: "param undefined stays", in: "x $NOPE ${NOPE}", want: "x $NOPE ${NOPE}"},
		{name: "param late binding", in: "$A=10.2.${B}\n$B=0\n${A}.1\n$B=10\n${A}.1", want: "10.2.0.1; 10.2.10.1"},
		{name: "param empty", in: "$E=\nx${E}y", want: "xy"},
		{name: "param in quotes", in: "$S=/bin/s\nscript \"${S} a\"", want: `script "/bin/s a"`},
		{name: "param with conditional", in: "@main $P=1\n@other $P=2\np $P", want: "p 1"},
		{name: "param expands to conditional", in: "$IF=@main\n$IF priority 240\n$NO=@x\n$NO priority 1", want: "priority 240"},
		{name: "param space before equals is not a definition", in: "$P =1", want: "$P =1"},
		{name: "multiline param", in: "$I= \\\nvrrp_instance VI_${N} { \\\n  priority 1 \\\n}\n$N=0\n$I\n$N=1\n$I\n",
			want: "vrrp_instance VI_0 { priority 1 }; vrrp_instance VI_1 { priority 1 }"},
		{name: "multiline param nested", in: "$RS= \\\nrs ${R}\n$VS= \\\nvs { \\\n$R=1 \\\n$RS \\\n$R=2 \\\n$RS \\\n}\n$VS",
			want: "vs { rs 1; rs 2 }"},
		{name: "multiline param only at line end", in: "$M= \\\na \\\nb\nx $M y", want: "x $M y"},
		{name: "multiline with first line", in: "$M=a \\\nb\n$M", want: "a; b"},
		{name: "predefined", in: "x ${_HASH} ${_BANG} ${_INSTANCE}", want: "x # ! main"},
		{name: "seq", in: "~SEQ(S, 0, 3) ip 10.0.${S}.1", want: "ip 10.0.0.1; ip 10.0.1.1; ip 10.0.2.1; ip 10.0.3.1"},
		{name: "seq step", in: "~SEQ(S, 1, 2, 6) $S", want: "1; 3; 5"},
		{name: "seq down", in: "~SEQ(S, 3, 1) $S", want: "3; 2; 1"},
		{name: "seq end only", in: "~SEQ(S, 3) $S\n~SEQ(T, -2) $T", want: "1; 2; 3; -1; -2"},
		{name: "seqx", in: "~SEQx(S, 0x90, 0x10, 0xc0) fe80::${S}:1", want: "fe80::90:1; fe80::a0:1; fe80::b0:1; fe80::c0:1"},
		{name: "seq nested", in: "~SEQ(A,1,2) ~SEQ(B,1,2) ${A}.${B}", want: "1.1; 1.2; 2.1; 2.2"},
		{name: "seq param args", in: "$N=2\n~SEQ(A, $N) $A", want: "1; 2"},
		{name: "seq multiline", in: "$V= \\\ni $X {\\\n}\n~SEQ(X,1,2) $V", want: "i 1 {}; i 2 {}"},
		{name: "lst", in: "~LST(IP, 1, 2) ~LST(J, 5,6) 192.169.${IP}.${J}", want: "192.169.1.5; 192.169.1.6; 192.169.2.5; 192.169.2.6"},
		{name: "lst groups", in: "~LST({IP, IP1}, {10,1},{20,4}) ~SEQ(K,168,2,170) ${K}.${IP}.${IP1}", want: "168.10.1; 170.10.1; 168.20.4; 170.20.4"},
		{name: "tilde other", in: "~foo $X", want: "~foo $X"},

		{name: "unexpected close", in: "a\n}\nb", want: "a; b", wantErr: []string{"2:1: error: unexpected '}': no block is open"}},
		{name: "missing close", in: "a {\n b {\n", want: "a { b {} }", wantErr: []string{
			"2:4: error: missing '}' for the block of \"b\" opened here",
			"1:3: error: missing '}' for the block of \"a\" opened here"}},
		// keepalived ignores a '{' where no block may start; the '}' meant
		// for it closes the enclosing block.
		{name: "bare open", in: "a {}\n\n{ b }", want: "a {}; b", wantErr: []string{
			"3:1: error: unexpected '{': a block must follow a keyword; ignored, so the next '}' closes the enclosing block",
			"3:5: error: unexpected '}': no block is open"}},
		{name: "open on the next line of a plain keyword", in: "vrrp_instance X {\n nopreempt\n {\n priority 1\n }\n}",
			want: "vrrp_instance X { nopreempt; priority 1 }", wantErr: []string{
				"3:2: error: unexpected '{': a block must follow a keyword; ignored, so the next '}' closes the enclosing block",
				"6:1: error: unexpected '}': no block is open"}},
		{name: "extra open inside a block", in: "vrrp_script s {\n interval 2\n{\n}\nvrrp_instance X {\n}",
			want: "vrrp_script s { interval 2 }; vrrp_instance X {}", wantErr: []string{
				"3:1: error: unexpected '{': a block must follow a keyword; ignored, so the next '}' closes the enclosing block"}},
		// A keyword that owns a block in keepalived takes the next lines
		// as its block without the '{'.
		{name: "missing open of a block", in: "vrrp_instance X\n state MASTER\n}\nvrrp_script s {\n}",
			want: "vrrp_instance X { state MASTER }; vrrp_script s {}", wantErr: []string{
				"3:1: error: unexpected '}': no block is open",
				`2:2: error: missing '{' at the beginning of the block of "vrrp_instance" on line 1; these lines are read as its block`,
				`2:2: error: keepalived's processes that do not own the enclosing block read "state" here as a top-level line, and report it: a '{' or '}' before it is missing or extra`}},
		{name: "missing open of a nested block", in: "virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80\n weight 2\n }\n}",
			want: "virtual_server 10.0.0.1 80 { real_server 10.0.0.2 80 { weight 2 } }", wantErr: []string{
				"5:1: error: unexpected '}': no block is open",
				`3:2: error: missing '{' at the beginning of the block of "real_server" on line 2; these lines are read as its block`}},
		{name: "missing open of a list", in: "vrrp_instance X {\n virtual_ipaddress\n  10.0.0.1\n }\n}",
			want: "vrrp_instance X { virtual_ipaddress { 10.0.0.1 } }", wantErr: []string{
				"5:1: error: unexpected '}': no block is open",
				`3:3: warning: missing '{' at the beginning of the block of "virtual_ipaddress" on line 2; these lines are read as its block`}},
		{name: "plain keyword needs no block", in: "vrrp_instance X {\n nopreempt\n priority 1\n}",
			want: "vrrp_instance X { nopreempt; priority 1 }"},
		{name: "unterminated quote", in: "a \"b c\nd", want: `a "b c"; d`, wantErr: []string{"1:3: error: unterminated quoted string"}},
		{name: "recursive param", in: "$A=${A}x\n  y $A", want: "", wantErr: []string{"2:5: error: more than 256 parameter substitutions on one line (recursive definition of $A?)"}},
		{name: "bad seq", in: "  ~SEQ(A, 1, -1, 5) x", wantErr: []string{"1:3: error: invalid ~SEQ(A, 1, -1, 5): step -1 never reaches 5 from 1"}},
		{name: "bad seq number", in: "~SEQ(A, z) x", wantErr: []string{"1:1: error: invalid ~SEQ(A, z): \"z\" is not an integer"}},
		{name: "bad seqx", in: "~SEQx(A, -3) x", wantErr: []string{"1:1: error: invalid ~SEQx(A, -3): ~SEQx needs values that are not negative"}},
		{name: "bad lst", in: "~LST({A,B}, {1}) x", wantErr: []string{"1:1: error: invalid ~LST({A,B}, {1}): 1 values for 2 variables"}},
		{name: "missing include", in: "include nope.conf", wantErr: []string{"1:9: warning: include nope.conf: no configuration file matches"}},
		{name: "missing includea", in: "includea nope.conf", wantErr: []string{"1:10: error: includea nope.conf: no configuration file matches"}},
		{name: "binary", in: "a\nb\x00c", wantErr: []string{"2:2: error: this is a binary file, not a keepalived configuration (NUL or non-UTF-8 bytes)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, diags := parseString(t, tt.in)
			if diff := cmp.Diff(tt.want, compact(nodes)); diff != "" {
				t.Errorf("tree (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErr, diagStrings(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
