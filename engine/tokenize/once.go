package tokenize

import (
	"fmt"
	"sync"
)

// Once is a cache of values that are slow to load, such as a tokenizer or
// a dataset, which a thousand users may ask for at the same moment: the
// first caller of a key runs the load, concurrent callers of that key wait
// for it and share its result, and later callers get the kept value. A
// failed load is not kept, so a fixed file can be tried again. Load keeps
// one for tokenizers; the dataset package keeps one for its sets. The zero
// value is ready for use; a Once must not be copied after first use.
type Once[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*onceCall[V]
}

// onceCall is one load of a key, finished when done is closed.
type onceCall[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// Get returns the value kept under key, calling load for it when there is
// none and no other caller is loading it.
func (o *Once[K, V]) Get(key K, load func() (V, error)) (V, error) {
	o.mu.Lock()
	c, ok := o.calls[key]
	if ok {
		o.mu.Unlock()
		<-c.done
		return c.val, c.err
	}
	c = &onceCall[V]{done: make(chan struct{})}
	if o.calls == nil {
		o.calls = make(map[K]*onceCall[V])
	}
	o.calls[key] = c
	o.mu.Unlock()
	o.run(key, c, load)
	return c.val, c.err
}

// run loads c, then forgets it if it failed, before its waiters read it.
// A load that panics fails its waiters too, rather than leaving them
// waiting.
func (o *Once[K, V]) run(key K, c *onceCall[V], load func() (V, error)) {
	finished := false
	defer func() {
		if !finished {
			c.err = fmt.Errorf("loading %v: the load panicked", key)
		}
		if c.err != nil {
			o.mu.Lock()
			delete(o.calls, key)
			o.mu.Unlock()
		}
		close(c.done)
	}()
	c.val, c.err = load()
	finished = true
}

// Forget drops the kept values whose keys match, so that the next Get of
// one loads it again. Loads under way finish for their own callers.
func (o *Once[K, V]) Forget(match func(K) bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for k := range o.calls {
		if match(k) {
			delete(o.calls, k)
		}
	}
}
