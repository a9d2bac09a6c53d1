package daemon

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
)

// TestNewChecksSystem: New refuses a System with a part missing, names
// every missing part, and closes the parts it was given (it owns them).
func TestNewChecksSystem(t *testing.T) {
	links, addrs := systemtest.NewLinkWatcher(), &systemtest.Addresser{}
	_, err := New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, System{Links: links, Addrs: addrs})
	if err == nil {
		t.Fatal("New accepted a System without Announce, OpenConn, ...")
	}
	for _, part := range []string{"Announce", "Exec", "NewTimer", "OpenConn", "Signals", "WatchAddrs"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not name the missing %s", err, part)
		}
	}
	for name, calls := range map[string][]systemtest.Call{"Links": links.Calls(), "Addrs": addrs.Calls()} {
		if len(calls) != 1 || calls[0].Method != "Close" {
			t.Errorf("%s: calls %v, want one Close", name, calls)
		}
	}
}
