package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/cli"
)

// manSignals are the signals the daemon acts on.
var manSignals = [][2]string{
	{"HUP", "reload the configuration without a flap: a bad file is refused and the running configuration stays"},
	{"TERM, INT", "stop: masters send priority 0 and remove their addresses"},
	{"USR1", "write the data dump (keepalived.data)"},
	{"USR2", "write the statistics dump (keepalived.stats)"},
	{"RTMIN+2 (36)", "write the JSON dump (keepalived.json)"},
	{"RTMAX-1 (63)", "write the statistics dump and clear the counters"},
}

// writeManPage renders gokeepalived(8) in roff from the command line's own
// flag definitions, so the page and -h never disagree (the hidden
// `gokeepalived manpage` subcommand; packaging calls it).
func writeManPage(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH GOKEEPALIVED 8 \"\" \"gokeepalived %s\" \"System Administration\"\n", roff(version))
	b.WriteString(".SH NAME\ngokeepalived \\- VRRP high\\-availability daemon compatible with keepalived\n")
	b.WriteString(".SH SYNOPSIS\n.B gokeepalived\n[\\fIOPTION\\fR...]\n")
	for _, c := range manCommands() {
		fmt.Fprintf(&b, ".br\n.B gokeepalived %s\n%s\n", c.Name, roff(c.Synopsis))
	}
	b.WriteString(".SH DESCRIPTION\n")
	b.WriteString("gokeepalived reads keepalived.conf(5) and runs its vrrp_instance, vrrp_sync_group and " +
		"vrrp_script blocks as keepalived(8) does, with the same packets, flags, signals, notify scripts and dump files. " +
		"It adds a status API on a unix socket, Prometheus metrics and a reload that does not flap.\n")
	b.WriteString(".SH OPTIONS\n")
	fs := newFlagSet(&Options{}, io.Discard)
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		b.WriteString(".TP\n")
		name := "\\fB\\-\\-" + roff(f.Name) + "\\fR"
		if f.Shorthand != "" {
			name = "\\fB\\-" + roff(f.Shorthand) + "\\fR, " + name
		}
		if f.Value.Type() != "bool" {
			arg, _ := pflag.UnquoteUsage(f)
			arg = roff(strings.ToUpper(arg))
			if f.NoOptDefVal != "" {
				name += "[=\\fI" + arg + "\\fR]"
			} else {
				name += " \\fI" + arg + "\\fR"
			}
		}
		b.WriteString(name + "\n" + roff(f.Usage))
		if f.DefValue != "" && f.DefValue != "false" && f.NoOptDefVal == "" {
			b.WriteString(" (default: " + roff(f.DefValue) + ")")
		}
		b.WriteString("\n")
	})
	b.WriteString(".SH COMMANDS\n")
	for _, c := range manCommands() {
		fmt.Fprintf(&b, ".TP\n\\fB%s\\fR %s\n%s\n", c.Name, roff(c.Synopsis), roff(c.Summary))
		for _, f := range visibleFlags(c.Flags) {
			fmt.Fprintf(&b, ".RS\n.TP\n\\fB%s\\fR\n%s\n.RE\n", roff(strings.TrimSpace(cli.FlagName(f))), roff(cli.FlagHelp(f)))
		}
	}
	b.WriteString(".SH EXIT STATUS\n.TP\n\\fBgokeepalived\\fR [\\fIOPTION\\fR...]\n" + roff(daemonExit) + "\n")
	for _, c := range manCommands() {
		if c.Exit != "" {
			fmt.Fprintf(&b, ".TP\n\\fBgokeepalived %s\\fR\n%s\n", c.Name, roff(c.Exit))
		}
	}
	b.WriteString(".SH SIGNALS\n")
	for _, s := range manSignals {
		fmt.Fprintf(&b, ".TP\n\\fBSIG%s\\fR\n%s\n", roff(s[0]), roff(s[1]))
	}
	b.WriteString(".SH ENVIRONMENT\n.TP\n\\fB" + envDumpDir + "\\fR\ndirectory for the dump files instead of /tmp\n")
	b.WriteString(".TP\n\\fBNOTIFY_SOCKET\\fR, \\fBWATCHDOG_USEC\\fR\nset by systemd: readiness, reload, stop and watchdog notifications are sent\n")
	b.WriteString(".SH FILES\n.TP\n" + roff(defaultConfigFile) + "\ndefault configuration\n")
	b.WriteString(".TP\n/etc/gokeepalived/keepalived.conf\nconfiguration used by the packaged systemd unit\n")
	b.WriteString(".TP\n/tmp/keepalived.data, /tmp/keepalived.stats, /tmp/keepalived.json\ndump files written on USR1, USR2 and RTMIN+2\n")
	b.WriteString(".SH SEE ALSO\nkeepalived(8), keepalived.conf(5), systemd.service(5)\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// manCommands are the subcommands the page lists: every one not hidden.
func manCommands() []*cli.Command {
	var out []*cli.Command
	for _, c := range commands() {
		if !c.Hidden {
			out = append(out, c)
		}
	}
	return out
}

// roff escapes text for a roff line: backslashes, hyphens and a leading
// control character.
func roff(s string) string {
	s = strings.ReplaceAll(s, "\\", "\\e")
	s = strings.ReplaceAll(s, "-", "\\-")
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = "\\&" + s
	}
	return s
}
