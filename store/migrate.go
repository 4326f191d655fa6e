package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Bucket names. Every top-level bucket is listed here.
var (
	bucketMeta = []byte("meta")
)

var keySchemaVersion = []byte("schema_version")

// migrations bring the schema forward, one step each. Never edit a
// released step: append a new one.
var migrations = []func(tx *bolt.Tx) error{
	migrateCreateBuckets,
}

// schemaVersion is the version a fully migrated store has.
var schemaVersion = uint64(len(migrations))

// topBuckets is filled by the files that own each record kind (in init),
// so a new kind adds its bucket where it is defined.
var topBuckets = [][]byte{bucketMeta}

func migrateCreateBuckets(tx *bolt.Tx) error {
	for _, name := range topBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) migrate() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		var have uint64
		if v := meta.Get(keySchemaVersion); len(v) == 8 {
			have = binary.BigEndian.Uint64(v)
		}
		if have > schemaVersion {
			return fmt.Errorf("store: schema version %d is newer than this vigil understands (%d): use a newer vigil", have, schemaVersion)
		}
		for v := have; v < schemaVersion; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("store: migrate to version %d: %w", v+1, err)
			}
		}
		// Buckets added since the last migration step are created on every
		// open; creating an existing bucket is a no-op.
		if err := migrateCreateBuckets(tx); err != nil {
			return fmt.Errorf("store: create buckets: %w", err)
		}
		return meta.Put(keySchemaVersion, binary.BigEndian.AppendUint64(nil, schemaVersion))
	})
}
