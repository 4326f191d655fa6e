package store

import (
	"bytes"
	"context"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pruneNotificationLog deletes the attempts made before cut, oldest first,
// at most txBudget per transaction. It reads the time index from its
// front, so a log with nothing to prune costs one seek.
func (db *DB) pruneNotificationLog(ctx context.Context, cut time.Time, st *CompactStats) error {
	end := timeKey(cut)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := 0
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			byTime := tx.Bucket(bucketNotifyLogByTime)
			var keys, logKeys [][]byte
			c := byTime.Cursor()
			for k, v := c.First(); k != nil && len(keys) < txBudget; k, v = c.Next() {
				if len(k) < 8 || bytes.Compare(k[:8], end) >= 0 {
					break
				}
				keys, logKeys = append(keys, cloneBytes(k)), append(logKeys, cloneBytes(v))
			}
			log := tx.Bucket(bucketNotifyLog)
			for i := range keys {
				if err := log.Delete(logKeys[i]); err != nil {
					return err
				}
				if err := byTime.Delete(keys[i]); err != nil {
					return err
				}
			}
			n = len(keys)
			return nil
		})
		if err != nil {
			return err
		}
		st.LogDeleted += n
		if n < txBudget {
			return nil
		}
	}
}
