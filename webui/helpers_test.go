package webui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/engine/run"
	"github.com/llmlocust/llmlocust/script"
)

const testScenario = "testdata/web.lua"

// testSecret is the API key the tests give; no response may contain it.
const testSecret = "sk-test-WEBUI-4f1e9a7c2b"

// fixture is a server over a real session of the test scenario, aimed at
// the simulator.
type fixture struct {
	srv  *Server
	sess *run.Session
	vals *options.Values
	logs *logRing
}

// logRing stands in for the program's log: its lines are what /logs shows.
type logRing struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRing) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
}

func (l *logRing) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// setup builds the fixture; edit may change the server's config.
func setup(t *testing.T, edit func(*Config)) *fixture {
	t.Helper()
	return setupSession(t, nil, edit)
}

// setupSession is setup that may change the session's config too.
func setupSession(t *testing.T, editSession func(*run.Config), edit func(*Config)) *fixture {
	t.Helper()
	return setupHost(t, "mock", editSession, edit)
}

// setupHost is setupSession with host as the operator's -H.
func setupHost(t *testing.T, host string, editSession func(*run.Config), edit func(*Config)) *fixture {
	t.Helper()
	plan, err := script.Load(testScenario)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(plan.Close)
	vals := parseValues(t, plan, "-f", testScenario, "-H", host, "-u", "3", "-r", "3", "-t", "10m", "--api-key", testSecret)
	logs := &logRing{}
	sessCfg := run.Config{
		Plan:    plan,
		Options: vals.Scenario,
		Host:    vals.Run().Host,
		Logf: func(level, name, format string, args ...any) {
			logs.add(level + " " + name + ": " + fmt.Sprintf(format, args...))
		},
	}
	if editSession != nil {
		editSession(&sessCfg)
	}
	sess, err := run.New(sessCfg)
	if err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile("testdata/index.html")
	if err != nil {
		t.Fatal(err)
	}
	opts := vals.Run()
	cfg := Config{
		Session: sess, Plan: plan, Options: vals, Scenario: testScenario, Version: "1.2.3-test",
		Logs: logs.get, Index: index, Users: opts.Users, SpawnRate: opts.SpawnRate, RunTime: opts.RunTime,
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if _, err := sess.Close(); err != nil {
			t.Errorf("closing the session: %v", err)
		}
	})
	return &fixture{srv: srv, sess: sess, vals: vals, logs: logs}
}

// option is an option's value by its flag name, nil when there is none.
func (f *fixture) option(name string) any {
	v, _ := f.vals.Lookup(name)
	return v
}

// parseValues parses a command line with the scenario's options declared,
// as the program does.
func parseValues(t *testing.T, plan *script.Plan, args ...string) *options.Values {
	t.Helper()
	set, err := options.NewSet(options.Locust()...)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[script.OptionKind]options.Kind{
		script.KindString: options.String, script.KindInt: options.Int,
		script.KindFloat: options.Float, script.KindBool: options.Bool,
	}
	for _, o := range plan.Options {
		err := set.Add(options.Option{
			Name: options.FlagName(o.Name), Kind: kinds[o.Kind], Default: o.Default, Help: o.Help,
			Env: o.Env, Secret: o.Secret, Choices: o.Choices,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	vals, err := set.Parse(options.Input{Args: args})
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

// response is what a route answered.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// do sends a request to the app; form, when set, is posted urlencoded;
// header holds name, value pairs.
func (f *fixture) do(t *testing.T, method, path string, form url.Values, header ...string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	// As a browser on this machine would; a loopback listener refuses
	// other names.
	req.Host = "localhost:8089"
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := f.srv.App().Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (f *fixture) get(t *testing.T, path string, header ...string) response {
	t.Helper()
	return f.do(t, "GET", path, nil, header...)
}

// stats is GET /stats/requests decoded.
func (f *fixture) stats(t *testing.T) map[string]any {
	t.Helper()
	return f.get(t, "/stats/requests").json(t)
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pageArgs decodes the templateArgs inlined into a page.
func pageArgs(t *testing.T, page []byte) map[string]any {
	t.Helper()
	const marker = "window.templateArgs = "
	i := bytes.Index(page, []byte(marker))
	if i < 0 {
		t.Fatalf("no templateArgs in the page:\n%s", page)
	}
	var args map[string]any
	if err := json.NewDecoder(bytes.NewReader(page[i+len(marker):])).Decode(&args); err != nil {
		t.Fatalf("templateArgs are not JSON: %v", err)
	}
	return args
}

// at reads a value from decoded JSON by keys and indexes ("stats", -1,
// "name"); a negative index counts from the end.
func at(t *testing.T, v any, keys ...any) any {
	t.Helper()
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("looking up %q in %T", k, v)
			}
			if v, ok = m[k]; !ok {
				t.Fatalf("no key %q in %v", k, keysOf(m))
			}
		case int:
			l, ok := v.([]any)
			if !ok || len(l) == 0 {
				t.Fatalf("indexing %d into %T of length %d", k, v, len(l))
			}
			if k < 0 {
				k += len(l)
			}
			v = l[k]
		}
	}
	return v
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func num(t *testing.T, v any, keys ...any) float64 {
	t.Helper()
	x, ok := at(t, v, keys...).(float64)
	if !ok {
		t.Fatalf("%v is not a number", keys)
	}
	return x
}

// startTest posts the start form and fails unless the test started.
func (f *fixture) startTest(t *testing.T, form url.Values) map[string]any {
	t.Helper()
	res := f.do(t, "POST", "/swarm", form).json(t)
	if res["success"] != true {
		t.Fatalf("POST /swarm: %v", res)
	}
	return res
}

// stopTest stops the test and waits until its users have stopped.
func (f *fixture) stopTest(t *testing.T) {
	t.Helper()
	f.get(t, "/stop")
	waitFor(t, "the test to stop", 20*time.Second, func() bool {
		return f.stats(t)["state"] == "stopped"
	})
}
