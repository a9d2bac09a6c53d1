package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// ErrNotRoot is returned by Run when the demo cannot build namespaces.
var ErrNotRoot = errors.New("the demo needs root to build network namespaces (run it with sudo)")

// Config tells Run what to run and where to print.
type Config struct {
	// Exe is the gokeepalived binary to run on the servers (and, for the
	// built-in web server, `Exe demo serve`); usually os.Executable().
	Exe string
	// Out receives the demo's output.
	Out io.Writer
	// Color adds ANSI colours; set it only when Out is a terminal.
	Color bool
	// Builtin uses the built-in web server even when nginx is installed.
	Builtin bool
	// Log receives debug details (commands, daemon logs on failure); nil
	// discards them.
	Log *slog.Logger
}

// Result is what the demo measured.
type Result struct {
	// Tag is the lab's namespace prefix (all of it is removed by Run).
	Tag string
	// Service is "nginx" or "built-in".
	Service string
	// Failover is .6 moving from A to B, Failback the way back.
	Failover, Failback Outage
}

// The LAN, as in docs/seed-scenario.md.
var (
	vipX = netip.MustParseAddr("192.168.1.6")
	vipY = netip.MustParseAddr("192.168.1.7")
)

// demoConf is the seed's configuration with the fixed priorities (.6 on A,
// .7 on B) and timers of 1 s instead of 2 s, so the demo is quick.
const demoConf = `! gokeepalived demo: the seed scenario, server %[1]s
vrrp_script check_web {
    script "%[2]s"
    interval 1
    weight -20
}
vrrp_instance HAPROXY_HA {
    state %[3]s
    interface eth1
    virtual_router_id 80
    priority %[4]d
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1234
    }
    track_script {
        check_web
    }
    virtual_ipaddress {
        192.168.1.6
    }
}
vrrp_instance HAPROXY_HA2 {
    state %[5]s
    interface eth1
    virtual_router_id 81
    priority %[6]d
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1234
    }
    track_script {
        check_web
    }
    virtual_ipaddress {
        192.168.1.7
    }
}
`

// server is one of the demo's two servers.
type server struct {
	name   string
	host   *lab.Host
	dir    string
	svc    *service
	daemon *lab.Proc
}

// run is one demo run's state.
type run struct {
	cfg    Config
	p      *printer
	log    *slog.Logger
	lab    *lab.Lab
	a, b   *server
	client *lab.Host
	res    Result
}

const steps = 6

// Run runs the demo and removes everything it made before returning, also
// when ctx is cancelled (Ctrl-C) or a step fails.
func Run(ctx context.Context, cfg Config) (res Result, err error) {
	if os.Geteuid() != 0 {
		return res, ErrNotRoot
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	r := &run{cfg: cfg, p: &printer{w: cfg.Out, color: cfg.Color}, log: cfg.Log}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	dir, err := os.MkdirTemp("", "gokeepalived-demo-")
	if err != nil {
		return res, fmt.Errorf("demo folder: %w", err)
	}
	defer func() {
		err = errors.Join(err, r.cleanup(dir, err != nil))
		res = r.res
	}()
	r.res.Service = "built-in"
	nginx := ""
	if _, statErr := os.Stat(NginxPath); statErr == nil && !cfg.Builtin {
		nginx, r.res.Service = NginxPath, "nginx"
	}
	r.p.title("gokeepalived demo: two web servers, two virtual IPs, one failover and back")
	r.p.line("The seed scenario: A and B each run %s; gokeepalived on each keeps", r.res.Service)
	r.p.line("192.168.1.6 on A and 192.168.1.7 on B, and moves them when a web server fails.")

	r.p.step(1, steps, "Building the LAN in network namespaces")
	start := time.Now()
	r.lab, err = lab.Build(ctx, lab.Spec{Hosts: lab.Hosts("a", "b", "client")})
	if err != nil {
		return res, fmt.Errorf("build the LAN: %w", err)
	}
	r.res.Tag = r.lab.Tag
	r.client = r.lab.Host("client")
	r.table([]string{"host", "address", "namespace"}, [][]string{
		{"server A", "192.168.1.2", r.lab.Host("a").NS},
		{"server B", "192.168.1.3", r.lab.Host("b").NS},
		{"client", "192.168.1.4", r.client.NS},
	})
	r.p.ok("LAN up in %s", ms(time.Since(start)))
	if err := r.setup(ctx, dir, nginx); err != nil {
		return res, err
	}
	if err := r.failover(ctx); err != nil {
		return res, err
	}
	if err := r.failback(ctx); err != nil {
		return res, err
	}
	r.p.step(6, steps, "Summary")
	r.table([]string{"192.168.1.6 moved", "outage (client)", "failed requests"}, [][]string{
		outageRow(r.res.Failover), outageRow(r.res.Failback),
	})
	return res, nil
}

func outageRow(o Outage) []string {
	return []string{fmt.Sprintf("%s → %s", o.From, o.To), ms(o.Duration()),
		fmt.Sprintf("%d of %d", o.Failed, o.Requests)}
}

func (r *run) table(header []string, rows [][]string) { r.p.table(header, rows) }

// setup starts the web servers and the daemons and waits for the VIPs.
func (r *run) setup(ctx context.Context, dir, nginx string) error {
	r.p.step(2, steps, fmt.Sprintf("Starting %s on A and B", r.res.Service))
	mk := func(name, host string, st80 string, p80 int, st81 string, p81 int) (*server, error) {
		h := r.lab.Host(host)
		s := &server{name: name, host: h, dir: filepath.Join(dir, host)}
		if err := os.MkdirAll(s.dir, 0o755); err != nil {
			return nil, err
		}
		page := fmt.Sprintf("server %s (%s)", name, h.Addr(false))
		s.svc = &service{host: h, dir: s.dir, name: name, page: page, exe: r.cfg.Exe, nginx: nginx}
		script := filepath.Join(s.dir, "check_web.sh")
		if err := os.WriteFile(script, []byte(s.svc.checkScript()), 0o755); err != nil {
			return nil, err
		}
		conf := fmt.Sprintf(demoConf, name, script, st80, p80, st81, p81)
		return s, os.WriteFile(filepath.Join(s.dir, "keepalived.conf"), []byte(conf), 0o644)
	}
	var err error
	if r.a, err = mk("A", "a", "MASTER", 100, "BACKUP", 90); err != nil {
		return fmt.Errorf("prepare server A: %w", err)
	}
	if r.b, err = mk("B", "b", "BACKUP", 90, "MASTER", 100); err != nil {
		return fmt.Errorf("prepare server B: %w", err)
	}
	for _, s := range []*server{r.a, r.b} {
		if err := s.svc.start(ctx); err != nil {
			return err
		}
		r.p.ok("%s answers on %s: %q", r.res.Service, s.host.Addr(false), s.svc.page)
	}

	r.p.step(3, steps, "Starting gokeepalived on A and B")
	r.p.line("VRID 80 → 192.168.1.6: A priority 100, B 90   VRID 81 → 192.168.1.7: B 100, A 90")
	r.p.line("check: the web server's process is alive, every 1 s, weight -20; adverts every 1 s")
	start := time.Now()
	for _, s := range []*server{r.a, r.b} {
		s.daemon, err = s.host.Run(ctx, r.cfg.Exe, "-n", "-l", "-f", filepath.Join(s.dir, "keepalived.conf"),
			"-p", filepath.Join(s.dir, "gokeepalived.pid"), "--socket", filepath.Join(s.dir, "gokeepalived.sock"))
		if err != nil {
			return fmt.Errorf("start gokeepalived on %s: %w", s.name, err)
		}
	}
	if err := r.waitHolder(ctx, 30*time.Second, map[netip.Addr]*server{vipX: r.a, vipY: r.b}); err != nil {
		return err
	}
	r.p.ok("VIPs in place after %s (every instance starts as BACKUP and waits one Master_Down_Interval)", ms(time.Since(start)))
	return r.vipTable(ctx)
}

// vipTable prints who holds each VIP and who answers the client there.
func (r *run) vipTable(ctx context.Context) error {
	client := r.client.HTTPClient(time.Second)
	var rows [][]string
	for _, vip := range []netip.Addr{vipX, vipY} {
		holder, err := r.holder(ctx, vip)
		if err != nil {
			return err
		}
		answer := "(no answer)"
		if resp, err := client.Get("http://" + vip.String() + "/"); err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
			resp.Body.Close()
			answer = strings.TrimSpace(string(b))
		}
		rows = append(rows, []string{vip.String(), holder, answer})
	}
	r.table([]string{"VIP", "held by", "client gets"}, rows)
	return nil
}

// holder names the server holding vip ("A", "B", "A+B" or "nobody").
func (r *run) holder(ctx context.Context, vip netip.Addr) (string, error) {
	var names []string
	for _, s := range []*server{r.a, r.b} {
		ps, err := s.host.Addrs(ctx)
		if err != nil {
			return "", fmt.Errorf("addresses of %s: %w", s.name, err)
		}
		for _, p := range ps {
			if p.Addr() == vip {
				names = append(names, s.name)
			}
		}
	}
	if len(names) == 0 {
		return "nobody", nil
	}
	return strings.Join(names, "+"), nil
}

// waitHolder waits until each VIP is held by exactly the given server.
func (r *run) waitHolder(ctx context.Context, limit time.Duration, want map[netip.Addr]*server) error {
	deadline := time.Now().Add(limit)
	for {
		var state []string
		ok := true
		for vip, s := range want {
			h, err := r.holder(ctx, vip)
			if err != nil {
				return err
			}
			state = append(state, fmt.Sprintf("%s on %s", vip, h))
			ok = ok && h == s.name
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("VIPs not in place after %s: %s", limit, strings.Join(state, ", "))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// cleanup stops the daemons gracefully, then removes the LAN and folder.
func (r *run) cleanup(dir string, failed bool) error {
	var errs []error
	if r.lab != nil {
		if failed {
			r.dumpLogs()
		}
		fmt.Fprintln(r.cfg.Out)
		r.p.line("Cleaning up: stopping gokeepalived and the web servers, removing the namespaces")
		for _, s := range []*server{r.a, r.b} {
			if s != nil && s.daemon != nil && s.daemon.Signal(syscall.SIGTERM) == nil {
				select {
				case <-s.daemon.Done():
				case <-time.After(5 * time.Second):
				}
			}
		}
		errs = append(errs, r.lab.Close())
		if left, err := lab.Leftovers(r.lab.Tag); err != nil || len(left) > 0 {
			errs = append(errs, fmt.Errorf("namespaces left behind: %v %w", left, err))
		}
	}
	errs = append(errs, os.RemoveAll(dir))
	err := errors.Join(errs...)
	if err == nil && r.lab != nil {
		r.p.ok("nothing left behind")
	}
	return err
}

// dumpLogs logs the daemons' output after a failure.
func (r *run) dumpLogs() {
	for _, s := range []*server{r.a, r.b} {
		if s != nil && s.daemon != nil {
			r.log.Error("gokeepalived log", "server", s.name, "output", s.daemon.Output())
		}
	}
}
