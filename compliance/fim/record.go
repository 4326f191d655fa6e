package fim

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// record is what the local state keeps per path: the object as reported,
// plus its ctime, which no report carries but which tells an incremental
// rescan that a file may have changed although size, mtime and inode did
// not (mtime can be set back; ctime cannot).
type record struct {
	Object
	CTime time.Time
}

// recordVersion leads every encoded record so the format can change.
const recordVersion = 1

var typeCodes = []string{TypeFile, TypeDir, TypeSymlink, TypeOther}

const flagSHA256 = 1

// maxRecord bounds a decoded record: a symlink target is at most a few
// KiB on every system we know (PATH_MAX is 4096 on Linux).
const maxRecord = 64 << 10

// encodeRecord is the compact binary form of r kept in bbolt: at a million
// objects per policy every byte is a megabyte of state file.
func encodeRecord(r record) []byte {
	b := make([]byte, 0, 64+len(r.Target))
	b = append(b, recordVersion, typeCode(r.Type))
	var flags byte
	var sum [32]byte // decoded on the stack: one allocation less per object
	if n, err := hex.Decode(sum[:], []byte(r.SHA256)); len(r.SHA256) == 2*len(sum) && err == nil && n == len(sum) {
		flags |= flagSHA256
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, r.Size)
	b = binary.AppendUvarint(b, uint64(r.Mode))
	b = binary.AppendUvarint(b, uint64(r.UID))
	b = binary.AppendUvarint(b, uint64(r.GID))
	b = appendTime(b, r.MTime)
	b = appendTime(b, r.CTime)
	b = binary.AppendUvarint(b, r.Inode)
	if flags&flagSHA256 != 0 {
		b = append(b, sum[:]...)
	}
	return append(b, r.Target...)
}

func typeCode(t string) byte {
	for i, name := range typeCodes {
		if name == t {
			return byte(i)
		}
	}
	return 3 // TypeOther
}

func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

var errCorruptRecord = errors.New("corrupt state record")

// decodeRecord reverses encodeRecord; any input that is not a record it
// wrote is an error, never a panic.
func decodeRecord(b []byte) (record, error) {
	var r record
	if len(b) > maxRecord {
		return r, fmt.Errorf("%w: %d bytes", errCorruptRecord, len(b))
	}
	if len(b) < 3 || b[0] != recordVersion || int(b[1]) >= len(typeCodes) || b[2]&^flagSHA256 != 0 {
		return r, fmt.Errorf("%w: bad header", errCorruptRecord)
	}
	r.Type = typeCodes[b[1]]
	flags := b[2]
	d := decoder{b: b[3:]}
	r.Size = d.varint()
	r.Mode = uint32(d.uvarint(07777))
	r.UID = uint32(d.uvarint(1<<32 - 1))
	r.GID = uint32(d.uvarint(1<<32 - 1))
	r.MTime = d.time()
	r.CTime = d.time()
	r.Inode = d.uvarint(1<<64 - 1)
	if flags&flagSHA256 != 0 {
		r.SHA256 = hex.EncodeToString(d.bytes(32))
	}
	if d.err != nil || r.Size < 0 {
		return record{}, fmt.Errorf("%w: bad field", errCorruptRecord)
	}
	r.Target = string(d.b)
	return r, nil
}

// decoder reads varints off b and remembers the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() { d.err, d.b = errCorruptRecord, nil }

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint(max uint64) uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > max {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint(999_999_999)
	if d.err != nil {
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *decoder) bytes(n int) []byte {
	if len(d.b) < n {
		d.fail()
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}
