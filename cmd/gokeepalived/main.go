// Command gokeepalived is a VRRP high-availability daemon that reads
// keepalived.conf and behaves as keepalived does on the wire.
//
// Without a subcommand it takes keepalived's flags (keepalived(8)); the
// subcommands (check, status, reload, plan, demo, version, completion,
// help) are gokeepalived's own.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code. A first word
// that is not a flag names a subcommand (commands.go).
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] != "" && !strings.HasPrefix(args[0], "-") {
		if c := findCommand(args[0]); c != nil {
			return c.Main(args[1:], stdout, stderr)
		}
		return unknownCommand(stderr, args[0])
	}
	o, err := parseFlags(args, stderr)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived: %v\nRun 'gokeepalived help' for usage.\n", err)
		return cli.ExitUsage
	}
	switch {
	case o.Help:
		writeUsage(stdout)
		return 0
	case o.Version:
		readVersion().writeText(stdout)
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
	return startDaemon(o)
}
