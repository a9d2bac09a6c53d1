package trackers

import (
	"errors"
	"syscall"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/track"
)

// TestScriptError: status shows why a script is not working, beyond its
// exit code.
func TestScriptError(t *testing.T) {
	tests := []struct {
		name string
		sr   scriptRunner
		want string
	}{
		{"never ran", scriptRunner{}, ""},
		{"exit 1 is a result, not an error", scriptRunner{last: track.Result{Outcome: track.Outcome{ExitCode: 1}}}, ""},
		{"timed out", scriptRunner{last: track.Result{Outcome: track.Outcome{ExitCode: -1, TimedOut: true}}}, "timed out"},
		{"killed", scriptRunner{last: track.Result{Outcome: track.Outcome{ExitCode: -1, Signal: syscall.SIGKILL}}}, "signal killed"},
		{"not started", scriptRunner{last: track.Result{Outcome: track.Outcome{ExitCode: -1, Err: errors.New("exec /x: permission denied")}}}, "exec /x: permission denied"},
		{"refused by the gate", scriptRunner{disabled: "/x is writable by others"}, "refused: /x is writable by others"},
	}
	for _, tt := range tests {
		if got := scriptError(&tt.sr); got != tt.want {
			t.Errorf("%s: scriptError = %q, want %q", tt.name, got, tt.want)
		}
	}
}
