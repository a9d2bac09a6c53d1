package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/cli"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// loadOptions are the parser options for a config id given on the
// command line; "" means the short hostname, as keepalived.
func loadOptions(id string) config.Options {
	if id == "" {
		if h, err := os.Hostname(); err == nil {
			id, _, _ = strings.Cut(h, ".")
		}
	}
	return config.Options{ConfigID: id}
}

// testOptions are loadOptions for a config test, which, as keepalived's,
// also checks that the interfaces named exist here.
func testOptions(id string) config.Options {
	o := loadOptions(id)
	o.InterfaceExists = func(name string) bool {
		_, err := net.InterfaceByName(name)
		return err == nil
	}
	return o
}

// configTest is -t/--config-test: print every diagnostic and exit with
// keepalived's config-test exit code.
func configTest(o *Options, stderr io.Writer) int {
	w := stderr
	if o.ConfigTestLog != "" {
		f, err := os.OpenFile(o.ConfigTestLog, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "gokeepalived: config test log: %v\n", err)
			return 4
		}
		defer f.Close()
		w = f
	}
	cfg, diags := config.Load(o.ConfigFile, testOptions(o.ConfigID))
	printDiagnostics(w, diags)
	if o.LogDetail && cfg != nil {
		printNotes(w, cfg)
	}
	code, _ := testVerdict(w, cfg, diags, o.FatalOnly)
	return code
}

// testVerdict prints the script problems (scriptTest) and returns the
// config test's exit code. With fatalOnly (--fatal-only) it is 0 unless
// the daemon itself would refuse to start with cfg (config.Refuses): the
// packaged unit's pre-start gate uses that, so that a configuration
// keepalived and gokeepalived both run (one unknown keyword, scripts
// without enable_script_security) is not refused by the gate alone. The
// problems are printed either way. strict is the code without fatalOnly.
func testVerdict(w io.Writer, cfg *config.Config, diags []config.Diagnostic, fatalOnly bool) (code, strict int) {
	strict = scriptTest(w, cfg)
	if !fatalOnly || strict == 0 || config.Refuses(cfg, diags) {
		return strict, strict
	}
	fmt.Fprintf(w, "gokeepalived: the daemon would start with this configuration (exit %d without --fatal-only)\n", strict)
	return 0, strict
}

// scriptTest prints what keepalived's config test reports about cfg's
// scripts (track.ConfigTest) and returns the exit code.
func scriptTest(w io.Writer, cfg *config.Config) int {
	code, lines := track.ConfigTest(cfg)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	return code
}

// printDiagnostics writes one diagnostic per line (hints indented below),
// sorted by position (config.SortDiagnostics) so that a person reads the
// file from top to bottom; keepalived's own order (blocks validated after
// reading) is kept by config.Load for the callers that compare it.
func printDiagnostics(w io.Writer, diags []config.Diagnostic) {
	diags = slices.Clone(diags)
	config.SortDiagnostics(diags)
	for _, d := range diags {
		fmt.Fprintln(w, d)
	}
}

// printNotes lists the keywords accepted without effect yet.
func printNotes(w io.Writer, cfg *config.Config) {
	for _, n := range cfg.NoEffect {
		fmt.Fprintln(w, n)
	}
	for _, n := range cfg.Extensions {
		fmt.Fprintln(w, n.ExtensionString())
	}
}

// checkCommand is `gokeepalived check [--json] [-i ID] [-D] [--fatal-only] [FILE]`.
func checkCommand() *cli.Command {
	c := cli.New("check", "[--json] [-i ID] [-D] [--fatal-only] [FILE]",
		"check a configuration file as keepalived -t does, without running it")
	c.Detail = "Reads FILE (default " + defaultConfigFile + ") with its includes, prints every\n" +
		"problem at file:line:col, and exits with keepalived's config-test code. --json\n" +
		"prints the typed model (snake_case names, durations in seconds) on stdout."
	c.Exit = "0 OK, 4 the file cannot be read, 5 problems found (keepalived would run it), " +
		"6 scripts without enable_script_security; with --fatal-only 0 unless the daemon would refuse it; 2 usage"
	fs := c.Flags
	asJSON := fs.Bool("json", false, "print the typed model as JSON on stdout")
	id := fs.StringP("config-id", "i", "", "config `ID` for '@' lines (default: short hostname)")
	verbose := fs.BoolP("verbose", "D", false, "also list keywords accepted without effect yet")
	fatalOnly := fs.Bool("fatal-only", false, fatalOnlyUsage)
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		if len(args) > 1 {
			return c.UsageError(stderr, "at most one configuration file")
		}
		file := defaultConfigFile
		if len(args) == 1 {
			file = args[0]
		}
		return check(file, *id, *asJSON, *verbose, *fatalOnly, stdout, stderr)
	}
	return c
}

// check is the check command's work.
func check(file, id string, asJSON, verbose, fatalOnly bool, stdout, stderr io.Writer) int {
	cfg, diags := config.Load(file, testOptions(id))
	printDiagnostics(stderr, diags)
	if verbose && cfg != nil {
		printNotes(stderr, cfg)
	}
	if asJSON && cfg != nil {
		b, err := modelJSON(cfg)
		if err != nil {
			fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
			return 1
		}
		stdout.Write(b)
	}
	code, strict := testVerdict(stderr, cfg, diags, fatalOnly)
	if strict == 0 && !asJSON {
		fmt.Fprintf(stdout, "%s: configuration OK\n", file)
	}
	return code
}

// dumpConfig writes the resolved configuration (includes, conditionals
// and parameters applied) as keepalived.conf text.
func dumpConfig(w io.Writer, file, id string) error {
	nodes, diags := config.ParseFile(file, loadOptions(id))
	if nodes == nil && config.HasErrors(diags) {
		return fmt.Errorf("dump %s: %s", file, diags[0])
	}
	return config.Dump(w, nodes)
}
