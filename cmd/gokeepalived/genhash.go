package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/cli"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck/probe"
)

// genhashOptions are keepalived's genhash(1) flags.
type genhashOptions struct {
	SSL, SNI, Verbose  bool
	Server, VHost, URL string
	Protocol           string
	Port               int
	Fwmark             uint32
	Timeout            int
}

func genhashFlags(o *genhashOptions, out io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("genhash", pflag.ContinueOnError)
	fs.SetOutput(out)
	fs.BoolVarP(&o.SSL, "use-ssl", "S", false, "use SSL to connect to the server")
	fs.BoolVarP(&o.SNI, "use-sni", "I", false, "send the virtualhost (-V) as SNI")
	fs.StringVarP(&o.Server, "server", "s", "", "IP address of the server")
	fs.IntVarP(&o.Port, "port", "p", 0, "port of the server")
	fs.StringVarP(&o.URL, "url", "u", "", "path of the page to hash")
	fs.StringVarP(&o.VHost, "use-virtualhost", "V", "", "virtual host for the Host header")
	fs.StringVarP(&o.Protocol, "protocol", "P", "1.0", "HTTP protocol: 1.0, 1.0c or 1.1")
	fs.IntVarP(&o.Timeout, "timeout", "t", 5, "connection timeout in seconds")
	fs.Uint32VarP(&o.Fwmark, "fwmark", "m", 0, "firewall mark for the connection")
	fs.BoolVarP(&o.Verbose, "verbose", "v", false, "print the headers and the page too")
	return fs
}

// genhashCommand is `gokeepalived genhash`, keepalived's genhash(1) with
// its flags, in the one help layout of every subcommand.
func genhashCommand() *cli.Command {
	var o genhashOptions
	c := cli.New("genhash", "-s ADDR -p PORT -u URL [-S] [-I] [-V VHOST] [-P 1.0|1.0c|1.1] [-t SECS] [-m MARK] [-v]",
		"print the MD5 digest of a web page, for HTTP_GET/SSL_GET's digest (keepalived's genhash)")
	c.Exit = "0 printed, 1 the page could not be fetched, 2 usage"
	c.Flags.AddFlagSet(genhashFlags(&o, io.Discard))
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		if err := checkGenhash(&o, args); err != nil {
			return c.UsageError(stderr, err.Error())
		}
		return genhash(o, stdout, stderr)
	}
	return c
}

// parseGenhash reads genhash's arguments into the probe it runs.
func parseGenhash(args []string, stderr io.Writer) (genhashOptions, error) {
	var o genhashOptions
	fs := genhashFlags(&o, stderr)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	return o, checkGenhash(&o, fs.Args())
}

// checkGenhash checks parsed genhash options and the words left over.
func checkGenhash(o *genhashOptions, rest []string) error {
	switch {
	case len(rest) > 0:
		return fmt.Errorf("Unexpected argument(s): %s", strings.Join(rest, " "))
	case o.Server == "" || o.Port == 0 || o.URL == "":
		return errors.New("server (-s), port (-p) and url (-u) are required")
	case o.Port < 1 || o.Port > 65535:
		return fmt.Errorf("invalid port number '%d'", o.Port)
	case o.Timeout < 1:
		return fmt.Errorf("invalid timeout '%d'", o.Timeout)
	}
	if _, err := netip.ParseAddr(o.Server); err != nil {
		return fmt.Errorf("server should be an IP, not %s", o.Server)
	}
	switch strings.ToUpper(o.Protocol) {
	case "1.0", "1.0C", "1.1":
	default:
		return fmt.Errorf("invalid HTTP protocol version '%s'", o.Protocol)
	}
	return nil
}

// genhash fetches the page o names and prints its digest (with -v, the
// headers, size and response time too).
func genhash(o genhashOptions, stdout, stderr io.Writer) int {
	a := netip.MustParseAddr(o.Server)
	t := healthcheck.Target{Addr: netip.AddrPortFrom(a, uint16(o.Port)), Fwmark: o.Fwmark}
	timeout := time.Duration(o.Timeout) * time.Second
	p := probe.HTTP{Spec: healthcheck.HTTPSpec{Protocol: o.Protocol}, Timeout: timeout}
	if o.SSL {
		p.Spec.TLS = &healthcheck.TLSSpec{SNI: o.SNI}
		p.TLS, _ = probe.TLSConfig(p.Spec.TLS)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*timeout)
	defer cancel()
	start := time.Now()
	r, err := p.Fetch(ctx, t, o.URL, o.VHost)
	if err != nil {
		fmt.Fprintf(stderr, "genhash: %s:%s%s: %v\n", o.Server, strconv.Itoa(o.Port), o.URL, err)
		return 1
	}
	if r.Len == 0 {
		fmt.Fprintln(stderr, "no data received from remote webserver")
		return 1
	}
	if o.Verbose {
		fmt.Fprintf(stdout, "HTTP header (status %d):\n%s\n", r.Status, strings.TrimRight(string(r.Header), "\r\n"))
		fmt.Fprintf(stdout, "Body: %d bytes\n", r.Len)
		fmt.Fprintf(stdout, "MD5SUM = %s\n", r.Digest)
		fmt.Fprintf(stdout, "\nGlobal response time for [%s] = %d usecs\n", o.URL, time.Since(start).Microseconds())
		return 0
	}
	fmt.Fprintln(stdout, r.Digest)
	return 0
}
