package sim

import (
	"bufio"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// RunScript runs a scenario script and returns its transcript (every
// injection, transition, gratuitous burst, priority-0 advert and
// lower-priority notification; periodic adverts are left out) and the
// expectations that failed. The language, one statement a line, `#`
// comments:
//
//	seed 7
//	net delay=1ms jitter=0s loss=0.1 dup=0
//	node A addr=10.0.0.1 prio=100 [vrid=1] [version=3] [int=10ms] [fast=off] [nopreempt] [preempt_delay=2s]
//	sync_group A 1 2
//	<time> start|crash|stop <node>
//	<time> weights <node> <sum> [vrid]
//	<time> fault|clear <node> <cause> [vrid]
//	<time> partition A B | C
//	<time> heal
//	<time> expect master <node|none> [vrid]
//	<time> run
//
// A node line with the name of an earlier one adds an instance (another
// VRID) to that node. sync_group puts instances of a node, named by VRID,
// in one sync group. weights, fault and clear act on every instance of the
// node unless given a VRID.
func RunScript(src string) (transcript string, failed []string, err error) {
	var s *Sim
	seed, net := uint64(1), Network{}
	type nodeDef struct {
		name  string
		cfgs  []instance.Config
		syncs [][]uint8
	}
	var nodes []*nodeDef
	findNode := func(name string) *nodeDef {
		for _, nd := range nodes {
			if nd.name == name {
				return nd
			}
		}
		return nil
	}
	type step struct {
		at   time.Duration
		f    []string
		line int
	}
	var steps []step
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(strings.SplitN(sc.Text(), "#", 2)[0])
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "seed":
			if len(f) != 2 {
				return "", nil, fmt.Errorf("line %d: seed wants one number", n)
			}
			if seed, err = strconv.ParseUint(f[1], 10, 64); err != nil {
				return "", nil, fmt.Errorf("line %d: %w", n, err)
			}
		case "net":
			if err := parseNet(&net, f[1:]); err != nil {
				return "", nil, fmt.Errorf("line %d: %w", n, err)
			}
		case "node":
			if len(f) < 2 {
				return "", nil, fmt.Errorf("line %d: node wants a name", n)
			}
			c, err := parseNode(f[2:])
			if err != nil {
				return "", nil, fmt.Errorf("line %d: %w", n, err)
			}
			nd := findNode(f[1])
			if nd == nil {
				nd = &nodeDef{name: f[1]}
				nodes = append(nodes, nd)
			}
			for _, o := range nd.cfgs {
				if o.VRID == c.VRID {
					return "", nil, fmt.Errorf("line %d: node %s has vrid %d twice", n, f[1], c.VRID)
				}
			}
			nd.cfgs = append(nd.cfgs, c)
		case "sync_group":
			if len(f) < 3 {
				return "", nil, fmt.Errorf("line %d: sync_group wants a node and VRIDs", n)
			}
			nd := findNode(f[1])
			if nd == nil {
				return "", nil, fmt.Errorf("line %d: no node %q", n, f[1])
			}
			var vrids []uint8
			for _, a := range f[2:] {
				v, err := strconv.ParseUint(a, 10, 8)
				if err != nil {
					return "", nil, fmt.Errorf("line %d: %w", n, err)
				}
				vrids = append(vrids, uint8(v))
			}
			nd.syncs = append(nd.syncs, vrids)
		default:
			at, err := time.ParseDuration(f[0])
			if err != nil || len(f) < 2 || at < 0 || (len(steps) > 0 && at < steps[len(steps)-1].at) {
				return "", nil, fmt.Errorf("line %d: want <non-decreasing time> <verb>", n)
			}
			steps = append(steps, step{at, f[1:], n})
		}
	}
	if err := sc.Err(); err != nil {
		return "", nil, err
	}
	s = New(seed, net)
	for _, nd := range nodes {
		sn := s.AddNode(nd.name, nd.cfgs...)
		for _, g := range nd.syncs {
			if err := sn.SyncGroup(g...); err != nil {
				return "", nil, fmt.Errorf("sync_group %s: %w", nd.name, err)
			}
		}
	}
	known := func(name string) error {
		if s.Node(name) == nil {
			return fmt.Errorf("no node %q", name)
		}
		return nil
	}
	var b strings.Builder
	seen := 0
	flush := func() {
		for _, r := range s.Records()[seen:] {
			if a, ok := r.Action.(instance.SendAdvert); ok && a.Priority != 0 {
				continue
			}
			if r.Action == nil {
				fmt.Fprintf(&b, "%-12s %s\n", r.At, r.Event)
				continue
			}
			fmt.Fprintf(&b, "%-12s %s/%d %s -> %s\n", r.At, r.Node, r.VRID, r.Event, r.Action)
		}
		seen = len(s.Records())
	}
	for _, st := range steps {
		f := st.f
		arg := func(i int) string {
			if i < len(f) {
				return f[i]
			}
			return ""
		}
		var inj Injection
		switch f[0] {
		case "start", "crash", "stop":
			if err := known(arg(1)); err != nil {
				return "", nil, fmt.Errorf("line %d: %w", st.line, err)
			}
			inj = map[string]Injection{"start": Start{arg(1)}, "crash": Crash{arg(1)}, "stop": Stop{arg(1)}}[f[0]]
		case "weights":
			sum, err := strconv.Atoi(arg(2))
			if err == nil {
				err = known(arg(1))
			}
			vrid, verr := optVRID(arg(3))
			if err == nil {
				err = verr
			}
			if err != nil {
				return "", nil, fmt.Errorf("line %d: %w", st.line, err)
			}
			inj = Weights{Node: arg(1), VRID: vrid, Sum: sum}
		case "fault", "clear":
			err := known(arg(1))
			vrid, verr := optVRID(arg(3))
			if err == nil {
				err = verr
			}
			if err != nil {
				return "", nil, fmt.Errorf("line %d: %w", st.line, err)
			}
			inj = Fault{Node: arg(1), VRID: vrid, Cause: arg(2), On: f[0] == "fault"}
		case "partition":
			var groups [][]string
			for _, g := range strings.Split(strings.Join(f[1:], " "), "|") {
				groups = append(groups, strings.Fields(g))
			}
			inj = Partition{Groups: groups}
		case "heal":
			inj = Heal{}
		case "run", "expect":
		default:
			return "", nil, fmt.Errorf("line %d: unknown verb %q", st.line, f[0])
		}
		if inj != nil {
			s.At(st.at, inj)
		}
		s.RunUntil(st.at)
		flush()
		if f[0] == "expect" {
			if arg(1) != "master" {
				return "", nil, fmt.Errorf("line %d: only `expect master` is known", st.line)
			}
			vrid := uint64(1)
			if arg(3) != "" {
				if vrid, err = strconv.ParseUint(arg(3), 10, 8); err != nil {
					return "", nil, fmt.Errorf("line %d: %w", st.line, err)
				}
			}
			got := strings.Join(s.Masters(uint8(vrid)), ",")
			if got == "" {
				got = "none"
			}
			fmt.Fprintf(&b, "%-12s expect master %s (vrid %d): %s\n", st.at, arg(2), vrid, got)
			if got != arg(2) {
				failed = append(failed, fmt.Sprintf("line %d: at %s master of vrid %d is %s, want %s", st.line, st.at, vrid, got, arg(2)))
			}
		}
	}
	return b.String(), failed, nil
}

// optVRID parses an optional VRID argument ("" is 0: every instance).
func optVRID(a string) (uint8, error) {
	if a == "" {
		return 0, nil
	}
	v, err := strconv.ParseUint(a, 10, 8)
	if err == nil && v == 0 {
		err = fmt.Errorf("vrid 0")
	}
	return uint8(v), err
}

func parseNet(n *Network, kvs []string) error {
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "delay":
			n.Delay, err = time.ParseDuration(v)
		case "jitter":
			n.Jitter, err = time.ParseDuration(v)
		case "loss":
			n.Loss, err = strconv.ParseFloat(v, 64)
		case "dup":
			n.Dup, err = strconv.ParseFloat(v, 64)
		default:
			err = fmt.Errorf("unknown key")
		}
		if err == nil && (n.Delay < 0 || n.Jitter < 0) {
			err = fmt.Errorf("negative")
		}
		if err != nil {
			return fmt.Errorf("net %s: %w", kv, err)
		}
	}
	return nil
}

func parseNode(kvs []string) (instance.Config, error) {
	c := instance.DefaultConfig()
	c.VRID = 1
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		var n int
		switch k {
		case "addr":
			c.PrimaryAddr, err = netip.ParseAddr(v)
		case "prio", "vrid":
			n, err = strconv.Atoi(v)
			if err == nil && (n < 1 || n > 255) {
				err = fmt.Errorf("out of range")
			}
			if k == "prio" {
				c.Priority = uint8(n)
			} else {
				c.VRID = uint8(n)
			}
		case "version":
			c.Version = vrrp.V2
			if v == "3" {
				c.Version = vrrp.V3
			}
		case "int":
			c.AdvertInterval, err = time.ParseDuration(v)
			if err == nil && c.AdvertInterval < time.Millisecond {
				err = fmt.Errorf("under 1ms")
			}
		case "fast":
			c.FastFailover = v != "off"
		case "nopreempt":
			c.Nopreempt = true
		case "preempt_delay":
			c.PreemptDelay, err = time.ParseDuration(v)
		default:
			err = fmt.Errorf("unknown key")
		}
		if err != nil {
			return c, fmt.Errorf("node %s: %w", kv, err)
		}
	}
	if !c.PrimaryAddr.IsValid() {
		return c, fmt.Errorf("node needs addr=")
	}
	return c, nil
}
