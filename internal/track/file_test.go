package track

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseFileValue(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0}, {"5", 5}, {"5\n", 5}, {"  -7\n", -7}, {"+3", 3}, {"0x10", 16}, {"0X1f", 31},
		{"010", 8}, {"08", 0}, {"0x", 0}, {"12abc", 12}, {"abc", 0}, {"1000", 254}, {"-1000", -254},
		{"99999999999999999999999", 254}, {"\t\n 42", 42}, {"- 5", 0},
		{"\u00a01", 0}, {"\v\f\r7", 7},
	}
	for _, tt := range tests {
		if got := ParseFileValue([]byte(tt.in)); got != tt.want {
			t.Errorf("ParseFileValue(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func FuzzParseFileValue(f *testing.F) {
	for _, s := range []string{"0", "-12\n", "0x1F", "077", " +5", "junk"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v := ParseFileValue(b)
		if v < -254 || v > 254 {
			t.Fatalf("ParseFileValue(%q) = %d out of range", b, v)
		}
		// Plain decimals agree with strconv (clamped). Only C-locale
		// white space is skipped, as strtol does: not U+00A0 and friends.
		s := strings.Trim(string(b), " \t\n\v\f\r")
		if n, err := strconv.Atoi(s); err == nil && !strings.HasPrefix(strings.TrimLeft(s, "+-"), "0") {
			if want := min(max(n, -254), 254); v != want {
				t.Fatalf("ParseFileValue(%q) = %d, want %d", b, v, want)
			}
		}
	})
}

func TestInitFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	read := func() string { b, _ := os.ReadFile(p); return string(b) }
	var got []string
	if err := InitFile(p, 5, false); err != nil {
		t.Fatal(err)
	}
	got = append(got, read())
	if err := InitFile(p, 7, false); err != nil { // exists: untouched
		t.Fatal(err)
	}
	got = append(got, read())
	if err := InitFile(p, -3, true); err != nil { // overwrite
		t.Fatal(err)
	}
	got = append(got, read())
	if diff := cmp.Diff([]string{"5\n", "5\n", "-3\n"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := InitFile(dir, 1, true); err == nil {
		t.Error("init a directory: no error")
	}
}

func TestFileWatcher(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	if err := os.WriteFile(a, []byte("3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := NewFileWatcher(map[string]string{"A": a, "B": filepath.Join(dir, "b")}, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{3, 0}, []int{w.Value("A"), w.Value("B")}); diff != "" {
		t.Errorf("initial values (-want +got):\n%s", diff)
	}
	type change struct {
		Name  string
		Value int
	}
	changes := make(chan change, 10)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- w.Run(ctx, func(n string, v int) { changes <- change{n, v} }) }()
	next := func() change {
		t.Helper()
		select {
		case c := <-changes:
			return c
		case <-time.After(10 * time.Second):
			t.Fatal("no change reported")
		}
		return change{}
	}
	var got []change
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(a, "10\n")
	got = append(got, next())
	write(filepath.Join(dir, "b"), "-2") // created after start
	got = append(got, next())
	tmp := filepath.Join(dir, "tmp")
	write(tmp, "0x20")
	if err := os.Rename(tmp, a); err != nil { // replaced by rename
		t.Fatal(err)
	}
	got = append(got, next())
	write(a, "32")                       // same value: no report
	if err := os.Remove(a); err != nil { // deleted: 0
		t.Fatal(err)
	}
	got = append(got, next())
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	want := []change{{"A", 10}, {"B", -2}, {"A", 32}, {"A", 0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

func TestFileWatcherMissingDirectory(t *testing.T) {
	_, err := NewFileWatcher(map[string]string{"X": "/nonexistent-gk/dir/f"}, discardLog())
	if err == nil || !strings.Contains(err.Error(), "track file X") {
		t.Errorf("err = %v, want an error naming the track file", err)
	}
}
