package spool

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
)

// headerSize is the size of a record's header: length, CRC, seq and time.
const headerSize = 24

// segSuffix ends the name of every segment file.
const segSuffix = ".seg"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errTorn marks a record that is cut short or fails its checks: the end of
// the usable part of a segment.
var errTorn = errors.New("torn or corrupt record")

// segment describes one segment file: the records with sequence numbers
// first..last, and the size of the valid part of the file.
type segment struct {
	first, last     uint64 // seq of the first and the last record
	firstAt, lastAt int64  // their times, Unix nanoseconds
	size            int64  // bytes of whole, valid records
}

// segName is the file name of the segment whose first record is seq.
func segName(seq uint64) string {
	return fmt.Sprintf("%020d%s", seq, segSuffix)
}

// parseSegName returns the first seq of a segment file name, and false for
// a name that is not a segment's.
func parseSegName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segSuffix)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || seq == 0 {
		return 0, false
	}
	return seq, true
}

// appendRecord appends the encoding of one record to dst.
func appendRecord(dst []byte, seq uint64, at int64, data []byte) []byte {
	var h [headerSize]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(len(data)))
	binary.LittleEndian.PutUint64(h[8:], seq)
	binary.LittleEndian.PutUint64(h[16:], uint64(at))
	binary.LittleEndian.PutUint32(h[4:], recordCRC(h[:], data))
	dst = append(dst, h[:]...)
	return append(dst, data...)
}

// recordCRC is the CRC-32C of a header (without its CRC field) and data.
func recordCRC(h []byte, data []byte) uint32 {
	crc := crc32.Update(0, castagnoli, h[0:4])
	crc = crc32.Update(crc, castagnoli, h[8:headerSize])
	return crc32.Update(crc, castagnoli, data)
}

// recordReader reads records from the valid part of a segment. It never
// allocates more than the bytes left to read, whatever a header claims.
type recordReader struct {
	br   *bufio.Reader
	left int64 // bytes not yet read
	off  int64 // offset of the next record, relative to where reading began
}

// newRecordReader reads at most size bytes of r.
func newRecordReader(r io.Reader, size int64) *recordReader {
	buf := int(min(max(size, 0), 32<<10)) // bufio raises it to its minimum
	return &recordReader{br: bufio.NewReaderSize(io.LimitReader(r, size), buf), left: max(size, 0)}
}

// next reads one record. When scratch is not nil its buffer is reused (and
// grown) for the data; otherwise the data gets its own slice. next returns
// io.EOF at the clean end, errTorn for a short or corrupt record, and other
// errors for failed reads.
func (r *recordReader) next(scratch *[]byte) (seq uint64, at int64, data []byte, err error) {
	if r.left == 0 {
		return 0, 0, nil, io.EOF
	}
	var h [headerSize]byte
	if r.left < headerSize {
		return 0, 0, nil, errTorn
	}
	if _, err := io.ReadFull(r.br, h[:]); err != nil {
		return 0, 0, nil, readErr(err)
	}
	n := int64(binary.LittleEndian.Uint32(h[0:]))
	if n > MaxRecordBytes || n > r.left-headerSize {
		return 0, 0, nil, errTorn
	}
	if scratch == nil {
		data = make([]byte, n)
	} else {
		if int64(cap(*scratch)) < n {
			*scratch = make([]byte, n)
		}
		data = (*scratch)[:n]
	}
	if _, err := io.ReadFull(r.br, data); err != nil {
		return 0, 0, nil, readErr(err)
	}
	if binary.LittleEndian.Uint32(h[4:]) != recordCRC(h[:], data) {
		return 0, 0, nil, errTorn
	}
	r.left -= headerSize + n
	r.off += headerSize + n
	return binary.LittleEndian.Uint64(h[8:]), int64(binary.LittleEndian.Uint64(h[16:])), data, nil
}

// readErr turns a short read into errTorn: the file ended inside a record.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errTorn
	}
	return err
}

// scanSegment reads a segment file of size bytes whose name says its first
// record is first, and returns what its valid part holds. Reading stops at
// the first record that is torn, corrupt, out of sequence or at or beyond
// limit (the first seq of the next segment); everything from there on is
// the cut. A segment with no valid record has last == first-1 and size 0.
func scanSegment(r io.Reader, size int64, first, limit uint64) (segment, error) {
	seg := segment{first: first, last: first - 1}
	rr := newRecordReader(r, size)
	var scratch []byte
	for {
		seq, at, _, err := rr.next(&scratch)
		if err == io.EOF || errors.Is(err, errTorn) {
			return seg, nil
		}
		if err != nil {
			return seg, err
		}
		if seq != seg.last+1 || seq >= limit {
			return seg, nil
		}
		if seg.size == 0 {
			seg.firstAt = at
		}
		seg.last, seg.lastAt, seg.size = seq, at, rr.off
	}
}
