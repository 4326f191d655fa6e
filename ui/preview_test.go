package ui

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestWritePreview renders every sample page to HTML files, with the static
// assets beside them, for a look in a browser. It runs only when
// VIGIL_UI_PREVIEW names a directory: go test ./ui -run Preview with
// VIGIL_UI_PREVIEW=/tmp/preview, then serve that directory.
func TestWritePreview(t *testing.T) {
	dir := os.Getenv("VIGIL_UI_PREVIEW")
	if dir == "" {
		t.Skip("set VIGIL_UI_PREVIEW=DIR to write preview pages")
	}
	for _, tc := range pageCases() {
		if err := os.WriteFile(filepath.Join(dir, tc.name+".html"), []byte(render(t, tc.comp)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := fs.WalkDir(staticFS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(staticFS, name)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, "static", name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
