package config

// MaxDiagnostics is how many diagnostics one Load or Parse returns at most.
// The rest are counted, not kept, and summed up in one last diagnostic
// ("... and N more"), so a hostile or mangled file cannot grow the list
// (or the output of a config test) without bound.
const MaxDiagnostics = 500

// diagCap keeps a list of diagnostics within MaxDiagnostics.
type diagCap struct {
	more       int  // diagnostics not kept
	moreErrors int  // of which errors
	moreFatal  int  // of which fatal (keepalived refuses to start)
	first      Pos  // position of the first one not kept
	lastKept   bool // the last diagnostic offered was kept (for hints)
}

// add appends d to *list, or counts it once the list is full.
func (c *diagCap) add(list *[]Diagnostic, d Diagnostic) {
	if len(*list) < MaxDiagnostics {
		*list = append(*list, d)
		c.lastKept = true
		return
	}
	if c.more == 0 {
		c.first = d.Pos
	}
	c.more++
	if d.Severity == SeverityError {
		c.moreErrors++
	}
	if d.Fatal {
		c.moreFatal++
	}
	c.lastKept = false
}

// hint sets the hint of the last diagnostic, if it was kept.
func (c *diagCap) hint(list []Diagnostic, h string) {
	if c.lastKept && len(list) > 0 {
		list[len(list)-1].Hint = h
	}
}

// finish returns list with the summary of what was not kept. The summary
// is an error when any of them was, and fatal when any of them was, so
// that a caller refusing a configuration (Refuses) still refuses this one.
func (c *diagCap) finish(list []Diagnostic) []Diagnostic {
	if c.more == 0 {
		return list
	}
	sev := SeverityWarning
	if c.moreErrors > 0 {
		sev = SeverityError
	}
	return append(list, Diagnostic{Pos: c.first, Severity: sev, Fatal: c.moreFatal > 0, Summary: true,
		Msg:  sprintf("... and %d more problems from here on (%d of them errors), not shown", c.more, c.moreErrors),
		Hint: "fix the first problems and check again"})
}
