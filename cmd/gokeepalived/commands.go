package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gokeepalived/gokeepalived/internal/cli"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/plan"
)

// commands lists every subcommand, in the order help shows them.
func commands() []*cli.Command {
	return []*cli.Command{
		checkCommand(), control.StatusCommand(), control.ReloadCommand(), plan.Command(),
		demoCommand(), genhashCommand(), versionCommand(), completionCommand(), helpCommand(), manpageCommand(),
	}
}

// findCommand returns the subcommand called name, or nil.
func findCommand(name string) *cli.Command {
	for _, c := range commands() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// unknownCommand reports a word that is no subcommand, with the one
// probably meant, and returns the usage exit code.
func unknownCommand(stderr io.Writer, name string) int {
	var names []string
	for _, c := range commands() {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	msg := fmt.Sprintf("gokeepalived: unknown command %q", name)
	if s := cli.Suggest(name, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	fmt.Fprintf(stderr, "%s\nRun 'gokeepalived help' for the commands and the daemon's options.\n", msg)
	return cli.ExitUsage
}

// daemonExit is what the daemon's and -t's exit statuses mean.
const daemonExit = "the daemon: 0 stopped cleanly, 1 could not start or stopped on an error, " +
	"6 the configuration cannot be used; -t: 0 OK, 4 the file cannot be read, 5 problems found " +
	"(keepalived would run it), 6 scripts without enable_script_security (with --fatal-only: 0 unless " +
	"the daemon would refuse to start); 2 usage"

// writeUsage writes the top-level help: the daemon's synopsis, the
// subcommands, and keepalived's flags.
func writeUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: gokeepalived [OPTION...]\n       gokeepalived COMMAND [ARG...]\n\n"+
		"Without a command, runs the VRRP daemon with keepalived's options (below).\n\nCommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for _, c := range commands() {
		if !c.Hidden {
			fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Summary)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "\nRun 'gokeepalived help COMMAND' for a command's flags.\n\nOptions:\n")
	cli.PrintFlags(w, newFlagSet(&Options{}, io.Discard))
	fmt.Fprintf(w, "\nExit status: %s\n", daemonExit)
}

// helpCommand is `gokeepalived help [COMMAND]`.
func helpCommand() *cli.Command {
	c := cli.New("help", "[COMMAND]", "show the help of a command, or the daemon's options and the command list")
	c.Exit = "0 shown, 2 no such command"
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		switch len(args) {
		case 0:
			writeUsage(stdout)
			return cli.ExitOK
		case 1:
			if sub := findCommand(args[0]); sub != nil {
				sub.Help(stdout)
				return cli.ExitOK
			}
			return unknownCommand(stderr, args[0])
		}
		return c.UsageError(stderr, "at most one command")
	}
	return c
}

// manpageCommand is the hidden `gokeepalived manpage`: packaging renders
// gokeepalived.8 with it.
func manpageCommand() *cli.Command {
	c := cli.New("manpage", "", "write gokeepalived(8) in roff")
	c.Hidden = true
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		if err := writeManPage(stdout); err != nil {
			fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
			return 1
		}
		return 0
	}
	return c
}
