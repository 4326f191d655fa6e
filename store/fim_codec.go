package store

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"time"

	"github.com/vigil-monitor/vigil/compliance/fim"
)

// The mirror holds up to millions of objects per agent, so each is kept
// in a compact binary form rather than JSON (about 60 bytes for a file
// instead of about 200):
//
//	flags byte: bits 0-2 type (1 file, 2 dir, 3 symlink, 4 other, 0 the
//	            type as a string after the flags), bit 3 sha256 as 32
//	            bytes, bit 4 sha256 as a string, bit 5 mtime, bit 6 target
//	[type string], [sha256], varint size, uvarint mode, uid, gid,
//	[mtime: varint Unix seconds, uvarint nanoseconds], uvarint inode, [target string]
//
// Strings are a uvarint length then the bytes. The encoding of an object
// is canonical, so two objects are equal exactly when their encodings are.

const (
	fimFlagTypeMask  = 0x07
	fimFlagSHARaw    = 0x08
	fimFlagSHAString = 0x10
	fimFlagMTime     = 0x20
	fimFlagTarget    = 0x40
)

var fimTypeCodes = []string{"", fim.TypeFile, fim.TypeDir, fim.TypeSymlink, fim.TypeOther}

var errFIMObject = errors.New("malformed file integrity object")

// encodeFIMObject appends the compact form of o to dst.
func encodeFIMObject(dst []byte, o *fim.Object) []byte {
	var flags byte
	code := typeCode(o.Type)
	flags |= byte(code)
	var sha []byte
	if raw, err := hex.DecodeString(o.SHA256); err == nil && len(raw) == 32 && hex.EncodeToString(raw) == o.SHA256 {
		flags |= fimFlagSHARaw
		sha = raw
	} else if o.SHA256 != "" {
		flags |= fimFlagSHAString
	}
	hasMTime := !o.MTime.IsZero()
	if hasMTime {
		flags |= fimFlagMTime
	}
	if o.Target != "" {
		flags |= fimFlagTarget
	}
	dst = append(dst, flags)
	if code == 0 {
		dst = appendString(dst, o.Type)
	}
	switch {
	case sha != nil:
		dst = append(dst, sha...)
	case o.SHA256 != "":
		dst = appendString(dst, o.SHA256)
	}
	dst = binary.AppendVarint(dst, o.Size)
	dst = binary.AppendUvarint(dst, uint64(o.Mode))
	dst = binary.AppendUvarint(dst, uint64(o.UID))
	dst = binary.AppendUvarint(dst, uint64(o.GID))
	if hasMTime {
		dst = binary.AppendVarint(dst, o.MTime.Unix())
		dst = binary.AppendUvarint(dst, uint64(o.MTime.Nanosecond()))
	}
	dst = binary.AppendUvarint(dst, o.Inode)
	if o.Target != "" {
		dst = appendString(dst, o.Target)
	}
	return dst
}

func typeCode(t string) int {
	for i, name := range fimTypeCodes {
		if i > 0 && name == t {
			return i
		}
	}
	return 0
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// decodeFIMObject decodes what encodeFIMObject wrote. It copies what it
// keeps, so b may be bbolt's memory.
func decodeFIMObject(b []byte) (fim.Object, error) {
	var o fim.Object
	d := fimDecoder{b: b}
	flags := d.byte()
	if flags&0x80 != 0 {
		return o, errFIMObject
	}
	code := int(flags & fimFlagTypeMask)
	switch {
	case code == 0:
		o.Type = d.string()
	case code < len(fimTypeCodes):
		o.Type = fimTypeCodes[code]
	default:
		return o, errFIMObject
	}
	switch {
	case flags&fimFlagSHARaw != 0 && flags&fimFlagSHAString != 0:
		return o, errFIMObject
	case flags&fimFlagSHARaw != 0:
		o.SHA256 = hex.EncodeToString(d.bytes(32))
	case flags&fimFlagSHAString != 0:
		o.SHA256 = d.string()
	}
	o.Size = d.varint()
	o.Mode = d.uint32()
	o.UID = d.uint32()
	o.GID = d.uint32()
	if flags&fimFlagMTime != 0 {
		sec, nsec := d.varint(), d.uvarint()
		if nsec > 999999999 {
			d.fail()
		}
		o.MTime = time.Unix(sec, int64(nsec)).UTC()
	}
	o.Inode = d.uvarint()
	if flags&fimFlagTarget != 0 {
		o.Target = d.string()
	}
	if d.err != nil || len(d.b) != 0 {
		return fim.Object{}, errFIMObject
	}
	return o, nil
}

// fimDecoder reads the compact form; the first failure sticks.
type fimDecoder struct {
	b   []byte
	err error
}

func (d *fimDecoder) fail() { d.err, d.b = errFIMObject, nil }

func (d *fimDecoder) byte() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *fimDecoder) bytes(n int) []byte {
	if n < 0 || len(d.b) < n {
		d.fail()
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *fimDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *fimDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *fimDecoder) uint32() uint32 {
	v := d.uvarint()
	if v > 1<<32-1 {
		d.fail()
		return 0
	}
	return uint32(v)
}

func (d *fimDecoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	return string(d.bytes(int(n)))
}
