package script

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/mock"
	"github.com/llmlocust/llmlocust/engine/runner"
)

// TestAccuracyAgainstSimulator is the measurement check of the product:
// 100 users stream 64-token answers (TTFT 200 ms, ITL 20 ms) for 20 s, and
// what we measure is compared with the simulator's own record of when it
// sent each chunk. Token counts must be exact, with usage and without it
// (then from the tokenizer); TTFT p50 within 2 ms; mean TPOT within 2 %.
func TestAccuracyAgainstSimulator(t *testing.T) {
	if raceEnabled {
		t.Skip("timing accuracy is checked without the race detector (make test runs it so)")
	}
	if testing.Short() {
		t.Skip("a 20 s run per case")
	}
	for _, usage := range []string{"true", "false"} {
		t.Run("include_usage="+usage, func(t *testing.T) {
			cfg := mock.DefaultConfig()
			cfg.TTFT, cfg.ITL, cfg.RecordCapacity = 200*time.Millisecond, 20*time.Millisecond, 100000
			m, url := startMock(t, cfg)
			c := &collect{}
			classes := bind(t, fmt.Sprintf(chatTask, 64, usage, ""), llmEnv(t, url, c))
			r, err := runner.New(classes, runner.Options{StopTimeout: 30 * time.Second, RunTime: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Start(100, 100); err != nil {
				t.Fatal(err)
			}
			<-r.Stopped()
			r.Quit()
			compare(t, c, m)
		})
	}
}

func compare(t *testing.T, c *collect, m *mock.Server) {
	recs := c.llmRecords()
	var clientTokens int64
	var ttft, tpot []float64
	for _, r := range recs {
		if r.Error != "" {
			t.Fatalf("failed request: %s", r.Error)
		}
		clientTokens += int64(r.LLM.OutputTokens)
		ttft = append(ttft, ms(r.LLM.TTFT))
		if d, ok := r.LLM.TPOT(); ok {
			tpot = append(tpot, ms(d))
		}
	}
	var serverTTFT, serverTPOT []float64
	for _, s := range m.Sent() {
		if len(s.Chunks) < 2 {
			continue
		}
		serverTTFT = append(serverTTFT, ms(s.Chunks[0].Sub(s.Received)))
		n := len(s.Chunks)
		serverTPOT = append(serverTPOT, ms(s.Chunks[n-1].Sub(s.Chunks[0]))/float64(s.CompletionTokens-1))
	}
	sent := m.Totals().CompletionTokens
	if clientTokens != sent || len(recs) != len(serverTTFT) {
		t.Fatalf("we counted %d tokens in %d requests; the simulator sent %d in %d", clientTokens, len(recs), sent, len(serverTTFT))
	}
	p50, sp50 := median(ttft), median(serverTTFT)
	meanTPOT, smeanTPOT := mean(tpot), mean(serverTPOT)
	t.Logf("%d requests, %d tokens; TTFT p50 %.2f ms (simulator %.2f ms); TPOT mean %.3f ms (simulator %.3f ms)",
		len(recs), clientTokens, p50, sp50, meanTPOT, smeanTPOT)
	if math.Abs(p50-sp50) > 2 {
		t.Errorf("TTFT p50 %.2f ms is more than 2 ms from the simulator's %.2f ms", p50, sp50)
	}
	if math.Abs(meanTPOT-smeanTPOT)/smeanTPOT > 0.02 {
		t.Errorf("TPOT mean %.3f ms is more than 2 %% from the simulator's %.3f ms", meanTPOT, smeanTPOT)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func mean(v []float64) float64 {
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	return sum / float64(max(len(v), 1))
}
