// Command cpuadvert measures the CPU time a VRRP daemon spends per advert
// it sends, precisely: the run time the kernel accounts to each of the
// daemon's threads (/proc/PID/task/*/schedstat, nanoseconds), summed over
// its processes and over a window, divided by the adverts the window
// holds. It also counts the threads' context switches (wake-ups) a second.
// Every daemon runs alone in a namespace of its own (internal/lab) with n
// masters, all at the same time, so that they share the machine's load.
//
//	cpuadvert -gk new=/tmp/gk,old=/tmp/gk-main -keepalived /usr/sbin/keepalived \
//	    -sizes 2x1s,255x1s -maxprocs 0,1 -window 60s
//
// Needs root. It is not part of scripts/bench.sh (which measures with
// /proc/PID/stat ticks); it answers finer questions about the loop.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/bench/procfs"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// attach is the -attach command.
var attach string

// run is one daemon measured.
type run struct {
	name, bin string // name as printed; bin is the executable
	ka        bool   // keepalived (-P, its own pid-file flags)
	maxprocs  int    // GOMAXPROCS for gokeepalived; 0 leaves it unset
	n         int
	interval  time.Duration

	cpu      time.Duration
	switches int64
	window   time.Duration
	err      error
}

func main() {
	gk := flag.String("gk", "", "gokeepalived binaries, name=path[,name=path]")
	ka := flag.String("keepalived", "", "keepalived binary; empty skips it")
	sizes := flag.String("sizes", "2x1s,50x1s,255x1s,2x10ms", "instances x advert_int, comma separated")
	maxprocs := flag.String("maxprocs", "0", "GOMAXPROCS values for gokeepalived (0: unset)")
	window := flag.Duration("window", 60*time.Second, "measuring window")
	warm := flag.Duration("warmup", 12*time.Second, "time to become master and finish the GARP bursts (at 1 s)")
	flag.StringVar(&attach, "attach", "", "a command run against each daemon over the window, {pid} and {out} (a file name per daemon) replaced, e.g. 'strace -f -c -o {out} -p {pid}' (the CPU figures then include its cost)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var runs []*run
	for _, sz := range strings.Split(*sizes, ",") {
		ns, is, _ := strings.Cut(sz, "x")
		n, err1 := strconv.Atoi(ns)
		iv, err2 := time.ParseDuration(is)
		if err1 != nil || err2 != nil {
			fmt.Fprintln(os.Stderr, "bad size", sz)
			os.Exit(2)
		}
		for _, b := range strings.Split(*gk, ",") {
			name, path, _ := strings.Cut(b, "=")
			for _, p := range strings.Split(*maxprocs, ",") {
				mp, _ := strconv.Atoi(p)
				label := name
				if mp > 0 {
					label += "/P" + p
				}
				runs = append(runs, &run{name: label, bin: path, maxprocs: mp, n: n, interval: iv})
			}
		}
		if *ka != "" {
			runs = append(runs, &run{name: "keepalived", bin: *ka, ka: true, n: n, interval: iv})
		}
	}
	dir, err := os.MkdirTemp("", "cpuadvert")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)
	var wg sync.WaitGroup
	for i, r := range runs {
		wg.Go(func() { r.err = r.measure(ctx, filepath.Join(dir, strconv.Itoa(i)), *warm, *window) })
	}
	wg.Wait()
	fmt.Printf("| Daemon | Instances | Advert | CPU (ms) | Adverts | CPU per advert (µs) | Wake-ups/s |\n|---|---|---|---|---|---|---|\n")
	sort.SliceStable(runs, func(i, j int) bool {
		return runs[i].n < runs[j].n || runs[i].n == runs[j].n && runs[i].interval > runs[j].interval
	})
	for _, r := range runs {
		if r.err != nil {
			fmt.Printf("| %s | %d | %v | error: %v |\n", r.name, r.n, r.interval, r.err)
			continue
		}
		adverts := float64(r.n) * r.window.Seconds() / r.interval.Seconds()
		fmt.Printf("| %s | %d | %v | %.1f | %.0f | %.1f | %.1f |\n", r.name, r.n, r.interval,
			float64(r.cpu)/1e6, adverts, float64(r.cpu.Microseconds())/adverts, float64(r.switches)/r.window.Seconds())
	}
}

// measure starts r's daemon in a lab of its own, lets it become master,
// and reads its threads' run time and switches over the window.
func (r *run) measure(ctx context.Context, dir string, warm, window time.Duration) error {
	l, err := lab.Build(ctx, lab.Spec{Hosts: lab.Hosts("a")})
	if err != nil {
		return err
	}
	defer l.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	conf := filepath.Join(dir, "keepalived.conf")
	if err := os.WriteFile(conf, []byte(masters(r.n, r.interval)), 0o644); err != nil {
		return err
	}
	args := []string{"-n", "-l", "-f", conf, "-p", filepath.Join(dir, "d.pid")}
	if r.ka {
		args = append(args, "-P", "-r", filepath.Join(dir, "v.pid"), "-c", filepath.Join(dir, "c.pid"))
	} else {
		args = append(args, "--socket", filepath.Join(dir, "gk.sock"))
	}
	h := l.Host("a")
	cmd := h.Command(context.WithoutCancel(ctx), r.bin, args...)
	cmd.Env = os.Environ()
	if r.maxprocs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(r.maxprocs))
	}
	p, err := h.Start(cmd)
	if err != nil {
		return err
	}
	defer func() { p.Signal(syscall.SIGTERM); <-p.Done() }()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(warm + 3*r.interval):
	}
	if attach != "" {
		out := fmt.Sprintf("/tmp/cpuadvert-%s-%dx%v.out", strings.ReplaceAll(r.name, "/", ""), r.n, r.interval)
		args := strings.Fields(strings.NewReplacer("{pid}", strconv.Itoa(p.Pid), "{out}", out).Replace(attach))
		st := exec.CommandContext(ctx, args[0], args[1:]...)
		if err := st.Start(); err == nil {
			defer func() { st.Process.Signal(os.Interrupt); st.Wait() }()
		}
	}
	cpu0, sw0 := threads(p.Pid)
	start := time.Now()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(window):
	}
	cpu1, sw1 := threads(p.Pid)
	r.window = time.Since(start)
	select {
	case <-p.Done():
		return fmt.Errorf("exited during the window")
	default:
	}
	r.cpu, r.switches = cpu1-cpu0, sw1-sw0
	return nil
}

// masters is a configuration of n masters at interval on eth1.
func masters(n int, interval time.Duration) string {
	var b strings.Builder
	b.WriteString("global_defs {\n router_id a\n vrrp_version 3\n}\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "vrrp_instance V%d {\n state MASTER\n interface eth1\n virtual_router_id %d\n priority 100\n advert_int %s\n virtual_ipaddress {\n  10.0.%d.%d/32\n }\n}\n",
			i, i, strconv.FormatFloat(interval.Seconds(), 'f', -1, 64), i/250, 1+i%250)
	}
	return b.String()
}

// threads sums the run time (schedstat) and the context switches of
// every thread of pid and its descendants.
func threads(pid int) (time.Duration, int64) {
	pids := procfs.Descendants(pid)
	return procfs.CPUTime(pids), procfs.CtxSwitches(pids)
}
