package fim

import "golang.org/x/sys/unix"

// Magic numbers golang.org/x/sys/unix does not name (linux/magic.h).
const (
	configfsMagic = 0x62656570
	fusectlMagic  = 0x65735543
)

// pseudoFSMagic names the kernel's pseudo file systems by their statfs
// f_type: their content is the running system (processes, devices,
// tunables), not files on disk; reading some of it blocks or has side
// effects, and it changes all the time.
var pseudoFSMagic = map[uint32]string{
	unix.PROC_SUPER_MAGIC:    "proc",
	unix.SYSFS_MAGIC:         "sysfs",
	unix.DEVPTS_SUPER_MAGIC:  "devpts",
	unix.DEBUGFS_MAGIC:       "debugfs",
	unix.TRACEFS_MAGIC:       "tracefs",
	unix.SECURITYFS_MAGIC:    "securityfs",
	unix.CGROUP_SUPER_MAGIC:  "cgroup",
	unix.CGROUP2_SUPER_MAGIC: "cgroup2",
	unix.BPF_FS_MAGIC:        "bpf",
	unix.PSTOREFS_MAGIC:      "pstore",
	configfsMagic:            "configfs",
	fusectlMagic:             "fusectl",
}

// pseudoFS names the pseudo file system the directory at path is on, or
// returns "" (also when statfs fails: the walk then enters it as usual).
func pseudoFS(path string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return ""
	}
	return pseudoFSMagic[uint32(st.Type)]
}
