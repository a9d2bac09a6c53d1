package config

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDump(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: "a b\nc { d e { f } }",
			want: "a b\nc {\n    d e {\n        f\n    }\n}\n"},
		{name: "empty block", in: "a {}", want: "a {\n}\n"},
		{name: "quoted stays quoted", in: `script "/bin/true"`, want: "script \"/bin/true\"\n"},
		{name: "specials quoted", in: `x "a b" "" "{" "#c" "d!" "it's" "\\" "\x24X" "\t\x01"`,
			want: "x \"a b\" \"\" \"{\" \"#c\" \"d!\" \"it's\" \"\\\\\" \"\\x24X\" \"\\x09\\x01\"\n"},
		{name: "first word markers", in: `"@id" x` + "\n" + `"~SEQ(a)" y` + "\nz @id ~x",
			want: "\"@id\" x\n\"~SEQ(a)\" y\nz @id ~x\n"},
		{name: "include keyword", in: "a { include b }", want: "a {\n    \"include\" b\n}\n"},
		{name: "utf-8 kept, invalid escaped", in: "name \"Zoë \xff is here\"", want: "name \"Zoë \\xff is here\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes, diags := parseString(t, tt.in)
			if len(diags) > 0 {
				t.Fatalf("parse: %v", diags)
			}
			var buf bytes.Buffer
			if err := Dump(&buf, nodes); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, buf.String()); diff != "" {
				t.Errorf("Dump (-want +got):\n%s", diff)
			}
			roundTrip(t, nodes)
		})
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, "plain"},
		{`\a\b\E\f\n\r\t\v`, "\a\b\x1b\f\n\r\t\v"},
		{`\x41\x4a\x4Ag\x7`, "AJJg\x07"},
		{`\x414`, "A4"}, // at most two hex digits
		{`\xz`, "xz"},
		{`\101\1012\7`, "AA2\a"},
		{`\cA\c[`, "\x01\x1b"},
		{`\"\'\\\q`, `"'\q`},
		{`end\`, `end\`},
	}
	for _, tt := range tests {
		var b strings.Builder
		unescape(&b, tt.in)
		if diff := cmp.Diff(tt.want, b.String()); diff != "" {
			t.Errorf("unescape(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
