package live

// refHours is the ring as it was before it was packed: 720 pairs of
// uint32s. It is kept here as the reference the packed ring must agree
// with, result for result.
type refHours struct {
	head       int64
	day, month bucket
	ring       [ringHours]bucket
}

func (r *refHours) advance(h int64) {
	if h <= r.head {
		return
	}
	if r.head == 0 || h-r.head >= ringHours {
		*r = refHours{head: h}
		return
	}
	for x := r.head + 1; x <= h; x++ {
		r.day.sub(r.ring[slot(x-dayHours)])
		r.month.sub(r.ring[slot(x)])
		r.ring[slot(x)] = bucket{}
	}
	r.head = h
}

func (r *refHours) add(h int64, b bucket) {
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

func (r *refHours) at(h int64) (day, month bucket) {
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
