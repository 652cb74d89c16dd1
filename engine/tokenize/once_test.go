package tokenize

import (
	"testing"
	"testing/synctest"
)

func TestOnceFailsWaitersOfAPanickingLoad(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var o Once[string, int]
		release := make(chan struct{})
		go func() {
			defer func() { _ = recover() }()
			_, _ = o.Get("k", func() (int, error) { <-release; panic("bug") })
		}()
		synctest.Wait() // the first caller is loading
		waiter := make(chan error, 1)
		go func() {
			_, err := o.Get("k", func() (int, error) { return 2, nil })
			waiter <- err
		}()
		synctest.Wait()
		close(release)
		if err := <-waiter; err == nil {
			t.Error("a caller waiting for a load that panicked got no error")
		}
		if v, err := o.Get("k", func() (int, error) { return 3, nil }); v != 3 || err != nil {
			t.Errorf("after a panic got %d, %v; want a new load's 3", v, err)
		}
	})
}

func TestOnceForget(t *testing.T) {
	var o Once[string, int]
	loads := 0
	load := func() (int, error) { loads++; return loads, nil }
	for _, k := range []string{"a", "b"} {
		_, _ = o.Get(k, load)
	}
	o.Forget(func(k string) bool { return k == "a" })
	tests := []struct {
		name string
		key  string
		want int
	}{
		{"a forgotten key loads again", "a", 3},
		{"another key is kept", "b", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if v, _ := o.Get(tc.key, load); v != tc.want {
				t.Errorf("got %d, want %d", v, tc.want)
			}
		})
	}
}
