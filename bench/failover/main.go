package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// options are the benchmark's command-line settings.
type options struct {
	quick     bool
	reps      int
	gk        string // gokeepalived binary
	keepalive string // keepalived binary
	out       string
	parts     string // which parts to run: f(ailover) p(footprint) t(imer) s(cale)
	idle      time.Duration
	timerWin  time.Duration
	cpuWin    time.Duration
	verbose   bool
}

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "responder":
			os.Exit(responderMain(os.Args[2:]))
		case "hog":
			hogMain()
			return
		}
	}
	os.Exit(run())
}

func run() int {
	var o options
	flag.BoolVar(&o.quick, "quick", false, "one setting, one repetition, short windows (CI smoke, < 2 min)")
	flag.IntVar(&o.reps, "reps", 5, "repetitions per failover scenario and setting")
	flag.StringVar(&o.gk, "gk", "", "gokeepalived binary (built from ./cmd/gokeepalived when empty)")
	flag.StringVar(&o.keepalive, "keepalived", "/usr/sbin/keepalived", "keepalived binary")
	flag.StringVar(&o.out, "out", "bench-results.md", "file the markdown tables are written to")
	flag.StringVar(&o.parts, "parts", "fpts", "parts to run: f failover, p footprint, t timer accuracy, s scale (1,000 instances on 4 interfaces)")
	flag.DurationVar(&o.idle, "idle", 60*time.Second, "footprint memory window: every size idles at once, after a reload and a failover")
	flag.DurationVar(&o.cpuWin, "cpu-window", 15*time.Second, "footprint CPU window, one size at a time")
	flag.DurationVar(&o.timerWin, "timer-window", 10*time.Second, "timer-accuracy capture window")
	flag.BoolVar(&o.verbose, "v", false, "progress and daemon logs on stderr")
	flag.Parse()
	if o.quick {
		o.reps = 1
		o.idle = 5 * time.Second
		o.cpuWin = 3 * time.Second
		o.timerWin = 3 * time.Second
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "failover: needs root to build network namespaces")
		return 2
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	labs := &labSet{log: log}
	defer labs.closeAll()
	go func() {
		<-ctx.Done()
		// Close at once so a Ctrl-C never leaves namespaces or daemons behind,
		// even while the benchmark is blocked in a wait.
		labs.closeAll()
	}()

	if err := prepare(ctx, &o, log); err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		return 1
	}
	b := &bench{opt: o, log: log, labs: labs, self: mustSelf()}
	var doc bytes.Buffer
	err := b.runAll(ctx, &doc)
	labs.closeAll()
	labs.mu.Lock()
	err = errors.Join(append([]error{err}, labs.errs...)...)
	labs.mu.Unlock()
	os.Stdout.Write(doc.Bytes())
	if werr := os.WriteFile(o.out, doc.Bytes(), 0o644); werr != nil {
		err = errors.Join(err, fmt.Errorf("write %s: %w", o.out, werr))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "failover: tables written to", o.out)
	return 0
}

// prepare builds gokeepalived when no binary was given and checks that
// keepalived exists.
func prepare(ctx context.Context, o *options, log *slog.Logger) error {
	if _, err := os.Stat(o.keepalive); err != nil {
		return fmt.Errorf("keepalived binary: %w", err)
	}
	if o.gk != "" {
		abs, err := filepath.Abs(o.gk)
		o.gk = abs
		return err
	}
	dir, err := os.MkdirTemp("", "gkbench")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	o.gk = filepath.Join(dir, "gokeepalived")
	log.Info("building gokeepalived", "out", o.gk)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", o.gk, "github.com/gokeepalived/gokeepalived/cmd/gokeepalived")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build gokeepalived: %w: %s", err, out)
	}
	return nil
}

func mustSelf() string {
	p, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "failover: own executable:", err)
		os.Exit(1)
	}
	return p
}

// labSet tracks every lab so that a signal can close them all.
type labSet struct {
	log    *slog.Logger
	mu     sync.Mutex
	labs   []*lab.Lab
	closed bool
	errs   []error // failures to clean up
}

// build makes a lab and registers it; it fails once closeAll has run.
func (s *labSet) build(ctx context.Context, spec lab.Spec) (*lab.Lab, error) {
	l, err := lab.Build(ctx, spec)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		l.Close()
		return nil, errors.New("interrupted")
	}
	s.labs = append(s.labs, l)
	s.log.Debug("lab built", "tag", l.Tag)
	return l, nil
}

// close closes one lab and forgets it.
func (s *labSet) close(l *lab.Lab) error {
	s.mu.Lock()
	for i, x := range s.labs {
		if x == l {
			s.labs = append(s.labs[:i], s.labs[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	return s.closeOne(l)
}

// closeOne closes l and checks that none of its namespaces is left.
func (s *labSet) closeOne(l *lab.Lab) error {
	err := l.Close()
	if left, lerr := lab.Leftovers(l.Tag); lerr == nil && len(left) > 0 {
		err = errors.Join(err, fmt.Errorf("lab %s left namespaces %v", l.Tag, left))
	}
	if err != nil {
		s.log.Error("lab close", "tag", l.Tag, "err", err)
		s.mu.Lock()
		s.errs = append(s.errs, err)
		s.mu.Unlock()
	}
	return err
}

func (s *labSet) closeAll() {
	s.mu.Lock()
	s.closed = true
	labs := s.labs
	s.labs = nil
	s.mu.Unlock()
	for _, l := range labs {
		s.closeOne(l)
	}
}

// bench holds what every part needs.
type bench struct {
	opt  options
	log  *slog.Logger
	labs *labSet
	self string
}

func (b *bench) runAll(ctx context.Context, w io.Writer) error {
	start := time.Now()
	writeHeader(w, b.opt)
	var errs []error
	for _, p := range b.opt.parts {
		var err error
		switch p {
		case 'f':
			err = b.failoverPart(ctx, w)
		case 'p':
			err = b.footprintPart(ctx, w)
		case 't':
			err = b.timerPart(ctx, w)
		case 's':
			err = b.scalePart(ctx, w)
		default:
			err = fmt.Errorf("unknown part %q", p)
		}
		if err != nil {
			errs = append(errs, err)
			fmt.Fprintf(w, "\n**%c part failed:** %v\n", p, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Fprintf(w, "\nTotal wall time: %s.\n", time.Since(start).Round(time.Second))
	return errors.Join(errs...)
}
