package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/cli"
	"github.com/gokeepalived/gokeepalived/internal/demo"
)

// demoCommand is `gokeepalived demo [--builtin] [--no-color] [-v]`, and
// the hidden `gokeepalived demo serve PAGE PIDFILE` the demo runs on its
// servers.
func demoCommand() *cli.Command {
	c := cli.New("demo", "[--builtin] [--no-color] [-v]",
		"show a VIP moving between two routers, live, in network namespaces (root)")
	c.Detail = "As root, builds a LAN in network namespaces (servers A and B, a client), runs a web\n" +
		"server and gokeepalived on A and B, and shows 192.168.1.6 moving from A to B and back\n" +
		"when A's web server stops and starts, with the outage the client saw. It removes\n" +
		"everything it made when it ends, also on Ctrl-C."
	c.Exit = "0 the scenario ran, 1 it failed, 2 usage, 130 interrupted"
	builtin := c.Flags.Bool("builtin", false, "use the built-in web server even when nginx is installed")
	noColor := c.Flags.Bool("no-color", false, "no colours, even on a terminal")
	verbose := c.Flags.BoolP("verbose", "v", false, "print the daemons' logs if something fails")
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) > 0 && args[0] == demo.ServeCommand {
			if err := demo.Serve(context.Background(), args[1:]); err != nil {
				fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
				return 1
			}
			return 0
		}
		if len(args) > 0 {
			return c.UsageError(stderr, fmt.Sprintf("unexpected argument %q", args[0]))
		}
		return runDemo(*builtin, *noColor, *verbose, stdout, stderr)
	}
	return c
}

// runDemo runs the demo scenario.
func runDemo(builtin, noColor, verbose bool, stdout, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived demo: %v\n", err)
		return 1
	}
	level := slog.LevelError + 1
	if verbose {
		level = slog.LevelDebug
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	_, err = demo.Run(ctx, demo.Config{
		Exe:     exe,
		Out:     stdout,
		Color:   !noColor && os.Getenv("NO_COLOR") == "" && isTerminal(stdout),
		Builtin: builtin,
		Log:     slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	})
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "gokeepalived demo: interrupted; everything it made is removed")
			return 130
		}
		fmt.Fprintf(stderr, "gokeepalived demo: %v\n", err)
		return 1
	}
	return 0
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
