package director

import (
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lvs"
)

// flushLab is a plane that can flush the kernel's table (as IPVS can)
// and records, in order, flushes and state changes.
type flushLab struct {
	lab
	ops []string
}

func (f *flushLab) Apply(s lvs.State) error {
	f.mu.Lock()
	f.ops = append(f.ops, "apply")
	f.mu.Unlock()
	return f.lab.Apply(s)
}

func (f *flushLab) Close() error {
	f.mu.Lock()
	f.ops = append(f.ops, "close")
	f.mu.Unlock()
	return f.lab.Close()
}

func (f *flushLab) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, "flush")
	return nil
}

// TestFlushKeywords: lvs_flush empties the kernel's table before the
// first state, lvs_flush_on_stop before the plane's own removal at stop;
// lvs_flush_on_stop VS and no keyword remove only ours.
func TestFlushKeywords(t *testing.T) {
	for _, tc := range []struct {
		global      string
		first, last []string
	}{
		{"", []string{"apply"}, []string{"apply", "close"}},
		{"lvs_flush", []string{"flush", "apply"}, []string{"apply", "close"}},
		{"lvs_flush_on_stop", []string{"apply"}, []string{"flush", "close"}},
		{"lvs_flush_onstop VS", []string{"apply"}, []string{"apply", "close"}},
	} {
		t.Run(tc.global, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				conf := loadConf(t, "global_defs {\n"+tc.global+"\n}\n"+fmt.Sprintf(threeRS, "", ""))
				f := &flushLab{lab: lab{t: t, down: nil}}
				d := Start(Config{Conf: conf, Plane: f, Backend: "fake", NewProber: f.prober})
				wait(3 * time.Second)
				d.Stop(time.Second)
				f.mu.Lock()
				defer f.mu.Unlock()
				if got := f.ops[:len(tc.first)]; !slices.Equal(got, tc.first) {
					t.Errorf("start: %v, want %v", got, tc.first)
				}
				if got := f.ops[len(f.ops)-len(tc.last):]; !slices.Equal(got, tc.last) {
					t.Errorf("stop: %v, want %v", got, tc.last)
				}
			})
		})
	}
}

func (f *flushLab) Release() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, "release")
	return nil
}

// TestKeepOnStop: with -I (KeepOnStop) the stop neither flushes
// (lvs_flush_on_stop) nor removes the plane's state: the plane is only
// released, as keepalived skips clearing its services.
func TestKeepOnStop(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprint(keep), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				conf := loadConf(t, "global_defs {\nlvs_flush_on_stop\n}\n"+fmt.Sprintf(threeRS, "", ""))
				f := &flushLab{lab: lab{t: t, down: nil}}
				d := Start(Config{Conf: conf, Plane: f, Backend: "fake", NewProber: f.prober, KeepOnStop: keep})
				wait(3 * time.Second)
				d.Stop(time.Second)
				f.mu.Lock()
				defer f.mu.Unlock()
				want := []string{"flush", "close"}
				if keep {
					want = []string{"apply", "release"}
				}
				if got := f.ops[len(f.ops)-2:]; !slices.Equal(got, want) {
					t.Errorf("stop: %v, want %v", got, want)
				}
				if keep && (slices.Contains(f.ops, "close") || slices.Contains(f.ops, "flush")) {
					t.Errorf("ops %v: the kept state was removed", f.ops)
				}
			})
		})
	}
}
