package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRegistryComplete keeps the registry, the doc pages and the
// validation tables in step: every type needs a page under docs/checks
// naming each of its settings, and a table in validationCases.
func TestRegistryComplete(t *testing.T) {
	for _, typ := range Types() {
		t.Run(typ.Name, func(t *testing.T) {
			if typ.Title == "" || typ.TargetHelp == "" || (typ.Scope != ScopeExternal && typ.Scope != ScopeHost) {
				t.Errorf("registration lacks title, target help or scope")
			}
			page, err := os.ReadFile(filepath.Join("..", "docs", "checks", typ.Name+".md"))
			if err != nil {
				t.Fatalf("no doc page: %v", err)
			}
			for _, s := range typ.Settings {
				if !strings.Contains(string(page), "`"+s.Name+"`") {
					t.Errorf("doc page does not name setting `%s`", s.Name)
				}
				if s.Help == "" {
					t.Errorf("setting %s has no help", s.Name)
				}
				if s.Kind == "enum" && len(s.Options) == 0 {
					t.Errorf("enum setting %s has no options", s.Name)
				}
			}
			if typ.Scope == ScopeExternal && len(validationCases[typ.Name]) == 0 {
				t.Errorf("no validation table in validationCases")
			}
		})
	}
}
