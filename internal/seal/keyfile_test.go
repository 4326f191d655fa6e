package seal

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestOpenKeyFileCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	b, err := OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size() != KeySize {
		t.Fatalf("key file is %d bytes, want %d", info.Size(), KeySize)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", info.Mode().Perm())
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Fatalf("directory holds %d entries, want only the key (temporary file left behind?)", len(ents))
	}
	sealed, err := b.Seal("pw", "smtp.password")
	if err != nil {
		t.Fatal(err)
	}
	// Reopening reads the same key: what was sealed before opens.
	again, err := OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(sealed, "smtp.password"); err != nil || got != "pw" {
		t.Fatalf("after reopening: Open = %q, %v", got, err)
	}
}

func TestOpenKeyFileConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	const n = 8
	boxes := make([]*Box, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			b, err := OpenKeyFile(path)
			if err != nil {
				t.Error(err)
			}
			boxes[i] = b
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	sealed, _ := boxes[0].Seal("v", "p")
	for i, b := range boxes {
		if got, err := b.Open(sealed, "p"); err != nil || got != "v" {
			t.Fatalf("box %d has another key: %v", i, err)
		}
	}
}

func TestOpenKeyFileRefuses(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		mode os.FileMode
		want string
	}{
		{"short", make([]byte, 16), 0o600, "is 16 bytes, want 32"},
		{"long", make([]byte, 33), 0o600, "is 33 bytes, want 32"},
		{"empty", nil, 0o600, "is 0 bytes, want 32"},
		{"group readable", make([]byte, 32), 0o640, "has mode 0640"},
		{"world readable", make([]byte, 32), 0o604, "has mode 0604"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tt.mode != 0o600 {
				t.Skip("no mode bits on Windows")
			}
			path := filepath.Join(t.TempDir(), "secret.key")
			if err := os.WriteFile(path, tt.data, tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // past the umask
				t.Fatal(err)
			}
			_, err := OpenKeyFile(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("OpenKeyFile = %v; want an error naming %s and saying %q", err, path, tt.want)
			}
			// A refused key file is left alone, never replaced.
			if got, _ := os.ReadFile(path); !bytes.Equal(got, tt.data) {
				t.Fatal("the refused key file was changed")
			}
		})
	}
}

func TestOpenKeyFileDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenKeyFile(path); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("OpenKeyFile on a directory = %v", err)
	}
}

func TestOpenKeyFileMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "secret.key")
	if _, err := OpenKeyFile(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("OpenKeyFile in a missing directory = %v; want an error naming the file", err)
	}
}
