package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Every user runs the scenario's top level, so a thousand users ask for
// the same dataset a thousand times, often at the same moment. The cache
// makes the first ask load it and every other ask wait for and share that
// one Set. Failures are not kept, so a fixed file can be tried again.

// cacheKey names a set: its kind and what it was made from (a fileKey, or
// a generator's spec with its tokenizer's name). Every part is comparable.
type cacheKey struct {
	kind string
	from any
}

// fileKey names a file's content by path, size and modification time, so
// a file edited between runs of one process is read again.
type fileKey struct {
	path    string
	size    int64
	modTime time.Time
	opts    any
}

type cacheEntry struct {
	once sync.Once
	set  *Set
	err  error
}

type setCache struct {
	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
}

// loaded is the process's one cache; sets are immutable, so sharing them
// between runs is safe, and the cursor of Next carries on where it was.
var loaded = &setCache{entries: map[cacheKey]*cacheEntry{}}

// get returns the set under key, calling load once for all concurrent
// callers when there is none.
func (c *setCache) get(key cacheKey, load func() (*Set, error)) (*Set, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		e = &cacheEntry{}
		c.entries[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.set, e.err = load() })
	if e.err != nil {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	return e.set, e.err
}

// cachedFile loads path with load, once per version of the file.
func cachedFile(kind, path string, opts any, load func() (*Set, error)) (*Set, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("reading %s: it is a folder, not a file", path)
	}
	key := cacheKey{kind: kind, from: fileKey{path: abs, size: info.Size(), modTime: info.ModTime(), opts: opts}}
	return loaded.get(key, load)
}
