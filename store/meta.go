package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketKV holds the server's small key/value settings (Meta). It is
// not the "meta" bucket, which holds the schema version: no key passed to
// PutMeta can break migrations.
var bucketKV = []byte("kv")

func init() { topBuckets = append(topBuckets, bucketKV) }

// Meta returns the value stored under key, or ErrNotFound when unset. The
// value is a copy, valid after the call.
func (db *DB) Meta(key string) ([]byte, error) {
	var v []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if key == "" {
			return ErrNotFound
		}
		data := tx.Bucket(bucketKV).Get([]byte(key))
		if data == nil {
			return ErrNotFound
		}
		v = cloneBytes(data)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: meta %q: %w", key, err)
	}
	return v, nil
}

// PutMeta stores value under key. A nil value is stored as empty.
func (db *DB) PutMeta(key string, value []byte) error {
	if key == "" {
		return errors.New("store: put meta: empty key")
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if value == nil {
			value = []byte{}
		}
		return tx.Bucket(bucketKV).Put([]byte(key), value)
	})
	if err != nil {
		return fmt.Errorf("store: put meta %q: %w", key, err)
	}
	return nil
}

// DeleteMeta removes key; removing an unset key is not an error.
func (db *DB) DeleteMeta(key string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if key == "" {
			return nil
		}
		return tx.Bucket(bucketKV).Delete([]byte(key))
	})
	if err != nil {
		return fmt.Errorf("store: delete meta %q: %w", key, err)
	}
	return nil
}
