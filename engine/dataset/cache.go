package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/llmlocust/llmlocust/engine/tokenize"
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

// setCache loads each set once; see tokenize.Once.
type setCache = tokenize.Once[cacheKey, *Set]

// loaded is the process's one cache; sets are immutable, so sharing them
// between runs is safe, and the cursor of Next carries on where it was.
var loaded = &setCache{}

// cachedFile loads path with load, once per version of the file.
func cachedFile(kind, path string, opts any, load func() (*Set, error)) (*Set, error) {
	key, err := fileCacheKey(kind, path, opts)
	if err != nil {
		return nil, err
	}
	return loaded.Get(key, load)
}

// fileCacheKey names the version of the file at path that a loader of
// kind reads with opts; it fails when there is no file to read.
func fileCacheKey(kind, path string, opts any) (cacheKey, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return cacheKey{}, fmt.Errorf("reading %s: %w", path, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return cacheKey{}, fmt.Errorf("reading %s: %w", path, err)
	}
	if info.IsDir() {
		return cacheKey{}, fmt.Errorf("reading %s: it is a folder, not a file", path)
	}
	return cacheKey{kind: kind, from: fileKey{path: abs, size: info.Size(), modTime: info.ModTime(), opts: opts}}, nil
}
