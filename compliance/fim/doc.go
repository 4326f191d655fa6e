// Package fim is file-integrity monitoring on the agent: it walks a
// policy's paths, records each object (type, SHA-256 of regular files of
// any size, size, mode, owner, mtime, inode, symlink target) in a local
// state store, and reports what changed since the previous scan. The first
// scan of a policy (and the first after its revision changed) is its
// baseline: every object is sent as added with Baseline set.
//
// The agent sends changes to the server, and the local state moves only
// after the server acknowledged them, so a crash or restart of either side
// absorbs nothing: a change not acknowledged is found and sent again.
//
// # Scale
//
// A scan walks depth-first with names in byte order, and state keys are
// paths with "/" replaced by a NUL byte, which sorts below every byte a
// name can hold: keys sort exactly like the walk. A scan is therefore one
// merge-join of the walk with a cursor over the stored records, read in
// chunks in short read transactions; nothing holds the tree in memory
// (only the sorted names of the directories on the current path). Files
// are hashed by a few workers (Policy.Workers) and reported group by
// group as their hashing finishes, through a bounded window (so a big
// file does not hold back the files after it). Confirmed batches are applied
// in their own small transactions. An incremental rescan re-reads a file
// only when its size, mtime, ctime or inode moved, or every
// FullRehashEvery scans.
//
// Per file, a baseline costs what `openssl dgst` does and no more: the
// walk takes a regular file's type from its directory (d_type) instead of
// an lstat, the worker opens it relative to that directory (openat, with
// O_NOFOLLOW), and the fstat of the open descriptor is the object
// recorded; a second fstat after reading reports a change during the
// read. Workers claim files one at a time from the groups handed to them
// all, so two workers share a group of small files or a few big ones.
//
// # A scan never hurts the host
//
// Reads go through a token bucket (Policy.IOLimit bytes per second). On
// Linux the walking and hashing threads run at nice 19 in the idle I/O
// class (each on its own OS thread, which ends with the scan) and files
// are opened with O_NOATIME; other systems scan at normal priority.
//
// # What is recorded, and what is not
//
//   - Symlinks are recorded with their target and never followed; a
//     policy path that is a symlink records the link only.
//   - A directory's size is recorded as 0 and its mtime is kept but not
//     compared: both move whenever an entry is added or removed, which
//     that entry's own change reports.
//   - "type" is always watched: a file that became a directory is a
//     modification naming "type". Attributes a policy does not watch are
//     updated in the state without a change.
//   - Exclusions (see MatchPath) are matched against the full path; an
//     excluded directory is not entered.
//   - When a policy path is "/", the kernel's pseudo file systems /proc,
//     /sys and /dev are recorded as directories but not entered.
//   - A directory already on the current walk path (reached again through
//     a bind mount) is reported as a loop and not entered.
//   - A path that cannot be read (permission denied), vanishes or changes
//     while it is read is reported as a ScanError and its previous record
//     (and everything below it) is kept, so the change is reported once
//     the path can be read. A name that is not valid UTF-8 cannot travel
//     in JSON: it is reported with its bytes escaped as \xNN and not
//     recorded.
package fim
