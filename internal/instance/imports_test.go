package instance

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoConfigImport: the state machine knows nothing of keepalived.conf;
// package instance/fromconfig maps a vrrp_instance onto Config.
func TestNoConfigImport(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "github.com/gokeepalived/gokeepalived/internal/config" {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
