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

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck/probe"
)

// genhashOptions are keepalived's genhash(1) flags.
type genhashOptions struct {
	SSL, SNI, Verbose, Help bool
	Server, VHost, URL      string
	Protocol                string
	Port                    int
	Fwmark                  uint32
	Timeout                 int
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
	fs.BoolVarP(&o.Help, "help", "h", false, "show this help")
	return fs
}

// parseGenhash reads genhash's arguments into the probe it runs.
func parseGenhash(args []string, stderr io.Writer) (genhashOptions, error) {
	var o genhashOptions
	fs := genhashFlags(&o, stderr)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case o.Help:
		return o, pflag.ErrHelp
	case fs.NArg() > 0:
		return o, fmt.Errorf("Unexpected argument(s): %s", strings.Join(fs.Args(), " "))
	case o.Server == "" || o.Port == 0 || o.URL == "":
		return o, errors.New("server (-s), port (-p) and url (-u) are required")
	case o.Port < 1 || o.Port > 65535:
		return o, fmt.Errorf("invalid port number '%d'", o.Port)
	case o.Timeout < 1:
		return o, fmt.Errorf("invalid timeout '%d'", o.Timeout)
	}
	if _, err := netip.ParseAddr(o.Server); err != nil {
		return o, fmt.Errorf("server should be an IP, not %s", o.Server)
	}
	switch strings.ToUpper(o.Protocol) {
	case "1.0", "1.0C", "1.1":
	default:
		return o, fmt.Errorf("invalid HTTP protocol version '%s'", o.Protocol)
	}
	return o, nil
}

// runGenhash is `gokeepalived genhash`: keepalived's genhash, printing the
// MD5 digest of a page's body for HTTP_GET/SSL_GET's digest.
func runGenhash(args []string, stdout, stderr io.Writer) int {
	o, err := parseGenhash(args, stderr)
	if errors.Is(err, pflag.ErrHelp) {
		fmt.Fprintln(stderr, "Usage: gokeepalived genhash [-S] [-I] -s server-address -p port -u url [-V vhost] [-P 1.0|1.0c|1.1] [-t secs] [-m mark] [-v]")
		genhashFlags(&o, stderr).PrintDefaults()
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "genhash: %v\n", err)
		return 1
	}
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
