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
type hours struct {
	// The sums and head come first so that reading them touches the same
	// cache lines as the rest of a monitor's hot fields, not the ring.
	head       int64 // newest hour held; 0 when empty
	day, month bucket
	ring       [ringHours]bucket
}

func slot(h int64) int {
	s := int(h % ringHours)
	if s < 0 {
		s += ringHours
	}
	return s
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
	for x := r.head + 1; x <= h; x++ {
		// x-24 is still held (it is overwritten only at x+696) or, when
		// it is newer than the old head, already cleared below.
		r.day.sub(r.ring[slot(x-dayHours)])
		r.month.sub(r.ring[slot(x)])
		r.ring[slot(x)] = bucket{}
	}
	r.head = h
}

// add counts b in hour h. Hours older than the ring are ignored.
func (r *hours) add(h int64, b bucket) {
	r.advance(h)
	if h <= r.head-ringHours {
		return
	}
	r.ring[slot(h)].add(b)
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
			day.sub(r.ring[slot(x-dayHours)])
		}
		month.sub(r.ring[slot(x)])
	}
	return day, month
}
