package core

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// allowedImports is the policy for what core/ and abi/ may import: the
// parts of the standard library that do no I/O and keep no hidden state,
// msgpack, and each other. DO NOT ADD TO THIS LIST TO FIX A BUILD: the core
// must stay deterministic and I/O-free, so that it runs the same natively
// and in WebAssembly. time is allowed for calendar arithmetic and
// formatting only; its clock functions are banned below.
var allowedImports = []string{
	"bytes", "encoding/binary", "errors", "fmt", "math", "math/bits", "math/rand/v2",
	"slices", "strconv", "strings", "time", "unicode/utf8",
	"github.com/vmihailenco/msgpack/v5", "github.com/vmihailenco/msgpack/v5/msgpcode",
	"github.com/apikeyrouter/apikeyrouter/abi", "github.com/apikeyrouter/apikeyrouter/core",
}

// bannedCalls are package-level functions that read a clock, sleep, or use
// a global random source.
var bannedCalls = map[string][]string{
	"time": {"Now", "Since", "Until", "Sleep", "After", "AfterFunc", "Tick", "NewTimer", "NewTicker"},
	"rand": {"Int", "IntN", "Int32", "Int32N", "Int64", "Int64N", "Uint", "UintN", "Uint32", "Uint32N",
		"Uint64", "Uint64N", "Float32", "Float64", "Perm", "Shuffle", "N", "ExpFloat64", "NormFloat64"},
}

func TestImports(t *testing.T) {
	checked := 0
	for _, root := range []string{".", "../abi"} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			checked++
			checkFile(t, path)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d files: is the walk wrong?", checked)
	}
}

func checkFile(t *testing.T, path string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{} // local name -> import path
	for _, imp := range f.Imports {
		p := strings.Trim(imp.Path.Value, `"`)
		if !slices.Contains(allowedImports, p) {
			t.Errorf("%s imports %q, which the core may not use", path, p)
		}
		name := filepath.Base(p)
		if p == "math/rand/v2" {
			name = "rand"
		}
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = p
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			t.Errorf("%s: a goroutine in the core", fset.Position(n.Pos()))
		case *ast.SelectorExpr:
			pkg, ok := n.X.(*ast.Ident)
			if !ok {
				return true
			}
			p := names[pkg.Name]
			if p == "" {
				return true
			}
			if slices.Contains(bannedCalls[filepath.Base(strings.TrimSuffix(p, "/v2"))], n.Sel.Name) {
				t.Errorf("%s: %s.%s reads a clock or a global random source", fset.Position(n.Pos()), pkg.Name, n.Sel.Name)
			}
		}
		return true
	})
}
