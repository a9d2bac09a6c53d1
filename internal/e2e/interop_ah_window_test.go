package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// logDaemon is a vrrpDaemon that only has a kind, a host and a log.
type logDaemon struct {
	vrrpDaemon
	k, text string
	h       *lab.Host
}

func (d logDaemon) kind() string    { return d.k }
func (d logDaemon) host() *lab.Host { return d.h }
func (d logDaemon) log() string     { return d.text }

// TestAHTakeoverDropsRule checks the rule of ahTakeoverDrops on made-up
// logs (no root): replays within Master_Down_Interval of a state change
// are taken out, at most two of them; one outside, a third one, or any
// other drop leaves every error in place.
func TestAHTakeoverDropsRule(t *testing.T) {
	const (
		master = "Mon Dec  7 20:00:10 2026: (VI_AH) Entering MASTER STATE\n"
		backup = "Mon Dec  7 20:00:40 2026: (VI_AH) Entering BACKUP STATE\n"
	)
	kaDrop := func(at string) string {
		return "Mon Dec  7 20:00:" + at + " 2026: (VI_AH) IPSEC-AH : sequence number 7 already processed. Packet dropped. Local(9)\n"
	}
	gkDrop := func(at, reason string) string {
		return "Mon Dec  7 20:00:" + at + " 2026: (VI_AH) advert dropped level=WARN from=192.168.1.3 reason=" + reason + "\n"
	}
	kaErr := func(at string) string { return "ah: " + kaDrop(at)[:len(kaDrop(at))-1] }
	for _, tc := range []struct {
		name     string
		kind     string
		log      string
		errs     []string
		wantLeft int
	}{
		{"keepalived: one replay 2 s after a takeover", "keepalived", master + kaDrop("12") + backup,
			[]string{kaErr("12")}, 0},
		{"keepalived: replay in the second a takeover is logged", "keepalived", kaDrop("09") + master + backup,
			[]string{kaErr("09")}, 0},
		{"keepalived: replay 20 s after any change", "keepalived", master + kaDrop("30") + backup,
			[]string{kaErr("30")}, 1},
		{"keepalived: three replays", "keepalived", master + kaDrop("11") + kaDrop("11") + kaDrop("12") + backup,
			[]string{kaErr("11"), kaErr("11"), kaErr("12")}, 3},
		{"gokeepalived: replays counted as auth_failure", "gokeepalived", master + gkDrop("11", "ah_replayed_seq") + backup,
			[]string{"VI_AH: auth_failure=2"}, 0},
		{"gokeepalived: a bad ICV as well", "gokeepalived",
			master + gkDrop("11", "ah_replayed_seq") + gkDrop("11", "ah_bad_icv") + backup,
			[]string{"VI_AH: auth_failure=2"}, 1},
		{"gokeepalived: other errors stay", "gokeepalived", master + gkDrop("41", "ah_replayed_seq") + backup,
			[]string{"VI_AH: auth_failure=1", "VI_AH: ip_ttl_err=1"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := logDaemon{k: tc.kind, text: tc.log, h: &lab.Host{Name: "a"}}
			ds := map[string]vrrpDaemon{"a": d, "b": logDaemon{k: "keepalived", text: backup, h: &lab.Host{Name: "b"}}}
			got := ahTakeoverDrops(t, d, ds, time.Second, slices.Clone(tc.errs))
			if len(got) != tc.wantLeft {
				t.Errorf("left %q of %q, want %d left", got, tc.errs, tc.wantLeft)
			}
		})
	}
}
