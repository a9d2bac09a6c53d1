package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FRRDir is where Debian's frr package puts its daemons.
const FRRDir = "/usr/lib/frr"

// ErrNoFRR is returned by StartFRR when FRR is not installed.
var ErrNoFRR = errors.New("FRR is not installed (apt-get install frr; scripts/test.sh does)")

// FRR is FRR's zebra and bgpd running in a host as its router, each in
// the foreground with its state in a folder of its own, so several can
// run side by side without the system service.
type FRR struct {
	h   *Host
	dir string
	// procs are zebra and bgpd, for their output.
	procs []*Proc
}

// StartFRR runs zebra and bgpd in h with bgpd.conf text bgpd. Lab.Close
// kills them; the caller removes nothing (the folder is in os.TempDir and
// removed by Close too).
func (h *Host) StartFRR(ctx context.Context, bgpd string) (*FRR, error) {
	if _, err := os.Stat(filepath.Join(FRRDir, "bgpd")); err != nil {
		return nil, ErrNoFRR
	}
	u, err := user.Lookup("frr")
	if err != nil {
		return nil, fmt.Errorf("%w: no frr user: %v", ErrNoFRR, err)
	}
	dir, err := os.MkdirTemp("", "gk-frr-")
	if err != nil {
		return nil, err
	}
	h.lab.cleanupDir(dir)
	files := map[string]string{"zebra.conf": "hostname " + h.Name + "\n", "bgpd.conf": bgpd, "vtysh.conf": ""}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return nil, err
		}
		if err := os.Chown(p, uid, gid); err != nil {
			return nil, err
		}
	}
	if err := errors.Join(os.Chmod(dir, 0o755), os.Chown(dir, uid, gid)); err != nil {
		return nil, err
	}
	r := &FRR{h: h, dir: dir}
	for _, d := range []string{"zebra", "bgpd"} {
		p, err := h.Run(ctx, filepath.Join(FRRDir, d), "-f", filepath.Join(dir, d+".conf"), "-i", filepath.Join(dir, d+".pid"),
			"-z", filepath.Join(dir, "zserv.api"), "--vty_socket", dir, "-P", "0", "-u", "frr", "-g", "frr")
		if err != nil {
			return nil, err
		}
		r.procs = append(r.procs, p)
		if d == "zebra" {
			if err := waitFile(ctx, filepath.Join(dir, "zserv.api")); err != nil {
				return nil, fmt.Errorf("zebra: %w: %s", err, p.Output())
			}
		}
	}
	return r, nil
}

func waitFile(ctx context.Context, path string) error {
	for range 200 {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not appear", path)
}

// Output is zebra's and bgpd's output.
func (r *FRR) Output() string {
	var b strings.Builder
	for _, p := range r.procs {
		b.WriteString(p.Output())
	}
	return b.String()
}

// Vtysh runs one vtysh command in the router and returns its output.
func (r *FRR) Vtysh(ctx context.Context, cmd string) (string, error) {
	return r.h.Exec(ctx, "vtysh", "--vty_socket", r.dir, "--config_dir", r.dir, "-c", cmd)
}

// Hops returns the active next hops, sorted, of the selected BGP route to
// prefix (IPv4) in zebra's RIB; none when there is no such route.
func (r *FRR) Hops(ctx context.Context, prefix string) ([]string, error) {
	out, err := r.Vtysh(ctx, "show ip route "+prefix+" json")
	if err != nil {
		return nil, err
	}
	var rib map[string][]struct {
		Protocol string
		Selected bool
		Nexthops []struct {
			IP     string
			Active bool
		}
	}
	if err := json.Unmarshal([]byte(out), &rib); err != nil {
		return nil, fmt.Errorf("%w: %s", err, out)
	}
	var hops []string
	for _, rt := range rib[prefix] {
		if rt.Protocol != "bgp" || !rt.Selected {
			continue
		}
		for _, nh := range rt.Nexthops {
			if nh.Active {
				hops = append(hops, nh.IP)
			}
		}
	}
	sort.Strings(hops)
	return hops, nil
}

// WaitHops polls the RIB every 20 ms until prefix's next hops are want
// (sorted), for at most limit; it returns the last next hops read and
// an error when they never were.
func (r *FRR) WaitHops(ctx context.Context, limit time.Duration, prefix string, want ...string) ([]string, error) {
	var got []string
	var err error
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		got, err = r.Hops(ctx, prefix)
		if err == nil && strings.Join(got, ",") == strings.Join(want, ",") {
			return got, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	sum, _ := r.Vtysh(ctx, "show bgp summary")
	return got, fmt.Errorf("next hops of %s = %v (err %v), want %v\n%s", prefix, got, err, want, sum)
}

// RouterConf is a bgpd.conf for a router with id self in AS 65000 that
// takes eBGP routes without policies from each of neighbors (AS 65001,
// 1 s keepalives, 3 s hold time, retried every second) and spreads flows
// over up to 4 equal paths (maximum-paths).
func RouterConf(self string, neighbors ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostname r\nrouter bgp 65000\n bgp router-id %s\n no bgp ebgp-requires-policy\n", self)
	for _, n := range neighbors {
		fmt.Fprintf(&b, " neighbor %s remote-as 65001\n neighbor %s timers 1 3\n neighbor %s timers connect 1\n", n, n, n)
	}
	b.WriteString(" address-family ipv4 unicast\n  maximum-paths 4\n exit-address-family\n")
	return b.String()
}

// MustStartFRR is StartFRR for a test: it skips tb when FRR is not
// installed, fails it on other errors, and logs FRR's output when tb
// fails.
func (h *Host) MustStartFRR(tb testing.TB, bgpd string) *FRR {
	tb.Helper()
	r, err := h.StartFRR(context.Background(), bgpd)
	if errors.Is(err, ErrNoFRR) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("FRR output:\n%s", r.Output())
		}
	})
	return r
}
