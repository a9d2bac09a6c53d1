package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// -g appends keepalived-style lines to a file ("time: message k=v"), -D
// adds debug lines; -G keeps syslog out of the test.
func TestLogFile(t *testing.T) {
	line := regexp.MustCompile(`^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d\.\d{9} \d{4}: hello vrid=51$`)
	for _, detail := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "gk.log")
		log, closeLog, err := newLogger(&Options{LogFile: path, NoSyslog: true, LogDetail: detail}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		log.Info("hello", "vrid", 51)
		log.Debug("details")
		closeLog()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Split(strings.TrimSpace(string(b)), "\n")
		if !line.MatchString(got[0]) {
			t.Errorf("-D=%v: first line %q is not keepalived's file format", detail, got[0])
		}
		if strings.Contains(string(b), "details level=DEBUG") != detail {
			t.Errorf("-D=%v: log file %q: debug line present = %v", detail, b, !detail)
		}
	}
	if _, _, err := newLogger(&Options{LogFile: "/nonexistent/dir/gk.log", NoSyslog: true}, "", ""); err == nil {
		t.Errorf("a log file that cannot be opened: want an error")
	}
}

// --log-format json writes one object a line; a bad format is refused.
func TestLogFormatJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gk.log")
	log, closeLog, err := newLogger(&Options{LogFile: path, NoSyslog: true, LogFormat: "json"}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	log.Warn("(VI_1) Entering FAULT STATE", "instance", "VI_1")
	closeLog()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v: %q", err, b)
	}
	delete(got, "time")
	want := map[string]any{"level": "WARN", "msg": "(VI_1) Entering FAULT STATE", "instance": "VI_1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("json line (-want +got):\n%s", diff)
	}
	if _, _, err := newLogger(&Options{NoSyslog: true, LogFormat: "xml"}, "", ""); err == nil {
		t.Errorf("--log-format xml: want an error")
	}
}

// Syslog gets each level at its own severity (it used to be daemon.info
// for all), -S picks the facility, and the identifiers are keepalived's,
// extended by the namespace as keepalived does.
func TestSyslogFromFlags(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	o, err := parseFlags([]string{"-S", "local1", "-D"}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	syslogNet, syslogAddr = "unixgram", path
	defer func() { syslogNet, syslogAddr = "", "" }()
	log, closeLog, err := newLogger(o, "blue", "")
	if err != nil {
		t.Fatal(err)
	}
	defer closeLog()
	log.Error("e")
	log.Warn("w")
	log.Info("i")
	log.Debug("d")
	var got []string
	buf := make([]byte, 2048)
	for range 4 {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("read: %v (got %q)", err, got)
		}
		// "<PRI>Dec  7 13:04:15 IDENT[PID]: MSG": keep PRI and IDENT.
		pri, rest, _ := strings.Cut(string(buf[:n]), ">")
		ident, _, _ := strings.Cut(rest[len(time.Stamp)+1:], "[")
		got = append(got, pri+">"+ident)
	}
	want := []string{"<139>Keepalived_blue_vrrp", "<140>Keepalived_blue_vrrp", "<142>Keepalived_blue_vrrp", "<143>Keepalived_blue_vrrp"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("priorities and identifiers (-want +got):\n%s", diff)
	}
}
