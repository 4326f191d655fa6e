package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// Record ids are the decimal form of a bucket's NextSequence ("17"); the
// bucket key is the same number as 8 bytes big-endian, so keys sort in
// creation order and a cursor walks records oldest first.

// newID takes the next sequence number of b and returns it as an id and
// as a key.
func newID(b *bolt.Bucket) (string, []byte, error) {
	n, err := b.NextSequence()
	if err != nil {
		return "", nil, fmt.Errorf("next sequence: %w", err)
	}
	return strconv.FormatUint(n, 10), seqKey(n), nil
}

// seqKey is the 8-byte big-endian key of a sequence number.
func seqKey(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// idKey turns an id back into its key. Anything that newID cannot have
// produced (empty, "0", "017", "abc") is reported as not a valid id, which
// callers turn into ErrNotFound: such a record cannot exist.
func idKey(id string) ([]byte, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 || strconv.FormatUint(n, 10) != id {
		return nil, false
	}
	return seqKey(n), true
}

// mustIDKey is idKey returning a wrapped ErrNotFound for a malformed id.
func mustIDKey(id string) ([]byte, error) {
	k, ok := idKey(id)
	if !ok {
		return nil, fmt.Errorf("id %q: %w", id, ErrNotFound)
	}
	return k, nil
}

// keyID is the id of an 8-byte key.
func keyID(k []byte) string {
	if len(k) != 8 {
		return ""
	}
	return strconv.FormatUint(binary.BigEndian.Uint64(k), 10)
}

// putJSON stores v as JSON under k.
func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return b.Put(k, data)
}

// getJSON decodes the value under k into v, or returns ErrNotFound.
// json.Unmarshal copies everything it keeps, so v stays valid after the
// transaction ends.
func getJSON(b *bolt.Bucket, k []byte, v any) error {
	data := b.Get(k)
	if data == nil {
		return ErrNotFound
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %x: %w", k, err)
	}
	return nil
}

// cloneBytes copies a key or value out of bbolt's memory map.
func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
