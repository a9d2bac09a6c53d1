package control

import (
	"bufio"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// openAPI is what the test reads from docs/openapi.yaml: the methods of
// each path, and the property names of each schema, in order.
type openAPI struct {
	paths   map[string][]string
	schemas map[string][]string
}

// readOpenAPI reads the file's paths and schemas by indentation (it is
// written in plain block style: two spaces a level).
func readOpenAPI(t *testing.T) openAPI {
	t.Helper()
	f, err := os.Open("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc := openAPI{paths: map[string][]string{}, schemas: map[string][]string{}}
	var section, path, schema string
	inProps := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent, key := len(line)-len(trimmed), strings.TrimSuffix(trimmed, ":")
		switch {
		case indent == 0:
			section = key
		case section == "paths" && indent == 2:
			path = key
			doc.paths[path] = nil
		case section == "paths" && indent == 4 && slices.Contains([]string{"get", "head", "post", "put", "delete", "patch"}, key):
			doc.paths[path] = append(doc.paths[path], strings.ToUpper(key))
		case section == "components" && indent == 2:
			schema, inProps = "", key == "schemas"
		case section == "components" && inProps && indent == 4:
			schema = key
			doc.schemas[schema] = []string{}
		case schema != "" && indent == 8 && strings.HasSuffix(trimmed, ":"):
			doc.schemas[schema] = append(doc.schemas[schema], key)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return doc
}

// serverPaths lists the paths Server.route answers, from its source: every
// string literal in it that starts with "/" (a prefix ending in "/" takes
// a name, documented as {name}).
func serverPaths(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "server.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "route" {
			continue
		}
		ast.Inspect(fn, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, _ := strconv.Unquote(lit.Value); strings.HasPrefix(s, "/") {
					if strings.HasSuffix(s, "/") {
						s += "{name}"
					}
					if !slices.Contains(paths, s) {
						paths = append(paths, s)
					}
				}
			}
			return true
		})
	}
	slices.Sort(paths)
	return paths
}

// TestOpenAPIMatchesServer: docs/openapi.yaml lists exactly the paths the
// server routes, with exactly the methods each answers (any other gets
// 405), and its schemas name exactly the JSON fields of the Go types.
func TestOpenAPIMatchesServer(t *testing.T) {
	doc := readOpenAPI(t)
	var documented []string
	for p := range doc.paths {
		documented = append(documented, p)
	}
	slices.Sort(documented)
	if diff := cmp.Diff(serverPaths(t), documented); diff != "" {
		t.Errorf("paths: server (-) vs docs/openapi.yaml (+):\n%s", diff)
	}

	snap := fixture(true)
	s := &Server{cfg: Config{
		Source:       SourceFunc(func() Snapshot { return snap }),
		Reloader:     ReloaderFunc(func(context.Context) error { return nil }),
		Metrics:      http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up 1\n") }),
		Logger:       slog.New(slog.DiscardHandler),
		WriteTimeout: DefaultWriteTimeout,
	}}
	h := s.Handler()
	for path, methods := range doc.paths {
		url := strings.ReplaceAll(path, "{name}", snap.Instances[0].Name)
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(m, url, nil))
			switch documented := slices.Contains(methods, m); {
			case documented && (rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed):
				t.Errorf("%s %s is documented, the server answers %d", m, path, rec.Code)
			case !documented && rec.Code != http.StatusMethodNotAllowed:
				t.Errorf("%s %s is not documented, the server answers %d (want 405)", m, path, rec.Code)
			}
		}
	}

	types := []any{Snapshot{}, Daemon{}, ConfigStatus{}, Instance{}, Transition{}, VIP{}, TrackRef{},
		GarpSettings{}, Flags{}, NotifyScripts{}, Stats{}, SyncGroup{}, Tracker{}, ReloadResult{}, apiError{},
		LVS{}, VirtualServer{}, RealServer{}, Checker{},
		BGP{}, BGPNeighbor{}, BGPPrefix{}}
	names := map[string]string{"apiError": "Error"}
	for _, v := range types {
		rt := reflect.TypeOf(v)
		name := rt.Name()
		if n, ok := names[name]; ok {
			name = n
		}
		var fields []string
		for i := range rt.NumField() {
			if n, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ","); n != "-" && n != "" {
				fields = append(fields, n)
			}
		}
		got, ok := doc.schemas[name]
		if !ok {
			t.Errorf("docs/openapi.yaml has no schema %s", name)
			continue
		}
		if diff := cmp.Diff(fields, got); diff != "" {
			t.Errorf("schema %s: JSON fields of the Go type (-) vs docs/openapi.yaml (+):\n%s", name, diff)
		}
	}
}
