package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"
)

// Program is the command name every usage line starts with.
const Program = "gokeepalived"

// Exit codes every subcommand shares.
const (
	ExitOK    = 0
	ExitUsage = 2 // bad flags or arguments
)

// Command is one subcommand: what its help says, its flags, and what it
// does with the arguments left after the flags.
type Command struct {
	// Name is the subcommand's word ("status").
	Name string
	// Synopsis is the usage after the name ("[--json] [INSTANCE]").
	Synopsis string
	// Summary is one line for the command list and the man page.
	Summary string
	// Detail is the description under the usage line; Summary when empty.
	Detail string
	// Exit says what each exit status means ("0 ok, 1 ..., 2 usage").
	Exit string
	// Flags are the subcommand's flags; New makes an empty set.
	Flags *pflag.FlagSet
	// Run does the work with the arguments left after the flags and
	// returns the exit code. Usage problems return UsageError's code.
	Run func(args []string, stdout, stderr io.Writer) int
	// Hidden commands are not listed (help, completion and the man page
	// leave them out).
	Hidden bool
}

// New returns a Command with an empty flag set, for the caller to add
// flags to and set Run.
func New(name, synopsis, summary string) *Command {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.SortFlags = false
	return &Command{Name: name, Synopsis: synopsis, Summary: summary, Flags: fs}
}

// Main parses args (the words after the subcommand's name) and runs the
// command: -h/--help prints the help to stdout and exits 0; a flag error
// is reported on stderr, with the flag probably meant, and exits 2.
func (c *Command) Main(args []string, stdout, stderr io.Writer) int {
	err := c.Flags.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		c.Help(stdout)
		return ExitOK
	}
	if err != nil {
		return c.UsageError(stderr, FlagError(c.Flags, err))
	}
	return c.Run(c.Flags.Args(), stdout, stderr)
}

// UsageError reports a usage problem the way every subcommand does and
// returns ExitUsage.
func (c *Command) UsageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "%s %s: %s\nRun '%s help %s' for usage.\n", Program, c.Name, msg, Program, c.Name)
	return ExitUsage
}

// Help writes the command's help in the one layout: usage line,
// description, flags, exit status.
func (c *Command) Help(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s %s", Program, c.Name)
	if c.Synopsis != "" {
		fmt.Fprintf(w, " %s", c.Synopsis)
	}
	detail := c.Detail
	if detail == "" {
		detail = c.Summary
	}
	fmt.Fprintf(w, "\n\n%s\n", strings.TrimRight(detail, "\n"))
	if c.Flags.HasAvailableFlags() {
		fmt.Fprintf(w, "\nFlags:\n")
		PrintFlags(w, c.Flags)
	}
	if c.Exit != "" {
		fmt.Fprintf(w, "\nExit status: %s\n", c.Exit)
	}
}

// FlagError words a pflag parse error, adding "did you mean --X?" when an
// unknown flag is close to one of fs's.
func FlagError(fs *pflag.FlagSet, err error) string {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return msg
	}
	name, _, _ = strings.Cut(name, "=")
	var names []string
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	if s := Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean --%s?)", s)
	}
	return msg
}

// PrintFlags lists fs's visible flags, one a line and aligned: "-s,
// --socket string" then the help and a default other than the zero value.
// (pflag's own listing marks every boolean "[=true|false]".)
func PrintFlags(w io.Writer, fs *pflag.FlagSet) {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		fmt.Fprintf(tw, "%s\t%s\n", FlagName(f), FlagHelp(f))
	})
	tw.Flush()
}

// FlagName is how a flag is written in help: "  -s, --socket string",
// "      --json", "  -t, --config-test[=string]".
func FlagName(f *pflag.Flag) string {
	line := "      --" + f.Name
	if f.Shorthand != "" {
		line = "  -" + f.Shorthand + ", --" + f.Name
	}
	if f.Value.Type() == "bool" {
		return line
	}
	varname, _ := pflag.UnquoteUsage(f)
	if f.NoOptDefVal != "" {
		return line + "[=" + varname + "]"
	}
	return line + " " + varname
}

// FlagHelp is a flag's help with its default, when that is not the zero
// value.
func FlagHelp(f *pflag.Flag) string {
	_, usage := pflag.UnquoteUsage(f)
	switch f.DefValue {
	case "", "false", "0", "[]":
	default:
		if f.NoOptDefVal == "" {
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		}
	}
	return usage
}
