package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExpansionBounded feeds inputs whose parameters or generators explode
// and checks that each stops with one error. Without the
// bounds these run for minutes or exhaust memory.
func TestExpansionBounded(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "doubling", in: "$A=${A}${A}\n$A\n",
			wantErr: "2:1: error: parameters and generators expand to more than 65536 bytes; reading stopped here"},
		{name: "self reference multi-line", in: "$M= \\\n$M\\\n$M\n$M\n",
			wantErr: "4:1: error: more than 256 parameter substitutions on one line (recursive definition of $M?)"},
		{name: "self reference", in: "$A=${A}\n$A\n",
			wantErr: "2:1: error: more than 256 parameter substitutions on one line (recursive definition of $A?)"},
		{name: "growing", in: "$A=" + strings.Repeat("x", 200) + "${A}\n" + strings.Repeat("$A\n", 100),
			wantErr: "2:1: error: parameters and generators expand to more than 65536 bytes; reading stopped here"},
		{name: "long lines generated", in: "$B=" + strings.Repeat("y ", 30000) + "\n~SEQ(I,1,100000) $B\n",
			wantErr: "2:18: error: parameters and generators expand to more than 65536 bytes; reading stopped here"},
		{name: "multi-line fan out", in: "$M= \\\na \\\n$M\\\n$M\n$M\n",
			wantErr: "5:1: error: parameter or generator expansion nested more than 64 deep; reading stopped here"},
		{name: "huge sequence", in: "~SEQ(I,1,1000000000000) ~SEQ(J,1,10000) x\n",
			wantErr: "1:25: error: parameters and generators expand to more than 65536 bytes; reading stopped here"},
		{name: "deep multi-line", in: "$M= \\\nx \\\n$M\n$M\n",
			wantErr: "4:1: error: parameter or generator expansion nested more than 64 deep; reading stopped here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := ParseBytes("x.conf", []byte(tt.in), Options{ConfigID: "main", ReadFile: noFiles, Glob: noGlob, MaxExpansion: 64 << 10})
			if diff := cmp.Diff([]string{tt.wantErr}, diagStrings(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
