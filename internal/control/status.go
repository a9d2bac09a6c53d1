package control

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/cli"
)

// Exit codes of the status and reload commands.
const (
	ExitOK    = cli.ExitOK
	ExitError = 1 // the daemon could not be asked, or the answer was an error
	ExitUsage = cli.ExitUsage
	ExitFault = 3 // status --exit-code: an instance is in FAULT
)

// requestTimeout bounds one CLI request.
const requestTimeout = 10 * time.Second

// RunStatus runs StatusCommand with args, the arguments after "status".
func RunStatus(args []string, stdout, stderr io.Writer) int {
	return StatusCommand().Main(args, stdout, stderr)
}

// StatusCommand is `gokeepalived status [flags] [INSTANCE]`: it prints the
// status table, or one instance in detail when a name is given, or JSON
// with --json. With --exit-code it exits ExitFault when an instance shown
// is in FAULT, for health checks.
func StatusCommand() *cli.Command {
	c := cli.New("status", "[--socket PATH] [--json] [--exit-code] [INSTANCE]",
		"show the running daemon's instances, sync groups and trackers (one instance in detail when named)")
	c.Detail = "Shows what the daemon is doing: each VRRP instance's state, priorities,\n" +
		"master, virtual addresses (" + markPresent + " on the interface, " + markAbsent + " not) and last transition;\n" +
		"sync groups, trackers (with a tracker's last error) and the configuration.\n" +
		"With INSTANCE, that instance in detail."
	c.Exit = "0 ok, 1 the daemon could not be asked, 2 usage, 3 with --exit-code: an instance shown is in FAULT"
	socket := c.Flags.StringP("socket", "s", DefaultSocketPath, "control socket `PATH` of the daemon to ask")
	asJSON := c.Flags.Bool("json", false, "print the API's JSON instead of a table")
	exitCode := c.Flags.Bool("exit-code", false, "exit 3 when an instance shown is in FAULT (for health checks)")
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) > 1 {
			return c.UsageError(stderr, fmt.Sprintf("at most one instance name, got %d arguments", len(args)))
		}
		cl, err := Dial(*socket)
		if err != nil {
			fmt.Fprintf(stderr, "gokeepalived status: %v\n", err)
			return ExitError
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		var shown []Instance
		if len(args) == 1 {
			shown, err = showInstance(ctx, cl, args[0], *asJSON, stdout)
		} else {
			shown, err = showAll(ctx, cl, *asJSON, stdout)
		}
		if err != nil {
			fmt.Fprintf(stderr, "gokeepalived status: %v\n", err)
			return ExitError
		}
		if *exitCode {
			for _, in := range shown {
				if in.State == StateFault {
					fmt.Fprintf(stderr, "gokeepalived status: %s is in FAULT\n", in.Name)
					return ExitFault
				}
			}
		}
		return ExitOK
	}
	return c
}

// showAll prints the whole status and returns the instances shown.
func showAll(ctx context.Context, c *Client, asJSON bool, w io.Writer) ([]Instance, error) {
	s, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	if asJSON {
		return s.Instances, printJSON(w, s)
	}
	return s.Instances, RenderTable(w, s, time.Now())
}

// showInstance prints one instance and returns it.
func showInstance(ctx context.Context, c *Client, name string, asJSON bool, w io.Writer) ([]Instance, error) {
	in, err := c.Instance(ctx, name)
	if err != nil {
		return nil, err
	}
	if asJSON {
		return []Instance{in}, printJSON(w, in)
	}
	return []Instance{in}, RenderInstance(w, in, time.Now())
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// RunReload runs ReloadCommand with args, the arguments after "reload".
func RunReload(args []string, stdout, stderr io.Writer) int {
	return ReloadCommand().Main(args, stdout, stderr)
}

// ReloadCommand is `gokeepalived reload [--socket PATH]`: it asks the
// daemon to reload its configuration, as SIGHUP does, and reports whether
// the new configuration is in force.
func ReloadCommand() *cli.Command {
	c := cli.New("reload", "[--socket PATH]",
		"reload the configuration, as SIGHUP does, and report whether it was accepted")
	c.Detail = "Asks the running daemon to reload its configuration file, as SIGHUP does, and\n" +
		"waits for the answer: a configuration the daemon refuses leaves the previous one\n" +
		"running, and the reason is printed."
	c.Exit = "0 reloaded, 1 refused or the daemon could not be asked, 2 usage"
	socket := c.Flags.StringP("socket", "s", DefaultSocketPath, "control socket `PATH` of the daemon")
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) != 0 {
			return c.UsageError(stderr, "takes no arguments")
		}
		return reload(*socket, stdout, stderr)
	}
	return c
}

// reload asks the daemon at socket to reload and reports the answer.
func reload(socket string, stdout, stderr io.Writer) int {
	c, err := Dial(socket)
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
