// Package spool is the agent's bounded on-disk result spool.
//
// While the server is unreachable the agent keeps running its checks and
// appends each encoded result to the spool; once the server is back a
// delivery loop Peeks the oldest records, sends them, and Acks what the
// server committed, so the history shows no gap.
//
// On disk a spool is a directory holding:
//
//   - segment files named by the sequence number of their first record
//     ("00000000000000000001.seg"), each a run of records with consecutive
//     sequence numbers;
//   - "ack", a small file replaced atomically (temp file, rename, directory
//     fsync) that holds the acknowledged position, the count of dropped
//     records and the highest sequence number handed out;
//   - "lock", held with an exclusive lock while a Spool is open, so two agents
//     cannot share one directory.
//
// A record is a 24-byte header followed by its data, all little-endian:
//
//	length uint32  // bytes of data
//	crc    uint32  // CRC-32C of length, seq, time and data
//	seq    uint64  // sequence number, one more than the record before
//	time   int64   // when it was appended, Unix nanoseconds
//	data   [length]byte
//
// Append fsyncs before it returns, so a crash or kill -9 loses no record
// whose Append returned. A torn or corrupt tail (a short write, a flipped
// byte) is found by its CRC and cut off when the spool is opened; the
// records before it are kept.
//
// The spool is bounded in size (Options.MaxBytes) and in age
// (Options.MaxAge). When a bound is exceeded the oldest whole segments are
// dropped and their undelivered records counted in Stats.Dropped. Sequence
// numbers only grow for the life of the directory: an acknowledged record
// never comes back, and a number is never handed out twice.
//
// A Spool is safe for one writer goroutine and one reader goroutine at the
// same time; every method takes one mutex.
package spool
