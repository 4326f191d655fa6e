package live

// ringHours is how many hourly buckets a monitor keeps: 30 days.
const ringHours = 720

// dayHours is the short uptime window.
const dayHours = 24

// bucket counts the results of one hour.
type bucket struct {
	up, total uint32 // up = ok + warning
}

func (b *bucket) add(o bucket) { b.up += o.up; b.total += o.total }
func (b *bucket) sub(o bucket) { b.up -= o.up; b.total -= o.total }

// percent is the uptime in percent, or -1 without data.
func (b bucket) percent() float64 {
	if b.total == 0 {
		return -1
	}
	return 100 * float64(b.up) / float64(b.total)
}

// hours is a ring of hourly buckets ending at head (an hour number, Unix
// seconds / 3600) with running sums over the last 24 and 720 hours.
//
// The hour under way is counted in cur at full width; the 719 hours
// before it, which change only when a late result arrives, are kept
// packed: their totals, and apart from them their failures (total - up),
// which are 0 in most hours and then take no memory at all. A monitor
// checked every 10 s that did not fail for 30 days holds 360 bytes here,
// where 720 pairs of uint32s took 5,760.
type hours struct {
	head       int64 // newest hour held; 0 when empty
	day, month bucket
	cur        bucket // hour head
	// total and down hold the hours head-719 .. head-1 by slot; the slot
	// of head itself holds 0.
	total, down packed
}

func slot(h int64) int {
	s := int(h % ringHours)
	if s < 0 {
		s += ringHours
	}
	return s
}

// get returns hour x's counts; x must be within the ring.
func (r *hours) get(x int64) bucket {
	if x == r.head {
		return r.cur
	}
	return r.packedAt(slot(x))
}

// put stores b as hour x's counts; x must be within the ring.
func (r *hours) put(x int64, b bucket) {
	if x == r.head {
		r.cur = b
		return
	}
	r.pack(slot(x), b)
}

func (r *hours) packedAt(s int) bucket {
	t := r.total.get(s)
	return bucket{up: t - r.down.get(s), total: t}
}

func (r *hours) pack(s int, b bucket) {
	r.total.set(s, b.total)
	r.down.set(s, b.total-b.up)
}

// advance moves head forward to h, dropping hours that leave the windows.
func (r *hours) advance(h int64) {
	if h <= r.head {
		return
	}
	if r.head == 0 || h-r.head >= ringHours {
		*r = hours{head: h}
		return
	}
	// The hour under way is done: it becomes a packed hour like the rest.
	r.pack(slot(r.head), r.cur)
	r.cur = bucket{}
	for x := r.head + 1; x <= h; x++ {
		// x-24 is still held (it is overwritten only at x+696) or, when
		// it is newer than the old head, already cleared below. slot(x)
		// holds x-720, which leaves the 30 days now.
		r.day.sub(r.packedAt(slot(x - dayHours)))
		r.month.sub(r.packedAt(slot(x)))
		r.pack(slot(x), bucket{})
	}
	r.head = h
	r.total.tidy()
	r.down.tidy()
}

// add counts b in hour h. Hours older than the ring are ignored.
func (r *hours) add(h int64, b bucket) {
	r.advance(h)
	if h <= r.head-ringHours {
		return
	}
	x := r.get(h)
	x.add(b)
	r.put(h, x)
	r.month.add(b)
	if h > r.head-dayHours {
		r.day.add(b)
	}
}

// at returns the 24-hour and 30-day sums as they are at hour h, without
// changing r (readers hold only a read lock).
func (r *hours) at(h int64) (day, month bucket) {
	day, month = r.day, r.month
	if h <= r.head {
		return day, month
	}
	if h-r.head >= ringHours {
		return bucket{}, bucket{}
	}
	for x := r.head + 1; x <= h; x++ {
		if x-dayHours <= r.head {
			day.sub(r.get(x - dayHours))
		}
		// slot(x) holds hour x-ringHours, which leaves the 30 days at x.
		month.sub(r.get(x - ringHours))
	}
	return day, month
}

// bytes is the memory the ring holds beyond its fixed fields.
func (r *hours) bytes() int { return r.total.bytes() + r.down.bytes() }
