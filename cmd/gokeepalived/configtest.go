package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
	"github.com/spf13/pflag"
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
	return scriptTest(w, cfg)
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

// printDiagnostics writes one diagnostic per line (hints indented below).
func printDiagnostics(w io.Writer, diags []config.Diagnostic) {
	for _, d := range diags {
		fmt.Fprintln(w, d)
	}
}

// printNotes lists the keywords accepted without effect yet.
func printNotes(w io.Writer, cfg *config.Config) {
	for _, n := range cfg.NoEffect {
		fmt.Fprintln(w, n)
	}
}

// runCheck is `gokeepalived check [--json] [-i ID] [-D] FILE`.
func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("check", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the typed model as JSON on stdout")
	id := fs.StringP("config-id", "i", "", "config id for '@' lines (default: short hostname)")
	verbose := fs.BoolP("verbose", "D", false, "also list keywords accepted without effect yet")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: gokeepalived check [--json] [-i ID] [-D] [FILE]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == pflag.ErrHelp {
			return 0
		}
		return 2
	}
	file := defaultConfigFile
	switch fs.NArg() {
	case 0:
	case 1:
		file = fs.Arg(0)
	default:
		fs.Usage()
		return 2
	}
	cfg, diags := config.Load(file, testOptions(*id))
	printDiagnostics(stderr, diags)
	if *verbose && cfg != nil {
		printNotes(stderr, cfg)
	}
	if *asJSON && cfg != nil {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(cfg); err != nil {
			fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
			return 2
		}
	}
	code := scriptTest(stderr, cfg)
	if code == 0 && !*asJSON {
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
