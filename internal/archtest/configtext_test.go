package archtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const configPkg = module + "internal/config"

// textFuncs are the functions that read meaning out of text: a call of
// one of them on a string field of a config type, outside package config,
// is configuration parsed in the wrong place (issue 14: "no string from
// the config is parsed outside internal/config"). strings.Join only
// glues words back together and is allowed.
func textFunc(pkg, name string) bool {
	switch pkg {
	case "strconv", "regexp":
		return true
	case "strings":
		return name != "Join" && name != "NewReader" && name != "Repeat"
	case "net/netip", "net":
		return strings.HasPrefix(name, "Parse")
	case "time":
		return name == "ParseDuration" || name == "Parse"
	case "fmt":
		return strings.HasPrefix(name, "Sscan")
	}
	return false
}

// TestNoConfigTextParsedOutsideConfig type-checks every non-test package
// of the module that imports internal/config and reports each call of a
// text-reading function (textFunc) whose arguments read a string field
// of a config type: such a value should have been resolved into a typed
// one while the configuration was loaded, with the error at its position.
func TestNoConfigTextParsedOutsideConfig(t *testing.T) {
	root := moduleRoot(t)
	pkgs := listPackages(t, root)
	exports := map[string]string{}
	for _, p := range pkgs {
		if p.Export != "" {
			exports[p.ImportPath] = p.Export
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	var found []string
	checked := 0
	for _, p := range pkgs {
		if p.Module == nil || p.Module.Path != strings.TrimSuffix(module, "/") || p.ImportPath == configPkg ||
			strings.HasPrefix(p.ImportPath, configPkg+"/") || !slices.Contains(p.Imports, configPkg) {
			continue
		}
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{},
			Selections: map[*ast.SelectorExpr]*types.Selection{}}
		conf := types.Config{Importer: imp}
		if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
			t.Fatalf("type-checking %s: %v", p.ImportPath, err)
		}
		checked++
		for _, f := range files {
			found = append(found, configTextCalls(fset, root, f, info)...)
		}
	}
	if checked == 0 {
		t.Fatal("no package importing internal/config was checked")
	}
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("%s", f)
	}
}

// configTextCalls lists, in f, the calls of a textFunc with an argument
// that reads a string (or []string) field of a type of package config,
// and the comparisons and switches of such a field against words.
func configTextCalls(fset *token.FileSet, root string, f *ast.File, info *types.Info) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		report := func(at token.Pos, what, field string) {
			pos := fset.Position(at)
			rel, _ := filepath.Rel(root, pos.Filename)
			out = append(out, fmt.Sprintf("%s:%d: %s reads config field %s: resolve it in internal/config", rel, pos.Line, what, field))
		}
		switch n := n.(type) {
		case *ast.BinaryExpr: // field == "WORD"
			if n.Op != token.EQL && n.Op != token.NEQ {
				return true
			}
			for _, side := range [2][2]ast.Expr{{n.X, n.Y}, {n.Y, n.X}} {
				if field := configStringField(side[0], info); field != "" && isStringConst(side[1], info) {
					report(n.Pos(), "a comparison with a word", field)
					break
				}
			}
			return true
		case *ast.SwitchStmt: // switch field { case "WORD": }
			if n.Tag == nil {
				return true
			}
			if field := configStringField(n.Tag, info); field != "" && len(n.Body.List) > 0 {
				if cc, ok := n.Body.List[0].(*ast.CaseClause); ok && len(cc.List) > 0 && isStringConst(cc.List[0], info) {
					report(n.Pos(), "a switch on words", field)
				}
			}
			return true
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		fn := calledFunc(call, info)
		if fn == nil || fn.Pkg() == nil || !textFunc(fn.Pkg().Path(), fn.Name()) {
			return true
		}
		for _, arg := range call.Args {
			if field := configStringField(arg, info); field != "" {
				report(call.Pos(), fn.Pkg().Name()+"."+fn.Name(), field)
				break
			}
		}
		return true
	})
	return out
}

func calledFunc(call *ast.CallExpr, info *types.Info) *types.Func {
	var id *ast.Ident
	switch fun := call.Fun.(type) {
	case *ast.Ident:
		id = fun
	case *ast.SelectorExpr:
		id = fun.Sel
	default:
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
}

// configStringField returns the name of the first config-type field of
// text (string or []string) that e reads, or "".
func configStringField(e ast.Expr, info *types.Info) string {
	var name string
	ast.Inspect(e, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok || name != "" {
			return name == ""
		}
		s := info.Selections[sel]
		if s == nil || s.Kind() != types.FieldVal {
			return true
		}
		recv := s.Recv()
		if p, ok := recv.(*types.Pointer); ok {
			recv = p.Elem()
		}
		named, ok := types.Unalias(recv).(*types.Named)
		if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != configPkg {
			return true
		}
		if isText(s.Type()) {
			name = named.Obj().Name() + "." + sel.Sel.Name
		}
		return name == ""
	})
	return name
}

// isStringConst reports a literal word ("TCP"); a constant config
// declares (config.FlushAll) is a typed value, and == "" asks "written?".
func isStringConst(e ast.Expr, _ *types.Info) bool {
	lit, ok := ast.Unparen(e).(*ast.BasicLit)
	return ok && lit.Kind == token.STRING && lit.Value != `""`
}

func isText(t types.Type) bool {
	if s, ok := t.Underlying().(*types.Slice); ok {
		t = s.Elem()
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.String
}

type listedPackage struct {
	ImportPath, Dir, Export string
	GoFiles, Imports        []string
	Module                  *struct{ Path string }
}

// listPackages lists the module's packages and their dependencies with
// their export data (built into the build cache by go list -export).
func listPackages(t *testing.T, root string) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-export", "-json=ImportPath,Dir,Export,GoFiles,Imports,Module", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); dec.More(); {
		var p listedPackage
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}
