package tokenize

import (
	"sync"
	"testing"
)

// TestCountConcurrently shares each tokenizer among 8 goroutines, as the
// metrics daemon's workers do; run it with -race.
func TestCountConcurrently(t *testing.T) {
	texts := samples(t)
	for _, ref := range referenceTokenizers {
		t.Run(ref.name, func(t *testing.T) {
			tok := mustLoad(t, ref.spec())
			want := make([]int, len(texts))
			for i, s := range texts {
				want[i] = tok.Count(s.text)
			}
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for round := range 3 {
						for i := range texts {
							s := texts[(i+g+round)%len(texts)]
							if got := tok.Count(s.text); got != want[(i+g+round)%len(texts)] {
								t.Errorf("goroutine %d: Count(%s) = %d, want %d", g, s.name, got, want[(i+g+round)%len(texts)])
							}
						}
					}
				})
			}
			wg.Wait()
		})
	}
}
