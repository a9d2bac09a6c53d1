package policy

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/notify"
)

// TestStateOf: every state keepalived announces maps to its notification;
// INIT is never announced.
func TestStateOf(t *testing.T) {
	for s, want := range map[instance.State]notify.State{instance.Master: notify.StateMaster,
		instance.Backup: notify.StateBackup, instance.Fault: notify.StateFault, instance.Stop: notify.StateStop} {
		if got, ok := StateOf(s); !ok || got != want {
			t.Errorf("StateOf(%v) = %v, %v; want %v, true", s, got, ok, want)
		}
	}
	if _, ok := StateOf(instance.Init); ok {
		t.Error("INIT is announced")
	}
}
