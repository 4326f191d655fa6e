package checks

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v4/disk"
)

func init() {
	Register(Type{
		Name:  "disk",
		Title: "Disk usage",
		Scope: ScopeHost,
		Settings: []Setting{
			{Name: "warning_percent", Kind: "int", Default: "90", Help: "Warning when more than this percentage of the space (or of the inodes) is used."},
			{Name: "error_percent", Kind: "int", Default: "98", Help: "Problem when more than this percentage of the space (or of the inodes) is used."},
			{Name: "min_free_bytes", Kind: "int", Default: "0", Help: "Problem when fewer bytes than this are free for ordinary users; 0 is off."},
		},
		TargetHelp:     `mount point, e.g. "/" or "/var" (on Windows a drive such as "C:")`,
		ValidateTarget: validateMountPoint,
		New:            newDiskChecker,
	})
}

type diskSettings struct {
	WarningPercent int   `json:"warning_percent"`
	ErrorPercent   int   `json:"error_percent"`
	MinFreeBytes   int64 `json:"min_free_bytes"`
}

// diskUsage is what the disk check reads. Free is what ordinary users may
// still write; the root-reserved blocks count as used.
type diskUsage struct {
	total, used, free       uint64
	inodesTotal, inodesUsed uint64
}

type diskChecker struct {
	limit   hostLimit
	minFree uint64
	read    func(ctx context.Context, path string) (diskUsage, error)
}

var _ Checker = (*diskChecker)(nil)

// validateMountPoint accepts an absolute path, or a Windows drive. The
// agent's host may differ from the server's, so both forms are accepted
// wherever this runs.
func validateMountPoint(target string) error {
	switch {
	case target == "":
		return errors.New(`the mount point is missing, e.g. "/" or "C:"`)
	case strings.ContainsRune(target, 0) || len(target) > 4096:
		return errors.New("must be a path of at most 4096 characters")
	case strings.HasPrefix(target, "/"), isWindowsDrivePath(target), strings.HasPrefix(target, `\\`):
		return nil
	}
	return errors.New(`must be an absolute path such as "/" or "/var", or a Windows drive such as "C:"`)
}

// isWindowsDrivePath reports whether p starts with a drive letter and
// colon, as "C:" or `D:\data`.
func isWindowsDrivePath(p string) bool {
	if len(p) < 2 || p[1] != ':' {
		return false
	}
	c := p[0] | 0x20
	return c >= 'a' && c <= 'z' && (len(p) == 2 || p[2] == '\\' || p[2] == '/')
}

func newDiskChecker(raw json.RawMessage) (Checker, error) {
	s := diskSettings{WarningPercent: 90, ErrorPercent: 98}
	if err := decodeSettings(raw, &s); err != nil {
		return nil, err
	}
	l, err := hostPercentLimit(s.WarningPercent, s.ErrorPercent, "warning_percent", "error_percent")
	if err != nil {
		return nil, err
	}
	if s.MinFreeBytes < 0 {
		return nil, &SettingError{Field: "settings.min_free_bytes", Msg: "must be 0 (off) or a positive number of bytes"}
	}
	return &diskChecker{limit: l, minFree: uint64(s.MinFreeBytes), read: readDisk}, nil
}

func readDisk(ctx context.Context, path string) (diskUsage, error) {
	u, err := disk.UsageWithContext(ctx, path)
	if err != nil {
		return diskUsage{}, err
	}
	return diskUsage{total: u.Used + u.Free, used: u.Used, free: u.Free, inodesTotal: u.InodesTotal, inodesUsed: u.InodesUsed}, nil
}

// Check reports the space and inodes used on the file system at target.
func (c *diskChecker) Check(ctx context.Context, target string) Result {
	start := time.Now()
	d, err := c.read(ctx, target)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return problem(time.Since(start), "no such mount point "+target, nil)
	case err != nil:
		return hostReadProblem(ctx, start, "read disk usage of "+target, err)
	case d.total == 0:
		return problem(time.Since(start), target+" has no size: not a disk file system", nil)
	}
	used := float64(d.used) / float64(d.total) * 100
	values := map[string]float64{
		"used_percent": roundPercent(used),
		"free_bytes":   roundMiB(d.free),
		"total_bytes":  roundMiB(d.total),
	}
	var v hostVerdict
	st, note := c.limit.judge(roundPercent(used))
	v.add(target+" "+hostPct(used)+" used", st, note)
	st, note = StatusOK, ""
	if d.free < c.minFree {
		st, note = StatusProblem, "(problem below "+hostBytes(float64(c.minFree))+")"
	}
	v.add(hostBytes(float64(d.free))+" free", st, note)
	// Some file systems (btrfs, vfat, network shares) have no inode limit.
	if d.inodesTotal > 0 {
		iu := float64(min(d.inodesUsed, d.inodesTotal)) / float64(d.inodesTotal) * 100
		values["inodes_used_percent"] = roundPercent(iu)
		if st, note := c.limit.judge(roundPercent(iu)); st != StatusOK {
			v.add("inodes "+hostPct(iu)+" used", st, note)
		}
	}
	return v.result(start, values)
}
