package agent

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/vigil-monitor/vigil/checks"
	"github.com/vigil-monitor/vigil/internal/wire"
)

// Bounds on what the allow-list may cost, though only the host's
// administrator can write it.
const (
	allowMaxFileBytes = 1 << 20 // a larger file is refused whole
	allowMaxLineBytes = 8 << 10 // a longer command line is refused
	allowMaxWarnings  = 20      // per file; further problems are counted
)

// read reads the files stamps names, in that (name) order, and returns
// the commands they allow. A file or line that cannot be trusted or
// understood is logged and skipped; the rest still counts.
func (l *allowList) read(stamps []allowStamp) map[string]string {
	cmds := map[string]string{}
	where := map[string]string{} // name -> file:line that allowed it
	for _, s := range stamps {
		path := filepath.Join(l.dir, s.name)
		data, why := l.readFile(path, s.mode)
		if why != "" {
			l.log.Warn("allow-list file refused", "file", path, "reason", why)
			continue
		}
		l.parse(path, data, cmds, where)
	}
	return cmds
}

// readFile reads one file if it is a regular file only root or the agent
// can write; symbolic links are not followed. why says what is wrong.
func (l *allowList) readFile(path string, mode fs.FileMode) (data []byte, why string) {
	if mode&fs.ModeSymlink != 0 {
		return nil, "is a symbolic link, which is not followed"
	}
	f, err := openAllowFile(path)
	if err != nil {
		return nil, err.Error()
	}
	defer f.Close()
	// The open file is checked, not the name: it cannot be swapped since.
	info, err := f.Stat()
	if err != nil {
		return nil, err.Error()
	}
	if !info.Mode().IsRegular() {
		return nil, "is not a regular file"
	}
	if why := allowOwnerProblem(info, l.uid); why != "" {
		return nil, why
	}
	data, err = io.ReadAll(io.LimitReader(f, allowMaxFileBytes+1))
	switch {
	case err != nil:
		return nil, err.Error()
	case len(data) > allowMaxFileBytes:
		return nil, fmt.Sprintf("is larger than %d bytes", allowMaxFileBytes)
	}
	return data, ""
}

// parse adds the lines of one file to cmds. The first file and line to
// allow a name wins; a later one is refused, so a name never silently
// changes its meaning.
func (l *allowList) parse(path string, data []byte, cmds, where map[string]string) {
	warned := 0
	warn := func(n int, msg string) {
		warned++
		if warned <= allowMaxWarnings {
			l.log.Warn("allow-list line ignored", "at", path+":"+strconv.Itoa(n), "reason", msg)
		}
	}
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		name, cmd, why := parseAllowLine(line)
		switch {
		case why != "":
			warn(n, why)
		case name == "":
			// blank or comment
		case where[name] != "":
			warn(n, fmt.Sprintf("%q is allowed already at %s", name, where[name]))
		case len(cmds) >= wire.MaxCommands:
			warn(n, fmt.Sprintf("more than %d commands are allowed", wire.MaxCommands))
		default:
			cmds[name] = cmd
			where[name] = path + ":" + strconv.Itoa(n)
		}
	}
	if warned > allowMaxWarnings {
		l.log.Warn("allow-list file has more problems than logged", "file", path, "lines_ignored", warned)
	}
}

// parseAllowLine reads "name = command line". A blank line or a comment
// (# first) gives name ""; why says what is wrong with a bad line. A #
// after the start is part of the command line, as the shell sees it.
func parseAllowLine(line string) (name, cmd, why string) {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return "", "", ""
	}
	name, cmd, ok := strings.Cut(line, "=")
	if !ok {
		return "", "", `not "name = command line"`
	}
	name, cmd = strings.TrimSpace(name), strings.TrimSpace(cmd)
	if err := checks.CheckCommandName(name); err != nil {
		return "", "", err.Error()
	}
	switch {
	case cmd == "":
		return "", "", fmt.Sprintf("no command line after %q =", name)
	case len(cmd) > allowMaxLineBytes:
		return "", "", fmt.Sprintf("the command line is longer than %d bytes", allowMaxLineBytes)
	case strings.IndexFunc(cmd, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) >= 0:
		return "", "", "the command line holds a control character"
	}
	return name, cmd, ""
}
