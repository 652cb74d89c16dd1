package script

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/api"
	"github.com/llmlocust/llmlocust/engine/metrics"
	"github.com/llmlocust/llmlocust/engine/mock"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// The fault suite runs several users through the real runner against
// servers that misbehave, each user with a fixed budget of requests.
const (
	faultUsers  = 5
	faultBudget = 4 // requests per user
	// Quit and the end of the budget are bounded so that a hung user
	// fails the test instead of stalling the suite.
	faultQuitBound = 3 * time.Second
	faultRunBound  = 30 * time.Second
	faultStopTime  = 300 * time.Millisecond // the runner's stop timeout
)

// faultTask makes faultBudget chat requests, then stops its user.
const faultTask = `
U = locust.user{ llm = { api = "openai", model = "m" } }
function U:on_start() self.n = 0 end
U:task(function(self)
  if self.n >= %d then self:stop() end
  self.n = self.n + 1
  self.llm:chat{ messages = { { role = "user", content = "hi" } }, max_tokens = 8, include_usage = true %s }
end)
`

// faultServer is a misbehaving server: where it listens and how many
// generation requests it saw. seen is nil when nothing listens.
type faultServer struct {
	url  string
	seen func(t *testing.T) int64
}

// faultCase is one fault and what a run against it must show.
type faultCase struct {
	name   string
	server func(t *testing.T) faultServer
	opts   string // more fields of the chat call, such as timeouts
	// want is found in the one error group every request falls into;
	// empty when the requests must succeed.
	want string
	// partial: each failed request kept the tokens that came before the
	// fault.
	partial bool
	// hang: requests never end by themselves; the runner's Quit cuts
	// them off once every user has one in flight, and they are counted
	// as cancelled.
	hang bool
	// check looks further at the records of the run.
	check func(t *testing.T, recs []record.Record)
}

// For every fault: no user fails or panics and Quit returns in time, no
// goroutine is left behind, each request the server saw is one Record,
// tokens that came before a fault are kept, and the failures make one
// error group in the stats, one occurrence per failed request.
func TestFaultSuite(t *testing.T) {
	cases := append(simulatorFaults(), craftedFaults()...)
	cases = append(cases, aimockFaults()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runFault(t, tc) })
	}
}

// simulatorFaults are the built-in simulator's own fault modes.
func simulatorFaults() []faultCase {
	fast := func(edit func(*mock.Config)) func(t *testing.T) faultServer {
		return func(t *testing.T) faultServer {
			cfg := mock.DefaultConfig()
			cfg.TTFT, cfg.ITL, cfg.Seed = 10*time.Millisecond, time.Millisecond, 7
			edit(&cfg)
			m, url := startMock(t, cfg)
			return faultServer{url: url, seen: func(*testing.T) int64 { return m.Totals().Requests }}
		}
	}
	slowHeaders := func(ttft time.Duration) func(*mock.Config) {
		return func(c *mock.Config) { c.HeadersWithFirstToken, c.TTFT = true, ttft }
	}
	return []faultCase{
		{name: "simulator/500", server: fast(func(c *mock.Config) { c.ErrorRate = 1 }),
			want: "HTTP 500 Internal Server Error: simulated server error"},
		{name: "simulator/429 with Retry-After", server: fast(func(c *mock.Config) { c.RateLimitRate, c.RetryAfter = 1, 2*time.Second }),
			want: "HTTP 429 Too Many Requests: simulated rate limit reached"},
		{name: "simulator/reset mid-stream", server: fast(func(c *mock.Config) { c.DropRate = 1 }),
			want: "the connection closed in the middle of the response", partial: true},
		{name: "simulator/slow headers, long TTFT", server: fast(slowHeaders(400 * time.Millisecond)),
			check: headersWithFirstToken(400 * time.Millisecond)},
		{name: "simulator/slow headers past the first-token timeout", server: fast(slowHeaders(5 * time.Second)),
			opts: ", timeouts = { first_token = 0.2 }", want: "no token arrived within the first-token timeout (200ms)"},
		{name: "simulator/slow headers, stopped by the runner", server: fast(slowHeaders(time.Minute)), hang: true},
	}
}

// headersWithFirstToken checks that headers held back until the first
// token show in TTFB, that TTFT does not come before them, and that the
// slow start cost no tokens.
func headersWithFirstToken(ttft time.Duration) func(t *testing.T, recs []record.Record) {
	return func(t *testing.T, recs []record.Record) {
		for _, r := range recs {
			if l := r.LLM; l.TTFB < ttft || l.TTFT < l.TTFB || l.OutputTokens != 8 {
				t.Errorf("TTFB %s, TTFT %s, tokens %d: want TTFB ≥ %s ≤ TTFT and 8 tokens", l.TTFB, l.TTFT, l.OutputTokens, ttft)
			}
		}
	}
}

const okEvent = `data: {"choices":[{"index":0,"delta":{"content":" hi"}}]}` + "\n\n"

// craftedFaults are the faults the simulator has no mode for, each from
// a handler written for it.
func craftedFaults() []faultCase {
	return []faultCase{
		{name: "crafted/connection refused", server: refusedServer, want: "connection refused"},
		{name: "crafted/TCP reset mid-stream", server: counted(resetAfterToken),
			want: "connection reset by peer", partial: true},
		{name: "crafted/stall past the idle timeout", server: counted(stallAfterToken), opts: ", timeouts = { idle = 0.3 }",
			want: "the stream went idle past the idle timeout (300ms)", partial: true},
		{name: "crafted/stall, stopped by the runner", server: counted(stallAfterToken), hang: true, partial: true},
		{name: "crafted/closes before responding", server: counted(closeBeforeResponse),
			want: "server closed the connection before responding"},
		{name: "crafted/malformed JSON in an event", server: counted(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, okEvent+"data: {\"choices\":[{\"delta\":\n\ndata: [DONE]\n\n")
		}), want: `malformed openai-chat event "{\"choices\":[{\"delta\":": unexpected end of JSON input`, partial: true},
		{name: "crafted/event over 1 MiB", server: counted(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, okEvent+`data: {"choices":[{"delta":{"content":"`+strings.Repeat("x", 1<<20)+`"}}]}`+"\n\ndata: [DONE]\n\n")
		}), want: "a stream event exceeded 1 MiB (--max-event-size)", partial: true},
		// The tokenizer is off: counting a megabyte of text twenty times
		// would only time the tokenizer.
		{name: "crafted/event just under 1 MiB", server: counted(bigLegalEvent), opts: `, tokenizer = "none"`,
			check: func(t *testing.T, recs []record.Record) {
				for _, r := range recs {
					if l := r.LLM; l.OutputTokens != bigTokens || l.Source != record.SourceUsage || r.ContentLength < 3*bigTokens {
						t.Errorf("a large legal event was not taken whole: %d tokens from %s, %d bytes", l.OutputTokens, l.Source, r.ContentLength)
					}
				}
			}},
		{name: "crafted/closes without [DONE]", server: counted(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, okEvent+okEvent)
		}), want: "the stream ended before its end marker (data: [DONE])", partial: true},
	}
}

// aimockFaults are @copilotkit/aimock's chaos options, each at rate 1.
// Every one strikes before a token is sent.
func aimockFaults() []faultCase {
	chaos := func(flag string) func(t *testing.T) faultServer {
		return func(t *testing.T) faultServer {
			url := startAimock(t, flag, "1")
			return faultServer{url: url, seen: func(t *testing.T) int64 { return aimockRequests(t, url) }}
		}
	}
	return []faultCase{
		{name: "aimock/drop (500)", server: chaos("--chaos-drop"), want: "HTTP 500 Internal Server Error: Chaos: request dropped"},
		{name: "aimock/ratelimit (429)", server: chaos("--chaos-ratelimit"), want: "HTTP 429 Too Many Requests"},
		{name: "aimock/malformed", server: chaos("--chaos-malformed"), want: "the response is not an SSE stream"},
		{name: "aimock/disconnect", server: chaos("--chaos-disconnect"), want: "server closed the connection before responding"},
	}
}

// aimockRequests reads how many chat requests aimock's journal holds. A
// client without keep-alive leaves no connection behind.
func aimockRequests(t *testing.T, url string) int64 {
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	resp, err := hc.Get(url + "/__aimock/journal?path=/v1/chat/completions&limit=1")
	if err != nil {
		t.Fatalf("reading aimock's journal: %v", err)
	}
	defer resp.Body.Close()
	n, err := strconv.ParseInt(resp.Header.Get("X-Total-Count"), 10, 64)
	if err != nil {
		t.Fatalf("aimock's journal count %q: %v", resp.Header.Get("X-Total-Count"), err)
	}
	return n
}

func refusedServer(t *testing.T) faultServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	return faultServer{url: url}
}

// counted serves every request with h as an SSE stream, counting them
// as they arrive. Requests still open when the test ends see their
// context cancelled, so that a client that failed to cut them off
// cannot hold the server's Close.
func counted(h func(w http.ResponseWriter, r *http.Request)) func(t *testing.T) faultServer {
	return func(t *testing.T) faultServer {
		var n atomic.Int64
		ending, end := context.WithCancel(context.Background())
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			defer context.AfterFunc(ending, cancel)()
			w.Header().Set("Content-Type", "text/event-stream")
			h(w, r.WithContext(ctx))
		}))
		t.Cleanup(srv.Close)
		t.Cleanup(end)
		return faultServer{url: srv.URL, seen: func(*testing.T) int64 { return n.Load() }}
	}
}

// stallAfterToken sends one token, then nothing until the client leaves.
func stallAfterToken(w http.ResponseWriter, r *http.Request) {
	fmt.Fprint(w, okEvent)
	w.(http.Flusher).Flush()
	<-r.Context().Done()
}

// resetAfterToken sends one token, then aborts the connection with a TCP
// reset (linger 0) instead of a clean close.
func resetAfterToken(w http.ResponseWriter, _ *http.Request) {
	fmt.Fprint(w, okEvent)
	w.(http.Flusher).Flush()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	time.Sleep(5 * time.Millisecond) // let the token arrive on its own
	_ = conn.(*net.TCPConn).SetLinger(0)
	conn.Close()
}

// closeBeforeResponse reads the request and closes the connection
// without a word.
func closeBeforeResponse(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// bigTokens is the token count the server reports for bigLegalEvent.
const bigTokens = (api.DefaultMaxEvent - 100) / 3

// bigLegalEvent sends one content event just under the event size limit.
func bigLegalEvent(w http.ResponseWriter, _ *http.Request) {
	fmt.Fprintf(w, `data: {"choices":[{"delta":{"content":"%s"}}]}`+"\n\n", strings.Repeat("ok ", bigTokens))
	fmt.Fprintf(w, `data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":%d}}`+"\n\ndata: [DONE]\n\n", bigTokens)
}

// tally feeds each Record and live chunk both to the collector and to
// the run's stats, as a session's daemon feeds its stats.
type tally struct {
	c     *collect
	stats *stats.RequestStats
}

func (t tally) Log(r *record.Record) { t.c.Log(r); t.stats.Log(r) }

func (t tally) Streaming(name, method string, at time.Time, n int) {
	t.c.Streaming(name, method, at, n)
	t.stats.Streaming(name, method, at, n)
}

// allLLM returns every LLM Record, cancelled ones included.
func (c *collect) allLLM() []record.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []record.Record
	for _, r := range c.records {
		if r.LLM != nil {
			out = append(out, r)
		}
	}
	return out
}

func (c *collect) chunksSeen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.liveChunks
}

// faultRun is one run of the suite: the users' classes, what they
// recorded and the stats built from it.
type faultRun struct {
	c       *collect
	stats   *stats.RequestStats
	daemon  *metrics.Daemon
	classes []runner.UserClass
}

func newFaultRun(t *testing.T, url, opts string) *faultRun {
	fr := &faultRun{c: &collect{}, stats: stats.New(time.Now())}
	fr.daemon = metrics.NewDaemon(tally{fr.c, fr.stats})
	t.Cleanup(fr.daemon.Close)
	env := testEnv(url, fr.c)
	env.Records, env.Daemon, env.Tokenizer = fr.daemon, fr.daemon, "o200k_base"
	fr.classes = bind(t, fmt.Sprintf(faultTask, faultBudget, opts), env)
	return fr
}

func runFault(t *testing.T, tc faultCase) {
	srv := tc.server(t)
	fr := newFaultRun(t, srv.url, tc.opts)
	before := liveGoroutines()

	var userErrs atomic.Int64
	r, err := runner.New(fr.classes, runner.Options{
		StopTimeout: faultStopTime,
		OnUserError: func(class string, err error) {
			userErrs.Add(1)
			t.Errorf("user of %s failed: %v", class, err)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(faultUsers, 1000); err != nil {
		t.Fatal(err)
	}
	waitFor(t, r, faultRunBound, func() bool { return fr.settled(t, r, srv, tc) })
	quitWithin(t, r, faultQuitBound)
	fr.daemon.Flush()
	checkGoroutines(t, before)

	recs := fr.c.allLLM()
	checkCounts(t, tc, srv, recs)
	checkErrorGroups(t, tc, fr.stats.Snapshot(time.Now()), recs)
	checkPartial(t, tc, recs)
	if len(fr.c.exceptions) > 0 {
		t.Errorf("script exceptions: %q", fr.c.exceptions)
	}
	if tc.check != nil {
		tc.check(t, recs)
	}
	if len(recs) > 0 && recs[0].Error != "" {
		t.Logf("reason: %s", recs[0].Error)
	}
}

// settled says the run reached the point where the case quits: every
// user has spent its budget and stopped itself, or, for a hanging
// server, every user has a request in flight that the server saw (with
// a token received, when the case expects one).
func (fr *faultRun) settled(t *testing.T, r *runner.Runner, srv faultServer, tc faultCase) bool {
	if !tc.hang {
		return r.State() == runner.StateRunning && r.UserCount() == 0
	}
	tokens := fr.c.chunksSeen() >= faultUsers || !tc.partial
	return srv.seen(t) >= faultUsers && tokens
}

func waitFor(t *testing.T, r *runner.Runner, limit time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			quitWithin(t, r, faultQuitBound)
			t.Fatalf("the run did not settle within %s", limit)
		}
	}
}

// quitWithin fails the test when the runner's Quit does not return in
// time: some user is hung.
func quitWithin(t *testing.T, r *runner.Runner, bound time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan struct{})
	go func() { r.Quit(); close(done) }()
	select {
	case <-done:
		t.Logf("Quit returned in %s", time.Since(start).Round(time.Millisecond))
	case <-time.After(bound):
		buf := make([]byte, 1<<20)
		t.Fatalf("Quit did not return within %s; goroutines:\n%s", bound, buf[:runtime.Stack(buf, true)])
	}
}

// checkCounts: every request the users made is one Record, and the
// server saw exactly as many.
func checkCounts(t *testing.T, tc faultCase, srv faultServer, recs []record.Record) {
	t.Helper()
	want := faultUsers * faultBudget
	if tc.hang {
		want = faultUsers
	}
	cancelled := 0
	for _, r := range recs {
		if r.Cancelled {
			cancelled++
		}
	}
	if len(recs) != want {
		t.Errorf("%d records, want %d", len(recs), want)
	}
	if tc.hang && cancelled != len(recs) || !tc.hang && cancelled != 0 {
		t.Errorf("%d of %d records cancelled", cancelled, len(recs))
	}
	if srv.seen == nil {
		return
	}
	// Servers may file a request a moment after the client is done with it.
	seen := srv.seen(t)
	for deadline := time.Now().Add(2 * time.Second); seen < int64(len(recs)) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		seen = srv.seen(t)
	}
	if seen != int64(len(recs)) {
		t.Errorf("the server saw %d requests, we recorded %d (%d cancelled)", seen, len(recs), cancelled)
	}
}

// checkErrorGroups: the failures fall into one group whose text names
// the fault, with one occurrence per failed request.
func checkErrorGroups(t *testing.T, tc faultCase, snap *stats.Snapshot, recs []record.Record) {
	t.Helper()
	failed := 0
	for _, r := range recs {
		if r.Failed() && !r.Cancelled {
			failed++
		}
	}
	if tc.hang {
		if snap.Cancelled != int64(len(recs)) || snap.Total.NumRequests != 0 || len(snap.Errors) != 0 {
			t.Errorf("stats: %d cancelled, %d requests, %d error groups; want %d, 0, 0",
				snap.Cancelled, snap.Total.NumRequests, len(snap.Errors), len(recs))
		}
		return
	}
	if snap.Total.NumRequests != int64(len(recs)) || snap.Total.NumFailures != int64(failed) {
		t.Errorf("stats count %d requests, %d failures; records %d, %d", snap.Total.NumRequests, snap.Total.NumFailures, len(recs), failed)
	}
	if tc.want == "" {
		if failed != 0 || len(snap.Errors) != 0 {
			t.Errorf("%d failures in %d groups, want none: %v", failed, len(snap.Errors), errorTexts(snap))
		}
		return
	}
	if failed != len(recs) {
		t.Errorf("%d of %d requests failed, want all", failed, len(recs))
	}
	if len(snap.Errors) != 1 {
		t.Fatalf("%d error groups, want 1: %v", len(snap.Errors), errorTexts(snap))
	}
	g := snap.Errors[0]
	if !strings.Contains(g.Error, tc.want) || g.Occurrences != int64(failed) {
		t.Errorf("error group %q × %d, want %q × %d", g.Error, g.Occurrences, tc.want, failed)
	}
}

func errorTexts(snap *stats.Snapshot) []string {
	var out []string
	for _, e := range snap.Errors {
		out = append(out, fmt.Sprintf("%q × %d", e.Error, e.Occurrences))
	}
	return out
}

// checkPartial: a fault after tokens leaves them counted.
func checkPartial(t *testing.T, tc faultCase, recs []record.Record) {
	t.Helper()
	if !tc.partial {
		return
	}
	for _, r := range recs {
		if l := r.LLM; l.OutputTokens == 0 || len(l.Chunks) == 0 || l.TTFT == 0 {
			t.Errorf("the tokens before the fault were lost: error %q, %d tokens, %d chunks", r.Error, l.OutputTokens, len(l.Chunks))
			return
		}
	}
}

// checkGoroutines waits for the goroutines to fall back to their number
// before the run, and lists the newcomers if they do not.
func checkGoroutines(t *testing.T, before []string) {
	t.Helper()
	var now []string
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		now = liveGoroutines()
		if len(now) <= len(before) || time.Now().After(deadline) {
			break
		}
	}
	if len(now) > len(before) {
		t.Errorf("%d goroutines before the run, %d after it:\n%s", len(before), len(now), strings.Join(newcomers(before, now), "\n\n"))
	}
}

// fasthttpHousekeepers are goroutines of fasthttp that are not ours to
// wait for: the cleaners it starts per client to close idle connections,
// which outlive a closed client by up to its idle period and then
// return, and the cleaner of its process-wide DNS cache, which the first
// dial starts and which lives as long as the process.
var fasthttpHousekeepers = []string{
	"fasthttp.(*HostClient).connsCleaner",
	"fasthttp.(*Client).mCleaner",
	"fasthttp.(*TCPDialer).tcpAddrsClean",
}

// liveGoroutines returns the stack of every goroutine but the caller's
// and fasthttp's housekeepers.
func liveGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 || slices.ContainsFunc(fasthttpHousekeepers, func(f string) bool { return strings.Contains(g, f) }) {
			continue
		}
		out = append(out, g)
	}
	return out
}

// newcomers lists the goroutines of now that more goroutines started
// by the same function than before account for.
func newcomers(before, now []string) []string {
	left := map[string]int{}
	for _, g := range before {
		left[origin(g)]++
	}
	var out []string
	for _, g := range now {
		if left[origin(g)] > 0 {
			left[origin(g)]--
			continue
		}
		out = append(out, g)
	}
	return out
}

// origin is the "created by" line of a goroutine's stack, without the
// creator's goroutine number.
func origin(g string) string {
	i := strings.LastIndex(g, "\ncreated by ")
	if i < 0 {
		return g
	}
	s, _, _ := strings.Cut(g[i+1:], " in goroutine")
	return s
}
