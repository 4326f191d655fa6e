package fim

import "syscall"

// noatime keeps a scan from rewriting every file's access time (a write
// per file read, on file systems mounted without noatime/relatime).
const noatime = syscall.O_NOATIME
