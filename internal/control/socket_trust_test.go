package control

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// looseDir returns a new directory everyone may write (no sticky bit).
func looseDir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "loose")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o777); err != nil {
		t.Fatal(err)
	}
	return d
}

// rawSocket binds a listening socket at path without any check, as an
// impostor (or an older daemon) would.
func rawSocket(t *testing.T, path string) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
}

// A socket in a directory another user can write could be swapped by that
// user: the daemon refuses to listen there, naming the directory and the
// fix.
func TestListenRefusesLooseDirectory(t *testing.T) {
	dir := looseDir(t)
	_, err := Listen(Config{Path: filepath.Join(dir, "gk.sock"), Source: SourceFunc(func() Snapshot { return Snapshot{} }), Logger: testLogger(t)})
	if err == nil || !strings.Contains(err.Error(), dir+" is writable by everyone") || !strings.Contains(err.Error(), "chmod go-w "+dir) {
		t.Fatalf("Listen in a world-writable directory: err %v, want a refusal naming %s", err, dir)
	}
	if _, err := os.Lstat(filepath.Join(dir, "gk.sock")); err == nil {
		t.Error("socket created anyway")
	}
}

// Close removes the socket it made and nothing else: not a file planted
// at the path since, nor what the path names after its directory symlink
// was re-pointed.
func TestCloseRemovesOnlyItsSocket(t *testing.T) {
	src := SourceFunc(func() Snapshot { return Snapshot{} })
	t.Run("directory symlink re-pointed", func(t *testing.T) {
		base := t.TempDir()
		d1, d2, link := filepath.Join(base, "d1"), filepath.Join(base, "d2"), filepath.Join(base, "run")
		for _, d := range []string{d1, d2} {
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		victim := filepath.Join(d2, "gk.sock")
		if err := os.WriteFile(victim, []byte("root's file"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(d1, link); err != nil {
			t.Fatal(err)
		}
		s, err := Listen(Config{Path: filepath.Join(link, "gk.sock"), Source: src, Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(link); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(d2, link); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := os.Stat(victim); err != nil {
			t.Errorf("Close removed %s, which it did not create: %v", victim, err)
		}
		if _, err := os.Lstat(filepath.Join(d1, "gk.sock")); err == nil {
			t.Errorf("Close left its own socket in %s", d1)
		}
	})
	t.Run("file planted at the path", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "gk.sock")
		s, err := Listen(Config{Path: path, Source: src, Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		planted := path + ".new"
		if err := os.WriteFile(planted, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(planted, path); err != nil {
			t.Fatal(err)
		}
		s.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("Close removed the file planted at %s: %v", path, err)
		}
	})
}

// The client refuses a socket another user could have swapped, with a
// message that says why, before sending anything.
func TestDialRefusesUntrustedSocket(t *testing.T) {
	dir := looseDir(t)
	sock := filepath.Join(dir, "gk.sock")
	rawSocket(t, sock)
	_, err := Dial(sock)
	if err == nil || !strings.Contains(err.Error(), "refusing it: "+dir+" is writable by everyone") {
		t.Errorf("Dial in a world-writable directory: err %v, want a refusal naming %s", err, dir)
	}

	if os.Geteuid() != 0 {
		t.Skip("chown to another user needs root")
	}
	sock2 := filepath.Join(t.TempDir(), "gk.sock")
	rawSocket(t, sock2)
	if err := os.Lchown(sock2, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	_, err = Dial(sock2)
	if err == nil || !strings.Contains(err.Error(), sock2+" is owned by uid 65534") {
		t.Errorf("Dial of a socket owned by uid 65534 as root: err %v, want a refusal", err)
	}
	// The same through a symlink in a trusted directory.
	link := filepath.Join(t.TempDir(), "gk.sock")
	if err := os.Symlink(sock, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Dial(link); err == nil || !strings.Contains(err.Error(), dir+" is writable by everyone") {
		t.Errorf("Dial through a symlink into a loose directory: err %v, want a refusal", err)
	}
}

// Each connection checks who serves the socket (SO_PEERCRED): a server
// running as a user the client does not trust is refused.
func TestDialChecksServerCredentials(t *testing.T) {
	s := startServer(t, Config{Source: SourceFunc(func() Snapshot { return Snapshot{} })})
	c, err := dialTrusting(s.Addr(), []uint32{0, uint32(os.Geteuid())}, []uint32{4242})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Status(context.Background())
	if err == nil || !strings.Contains(err.Error(), "served by uid") {
		t.Fatalf("status from a server of an untrusted uid: err %v, want a refusal", err)
	}
	// The same socket, trusting our own uid, works.
	if _, err := dial(t, s).Status(context.Background()); err != nil {
		t.Fatalf("trusted server: %v", err)
	}
}
