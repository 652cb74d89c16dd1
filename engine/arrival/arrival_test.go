package arrival

import (
	"context"
	"math"
	"testing"
	"time"
)

func TestGapsHaveMeanOneAndTheirSpread(t *testing.T) {
	cases := map[string]struct {
		spec Spec
		cv   float64
	}{
		"constant":             {Spec{Kind: Constant}, 0},
		"poisson":              {Spec{Kind: Poisson, Seed: 7}, 1},
		"gamma, bursty (0.25)": {Spec{Kind: Gamma, Burstiness: 0.25, Seed: 7}, 2},
		"gamma, even (4)":      {Spec{Kind: Gamma, Burstiness: 4, Seed: 7}, 0.5},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			g, err := NewGaps(c.spec, 0)
			if err != nil {
				t.Fatal(err)
			}
			const n = 10000
			var sum, sq float64
			for range n {
				x := g.Next()
				if x < 0 {
					t.Fatalf("negative gap %v", x)
				}
				sum += x
				sq += x * x
			}
			mean := sum / n
			cv := math.Sqrt(sq/n-mean*mean) / mean
			if math.Abs(mean-1) > 0.04 {
				t.Errorf("mean gap %.4f, want 1 ± 0.04", mean)
			}
			if math.Abs(cv-c.cv) > 0.06*max(c.cv, 1) {
				t.Errorf("coefficient of variation %.4f, want %.2f ± %.2f", cv, c.cv, 0.06*max(c.cv, 1))
			}
		})
	}
}

func TestTheSameSeedGivesTheSameGaps(t *testing.T) {
	a, _ := NewGaps(Spec{Kind: Gamma, Burstiness: 0.5, Seed: 42}, 3)
	b, _ := NewGaps(Spec{Kind: Gamma, Burstiness: 0.5, Seed: 42}, 3)
	c, _ := NewGaps(Spec{Kind: Gamma, Burstiness: 0.5, Seed: 42}, 4)
	same, other := true, true
	for range 100 {
		x, y, z := a.Next(), b.Next(), c.Next()
		same = same && x == y
		other = other && x == z
	}
	if !same || other {
		t.Fatalf("same seed and stream equal: %v (want true); another stream equal: %v (want false)", same, other)
	}
}

func TestParseKind(t *testing.T) {
	for _, s := range []string{"constant", "poisson", "gamma"} {
		k, err := ParseKind(s)
		if err != nil || k.String() != s {
			t.Errorf("ParseKind(%q) = %v, %v", s, k, err)
		}
	}
	if _, err := ParseKind("uniform"); err == nil {
		t.Error("ParseKind(uniform) did not fail")
	}
}

func TestCurveRampsStepsAndPauses(t *testing.T) {
	c := newCurve(10, 10) // 0 → 10/s over 10 s: work(t) = t²/2 during the ramp
	cases := []struct {
		name string
		w    float64
		at   float64
	}{
		{"start", 0, 0},
		{"mid-ramp", 12.5, 5},
		{"end of ramp", 50, 10},
		{"after the ramp", 60, 11},
	}
	for _, k := range cases {
		if got, ok := c.timeOf(k.w); !ok || math.Abs(got-k.at) > 1e-9 {
			t.Errorf("%s: timeOf(%v) = %v, %v; want %v", k.name, k.w, got, ok, k.at)
		}
	}
	c.set(20, 0) // paused at work 150
	if _, ok := c.timeOf(151); ok {
		t.Error("a paused curve reaches more work")
	}
	c.set(30, 5)
	if got, _ := c.timeOf(160); math.Abs(got-32) > 1e-9 {
		t.Errorf("after resuming at 5/s at 30 s, work 160 at %v s, want 32", got)
	}
	if r := c.rateAt(5); r != 5 {
		t.Errorf("rate at 5 s of the ramp %v, want 5", r)
	}
}

func TestScheduleIsAbsoluteFromTheStart(t *testing.T) {
	start := time.Now().Add(-time.Hour) // everything is already due
	g, _ := NewGaps(Spec{Kind: Constant}, 0)
	s := begun(start, NewRate(20, 0, g))
	for i := range 400 {
		a, ok := s.Next(context.Background(), nil)
		if !ok {
			t.Fatal("no arrival")
		}
		if want := start.Add(time.Duration(i) * 50 * time.Millisecond); a.Due.Sub(want).Abs() > time.Microsecond || a.Index != int64(i) {
			t.Fatalf("arrival %d due at +%v (index %d), want +%v", i, a.Due.Sub(start), a.Index, want.Sub(start))
		}
	}
	if s.Sent() != 400 {
		t.Errorf("sent %d, want 400", s.Sent())
	}
}

func TestUnsentCountsWhatFellDueAndWasNotSent(t *testing.T) {
	start := time.Now().Add(-10 * time.Second)
	g, _ := NewGaps(Spec{Kind: Constant}, 0)
	s := begun(start, NewRate(10, 0, g))
	for range 30 {
		s.Next(context.Background(), nil)
	}
	// Due by start+10s: 0, 0.1, … 10.0 s, 101 arrivals.
	if n := s.Unsent(start.Add(10 * time.Second)); n != 71 {
		t.Errorf("unsent %d, want 71", n)
	}
	if n := s.Unsent(start.Add(10 * time.Second)); n != 71 {
		t.Errorf("counting again gave %d: counting moved the schedule", n)
	}
}

func TestARateChangeMovesTheWaitingArrival(t *testing.T) {
	g, _ := NewGaps(Spec{Kind: Constant}, 0)
	s := begun(time.Now(), NewRate(0.001, 0, g)) // the second arrival is 1,000 s away
	s.Next(context.Background(), nil)
	got := make(chan Arrival)
	go func() {
		a, _ := s.Next(context.Background(), nil)
		got <- a
	}()
	s.SetRate(1000)
	select {
	case a := <-got:
		if a.Index != 1 {
			t.Errorf("index %d, want 1", a.Index)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting arrival did not move to the new rate")
	}
}

func TestStopEndsAWait(t *testing.T) {
	g, _ := NewGaps(Spec{Kind: Constant}, 0)
	s := begun(time.Now(), NewRate(0, 0, g)) // paused: nothing ever falls due
	stop := make(chan struct{})
	done := make(chan bool)
	go func() {
		_, ok := s.Next(context.Background(), stop)
		done <- ok
	}()
	close(stop)
	if <-done {
		t.Fatal("Next returned an arrival after stop")
	}
}

func TestATimedScheduleDrainsOnceEveryUserIsFree(t *testing.T) {
	start := time.Now().Add(-time.Minute)
	drained := make(chan struct{}, 2)
	s := begun(start, NewTimed([]Timed{{At: 0, Payload: "a"}, {At: time.Second, Payload: "b"}, {At: 2 * time.Second, Payload: "c"}},
		func() { drained <- struct{}{} }))
	leave1, leave2 := s.Join(), s.Join()
	var got []any
	for range 3 {
		a, ok := s.Next(context.Background(), nil)
		if !ok {
			t.Fatal("arrival missing")
		}
		got = append(got, a.Payload)
	}
	if got[0] != "a" || got[2] != "c" {
		t.Fatalf("payloads %v", got)
	}
	stop := make(chan struct{})
	go s.Next(context.Background(), stop) // user 1 asks for more: none
	leave2()                              // user 2 leaves: all free
	select {
	case <-drained:
	case <-time.After(10 * time.Second):
		t.Fatal("not drained")
	}
	close(stop)
	leave1()
	if len(drained) != 0 {
		t.Fatal("drained twice")
	}
}

func begun(start time.Time, s *Schedule) *Schedule {
	s.Begin(start)
	return s
}

func TestUsersWaitForTheBeginning(t *testing.T) {
	g, _ := NewGaps(Spec{Kind: Constant}, 0)
	s := NewRate(10, 0, g)
	got := make(chan time.Time)
	go func() {
		a, _ := s.Next(context.Background(), nil)
		got <- a.Due
	}()
	select {
	case <-got:
		t.Fatal("an arrival before the schedule began")
	case <-time.After(20 * time.Millisecond):
	}
	start := time.Now()
	s.Begin(start)
	if due := <-got; !due.Equal(start) {
		t.Errorf("first arrival due %v after the beginning, want at it", due.Sub(start))
	}
}
