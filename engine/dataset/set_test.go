package dataset

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// numbered is a JSONL file of n rows {"prompt": "p<i>", "i": i}.
func numbered(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"prompt":"p%d","i":%d}`+"\n", i, i)
	}
	return writeFile(t, "numbered.jsonl", b.String())
}

func TestRowAccessors(t *testing.T) {
	set, err := JSONL(writeFile(t, "r.jsonl", `{"prompt":"hi","n":3,"f":2.5,"ok":true,"o":{"k":"v"}}`), JSONLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := set.Row(0)
	if n, ok := r.Int("n"); !ok || n != 3 {
		t.Errorf("Int(n) = %d, %v", n, ok)
	}
	if _, ok := r.Int("f"); ok {
		t.Error("Int(f) of 2.5 should fail")
	}
	if r.String("prompt") != "hi" || r.String("n") != "" || r.String("none") != "" {
		t.Errorf("String: %q %q %q", r.String("prompt"), r.String("n"), r.String("none"))
	}
	o, _ := r.Get("o")
	if nested, ok := o.(Row); !ok || nested.String("k") != "v" {
		t.Errorf("nested object is %T %v, want a Row", o, o)
	}
	var keys []string
	for k := range r.All() {
		keys = append(keys, k)
	}
	if got := strings.Join(keys, ","); got != "f,n,o,ok,prompt" || r.Len() != 5 {
		t.Errorf("fields %s (%d), want f,n,o,ok,prompt", got, r.Len())
	}
}

func TestNextWalksInOrder(t *testing.T) {
	set, err := JSONL(numbered(t, 5), JSONLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for range 12 {
		got = append(got, set.Next().String("prompt"))
	}
	if want := "p0 p1 p2 p3 p4 p0 p1 p2 p3 p4 p0 p1"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

func TestNextSharedByConcurrentUsers(t *testing.T) {
	const rows, users, each = 50, 8, 100
	set, err := JSONL(numbered(t, rows), JSONLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var counts [rows]atomic.Int64
	var wg sync.WaitGroup
	for range users {
		wg.Go(func() {
			for range each {
				i, _ := set.Next().Int("i")
				counts[i].Add(1)
			}
		})
	}
	wg.Wait()
	for i := range counts {
		if got := counts[i].Load(); got != users*each/rows {
			t.Errorf("row %d taken %d times, want %d", i, got, users*each/rows)
		}
	}
}

func TestRandom(t *testing.T) {
	set, err := JSONL(numbered(t, 20), JSONLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pick := func(seed uint64) []int {
		r := rand.New(rand.NewPCG(seed, 0))
		out := make([]int, 200)
		for i := range out {
			out[i], _ = set.Random(r).Int("i")
		}
		return out
	}
	a, b := pick(1), pick(1)
	seen := map[int]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("draw %d differs for one seed: %d and %d", i, a[i], b[i])
		}
		seen[a[i]] = true
	}
	if len(seen) != 20 {
		t.Errorf("200 draws reached %d of 20 rows", len(seen))
	}
	if _, ok := set.Random(nil).Int("i"); !ok {
		t.Error("Random(nil) gave no row")
	}
}

func TestCacheSharesOneSet(t *testing.T) {
	path := numbered(t, 3)
	a, err := JSONL(path, JSONLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := JSONL(path, JSONLOptions{})
	other, _ := JSONL(path, JSONLOptions{Field: "i"})
	if a != b {
		t.Error("the same file gave two sets")
	}
	if a == other {
		t.Error("different options gave the same set")
	}
	// An edited file is read again.
	later := time.Now().Add(time.Hour)
	if err := os.WriteFile(path, []byte(`{"prompt":"new"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	c, err := JSONL(path, JSONLOptions{})
	if err != nil || c == a || c.Row(0).String("prompt") != "new" {
		t.Fatalf("after an edit got %v (%v), want a new set", c, err)
	}
}

func TestCacheLoadsOnceForConcurrentCallers(t *testing.T) {
	c := &setCache{}
	var loads atomic.Int64
	release := make(chan struct{})
	load := func() (*Set, error) {
		loads.Add(1)
		<-release
		return newSet([]Row{{}}, Report{Source: "test"}), nil
	}
	sets := make([]*Set, 100)
	var wg sync.WaitGroup
	for i := range sets {
		wg.Go(func() { sets[i], _ = c.Get(cacheKey{kind: "test"}, load) })
	}
	time.Sleep(10 * time.Millisecond) // let the callers pile up behind the first
	close(release)
	wg.Wait()
	if loads.Load() != 1 {
		t.Fatalf("loaded %d times, want 1", loads.Load())
	}
	for i, s := range sets {
		if s == nil || s != sets[0] {
			t.Fatalf("caller %d got %p, caller 0 %p", i, s, sets[0])
		}
	}
}

func TestCacheForgetsFailures(t *testing.T) {
	c := &setCache{}
	key := cacheKey{kind: "test"}
	fail := func() (*Set, error) { return nil, fmt.Errorf("broken") }
	if _, err := c.Get(key, fail); err == nil {
		t.Fatal("want the load's error")
	}
	s, err := c.Get(key, func() (*Set, error) { return newSet([]Row{{}}, Report{}), nil })
	if err != nil || s == nil {
		t.Fatalf("second load after a failure: %v, %v", s, err)
	}
}

func TestReportString(t *testing.T) {
	r := Report{Source: "d.json", Rows: 18, Skipped: map[string]int{SkipNoHumanTurn: 2, SkipUnknownRole: 1}}
	want := "d.json: 18 rows, 1 skipped (a turn from an unknown speaker), 2 skipped (no human turn)"
	if r.String() != want {
		t.Fatalf("got %q, want %q", r.String(), want)
	}
}
