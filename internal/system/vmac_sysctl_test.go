package system

import (
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeProc builds a /proc/sys/net/ipv4/conf tree in a temp dir from
// "iface.key" → value and returns its sysctls.
func fakeProc(t *testing.T, vals map[string]int) sysctls {
	t.Helper()
	root := t.TempDir()
	for k, v := range vals {
		iface, key, _ := strings.Cut(k, ".")
		dir := filepath.Join(root, "net", "ipv4", "conf", iface)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, key), []byte(strconv.Itoa(v)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return sysctls{root: root}
}

// dumpProc reads back every key named in keys.
func dumpProc(t *testing.T, s sysctls, keys []string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, k := range keys {
		iface, key, _ := strings.Cut(k, ".")
		v, err := s.get("ipv4", iface, key)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

func keysOf(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestRPFilterClearRestore(t *testing.T) {
	discard := slog.New(slog.DiscardHandler)
	tests := []struct {
		name       string
		before     map[string]int
		cleared    map[string]int
		meanwhile  map[string]int // changed by someone else between clear and restore
		restored   map[string]int
		wantRaised int
	}{
		{
			name:     "all 0: nothing changes",
			before:   map[string]int{"all.rp_filter": 0, "default.rp_filter": 1, "eth1.rp_filter": 0},
			cleared:  map[string]int{"all.rp_filter": 0, "default.rp_filter": 1, "eth1.rp_filter": 0},
			restored: map[string]int{"all.rp_filter": 0, "default.rp_filter": 1, "eth1.rp_filter": 0},
		},
		{
			name: "all 2: default and lower interfaces raised, all cleared, then put back",
			before: map[string]int{"all.rp_filter": 2, "default.rp_filter": 0, "eth1.rp_filter": 0,
				"eth2.rp_filter": 1, "lo.rp_filter": 2},
			cleared: map[string]int{"all.rp_filter": 0, "default.rp_filter": 2, "eth1.rp_filter": 2,
				"eth2.rp_filter": 2, "lo.rp_filter": 2},
			restored: map[string]int{"all.rp_filter": 2, "default.rp_filter": 0, "eth1.rp_filter": 0,
				"eth2.rp_filter": 1, "lo.rp_filter": 2},
			wantRaised: 2,
		},
		{
			name:       "all 1: settings changed by someone else stay as they are",
			before:     map[string]int{"all.rp_filter": 1, "default.rp_filter": 0, "eth1.rp_filter": 0, "eth2.rp_filter": 0},
			cleared:    map[string]int{"all.rp_filter": 0, "default.rp_filter": 1, "eth1.rp_filter": 1, "eth2.rp_filter": 1},
			meanwhile:  map[string]int{"all.rp_filter": 2, "eth2.rp_filter": 2},
			restored:   map[string]int{"all.rp_filter": 2, "default.rp_filter": 0, "eth1.rp_filter": 0, "eth2.rp_filter": 2},
			wantRaised: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeProc(t, tt.before)
			var r rpFilter
			if err := r.clear(s, discard); err != nil {
				t.Fatalf("clear: %v", err)
			}
			if err := r.clear(s, discard); err != nil { // idempotent while active
				t.Fatalf("second clear: %v", err)
			}
			if diff := cmp.Diff(tt.cleared, dumpProc(t, s, keysOf(tt.before))); diff != "" {
				t.Errorf("after clear (-want +got):\n%s", diff)
			}
			if got := len(r.raised); got != tt.wantRaised {
				t.Errorf("raised %d interfaces, want %d", got, tt.wantRaised)
			}
			for k, v := range tt.meanwhile {
				iface, key, _ := strings.Cut(k, ".")
				if err := s.set("ipv4", iface, key, v); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.restore(s, discard); err != nil {
				t.Fatalf("restore: %v", err)
			}
			if diff := cmp.Diff(tt.restored, dumpProc(t, s, keysOf(tt.before))); diff != "" {
				t.Errorf("after restore (-want +got):\n%s", diff)
			}
			if r.active {
				t.Error("still active after restore")
			}
		})
	}
}

func TestParentARPRefcount(t *testing.T) {
	discard := slog.New(slog.DiscardHandler)
	tests := []struct {
		name    string
		before  map[string]int
		changed bool
	}{
		{"defaults are changed and put back", map[string]int{"eth1.arp_ignore": 0, "eth1.arp_filter": 0}, true},
		{"unusual values are put back exactly", map[string]int{"eth1.arp_ignore": 2, "eth1.arp_filter": 1}, true},
		{"already right: nothing to change", map[string]int{"eth1.arp_ignore": 1, "eth1.arp_filter": 1}, false},
	}
	held := map[string]int{"eth1.arp_ignore": 1, "eth1.arp_filter": 1}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fakeProc(t, tt.before)
			p := &parentARP{ifname: "eth1"}
			for range 2 { // two VMACs on one parent
				if err := s.holdParent(p, discard); err != nil {
					t.Fatal(err)
				}
			}
			if p.changed != tt.changed {
				t.Errorf("changed = %v, want %v", p.changed, tt.changed)
			}
			if diff := cmp.Diff(held, dumpProc(t, s, keysOf(held))); diff != "" {
				t.Errorf("held (-want +got):\n%s", diff)
			}
			if done, err := s.releaseParent(p); done || err != nil {
				t.Fatalf("first release: done %v err %v, want false nil", done, err)
			}
			if diff := cmp.Diff(held, dumpProc(t, s, keysOf(held))); diff != "" {
				t.Errorf("one VMAC left (-want +got):\n%s", diff)
			}
			if done, err := s.releaseParent(p); !done || err != nil {
				t.Fatalf("last release: done %v err %v, want true nil", done, err)
			}
			if diff := cmp.Diff(tt.before, dumpProc(t, s, keysOf(tt.before))); diff != "" {
				t.Errorf("released (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVMACAddrAndName(t *testing.T) {
	tests := []struct {
		fam    Family
		vrid   uint8
		prefix string
		mac    string
		name   string
	}{
		{IPv4, 87, "", "00:00:5e:00:01:57", "vrrp.87"},
		{IPv6, 87, "vrrp", "00:00:5e:00:02:57", "vrrp.87"},
		{IPv4, 255, "vm", "00:00:5e:00:01:ff", "vm.255"},
		{IPv4, 1, "x", "00:00:5e:00:01:01", "x.1"},
	}
	for _, tt := range tests {
		got := []string{VMACAddr(tt.fam, tt.vrid).String(), VMACName(tt.prefix, int(tt.vrid))}
		if diff := cmp.Diff([]string{tt.mac, tt.name}, got); diff != "" {
			t.Errorf("%v vrid %d (-want +got):\n%s", tt.fam, tt.vrid, diff)
		}
	}
}

func TestVMACConfigValidate(t *testing.T) {
	tests := []struct {
		cfg   VMACConfig
		valid bool
	}{
		{VMACConfig{Name: "vrrp.87", Parent: 2, VRID: 87, Family: IPv4}, true},
		{VMACConfig{Name: "vrrp.87", Parent: 2, VRID: 87, Family: IPv6}, true},
		{VMACConfig{Name: "", Parent: 2, Family: IPv4}, false},
		{VMACConfig{Name: "a-very-long-name", Parent: 2, Family: IPv4}, false},
		{VMACConfig{Name: "a/b", Parent: 2, Family: IPv4}, false},
		{VMACConfig{Name: "..", Parent: 2, Family: IPv4}, false},
		{VMACConfig{Name: "vrrp.1", Parent: 0, Family: IPv4}, false},
		{VMACConfig{Name: "vrrp.1", Parent: 2}, false},
	}
	for _, tt := range tests {
		if err := tt.cfg.validate(); (err == nil) != tt.valid {
			t.Errorf("validate(%+v) = %v, want valid %v", tt.cfg, err, tt.valid)
		}
	}
}
