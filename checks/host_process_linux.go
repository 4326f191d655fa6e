package checks

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
)

// procCmdlineLimit bounds how much of one command line is read.
const procCmdlineLimit = 1 << 20

// procCommCut is the length at which the kernel cuts a process's comm
// (TASK_COMM_LEN less the NUL); a longer name comes from the command line.
const procCommCut = 15

// listProcesses walks /proc directly, with one reused buffer: gopsutil's
// per-process calls parse /proc/PID/status for long names and cost about
// ten times the time and allocations. Names follow gopsutil's rules: the
// kernel's 15-character comm, extended from the command line when cut.
// A process that exits or hides its details meanwhile is skipped.
func listProcesses(ctx context.Context, q processQuery) (count, seen int, err error) {
	root := procRoot()
	d, err := os.Open(root)
	if err != nil {
		return 0, 0, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return 0, 0, err
	}
	// A name shorter than the kernel's cut cannot belong to a process
	// whose comm was cut: its command line need not be read.
	r := procReader{root: root, skipLong: !q.cmdline && len(q.name) < procCommCut}
	for _, pid := range names {
		if pid == "" || pid[0] < '0' || pid[0] > '9' {
			continue
		}
		if err := ctx.Err(); err != nil {
			return count, seen, err
		}
		var s []byte
		var ok bool
		if q.cmdline {
			s, ok = r.cmdline(pid)
		} else {
			s, ok = r.name(pid)
		}
		seen++
		if ok && q.match(string(s)) {
			count++
		}
	}
	return count, seen, nil
}

// procReader reads small /proc files into buffers reused across
// processes.
type procReader struct {
	root     string
	raw, out []byte
	skipLong bool // name: do not extend a cut comm from the command line
}

// procRoot is /proc, or $HOST_PROC as gopsutil reads it for the other
// host types (an agent in a container watching the host's processes).
func procRoot() string {
	if p := os.Getenv("HOST_PROC"); p != "" {
		return p
	}
	return "/proc"
}

// read reads /proc/PID/file into r.raw with plain system calls: os.Open
// would also offer each file to the network poller (one more system call
// that fails for a /proc file) and register a cleanup for it, which is a
// good part of the cost for files this small. For a file the kernel
// produces in one piece (whole: comm), a read that does not fill the
// buffer got all of it, and the read that would only see the end is
// left out.
func (r *procReader) read(pid, file string, whole bool) bool {
	fd, err := syscall.Open(r.root+"/"+pid+"/"+file, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	if r.raw == nil {
		r.raw = make([]byte, 0, 4096)
	}
	r.raw = r.raw[:0]
	for len(r.raw) < procCmdlineLimit {
		if len(r.raw) == cap(r.raw) {
			r.raw = append(r.raw, 0)[:len(r.raw)]
		}
		n, err := syscall.Read(fd, r.raw[len(r.raw):cap(r.raw)])
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return false
		case n == 0:
			return true
		}
		full := len(r.raw)+n == cap(r.raw)
		r.raw = r.raw[:len(r.raw)+n]
		if whole && !full {
			return true
		}
	}
	return true
}

// cmdline returns the command line with its arguments joined by single
// spaces (empty arguments dropped), as gopsutil's Cmdline does.
func (r *procReader) cmdline(pid string) ([]byte, bool) {
	if !r.read(pid, "cmdline", false) {
		return nil, false
	}
	r.out = r.out[:0]
	for arg := range bytes.SplitSeq(r.raw, []byte{0}) {
		if len(arg) == 0 {
			continue
		}
		if len(r.out) > 0 {
			r.out = append(r.out, ' ')
		}
		r.out = append(r.out, arg...)
	}
	return r.out, true
}

// name returns the process name: comm, or for a comm of 15 characters
// (perhaps cut) the base of the first argument when it starts with comm.
func (r *procReader) name(pid string) ([]byte, bool) {
	if !r.read(pid, "comm", true) {
		return nil, false
	}
	r.out = append(r.out[:0], bytes.TrimSuffix(r.raw, []byte{'\n'})...)
	if len(r.out) < procCommCut || r.skipLong || !r.read(pid, "cmdline", false) {
		return r.out, true
	}
	first, _, _ := bytes.Cut(r.raw, []byte{0})
	if base := filepath.Base(string(first)); len(first) > 0 && bytes.HasPrefix([]byte(base), r.out) {
		r.out = append(r.out[:0], base...)
	}
	return r.out, true
}
