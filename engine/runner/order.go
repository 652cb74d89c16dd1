package runner

import (
	"container/heap"
	"math"
)

// order is the sequence in which users of each class are started: the
// fixed-count classes first, then the weighted classes interleaved so that
// every prefix is as close to the weights as it can be. Running n users
// means running the first n entries of the sequence, so a ramp up adds the
// next entry and a ramp down removes the last one, and the class counts
// depend only on n: 60 → 30 → 60 ends where it began.
//
// The interleaving follows Locust's dispatcher, which picks at each step the
// class whose choice most reduces the Kullback-Leibler divergence between
// the counts so far and the weights; with the classes sorted by name, the
// same weights give the same sequence as Locust.
type order struct {
	seq      []int32 // class indices generated so far
	fixedLen int     // how many leading entries are fixed-count users
	weighted *klQueue
}

// newOrder builds the order for classes sorted by name, described by their
// weights and fixed counts (fixed > 0 means the weight is ignored).
func newOrder(weights, fixed []int) *order {
	o := &order{}
	o.seq = fixedSequence(fixed)
	o.fixedLen = len(o.seq)
	var w []klItem
	for i, f := range fixed {
		if f == 0 {
			w = append(w, newKLItem(i, float64(weights[i])))
		}
	}
	if len(w) > 0 {
		o.weighted = newKLQueue(w)
	}
	return o
}

// limit is the largest number of users the order can hold: unbounded
// (MaxInt) when some class is weighted, else the sum of the fixed counts.
func (o *order) limit() int {
	if o.weighted != nil {
		return math.MaxInt
	}
	return o.fixedLen
}

// at returns the class of the i-th user (from 0); i must be below limit.
func (o *order) at(i int) int {
	for len(o.seq) <= i {
		o.seq = append(o.seq, int32(o.weighted.next()))
	}
	return int(o.seq[i])
}

// fixedSequence interleaves the fixed-count users by their counts, so that
// a target below the fixed total still splits them in proportion, as Locust
// does. A class never gets more than its count.
func fixedSequence(fixed []int) []int32 {
	var items []klItem
	total := 0
	for i, f := range fixed {
		if f > 0 {
			items = append(items, newKLItem(i, float64(f)))
			total += f
		}
	}
	if total == 0 {
		return nil
	}
	q := newKLQueue(items)
	left := append([]int(nil), fixed...)
	seq := make([]int32, 0, total)
	for len(seq) < total {
		c := q.next()
		if left[c] == 0 {
			continue // the divergence order never overshoots, but counts must be exact
		}
		left[c]--
		seq = append(seq, int32(c))
	}
	return seq
}

// klItem is one class in the divergence queue. Items compare as the tuple
// (gain, n, weight, class), which is the order Locust's heap uses.
type klItem struct {
	gain   float64 // change in divergence if the class is picked next (negative; lowest wins)
	n      float64 // picks so far plus the weight
	weight float64
	class  int
}

func newKLItem(class int, w float64) klItem {
	return klItem{gain: w * math.Log2(w/(w+1)), n: w + 1, weight: w, class: class}
}

// klQueue yields classes in the divergence-minimising order.
type klQueue []klItem

func newKLQueue(items []klItem) *klQueue {
	q := klQueue(items)
	heap.Init(&q)
	return &q
}

// next returns the class to pick now and updates its standing.
func (q *klQueue) next() int {
	top := &(*q)[0]
	c := top.class
	top.gain = top.weight * math.Log2(top.n/(top.n+1))
	top.n++
	heap.Fix(q, 0)
	return c
}

func (q klQueue) Len() int      { return len(q) }
func (q klQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q klQueue) Less(i, j int) bool {
	a, b := q[i], q[j]
	switch {
	case a.gain != b.gain:
		return a.gain < b.gain
	case a.n != b.n:
		return a.n < b.n
	case a.weight != b.weight:
		return a.weight < b.weight
	}
	return a.class < b.class
}

// Push and Pop complete heap.Interface; the queue never changes size.
func (q *klQueue) Push(x any) { *q = append(*q, x.(klItem)) }
func (q *klQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
