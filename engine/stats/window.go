package stats

import "math"

// currentWindow is the length in seconds of the "current" window that
// every "last ten seconds" figure looks back over.
const currentWindow = 10

// emptiable is a slot value of a secondRing: a pointer to a histogram, or
// a set of them, that can be emptied for reuse.
type emptiable[H any] interface {
	*H
	reset()
}

// secondRing is the one window mechanism of the stats: a fixed ring of
// histograms H, each labelled with the Unix second it stands for. When
// the ring is full, a new second takes the slot of the oldest one. Slots
// are emptied and refilled rather than reallocated, so a long run settles
// into reusing the same maps. Which seconds make up a window is the
// caller's rule: Locust's entries and the LLM entries each have one.
type secondRing[H any, P emptiable[H]] struct {
	slots []ringSlot[H]
	used  int
	last  int // the slot found or taken last, looked at first
}

// ringSlot is one second of a secondRing.
type ringSlot[H any] struct {
	sec int64
	val H
}

func newSecondRing[H any, P emptiable[H]](n int) secondRing[H, P] {
	return secondRing[H, P]{slots: make([]ringSlot[H], n)}
}

// find is the slot of second sec, nil if the ring holds none.
func (r *secondRing[H, P]) find(sec int64) *ringSlot[H] {
	if r.last < r.used && r.slots[r.last].sec == sec {
		return &r.slots[r.last]
	}
	for i := range r.used {
		if r.slots[i].sec == sec {
			r.last = i
			return &r.slots[i]
		}
	}
	return nil
}

// take is the slot of second sec, starting an empty one if the ring holds
// none: in a free slot, or else in that of the oldest second. It is nil
// when the ring is full of newer seconds than sec.
func (r *secondRing[H, P]) take(sec int64) *ringSlot[H] {
	if s := r.find(sec); s != nil {
		return s
	}
	i := r.used
	if i < len(r.slots) {
		r.used++
	} else if i = r.oldest(); r.slots[i].sec > sec {
		return nil
	}
	r.last = i
	s := &r.slots[i]
	s.sec = sec
	P(&s.val).reset()
	return s
}

func (r *secondRing[H, P]) oldest() int {
	o := 0
	for i := 1; i < r.used; i++ {
		if r.slots[i].sec < r.slots[o].sec {
			o = i
		}
	}
	return o
}

// all is the slots in use, in no particular order.
func (r *secondRing[H, P]) all() []ringSlot[H] { return r.slots[:r.used] }

// clear empties the ring; the slots keep their maps for reuse.
func (r *secondRing[H, P]) clear() { r.used = 0 }

// lastSeconds is the LLM entries' rule: the slots of the seconds from
// now−currentWindow+1 to now.
func (r *secondRing[H, P]) lastSeconds(now int64, each func(*H)) {
	for i := range r.all() {
		if s := &r.slots[i]; s.sec > now-currentWindow && s.sec <= now {
			each(&s.val)
		}
	}
}

// openSecond labels the slot that a Locust window is still filling:
// newer than every closed second.
const openSecond = math.MaxInt64

// locustBase is Locust's rule for the start of its current window: the
// closed second now−currentWindow if the ring holds it, else the nearest
// one around it within eight seconds, preferring older ones, as Locust
// picks a cached copy of its histogram to subtract from the live one. The
// window is then every slot after it.
func (r *secondRing[H, P]) locustBase(now int64) (sec int64, ok bool) {
	t := now - currentWindow
	if r.find(t) != nil {
		return t, true
	}
	for i := int64(1); i < 9; i++ {
		if r.find(t-i) != nil {
			return t - i, true
		}
		if r.find(t+i) != nil {
			return t + i, true
		}
	}
	return 0, false
}
