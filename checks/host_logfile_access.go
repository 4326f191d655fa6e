package checks

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// What a logfile check may read is not the server's to say: the target
// comes from the server, but every file and directory it names is
// resolved to its real path (symbolic links followed) and read only if
// Env.ReadableLog allows that real path. A link inside an allowed
// directory that points elsewhere is judged by where it points.

// errLogNoReader is the refusal where no Env.ReadableLog is set.
var errLogNoReader = errors.New("is not read here: log files are read only by an agent, within its --log-dirs")

// errLogChanged says a file was swapped (a directory on the way replaced
// by a link, say) between the check of its path and its opening.
var errLogChanged = errors.New("changed while it was being opened; it is tried again on the next run")

// logRefusedError is a file or directory the host does not let the
// check read. Its text names the file and the rule, never the content.
type logRefusedError struct {
	path string // as the target named it
	real string // where it leads
	why  error  // from Env.ReadableLog
}

func (e *logRefusedError) Error() string {
	if e.real != "" && e.real != e.path {
		return e.path + " → " + e.real + " " + e.why.Error()
	}
	return e.path + " " + e.why.Error()
}

// logReal resolves path to its real path and asks readable whether it
// may be read.
func logReal(path string, readable func(string) error) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	if readable == nil {
		return "", &logRefusedError{path: path, real: real, why: errLogNoReader}
	}
	if err := readable(real); err != nil {
		return "", &logRefusedError{path: path, real: real, why: err}
	}
	return real, nil
}

// logStat returns the FileInfo of the file path leads to, if the host
// lets it be read. It opens nothing, so a pipe or device is never opened.
func logStat(path string, readable func(string) error) (fs.FileInfo, error) {
	real, err := logReal(path, readable)
	if err != nil {
		return nil, err
	}
	return os.Lstat(real)
}

// openLogFile opens the file path leads to, if the host lets it be read,
// and returns the open file's own FileInfo, the identity later runs
// compare with. Anything but a regular file is reported through skip and
// not opened.
//
// The real path is opened without following a link in its last part,
// and the file opened must be the one the real path still names, through
// no link, after the open: a directory swapped for a link in between
// cannot lead the open out of the allowed directories.
func openLogFile(path string, readable func(string) error) (f *os.File, info fs.FileInfo, skip string, err error) {
	real, err := logReal(path, readable)
	if err != nil {
		return nil, nil, "", err
	}
	before, err := os.Lstat(real)
	if err != nil {
		return nil, nil, "", err
	}
	if skip = logSkipReason(before); skip != "" {
		return nil, before, skip, nil
	}
	f, err = openLog(real)
	if err != nil {
		return nil, nil, "", err
	}
	info, err = f.Stat()
	if err == nil && !logStillAt(real, info) {
		err = &fs.PathError{Op: "open", Path: path, Err: errLogChanged}
	}
	if err == nil {
		skip = logSkipReason(info)
	}
	if err != nil || skip != "" {
		f.Close()
		return nil, info, skip, err
	}
	return f, info, "", nil
}

// logStillAt reports whether real still resolves to itself (no link on
// the way) and names the open file info describes.
func logStillAt(real string, info fs.FileInfo) bool {
	again, err := filepath.EvalSymlinks(real)
	if err != nil || again != real {
		return false
	}
	now, err := os.Lstat(real)
	return err == nil && os.SameFile(now, info)
}
