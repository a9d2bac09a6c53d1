package config

import "fmt"

// Pos is a position in a configuration file. Line and Col count from 1;
// Col counts bytes. The zero Pos means "no position".
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats p as file:line:col, or just file when p has no line (a
// problem with the file as a whole, such as failing to open it).
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Token is one word of a configuration line after preprocessing (comments
// removed, conditionals chosen, parameters substituted, quotes resolved).
type Token struct {
	Text   string
	Pos    Pos
	Quoted bool // the word was written in quotes
}

// Node is one statement: a keyword with its arguments on one logical line,
// and, when a brace block follows it (on the same or the next line), the
// statements inside it. Inside list blocks such as virtual_ipaddress or
// group, each line is one Node whose Keyword is the line's first word.
type Node struct {
	Keyword  Token
	Args     []Token
	Children []*Node
	Block    bool // a { ... } block followed the keyword
	End      Pos  // position of the closing brace, when Block
}

// Severity says whether a Diagnostic stops the configuration from loading.
type Severity uint8

// Severities. The zero value is invalid.
const (
	SeverityError Severity = iota + 1
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// Diagnostic is one positioned problem found in a configuration.
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	Msg      string
	Hint     string // optional advice, printed on its own line
	// Fatal is set on the few problems for which keepalived refuses to
	// start (see Refuses); every other one, error or warning, leaves a
	// configuration that runs with keepalived's fallback applied.
	Fatal bool `json:",omitempty"`
	// Quiet marks a problem keepalived reports without failing its
	// config test (a missing include it was not asked to check).
	Quiet bool `json:",omitempty"`
	// Summary marks the last diagnostic of a list cut at MaxDiagnostics,
	// which stands for the ones not kept; SortDiagnostics leaves it last.
	Summary bool `json:",omitempty"`
}

// String formats d as "file:line:col: severity: message"; a Fatal
// diagnostic shows "fatal" as its severity.
func (d Diagnostic) String() string {
	sev := d.Severity.String()
	if d.Fatal {
		sev = "fatal"
	}
	s := fmt.Sprintf("%s: %s: %s", d.Pos, sev, d.Msg)
	if d.Hint != "" {
		s += "\n\thint: " + d.Hint
	}
	return s
}
