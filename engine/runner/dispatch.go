package runner

// Dispatcher splits a user count over user classes and workers as a
// master does: the classes as a local runner would run them (fixed counts
// first, then by weight), and each class's users dealt to the workers in
// turn, so that each worker runs its share of every class and the counts
// depend only on the total.
type Dispatcher struct {
	classes []UserClass
	order   *order
}

// NewDispatcher checks classes as New does.
func NewDispatcher(classes []UserClass) (*Dispatcher, error) {
	sorted, o, err := orderOf(classes)
	if err != nil {
		return nil, err
	}
	return &Dispatcher{classes: sorted, order: o}, nil
}

// Limit is the most users the classes can hold: the fixed counts' sum
// when every class is fixed-count, else no limit.
func (d *Dispatcher) Limit() int { return d.order.limit() }

// Split is the users per class of each of workers workers for n users
// in all (at most Limit).
func (d *Dispatcher) Split(n, workers int) []map[string]int {
	out := make([]map[string]int, workers)
	for w := range out {
		out[w] = make(map[string]int, len(d.classes))
		for _, c := range d.classes {
			out[w][c.Name()] = 0
		}
	}
	if workers == 0 {
		return out
	}
	counts := make([]int, len(d.classes))
	for i := range min(n, d.order.limit()) {
		counts[d.order.at(i)]++
	}
	// Each class's users are dealt in turn, the turn going on from class
	// to class, so that every worker runs its share of each class and
	// none more than one user above another.
	next := 0
	for c, k := range counts {
		for range k {
			out[next%workers][d.classes[c].Name()]++
			next++
		}
	}
	return out
}
