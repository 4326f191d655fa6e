package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// staticFS is the embedded static directory with the "static/" prefix removed.
var staticFS = mustSub(staticFiles, "static")

// staticHashes maps each embedded file name to a short hash of its content,
// computed once at start; StaticPath puts it in the URL so that a new build
// busts browser caches while unchanged files stay cached for a year.
var staticHashes = hashFiles(staticFS)

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		// The directory is embedded at compile time; this cannot happen at run time.
		panic("ui: embedded static directory missing: " + err.Error())
	}
	return sub
}

func hashFiles(fsys fs.FS) map[string]string {
	hashes := map[string]string{}
	_ = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		hashes[name] = hex.EncodeToString(sum[:6])
		return nil
	})
	return hashes
}

// StaticPath returns the URL under /static/ for an embedded asset, with a
// content hash as version query ("/static/app.css?v=1a2b3c4d5e6f").
func StaticPath(name string) string {
	name = strings.TrimPrefix(name, "/")
	if h, ok := staticHashes[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}

// contentTypes fixes the types of the files we ship, so they do not depend
// on the host's mime database.
var contentTypes = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".md":   "text/markdown; charset=utf-8",
	".png":  "image/png",
	".ico":  "image/x-icon",
	".json": "application/json",
}

// Static serves the embedded assets. It accepts paths with or without the
// /static/ prefix, so the server may mount it with or without
// http.StripPrefix. A request whose ?v= matches the file's content hash is
// cacheable for a year; any other must be revalidated.
func Static() http.Handler {
	files := http.FileServerFS(staticFS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		name = strings.TrimPrefix(name, "static/")
		h, ok := staticHashes[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if ct, ok := contentTypes[path.Ext(name)]; ok {
			w.Header().Set("Content-Type", ct)
		} else if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		if r.URL.Query().Get("v") == h {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("ETag", `"`+h+`"`)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		files.ServeHTTP(w, r2)
	})
}
