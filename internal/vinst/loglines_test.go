package vinst

import (
	"bytes"
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/google/go-cmp/cmp"
)

// msgHandler records each message with its level.
type msgHandler struct{ lines *[]string }

func (h msgHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h msgHandler) Handle(_ context.Context, r slog.Record) error {
	*h.lines = append(*h.lines, r.Level.String()+" "+r.Message)
	return nil
}
func (h msgHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h msgHandler) WithGroup(string) slog.Handler      { return h }

// Every transition is logged with keepalived's line, preceded by the line
// keepalived writes for its cause; -D-only lines are at Debug.
func TestLogTransition(t *testing.T) {
	peer := netip.MustParseAddr("192.168.1.3")
	tests := []struct {
		name string
		tr   instance.Transition
		want []string
	}{
		{"startup backup", instance.Transition{From: instance.Init, To: instance.Backup, Priority: 100, Reason: instance.ReasonStartup},
			[]string{"INFO (VI_1) Entering BACKUP STATE (init)"}},
		{"startup fault", instance.Transition{From: instance.Init, To: instance.Fault, Priority: 100, Reason: instance.ReasonStartup},
			[]string{"INFO (VI_1) Entering FAULT STATE (init)"}},
		{"master down", instance.Transition{From: instance.Backup, To: instance.Master, Priority: 100, Reason: instance.ReasonMasterDown},
			[]string{"DEBUG (VI_1) Receive advertisement timeout", "INFO (VI_1) Entering MASTER STATE"}},
		{"higher priority", instance.Transition{From: instance.Master, To: instance.Backup, Priority: 80,
			Reason: instance.ReasonHigherPriority, Peer: peer, PeerPriority: 90},
			[]string{"INFO (VI_1) Master received advert from 192.168.1.3 with higher priority 90, ours 80", "INFO (VI_1) Entering BACKUP STATE"}},
		{"same priority, higher address", instance.Transition{From: instance.Master, To: instance.Backup, Priority: 90,
			Reason: instance.ReasonHigherPriority, Peer: peer, PeerPriority: 90},
			[]string{"INFO (VI_1) Master received advert from 192.168.1.3 with same priority 90 but higher IP address than ours", "INFO (VI_1) Entering BACKUP STATE"}},
		{"fault", instance.Transition{From: instance.Master, To: instance.Fault, Priority: 100, Reason: instance.ReasonFault, Detail: "interface eth1 down"},
			[]string{"INFO (VI_1) Entering FAULT STATE"}},
		{"master stops", instance.Transition{From: instance.Master, To: instance.Stop, Priority: 100, Reason: instance.ReasonShutdown},
			[]string{"DEBUG (VI_1) sent 0 priority"}},
		{"backup stops", instance.Transition{From: instance.Backup, To: instance.Stop, Priority: 100, Reason: instance.ReasonShutdown},
			[]string{"DEBUG (VI_1) Entering STOP STATE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			LogTransition(slog.New(msgHandler{&got}), "VI_1", tt.tr)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
		})
	}
}

// The transition line keeps its structured attributes.
func TestLogTransitionAttrs(t *testing.T) {
	var b bytes.Buffer
	LogTransition(slog.New(slog.NewTextHandler(&b, nil)), "VI_1",
		instance.Transition{From: instance.Backup, To: instance.Master, Priority: 100, Reason: instance.ReasonMasterDown})
	for _, kv := range []string{"from=BACKUP", "to=MASTER", "priority=100", `cause="BACKUP->MASTER prio 100 (master-down)"`} {
		if !strings.Contains(b.String(), kv) {
			t.Errorf("line %q lacks %s", b.String(), kv)
		}
	}
}
