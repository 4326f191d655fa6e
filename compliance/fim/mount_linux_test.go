package fim

import "golang.org/x/sys/unix"

func mountProc(dir string) error { return unix.Mount("proc", dir, "proc", 0, "") }
func unmount(dir string)         { _ = unix.Unmount(dir, unix.MNT_DETACH) }
