package instance

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/golden"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// A script drives one Machine. Lines (after an optional `config` line):
//
//	config prio=100 addr=10.0.0.1 version=2 int=1s fast=off nopreempt ...
//	<time> start | stop | run
//	<time> recv <addr> prio=<n> [int=<dur>]
//	<time> weights <sum> | fault <cause> | clear <cause> | expect <STATE>
//
// Before a line at time T runs, every Timeout due at or before T is stepped
// at its deadline.
type scriptLine struct {
	at   time.Duration
	verb string
	args []string
	line int
}

type script struct {
	cfg   Config
	lines []scriptLine
}

func parseScript(src string) (script, error) {
	s := script{cfg: DefaultConfig()}
	s.cfg.PrimaryAddr = netip.MustParseAddr("10.0.0.1")
	sc := bufio.NewScanner(strings.NewReader(src))
	var last time.Duration
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(strings.SplitN(sc.Text(), "#", 2)[0])
		if len(f) == 0 {
			continue
		}
		if f[0] == "config" {
			if err := applyConfig(&s.cfg, f[1:]); err != nil {
				return s, fmt.Errorf("line %d: %w", n, err)
			}
			continue
		}
		if len(f) < 2 {
			return s, fmt.Errorf("line %d: want <time> <verb>", n)
		}
		at, err := time.ParseDuration(f[0])
		if err != nil || at < last {
			return s, fmt.Errorf("line %d: bad or decreasing time %q", n, f[0])
		}
		last = at
		s.lines = append(s.lines, scriptLine{at: at, verb: f[1], args: f[2:], line: n})
	}
	return s, sc.Err()
}

func applyConfig(c *Config, kvs []string) error {
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "prio":
			var p int
			p, err = strconv.Atoi(v)
			if err == nil && (p < 1 || p > 255) {
				err = fmt.Errorf("out of range")
			}
			c.Priority = uint8(p)
		case "addr":
			c.PrimaryAddr, err = netip.ParseAddr(v)
		case "version":
			c.Version = vrrp.V2
			if v == "3" {
				c.Version = vrrp.V3
			}
		case "int":
			c.AdvertInterval, err = time.ParseDuration(v)
		case "fast":
			c.FastFailover = v == "on"
		case "nopreempt":
			c.Nopreempt = true
		case "state":
			c.WantMaster = v == "MASTER"
		case "preempt_delay":
			c.PreemptDelay, err = time.ParseDuration(v)
		case "garp_delay":
			c.GARP.MasterDelay, err = time.ParseDuration(v)
		case "garp_refresh":
			c.GARP.MasterRefresh, err = time.ParseDuration(v)
		case "lower_prio_repeat":
			c.GARP.LowerPrioRepeat, err = strconv.Atoi(v)
		case "lower_prio_no_advert":
			c.LowerPrioNoAdvert = true
		case "higher_prio_send_advert":
			c.HigherPrioSendAdvert = true
		case "vip":
			var p netip.Prefix
			p, err = netip.ParsePrefix(v)
			c.VIPs = append(c.VIPs, p)
		default:
			err = fmt.Errorf("unknown key")
		}
		if err != nil {
			return fmt.Errorf("config %s: %w", kv, err)
		}
	}
	return nil
}

// lineEvent turns a script line into an event; ok is false for run/expect.
func lineEvent(l scriptLine, v vrrp.Version) (Event, bool, error) {
	arg := func(i int) string {
		if i < len(l.args) {
			return l.args[i]
		}
		return ""
	}
	switch l.verb {
	case "start":
		return Startup{}, true, nil
	case "stop":
		return Shutdown{}, true, nil
	case "run", "expect":
		return nil, false, nil
	case "weights":
		n, err := strconv.Atoi(arg(0))
		return TrackerWeights{Sum: n}, err == nil, err
	case "fault":
		return FaultOn{Cause: arg(0)}, true, nil
	case "clear":
		return FaultOff{Cause: arg(0)}, true, nil
	case "recv":
		from, err := netip.ParseAddr(arg(0))
		if err != nil {
			return nil, false, err
		}
		a := vrrp.Advertisement{Version: v, Interval: time.Second}
		for _, kv := range l.args[1:] {
			k, val, _ := strings.Cut(kv, "=")
			switch k {
			case "prio":
				p, err := strconv.Atoi(val)
				if err != nil || p < 0 || p > 255 {
					return nil, false, fmt.Errorf("bad prio %q", val)
				}
				a.Priority = uint8(p)
			case "int":
				if a.Interval, err = time.ParseDuration(val); err != nil {
					return nil, false, err
				}
			default:
				return nil, false, fmt.Errorf("unknown recv key %q", k)
			}
		}
		return AdvertReceived{From: from, Advert: a}, true, nil
	}
	return nil, false, fmt.Errorf("unknown verb %q", l.verb)
}

// runScript executes s and returns the transcript and the failed expects.
func runScript(s script) (string, []string, error) {
	var b strings.Builder
	var failed []string
	base := time.Unix(0, 0).UTC()
	m := New(s.cfg)
	step := func(at time.Time, ev Event) {
		acts := m.Step(at, ev)
		fmt.Fprintf(&b, "%-10s %s\n", fmtDur(at.Sub(base)), ev)
		for _, a := range acts {
			fmt.Fprintf(&b, "           -> %s\n", a)
		}
	}
	fire := func(until time.Time) {
		for i := 0; i < 100000; i++ {
			d := m.Deadline()
			if d.IsZero() || d.After(until) {
				return
			}
			step(d, Timeout{})
		}
	}
	for _, l := range s.lines {
		at := base.Add(l.at)
		fire(at)
		ev, ok, err := lineEvent(l, s.cfg.Version)
		if err != nil {
			return "", nil, fmt.Errorf("line %d: %w", l.line, err)
		}
		if ok {
			step(at, ev)
		}
		if l.verb == "expect" {
			got := m.State().String()
			fmt.Fprintf(&b, "%-10s expect %s: %s prio %d\n", fmtDur(l.at), strings.Join(l.args, " "), got, m.EffectivePriority())
			if len(l.args) == 0 || l.args[0] != got {
				failed = append(failed, fmt.Sprintf("line %d: at %s want %v, got %s", l.line, l.at, l.args, got))
			}
		}
	}
	return b.String(), failed, nil
}

func fmtDur(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			checkGolden(t, f)
		})
	}
}

func checkGolden(t *testing.T, path string) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseScript(string(src))
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	got, failed, err := runScript(s)
	if err != nil {
		t.Fatalf("run %s: %v", path, err)
	}
	for _, f := range failed {
		t.Errorf("%s: %s", path, f)
	}
	golden.Check(t, strings.TrimSuffix(path, ".txt")+".golden", []byte(got))
}

func FuzzParseScript(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("config prio=300\n0s start\n")
	f.Fuzz(func(t *testing.T, src string) {
		s, err := parseScript(src)
		if err != nil || len(s.lines) == 0 || len(s.lines) > 50 {
			return
		}
		// Keep each run to a few ms: the fuzz engine minimizes every new
		// interesting input, and a run of ~0.25 s (1 ms adverts for a
		// minute) let that outlive CI's -fuzztime ("context deadline
		// exceeded"). At most ~1,000 timer events per run.
		last := s.lines[len(s.lines)-1].at
		if s.cfg.AdvertInterval < 10*time.Millisecond || last > 10*time.Second ||
			(s.cfg.GARP.MasterRefresh > 0 && s.cfg.GARP.MasterRefresh < 10*time.Millisecond) {
			return
		}
		_, _, _ = runScript(s)
	})
}
