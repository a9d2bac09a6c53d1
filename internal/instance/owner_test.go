package instance

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// ownerConfig is an address owner (priority 255), with or without
// owner_ignore_adverts.
func ownerConfig(ignore bool) Config {
	c := testConfig()
	c.Priority = OwnerPriority
	c.OwnerIgnoreAdverts = ignore
	return c
}

func advFrom(from netip.Addr, prio uint8) AdvertReceived {
	return AdvertReceived{From: from, Advert: vrrp.Advertisement{Version: vrrp.V2, VRID: 7, Priority: prio, Interval: time.Second}}
}

// TestOwnerIgnoreAdvertsMaster: a MASTER address owner reacts to each of
// these adverts (it answers priority 0, asserts itself against a lower
// priority, and backs off to 254 when it hears a second owner); with owner_ignore_adverts it does none of that and stays
// MASTER at 255, as RFC 3768/5798/9568 tell an owner to.
func TestOwnerIgnoreAdvertsMaster(t *testing.T) {
	now := t0.Add(10 * time.Second)
	tests := []struct {
		name      string
		ev        AdvertReceived
		wantState State // without the flag
		wantActs  []string
	}{
		{"priority 0", advFrom(peer, 0), Master, []string{"send-advert prio 255 int 1s"}},
		{"lower priority", advFrom(peer, 100), Master, []string{"send-advert prio 255 int 1s", "send-gratuitous x5 every 0s", "notify master-rx-lower-pri from 10.0.0.9 prio 100"}},
		{"second owner, higher address", advFrom(peer, 255), Backup, []string{"send-advert prio 254 int 1s", "remove-addresses []", "notify MASTER->BACKUP prio 254 (higher-priority from 10.0.0.9 prio 255)"}},
		{"second owner, lower address", advFrom(low, 255), Backup, []string{"send-advert prio 254 int 1s", "remove-addresses []", "notify MASTER->BACKUP prio 254 (higher-priority from 10.0.0.1 prio 255)"}},
	}
	for _, tt := range tests {
		for _, ignore := range []bool{false, true} {
			name := tt.name
			if ignore {
				name += " ignored"
			}
			t.Run(name, func(t *testing.T) {
				m := machineIn(t, ownerConfig(ignore), Master)
				if got := m.IgnoresAdverts(); got != ignore {
					t.Fatalf("IgnoresAdverts() = %v, want %v", got, ignore)
				}
				deadline := m.Deadline()
				var got []string
				for _, a := range m.Step(now, tt.ev) {
					got = append(got, a.String())
				}
				wantActs, wantState, wantPrio := tt.wantActs, tt.wantState, tt.wantActs != nil && wantsBackoff(tt.wantActs)
				if ignore {
					wantActs, wantState, wantPrio = nil, Master, false
					if m.Deadline() != deadline {
						t.Errorf("an ignored advert moved the advert timer from %v to %v", deadline, m.Deadline())
					}
				}
				if diff := cmp.Diff(wantActs, got); diff != "" {
					t.Errorf("actions (-want +got):\n%s", diff)
				}
				if m.State() != wantState {
					t.Errorf("state %s, want %s", m.State(), wantState)
				}
				prio := uint8(OwnerPriority)
				if wantPrio {
					prio = OwnerPriority - 1
				}
				if m.EffectivePriority() != prio {
					t.Errorf("priority %d, want %d", m.EffectivePriority(), prio)
				}
			})
		}
	}
}

func wantsBackoff(acts []string) bool { return acts[0] == "send-advert prio 254 int 1s" }

// TestOwnerIgnoreAdvertsBackup: an owner waiting in BACKUP accepts a
// second owner with a higher address as master, which restarts its
// Master_Down_Timer; with owner_ignore_adverts the advert changes nothing
// and the owner takes over when its timer fires.
func TestOwnerIgnoreAdvertsBackup(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		m := machineIn(t, ownerConfig(ignore), Backup)
		fire := m.Deadline()
		m.Step(fire.Add(-time.Millisecond), advFrom(peer, 255))
		m.Step(fire, Timeout{})
		want := Backup
		if ignore {
			want = Master
		}
		if m.State() != want {
			t.Errorf("owner_ignore_adverts=%v: state %s at the first deadline, want %s", ignore, m.State(), want)
		}
	}
}

// TestOwnerIgnoreAdvertsNotOwner: the flag only matters to an owner; an
// instance with priority 100 reacts to a higher priority as usual, and so
// does an owner reconfigured to a lower priority.
func TestOwnerIgnoreAdvertsNotOwner(t *testing.T) {
	cfg := testConfig()
	cfg.OwnerIgnoreAdverts = true
	m := machineIn(t, cfg, Master)
	if m.IgnoresAdverts() {
		t.Fatal("IgnoresAdverts() true at priority 100")
	}
	m.Step(t0.Add(time.Second), advFrom(peer, 110))
	if m.State() != Backup {
		t.Errorf("priority 100 with owner_ignore_adverts: state %s after a higher advert, want BACKUP", m.State())
	}

	m = machineIn(t, ownerConfig(true), Master)
	lower := ownerConfig(true)
	lower.Priority = 100
	if _, ok := m.Reconfigure(t0.Add(time.Second), lower); !ok {
		t.Fatal("reconfigure refused")
	}
	if m.IgnoresAdverts() {
		t.Fatal("IgnoresAdverts() true after reconfiguring to priority 100")
	}
	m.Step(t0.Add(2*time.Second), advFrom(peer, 110))
	if m.State() != Backup {
		t.Errorf("reconfigured owner: state %s after a higher advert, want BACKUP", m.State())
	}
}
