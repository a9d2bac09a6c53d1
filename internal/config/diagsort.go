package config

import (
	"cmp"
	"slices"
)

// SortDiagnostics sorts diags in place by position — file, line, column,
// then message — as go/scanner's ErrorList.Sort does, keeping the order in
// which they were found among equals (a hint stays with its diagnostic, as
// it is a field of it). A Summary diagnostic ("... and N more") stays last.
//
// Load and Parse return diagnostics in the order keepalived reports them
// (as it reads, then as it validates each kind of block), which is what
// the tests pinning keepalived's order compare; SortDiagnostics is for the
// list a person reads (`-t`, `gokeepalived check`, the daemon's log).
func SortDiagnostics(diags []Diagnostic) {
	slices.SortStableFunc(diags, func(a, b Diagnostic) int {
		if a.Summary != b.Summary {
			if a.Summary {
				return 1
			}
			return -1
		}
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
}
