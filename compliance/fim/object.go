package fim

import "time"

// MaxPathLen is the longest path a report carries, in bytes (as shown,
// with escapes): Linux's PATH_MAX. A deeper path is reported as an error
// and not recorded.
const MaxPathLen = 4096

// Object types, in Object.Type.
const (
	TypeFile    = "file"
	TypeDir     = "dir"
	TypeSymlink = "symlink"
	TypeOther   = "other" // device, socket, named pipe
)

// Change kinds, in Change.Kind.
const (
	Added    = "added"
	Removed  = "removed"
	Modified = "modified"
)

// Attribute names: what a policy may watch (Policy.Attributes) and what a
// modification names (Change.Attrs). "type" covers a file that became a
// directory and the like.
const (
	AttrType   = "type"
	AttrSHA256 = "sha256"
	AttrSize   = "size"
	AttrMode   = "mode"
	AttrUID    = "uid"
	AttrGID    = "gid"
	AttrMTime  = "mtime"
	AttrInode  = "inode"
	AttrTarget = "target" // a symlink's target
)

// AllAttrs are every attribute, in the order changes list them.
var AllAttrs = []string{AttrType, AttrSHA256, AttrSize, AttrMode, AttrUID, AttrGID, AttrMTime, AttrInode, AttrTarget}

// Object is what a scan records of one file system object. The same JSON
// shape travels from agent to server (internal/wire) and out of the API
// (a change's before and after).
type Object struct {
	Type   string    `json:"type"`             // TypeFile, TypeDir, TypeSymlink or TypeOther
	SHA256 string    `json:"sha256,omitempty"` // lowercase hex; regular files only
	Size   int64     `json:"size"`
	Mode   uint32    `json:"mode"` // permission bits with setuid, setgid and sticky (07777)
	UID    uint32    `json:"uid"`
	GID    uint32    `json:"gid"`
	MTime  time.Time `json:"mtime"`
	Inode  uint64    `json:"inode,omitempty"`
	Target string    `json:"target,omitempty"` // symlinks only: where it points, not followed
}

// Change is one difference between a scan and the state before it. Added
// has After only, Removed Before only, Modified both and the attributes
// that differ (in AllAttrs order).
type Change struct {
	Path   string   `json:"path"`
	Kind   string   `json:"change"`
	Attrs  []string `json:"attrs,omitempty"`
	Before *Object  `json:"before,omitempty"`
	After  *Object  `json:"after,omitempty"`
}

// ScanError is a path a scan could not record as it is: unreadable,
// vanished while it was read, a loop, a name that is not valid UTF-8 (then
// Path is the name with invalid bytes escaped as \xNN).
type ScanError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// Progress is where a running scan is.
type Progress struct {
	Objects uint64 `json:"objects"` // objects recorded so far
	Bytes   uint64 `json:"bytes"`   // bytes hashed so far
	Errors  uint64 `json:"errors"`
}
