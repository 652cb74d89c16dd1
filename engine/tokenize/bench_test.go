package tokenize

import "testing"

// BenchmarkCount measures the two loads the metrics daemon puts on a
// tokenizer: many short stream deltas, and whole outputs or prompts.
func BenchmarkCount(b *testing.B) {
	texts := []struct{ name, text string }{
		{"delta", " the quick brown fox jumps"}, // about 5 tokens
		{"10KB", tenKB(b)},
	}
	for _, ref := range referenceTokenizers {
		for _, s := range texts {
			b.Run(ref.name+"/"+s.name, func(b *testing.B) {
				tok := mustLoad(b, ref.spec())
				tokens := tok.Count(s.text)
				b.SetBytes(int64(len(s.text)))
				calls := 0
				for b.Loop() {
					tok.Count(s.text)
					calls++
				}
				b.ReportMetric(float64(tokens*calls)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}
