package demo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// buildBinary builds cmd/gokeepalived, which the demo runs on its servers.
func buildBinary(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the demo needs root to build network namespaces")
	}
	bin := filepath.Join(t.TempDir(), "gokeepalived")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/gokeepalived/gokeepalived/cmd/gokeepalived").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// checkNothingLeft asserts the demo removed its namespaces, processes and
// folder.
func checkNothingLeft(t *testing.T, tag string) {
	t.Helper()
	if tag == "" {
		t.Fatal("the demo reported no lab tag")
	}
	if left, err := lab.Leftovers(tag); err != nil || len(left) > 0 {
		t.Errorf("namespaces left behind: %v (%v)", left, err)
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		cmd, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmd, []byte("gokeepalived-demo-")) {
			t.Errorf("process left behind: %s %q", e.Name(), bytes.ReplaceAll(cmd, []byte{0}, []byte{' '}))
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "gokeepalived-demo-*"))
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && time.Since(st.ModTime()) < time.Minute {
			t.Errorf("demo folder left behind: %s", d)
		}
	}
}

func TestRun(t *testing.T) {
	bin := buildBinary(t)
	tests := []struct {
		name    string
		builtin bool
	}{
		{"built-in web server", true},
		{"nginx", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.builtin {
				if testing.Short() {
					t.Skip("-short: the built-in web server run covers the demo")
				}
				if _, err := os.Stat(NginxPath); err != nil {
					t.Skipf("nginx not installed at %s", NginxPath)
				}
			}
			var out bytes.Buffer
			res, err := Run(context.Background(), Config{Exe: bin, Out: &out, Builtin: tt.builtin})
			t.Logf("demo output:\n%s", out.String())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			wantService := map[bool]string{true: "built-in", false: "nginx"}[tt.builtin]
			if res.Service != wantService {
				t.Errorf("Service = %q, want %q", res.Service, wantService)
			}
			for _, want := range []string{
				"192.168.1.6   A         server A (192.168.1.2)",
				"192.168.1.7   B         server B (192.168.1.3)",
				"192.168.1.6 is on B now",
				"client: first answer from B",
				"192.168.1.6 is on A now",
				"client: first answer from A",
				"nothing left behind",
			} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q", want)
				}
			}
			moves := fmt.Sprintf("%s→%s %s→%s", res.Failover.From, res.Failover.To, res.Failback.From, res.Failback.To)
			if moves != "A→B B→A" {
				t.Errorf("moves = %s, want A→B B→A", moves)
			}
			if res.Failover.FirstNew.IsZero() || res.Failback.FirstNew.IsZero() {
				t.Errorf("an outage was not measured: %+v", res)
			}
			t.Logf("failover outage %v (%d failed), failback %v (%d failed)",
				res.Failover.Duration(), res.Failover.Failed, res.Failback.Duration(), res.Failback.Failed)
			checkNothingLeft(t, res.Tag)
		})
	}
}

// cancelWriter cancels a context once the output contains a marker, the
// way Ctrl-C would interrupt the demo mid-way.
type cancelWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.marker) {
		w.cancel()
	}
	return len(p), nil
}

func TestRunInterrupted(t *testing.T) {
	bin := buildBinary(t)
	for _, marker := range []string{"[2/6]", "[4/6]"} {
		t.Run(marker, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w := &cancelWriter{marker: marker, cancel: cancel}
			res, err := Run(ctx, Config{Exe: bin, Out: w, Builtin: true})
			if err == nil {
				t.Fatalf("Run interrupted at %s: no error; output:\n%s", marker, w.buf.String())
			}
			checkNothingLeft(t, res.Tag)
		})
	}
}
