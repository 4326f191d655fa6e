package fim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUnprivilegedScan checks the kernel's own permission-denied errors,
// which root never gets: as root it re-runs this test binary as nobody
// (uid 65534) through setpriv; as another user it scans directly.
func TestUnprivilegedScan(t *testing.T) {
	if os.Getenv("FIM_UNPRIVILEGED_ROOT") != "" {
		return // the child's half is TestUnprivilegedScanChild
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "open/file"), "readable")
	writeFile(t, filepath.Join(root, "locked/secret"), "hidden")
	writeFile(t, filepath.Join(root, "secret.txt"), "hidden")
	must(t, os.Chmod(filepath.Join(root, "locked"), 0o700))
	must(t, os.Chmod(filepath.Join(root, "secret.txt"), 0o600))
	var errs []ScanError
	if os.Geteuid() != 0 {
		must(t, os.Chmod(filepath.Join(root, "locked"), 0o000))
		must(t, os.Chmod(filepath.Join(root, "secret.txt"), 0o000))
		t.Cleanup(func() { os.Chmod(filepath.Join(root, "locked"), 0o700) })
		errs = scanForErrors(t, root, filepath.Join(t.TempDir(), "fim.db"))
	} else {
		errs = scanAsNobody(t, root)
	}
	var got []string
	for _, e := range errs {
		got = append(got, strings.TrimPrefix(e.Path, root)+": "+e.Error)
	}
	slices.Sort(got)
	// The file is recorded with what lstat tells, its content unknown.
	want := []string{"/locked: open: permission denied", "/secret.txt: open: permission denied: content not read; reported with its metadata, sha256 unknown"}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n got %q\nwant %q", got, want)
	}
}

// scanAsNobody runs the child test as uid/gid 65534 and returns the
// errors it reports.
func scanAsNobody(t *testing.T, root string) []ScanError {
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("root and no setpriv (util-linux) to drop privileges: the kernel's permission errors cannot be seen; TestScanKeepsRecordsOfUnreadablePaths covers the scanner's handling with injected errors")
	}
	// Everything nobody needs: the test binary, the tree, a state directory.
	dir := t.TempDir()
	bin := filepath.Join(dir, "fim.test")
	data, err := os.ReadFile(os.Args[0])
	must(t, err)
	must(t, os.WriteFile(bin, data, 0o755))
	state := filepath.Join(dir, "state")
	must(t, os.Mkdir(state, 0o777))
	must(t, os.Chmod(state, 0o777))
	for _, d := range []string{dir, filepath.Dir(dir), root, filepath.Dir(root)} {
		must(t, os.Chmod(d, 0o755))
	}
	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "-test.run=^TestUnprivilegedScanChild$", "-test.v")
	cmd.Env = append(os.Environ(), "FIM_UNPRIVILEGED_ROOT="+root, "FIM_UNPRIVILEGED_STATE="+filepath.Join(state, "fim.db"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child as nobody: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "ERRORS "); ok {
			var errs []ScanError
			must(t, json.Unmarshal([]byte(rest), &errs))
			return errs
		}
	}
	t.Fatalf("child printed no errors line:\n%s", out)
	return nil
}

func TestUnprivilegedScanChild(t *testing.T) {
	root := os.Getenv("FIM_UNPRIVILEGED_ROOT")
	if root == "" {
		t.Skip("run by TestUnprivilegedScan as nobody")
	}
	if os.Geteuid() == 0 {
		t.Fatal("child runs as root")
	}
	errs := scanForErrors(t, root, os.Getenv("FIM_UNPRIVILEGED_STATE"))
	b, _ := json.Marshal(errs)
	fmt.Printf("ERRORS %s\n", b)
}

func scanForErrors(t *testing.T, root, state string) []ScanError {
	s, err := OpenState(state)
	must(t, err)
	defer s.Close()
	rec := &recorder{}
	_, err = s.Scan(context.Background(), Policy{ID: "p", Revision: "1", Paths: []string{root}}, ScanOptions{Send: rec.send})
	must(t, err)
	return rec.errors()
}

// TestScanReportsBindMountLoop makes a directory appear inside itself
// with a bind mount (needs CAP_SYS_ADMIN; skipped, saying so, without).
func TestScanReportsBindMountLoop(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a/file"), "x")
	loop := filepath.Join(root, "a/loop")
	must(t, os.Mkdir(loop, 0o755))
	if err := unix.Mount(root, loop, "", unix.MS_BIND, ""); err != nil {
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, unix.EPERM) {
			t.Skipf("bind mount not permitted here (%v): the loop check cannot be exercised", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Unmount(loop, unix.MNT_DETACH) })
	s := openTestState(t)
	rec, _ := scanOnce(t, s, Policy{ID: "p", Revision: "1", Paths: []string{root}})
	want := []string{"/a/loop: directory loop: the same directory as one above it (a bind mount?); not entered"}
	if got := errorsOf(root, rec); !slices.Equal(got, want) {
		t.Errorf("errors:\n got %q\nwant %q", got, want)
	}
	if got, want := summarize(root, rec.changes()), []string{"added .", "added /a", "added /a/file", "added /a/loop"}; !slices.Equal(got, want) {
		t.Errorf("changes:\n got %q\nwant %q", got, want)
	}
}
