package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"
)

// Exit codes of RunStatus and RunReload.
const (
	ExitOK    = 0
	ExitError = 1 // the daemon could not be asked, or the answer was an error
	ExitUsage = 2 // bad flags or arguments
)

// requestTimeout bounds one CLI request.
const requestTimeout = 10 * time.Second

// RunStatus is the `gokeepalived status [flags] [INSTANCE]` subcommand:
// args are the arguments after "status". It prints the status table, or
// one instance in detail when a name is given, or JSON with --json, and
// returns the process exit code.
func RunStatus(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("status", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	socket := fs.StringP("socket", "s", DefaultSocketPath, "control socket of the daemon to ask")
	asJSON := fs.Bool("json", false, "print the API's JSON instead of a table")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: gokeepalived status [--socket PATH] [--json] [INSTANCE]\n\n"+
			"Shows what the daemon is doing: each VRRP instance's state, priorities,\n"+
			"master, virtual addresses (%s on the interface, %s not) and last transition;\n"+
			"sync groups, trackers and the configuration. With INSTANCE, that instance\n"+
			"in detail.\n\nFlags:\n", markPresent, markAbsent)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		fmt.Fprintf(stderr, "gokeepalived status: %v\n", err)
		return ExitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "gokeepalived status: at most one instance name, got %d arguments\n", fs.NArg())
		fs.Usage()
		return ExitUsage
	}
	c, err := Dial(*socket)
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived status: %v\n", err)
		return ExitError
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	if fs.NArg() == 1 {
		err = showInstance(ctx, c, fs.Arg(0), *asJSON, stdout)
	} else {
		err = showAll(ctx, c, *asJSON, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived status: %v\n", err)
		return ExitError
	}
	return ExitOK
}

func showAll(ctx context.Context, c *Client, asJSON bool, w io.Writer) error {
	s, err := c.Status(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(w, s)
	}
	return RenderTable(w, s, time.Now())
}

func showInstance(ctx context.Context, c *Client, name string, asJSON bool, w io.Writer) error {
	in, err := c.Instance(ctx, name)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(w, in)
	}
	return RenderInstance(w, in, time.Now())
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// RunReload is the `gokeepalived reload [--socket PATH]` subcommand: it asks
// the daemon to reload its configuration, as SIGHUP does, and reports
// whether the new configuration is in force. It returns the exit code:
// 0 reloaded, 1 refused or unreachable, 2 usage.
func RunReload(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("reload", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	socket := fs.StringP("socket", "s", DefaultSocketPath, "control socket of the daemon")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return ExitOK
		}
		fmt.Fprintf(stderr, "gokeepalived reload: %v\n", err)
		return ExitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "gokeepalived reload: takes no arguments")
		return ExitUsage
	}
	c, err := Dial(*socket)
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived reload: %v\n", err)
		return ExitError
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), DefaultWriteTimeout+5*time.Second)
	defer cancel()
	res, err := c.Reload(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived reload: %v\n", err)
		return ExitError
	}
	if !res.OK {
		fmt.Fprintf(stderr, "gokeepalived reload: refused, still running the previous configuration: %s\n", res.Error)
		return ExitError
	}
	fmt.Fprintf(stdout, "reloaded %s\n", res.Config.File)
	return ExitOK
}
