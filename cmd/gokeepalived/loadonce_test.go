package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// TestLoadOnce: the daemon's first read is the one runDaemon made (the
// file is read once at start-up); every later read (a reload) reads the
// file again.
func TestLoadOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keepalived.conf")
	write := func(id string) {
		if err := os.WriteFile(path, []byte("global_defs {\n    router_id "+id+"\n}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("first")
	conf, diags := config.Load(path, config.Options{})
	load := loadOnce(conf, diags, "")
	write("second")
	if got, _ := load(path, config.Options{}); got != conf {
		t.Fatalf("first read: got a new configuration (router_id %q), want runDaemon's", got.Global.RouterID)
	}
	got, _ := load(path, config.Options{})
	if got == nil || got.Global.RouterID != "second" {
		t.Fatalf("reload read: router_id %v, want second", got)
	}
}
