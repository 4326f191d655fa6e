package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

const modulePath = "github.com/vigil-monitor/vigil"

// importRule constrains which of our packages a package may depend on, as
// DESIGN.md draws the arrows. Patterns are relative to the module: "checks"
// is that package alone, "checks/..." is it and everything below it.
type importRule struct {
	pkg   string   // the packages the rule is about
	allow []string // when set, the only packages of ours they may use
	deny  []string // packages of ours they must never use
}

// importRules are the arrows of DESIGN.md. A new package is one line here.
var importRules = []importRule{
	{pkg: "checks/...", allow: []string{"checks/...", "internal/..."}},
	{pkg: "compliance/...", allow: []string{"compliance/...", "checks/...", "internal/..."}},
	{pkg: "store/...", allow: []string{"store/...", "checks/...", "compliance/...", "internal/..."}},
	{pkg: "ui/...", allow: []string{"ui/..."}},
	{pkg: "server/...", deny: []string{"agent/..."}},
	{pkg: "agent/...", deny: []string{"server/...", "store/...", "ui/..."}},
	{pkg: "internal/...", deny: []string{"server/...", "agent/...", "store/...", "ui/..."}},
}

// bannedNames are package names that say nothing about what is inside.
var bannedNames = []string{"util", "utils", "common", "helpers"}

// goPackage is the part of `go list -json` the rules need.
type goPackage struct {
	ImportPath string
	Name       string
	Deps       []string // every package it depends on, directly or not
}

func TestImportArrows(t *testing.T) {
	pkgs := listPackages(t)
	if !slices.ContainsFunc(pkgs, func(p goPackage) bool { return p.ImportPath == modulePath+"/checks" }) {
		t.Fatalf("go list found no %s/checks among %d packages: the test is not looking at this module", modulePath, len(pkgs))
	}
	for _, v := range checkImports(pkgs, importRules) {
		t.Error(v)
	}
}

// TestCheckImports shows that checkImports catches each kind of broken
// arrow, so TestImportArrows passing means something.
func TestCheckImports(t *testing.T) {
	p := func(rel, name string, deps ...string) goPackage {
		g := goPackage{ImportPath: modulePath + "/" + rel, Name: name}
		for _, d := range deps {
			g.Deps = append(g.Deps, modulePath+"/"+d)
		}
		g.Deps = append(g.Deps, "fmt")
		return g
	}
	tests := []struct {
		name string
		pkg  goPackage
		want string // substring of the one violation; "" for none
	}{
		{"checks uses internal", p("checks", "checks", "internal/wire"), ""},
		{"checks sub-package uses checks", p("checks/snmp", "snmp", "checks"), ""},
		{"checks uses store", p("checks", "checks", "store"), "checks may not import " + modulePath + "/store"},
		{"store uses server", p("store", "store", "checks", "server"), "store may not import"},
		{"ui uses store", p("ui/chart", "chart", "store"), "ui/chart may not import"},
		{"server uses agent", p("server/notify", "notify", "agent"), "server/notify may not import"},
		{"agent uses ui", p("agent", "agent", "ui"), "agent may not import"},
		{"internal uses server", p("internal/wire", "wire", "server"), "internal/wire may not import"},
		{"server uses store", p("server", "server", "store", "ui", "checks"), ""},
		{"package named util", p("internal/util", "util"), `named "util"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkImports([]goPackage{tt.pkg}, importRules)
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("unexpected violations: %v", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("violations %q, want one containing %q", got, tt.want)
			}
		})
	}
}

// checkImports returns one sentence per broken rule.
func checkImports(pkgs []goPackage, rules []importRule) []string {
	var out []string
	for _, p := range pkgs {
		rel, ours := relPath(p.ImportPath)
		if !ours {
			continue
		}
		if slices.Contains(bannedNames, p.Name) || slices.Contains(bannedNames, path.Base(rel)) {
			out = append(out, fmt.Sprintf("%s: a package named %q says nothing; name it for what it holds", rel, p.Name))
		}
		for _, r := range rules {
			if !matches(r.pkg, rel) {
				continue
			}
			for _, dep := range p.Deps {
				drel, ours := relPath(dep)
				if !ours {
					continue
				}
				allowed := r.allow == nil || slices.ContainsFunc(r.allow, func(a string) bool { return matches(a, drel) })
				denied := slices.ContainsFunc(r.deny, func(d string) bool { return matches(d, drel) })
				if !allowed || denied {
					out = append(out, fmt.Sprintf("%s may not import %s (rule for %s)", rel, dep, r.pkg))
				}
			}
		}
	}
	return out
}

// relPath returns an import path relative to the module and whether the
// package is ours at all. The module root (package main) is ".".
func relPath(importPath string) (string, bool) {
	if importPath == modulePath {
		return ".", true
	}
	rel, ok := strings.CutPrefix(importPath, modulePath+"/")
	return rel, ok
}

// matches reports whether rel is pattern or, for "x/...", x or below it.
func matches(pattern, rel string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == base || strings.HasPrefix(rel, base+"/")
	}
	return rel == pattern
}

// listPackages runs go list over the whole module. -e keeps going past a
// package that does not compile at the moment: its imports still count.
func listPackages(t *testing.T) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Name,Deps", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}
