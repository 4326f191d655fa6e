package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
)

const (
	ackName  = "ack"     // the persisted state
	ackTemp  = "ack.tmp" // where the next state is written before the rename
	ackMagic = "VSA1"    // first bytes of the ack file, format version 1
	ackSize  = 4 + 3*8 + 4
)

// state is what the ack file keeps across restarts.
type state struct {
	acked   uint64 // every record with seq <= acked is delivered
	dropped uint64 // records dropped unsent, over the life of the directory
	high    uint64 // highest seq handed out when the state was written
}

// encode returns the ack file's bytes: magic, the three counters and a
// CRC-32C of what precedes it.
func (st state) encode() []byte {
	b := make([]byte, 0, ackSize)
	b = append(b, ackMagic...)
	b = binary.LittleEndian.AppendUint64(b, st.acked)
	b = binary.LittleEndian.AppendUint64(b, st.dropped)
	b = binary.LittleEndian.AppendUint64(b, st.high)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// decodeState parses an ack file; ok is false when it is damaged.
func decodeState(b []byte) (st state, ok bool) {
	if len(b) != ackSize || string(b[:4]) != ackMagic {
		return state{}, false
	}
	if crc32.Checksum(b[:ackSize-4], castagnoli) != binary.LittleEndian.Uint32(b[ackSize-4:]) {
		return state{}, false
	}
	return state{
		acked:   binary.LittleEndian.Uint64(b[4:]),
		dropped: binary.LittleEndian.Uint64(b[12:]),
		high:    binary.LittleEndian.Uint64(b[20:]),
	}, true
}

// readState reads the ack file of dir. A missing file is a new spool. A
// damaged one (it is only ever replaced whole, so only a failing disk does
// that) counts as nothing acknowledged: records may be delivered twice,
// never lost.
func readState(dir string) (state, error) {
	b, err := os.ReadFile(filepath.Join(dir, ackName))
	if errors.Is(err, fs.ErrNotExist) {
		return state{}, nil
	}
	if err != nil {
		return state{}, fmt.Errorf("read ack file: %w", err)
	}
	st, _ := decodeState(b)
	return st, nil
}

// writeState replaces the ack file of dir atomically and durably: a temp
// file, fsync, rename over the old one, fsync of the directory.
func writeState(dir string, st state) error {
	tmp := filepath.Join(dir, ackTemp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write ack file: %w", err)
	}
	_, err = f.Write(st.encode())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, ackName))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("write ack file: %w", err)
	}
	return nil
}
