package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// runTree creates -files files of -size bytes (random content, so nothing
// compresses or dedups), -per-dir to a directory.
func runTree(args []string) error {
	fs := newFlags("tree")
	dir := fs.String("dir", "", "directory to create (must not exist)")
	files := fs.Int("files", 100_000, "number of files")
	size := fs.Int("size", 0, "bytes per file")
	perDir := fs.Int("per-dir", 1000, "files per directory")
	fs.Parse(args)
	if *dir == "" {
		return fmt.Errorf("-dir is required")
	}
	if _, err := os.Stat(*dir); err == nil {
		return fmt.Errorf("%s exists; remove it first", *dir)
	}
	start := time.Now()
	buf := make([]byte, *size)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range *files {
		d := filepath.Join(*dir, fmt.Sprintf("d%05d", i / *perDir))
		if i%*perDir == 0 {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
		}
		for j := 0; j+8 <= len(buf); j += 8 {
			v := rng.Uint64()
			for k := range 8 {
				buf[j+k] = byte(v >> (8 * k))
			}
		}
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%07d", i)), buf, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("created %d files of %d bytes under %s in %s\n", *files, *size, *dir, time.Since(start).Round(time.Millisecond))
	return nil
}
