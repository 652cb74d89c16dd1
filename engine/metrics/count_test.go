package metrics

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/tokenize"
)

// logged keeps the Records a daemon logs.
type logged struct {
	mu   sync.Mutex
	recs map[string]record.Record
}

func (l *logged) Log(r *record.Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs[r.Name] = *r
}

func (l *logged) Streaming(string, string, time.Time, int) {}

func (l *logged) get(name string) (record.Record, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.recs[name]
	return r, ok
}

// oneLongWord is text that a BPE takes tens of seconds to count: letters
// without a space are one piece, merged in time quadratic in its length.
func oneLongWord(n int) string {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	for range n {
		b.WriteByte(byte('a' + rng.IntN(26)))
	}
	return b.String()
}

// A request whose prompt takes the tokenizer far longer than a run to
// count holds up neither the Records of the requests after it nor, beyond
// CountGrace, a Flush: its count is cut short and it keeps the count it
// can have, and the cut is counted.
func TestHugeCountsGoBesideTheDaemon(t *testing.T) {
	tok, err := tokenize.Load("o200k_base")
	if err != nil {
		t.Fatal(err)
	}
	l := &logged{recs: map[string]record.Record{}}
	d := NewDaemon(l)
	defer d.Close()
	send := func(name, prompt string) *Stream {
		r := begin(t, d, "openai-chat")
		r.Name, r.Tokenizer, r.Prompt = name, tok, prompt
		if err := r.Chunk(contentEvent("hello there"), time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := r.Chunk([]byte("data: [DONE]\n\n"), time.Now()); err != nil {
			t.Fatal(err)
		}
		r.Finish(End{At: time.Now(), Status: 200})
		return r
	}
	huge := send("huge", oneLongWord(150_000))
	small := send("small", "a short prompt")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if res := small.Wait(ctx); res.Record.Cancelled || res.Record.LLM.InputTokens != 3 || res.Record.LLM.OutputTokens != 2 {
		t.Fatalf("the small request behind the huge one: %+v (waited for the huge count?)", res.Record)
	}
	began := time.Now()
	d.Flush()
	if took := time.Since(began); took > CountGrace+3*time.Second {
		t.Errorf("Flush took %s with a count under way, want about %s", took, CountGrace)
	}
	res := huge.Wait(context.Background())
	rec, ok := l.get("huge")
	if !ok || rec.Failed() || res.Record.LLM.Source != record.SourceChunks || res.Record.LLM.InputTokens != 0 {
		t.Fatalf("the huge request after the cut: logged %v, %+v", ok, res.Record)
	}
	if d.CountsCut() != 1 {
		t.Errorf("CountsCut = %d, want 1", d.CountsCut())
	}
}

// boomer is a consumer that panics on the Record named "boom", as a bug
// in the stats would.
type boomer struct{ logged }

func (b *boomer) Log(r *record.Record) {
	if r.Name == "boom" && !r.Failed() {
		panic("index out of range in the stats")
	}
	b.logged.Log(r)
}

// A panic while the daemon handles a stream fails that request with its
// reason, tells OnPanic, hands the user its Record, and the daemon goes
// on with the next.
func TestPanicInTheDaemonFailsOneRequest(t *testing.T) {
	b := &boomer{logged{recs: map[string]record.Record{}}}
	d := NewDaemon(b)
	defer d.Close()
	var reported []any
	d.OnPanic(func(v any, stack []byte) { reported = append(reported, v) })
	send := func(name string) Result {
		r := begin(t, d, "openai-chat")
		r.Name = name
		_ = r.Chunk(contentEvent("hi"), time.Now())
		_ = r.Chunk([]byte("data: [DONE]\n\n"), time.Now())
		r.Finish(End{At: time.Now(), Status: 200})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return r.Wait(ctx)
	}
	res := send("boom")
	if res.Record.Cancelled || !strings.Contains(res.Record.Error, "internal error in the metrics daemon") {
		t.Fatalf("the request whose handling panicked: %+v", res.Record)
	}
	if next := send("next"); next.Record.Failed() || next.Record.LLM.OutputTokens == 0 {
		t.Fatalf("the request after the panic: %+v", next.Record)
	}
	d.Flush()
	if _, ok := b.get("boom"); !ok {
		t.Error("the failed request was not counted")
	}
	if len(reported) != 1 {
		t.Errorf("OnPanic was told %d times, want 1", len(reported))
	}
}
