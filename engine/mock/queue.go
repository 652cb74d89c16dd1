package mock

import (
	"container/list"
	"context"
	"sync"
)

// slots admits at most limit sequences into service at once; the others
// wait first come, first served. A freed slot passes straight to the
// oldest waiter, so a newcomer can never overtake the queue.
type slots struct {
	mu      sync.Mutex
	limit   int // 0 means no limit
	active  int
	waiters list.List // of chan struct{}, closed when the slot is granted
}

func newSlots(limit int) *slots { return &slots{limit: limit} }

// acquire takes a slot, waiting in line if none is free. It returns the
// context's error, holding no slot, if ctx ends first.
func (q *slots) acquire(ctx context.Context) error {
	q.mu.Lock()
	if q.limit == 0 || (q.active < q.limit && q.waiters.Len() == 0) {
		q.active++
		q.mu.Unlock()
		return nil
	}
	granted := make(chan struct{})
	el := q.waiters.PushBack(granted)
	q.mu.Unlock()

	select {
	case <-granted:
		return nil
	case <-ctx.Done():
	}
	q.mu.Lock()
	select {
	case <-granted:
		// The slot arrived while we were giving up: pass it on rather than
		// leak it.
		q.mu.Unlock()
		q.release()
	default:
		q.waiters.Remove(el)
		q.mu.Unlock()
	}
	return ctx.Err()
}

// release gives a slot back, handing it to the oldest waiter if any.
func (q *slots) release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if front := q.waiters.Front(); front != nil {
		close(q.waiters.Remove(front).(chan struct{}))
		return
	}
	q.active--
}

// load reports how many sequences are in service and how many wait.
func (q *slots) load() (active, waiting int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.active, q.waiters.Len()
}
