package store

import (
	"encoding/binary"
	"math"
	"time"
)

// timeKey is t as 8 bytes that sort as the times do: unix nanoseconds
// with the sign bit flipped, big-endian. Times outside what int64
// nanoseconds hold (years before 1678 or after 2262, the zero time) are
// clamped to the ends.
func timeKey(t time.Time) []byte {
	var n int64
	switch {
	case t.Before(minNanoTime):
		n = math.MinInt64
	case t.After(maxNanoTime):
		n = math.MaxInt64
	default:
		n = t.UnixNano()
	}
	return binary.BigEndian.AppendUint64(nil, uint64(n)^(1<<63))
}

var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

// keyTime reverses timeKey.
func keyTime(k []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(k)^(1<<63))).UTC()
}
