// Package chunk is the byte format of the results time series: a chunk packs
// the results of one (monitor, location) series, and an aggregate pack holds
// the per-minute or per-hour rollups of one series for one hour or one day.
//
// The package is pure: no I/O, no bbolt. Every decoder takes arbitrary bytes
// and returns an error (never panics) on anything it did not write; its
// allocations are bounded by the input length.
//
// Chunk layout:
//
//	version (1 byte) | count (uint16, big-endian) | count × point
//
// A point is a flag byte (status in bits 0–1, message changed, values
// changed, timestamp delta-of-delta is zero, latency delta is zero, values in
// the delta form), then — unless flagged as zero — the zigzag varint
// delta-of-delta of the unix millisecond timestamp and the zigzag varint
// latency delta in 10 µs units, then the message if it changed (a reference
// to an earlier message of the chunk, or a new literal) and the values if
// they changed. The first point is encoded against a zero state, so a chunk
// stands alone. All arithmetic wraps, so every int64 timestamp and latency
// round-trips exactly.
//
// Values come in one of two forms. The full form is the count and, sorted by
// key, each key and its float. The delta form, used when the keys are those
// of the previous point, is a bitmap of two bits per key in key order (same,
// cents, raw) and then, per changed key, either the zigzag varint delta of
// k = round(v*100) against the previous value's k — only when both values
// are exactly float64(k)/100, as timings rounded to 0.01 ms are — or the
// float's 8 raw bytes (NaN, ±Inf, -0 and all other values). Either way every
// float round-trips bit for bit. Chunks written before the delta form (flag
// bit 6 was reserved) decode unchanged, so the version stays 1.
package chunk
