package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// -t and check print the diagnostics of a configuration over two included
// files sorted by file, line and column, though config.Load finds some of
// them (the validation of track groups) after the lines below them.
func TestConfigTestSortsDiagnostics(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"keepalived.conf": "include b.conf\ninclude a.conf\n",
		"b.conf":          "track_group G {\n group {\n  NOPE\n }\n}\nno_such_keyword_b\n",
		"a.conf": "track_group H {\n}\nno_such_keyword_a\n" +
			"vrrp_instance A {\n interface lo\n virtual_router_id 1\n priority 100\n virtual_ipaddress {\n  10.0.0.1\n }\n}\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	main := filepath.Join(dir, "keepalived.conf")
	loc := regexp.MustCompile(`(?m)^(\S+?):(\d+):(\d+): `)
	for _, args := range [][]string{{"-t", "-f", main}, {"check", main}} {
		var stdout, stderr bytes.Buffer
		run(args, &stdout, &stderr)
		ms := loc.FindAllStringSubmatch(stderr.String(), -1)
		if len(ms) < 4 {
			t.Fatalf("%v: want at least 4 diagnostics, got:\n%s", args, stderr.String())
		}
		for i := 1; i < len(ms); i++ {
			a, b := ms[i-1], ms[i]
			al, _ := strconv.Atoi(a[2])
			bl, _ := strconv.Atoi(b[2])
			ac, _ := strconv.Atoi(a[3])
			bc, _ := strconv.Atoi(b[3])
			if a[1] > b[1] || a[1] == b[1] && (al > bl || al == bl && ac > bc) {
				t.Errorf("%v: %s:%d:%d printed before %s:%d:%d:\n%s", args, a[1], al, ac, b[1], bl, bc, stderr.String())
			}
		}
	}
}
