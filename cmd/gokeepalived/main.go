// Command gokeepalived is a VRRP high-availability daemon that reads
// keepalived.conf and behaves as keepalived does on the wire.
//
// Without a subcommand it takes keepalived's flags (keepalived(8)); the
// subcommands check and version are gokeepalived's own.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/plan"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// usageHeader lists the daemon's and the subcommands' synopses.
const usageHeader = `Usage: gokeepalived [OPTION...]                 run the VRRP daemon (keepalived's flags)
       gokeepalived check [--json] [-i ID] [-D] FILE   check a keepalived.conf
       gokeepalived status [--socket PATH] [--json] [INSTANCE]
       gokeepalived reload [--socket PATH]             reload the running daemon's configuration
       gokeepalived plan [--json] [--node NAME=PATH,...] FILE...   predict where every VIP lands
       gokeepalived demo [--builtin] [--no-color]      the seed scenario, live, in namespaces (root)
       gokeepalived version

`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version":
			fmt.Fprintf(stdout, "gokeepalived %s\n", version)
			return 0
		case "check":
			return runCheck(args[1:], stdout, stderr)
		case "status":
			return control.RunStatus(args[1:], stdout, stderr)
		case "reload":
			return control.RunReload(args[1:], stdout, stderr)
		case "demo":
			return runDemo(args[1:], stdout, stderr)
		case "plan":
			return plan.Run(args[1:], stdout, stderr)
		case "genhash":
			return runGenhash(args[1:], stdout, stderr)
		case "manpage": // hidden: packaging renders gokeepalived.8 with it
			if err := writeManPage(stdout); err != nil {
				fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
				return 1
			}
			return 0
		}
	}
	o, err := parseFlags(args, stderr)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
		return 2
	}
	switch {
	case o.Help:
		fmt.Fprint(stdout, usageHeader)
		newFlagSet(&Options{}, stdout).PrintDefaults()
		return 0
	case o.Version:
		fmt.Fprintf(stdout, "gokeepalived %s\n", version)
		return 0
	case o.Signum != "":
		n, ok := signums[o.Signum]
		if !ok {
			fmt.Fprintf(stderr, "Unknown sigfunc %s\n", o.Signum)
			return 1
		}
		fmt.Fprintln(stdout, n)
		return 0
	}
	if o.DumpConf {
		if err := dumpConfig(stdout, o.ConfigFile, o.ConfigID); err != nil {
			fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
			return 4
		}
	}
	if o.ConfigTest {
		return configTest(o, stderr)
	}
	if o.DumpConf {
		return 0
	}
	if o.CheckOnly {
		fmt.Fprintln(stderr, "gokeepalived: -C/--check: the LVS health checker is not implemented yet (virtual_server blocks are parsed and validated only); run without -C for VRRP")
		return 1
	}
	return startDaemon(o)
}
