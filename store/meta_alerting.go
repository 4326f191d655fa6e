package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// metaAlertingSince is the kv key of the moment alerting first ran on
// this data directory.
const metaAlertingSince = "alerting.since"

// AlertingSince returns when alerting first ran on this data directory,
// recording now as that moment on the first call (read and write in one
// transaction). The dispatcher's startup repair looks no further back, so
// an upgrade never pages anyone about incidents from before alerting
// existed. A stored value that does not parse is replaced by now.
func (db *DB) AlertingSince(now time.Time) (time.Time, error) {
	var since time.Time
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketKV)
		if v := b.Get([]byte(metaAlertingSince)); v != nil {
			if t, err := time.Parse(time.RFC3339Nano, string(v)); err == nil {
				since = t
				return nil
			}
		}
		since = now.UTC()
		return b.Put([]byte(metaAlertingSince), []byte(since.Format(time.RFC3339Nano)))
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("store: alerting start time: %w", err)
	}
	return since, nil
}
