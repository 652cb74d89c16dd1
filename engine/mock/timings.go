package mock

import (
	"math"
	"slices"
	"time"
)

// Timings is the server's own account of the latencies it served, taken
// from its record of when it sent each chunk: what a client's TTFT and
// TPOT should come out as, give or take the network. GET /mock/timings
// returns it.
type Timings struct {
	// Records is how many finished requests the percentiles were drawn
	// from; Complete is false once the record has dropped older ones (see
	// Config.RecordCapacity), so that a caller knows the figures cover
	// only the latest requests.
	Records  int  `json:"records"`
	Complete bool `json:"complete"`
	// TTFT runs from the request received to its first token chunk sent,
	// queueing included, as a client sees it.
	TTFT Spread `json:"ttft_ms"`
	// TPOT is (last − first token chunk sent) / (tokens − 1), for streamed
	// answers of two tokens or more.
	TPOT Spread `json:"tpot_ms"`
}

// Spread is the median and 99th percentile of a timing, in milliseconds,
// over Count requests; both are 0 when Count is 0.
type Spread struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50"`
	P99   float64 `json:"p99"`
}

// Timings works out the percentiles over the finished requests kept in
// the record. Requests the client abandoned are left out, since a client
// does not count them either; cut connections stay, as their tokens were
// seen.
func (s *Server) Timings() Timings {
	s.recMu.Lock()
	kept := s.ring[:s.next]
	if s.filled {
		kept = s.ring
	}
	// Order does not matter to percentiles, so the ring is read in place
	// rather than copied: it may hold hundreds of thousands of records.
	var ttft, tpot []float64
	for i := range kept {
		r := &kept[i]
		if r.ClientGone || len(r.Chunks) == 0 {
			continue
		}
		ttft = append(ttft, millis(r.Chunks[0].Sub(r.Received)))
		if n := len(r.Chunks); r.Stream && r.CompletionTokens > 1 && n > 1 {
			tpot = append(tpot, millis(r.Chunks[n-1].Sub(r.Chunks[0]))/float64(r.CompletionTokens-1))
		}
	}
	t := Timings{Records: len(kept), Complete: !s.filled}
	s.recMu.Unlock()
	t.TTFT, t.TPOT = SpreadOf(ttft), SpreadOf(tpot)
	return t
}

// SpreadOf sorts v and takes its percentiles by nearest rank, the ⌈p·n⌉-th
// smallest value, as the client's histograms rank theirs.
func SpreadOf(v []float64) Spread {
	if len(v) == 0 {
		return Spread{}
	}
	slices.Sort(v)
	at := func(p float64) float64 {
		rank := int(math.Ceil(p*float64(len(v)) - 1e-9))
		return v[min(max(rank, 1), len(v))-1]
	}
	return Spread{Count: len(v), P50: at(0.50), P99: at(0.99)}
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
