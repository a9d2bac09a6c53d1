package nftplane

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
	"github.com/google/go-cmp/cmp"
)

func dests(weights ...int) []lvs.Dest {
	var ds []lvs.Dest
	for i, w := range weights {
		ds = append(ds, lvs.Dest{Addr: netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}), Port: 80, Kind: config.KindNAT, Weight: w})
	}
	return ds
}

func counts(sl []int, n int) []int {
	c := make([]int, n)
	for _, j := range sl {
		c[j]++
	}
	return c
}

func TestSlots(t *testing.T) {
	tests := []struct {
		sched   config.Scheduler
		weights []int
		want    []int // exact slots, or nil to check counts only
		counts  []int
	}{
		// IPVS's wrr interleaves: current weight 3 picks A; 2 picks A, B; 1 picks all.
		{config.SchedWRR, []int{3, 2, 1}, []int{0, 0, 1, 0, 1, 2}, []int{3, 2, 1}},
		{config.SchedWRR, []int{4, 2, 0}, []int{0, 0, 1}, []int{2, 1, 0}},
		{config.SchedRR, []int{5, 1, 1}, []int{0, 1, 2}, []int{1, 1, 1}},
		{config.SchedRR, []int{5, 0, 1}, []int{0, 2}, []int{1, 0, 1}},
		{config.SchedRR, []int{0, 0}, nil, []int{0, 0}},
		{config.SchedSH, []int{2, 1}, nil, []int{171, 85}},
		{config.SchedDH, []int{1, 1, 1, 0}, nil, []int{86, 85, 85, 0}},
		{config.SchedMH, []int{1, 1}, nil, []int{2047, 2046}},
		{config.SchedMH, []int{2, 1, 0}, nil, []int{2729, 1364, 0}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.sched, tt.weights), func(t *testing.T) {
			sl, err := slots(tt.sched, dests(tt.weights...))
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, sl); diff != "" {
					t.Errorf("slots (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tt.counts, counts(sl, len(tt.weights))); diff != "" {
				t.Errorf("slots per destination (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMaglevDisruption checks Maglev's point: removing one of ten servers
// moves few of the other servers' entries.
func TestMaglevDisruption(t *testing.T) {
	w := []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	before, _ := slots(config.SchedMH, dests(w...))
	ds := dests(w...)
	after, _ := slots(config.SchedMH, append(ds[:3:3], ds[4:]...))
	moved := 0
	for i, j := range before {
		k := after[i]
		if k >= 3 {
			k++ // index in the original list
		}
		if j != 3 && j != k {
			moved++
		}
	}
	if frac := float64(moved) / mhSize; frac > 0.05 {
		t.Errorf("%d of %d entries of surviving servers moved (%.1f%%), want under 5%%", moved, mhSize, 100*frac)
	}
}

func TestSlotsRefuse(t *testing.T) {
	for _, s := range []config.Scheduler{config.SchedLC, config.SchedWLC, config.SchedSED, config.SchedNQ,
		config.SchedLBLC, config.SchedLBLCR, config.SchedOVF, config.SchedTWOS, config.SchedFO} {
		if _, err := slots(s, dests(1)); err == nil || !strings.Contains(err.Error(), "use lvs_backend ipvs") {
			t.Errorf("%s: err %v, want a refusal naming IPVS", s, err)
		}
	}
	if _, err := slots(config.SchedWRR, dests(65535, 65534, 1)); err == nil {
		t.Error("a wrr cycle of 131070 slots was accepted")
	}
}
