package fim

import (
	bolt "go.etcd.io/bbolt"
)

// storedChunk is how many records one read transaction copies out. The
// iterator never holds a transaction while the scan waits on anything, so
// the scan's own small write transactions (and bbolt's remapping when the
// file grows) are never blocked by it and freed pages are reused.
const storedChunk = 4096

// storedChunkBytes also bounds a chunk, by its keys and symlink targets:
// 4,096 records of ordinary paths take about 300 KB, of 4 KiB paths 16 MB.
const storedChunkBytes = 1 << 20

// storedRec is one record read back from the state, in key order.
type storedRec struct {
	key     string
	rec     record
	corrupt bool // undecodable: the scan records the path afresh
}

// storedIter walks a policy's records in key order, re-seeking in a fresh
// read transaction for every chunk.
type storedIter struct {
	db       *bolt.DB
	policyID []byte
	buf      []storedRec
	pos      int
	after    string // last key copied out
	started  bool
	eof      bool
}

// peek is the next record, nil after the last one.
func (it *storedIter) peek() (*storedRec, error) {
	if it.pos == len(it.buf) && !it.eof {
		if err := it.fill(); err != nil {
			return nil, err
		}
	}
	if it.pos == len(it.buf) {
		return nil, nil
	}
	return &it.buf[it.pos], nil
}

// next moves past the record peek returned.
func (it *storedIter) next() { it.pos++ }

func (it *storedIter) fill() error {
	it.buf, it.pos = it.buf[:0], 0
	return it.db.View(func(tx *bolt.Tx) error {
		p := tx.Bucket(bucketPolicies).Bucket(it.policyID)
		if p == nil || p.Bucket(bucketRecords) == nil {
			it.eof = true
			return nil
		}
		c := p.Bucket(bucketRecords).Cursor()
		var k, v []byte
		if !it.started {
			k, v = c.First()
			it.started = true
		} else {
			k, v = c.Seek([]byte(it.after))
			if k != nil && string(k) == it.after {
				k, v = c.Next()
			}
		}
		size := 0
		for ; k != nil && len(it.buf) < storedChunk && size < storedChunkBytes; k, v = c.Next() {
			r, err := decodeRecord(v)
			it.buf = append(it.buf, storedRec{key: string(k), rec: r, corrupt: err != nil})
			size += len(k) + len(v)
		}
		if k == nil {
			it.eof = true
		}
		if n := len(it.buf); n > 0 {
			it.after = it.buf[n-1].key
		}
		releaseMapping(tx)
		return nil
	})
}
