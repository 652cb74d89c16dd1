package webui

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// Without a sweep, GET /llm/sweep has every key, with no mode and no
// steps; the page says the same.
func TestSweepRouteWithoutASweep(t *testing.T) {
	f := setup(t, nil)
	got := f.get(t, "/llm/sweep").json(t)
	want := map[string]any{"mode": nil, "step_time_s": nil, "steps": []any{}, "running": false, "current": nil}
	if len(got) != len(want) {
		t.Errorf("keys %v, want %v", keysOf(got), keysOf(want))
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || !sameJSON(g, v) {
			t.Errorf("%s is %v, want %v", k, g, v)
		}
	}
	page := f.get(t, "/").body
	if steps := at(t, pageArgs(t, page), "sweep", "steps"); len(steps.([]any)) != 0 {
		t.Errorf("the page's sweep has steps %v", steps)
	}
}

func sameJSON(a, b any) bool {
	if la, ok := a.([]any); ok {
		lb, ok := b.([]any)
		return ok && len(la) == len(lb)
	}
	return a == b
}

// A form with a sweep starts one: the route shows the step under way,
// then every step; the report carries them too.
func TestSwarmStartsASweep(t *testing.T) {
	f := setup(t, nil)
	res := f.startTest(t, url.Values{"user_count": {"2"}, "spawn_rate": {"2"}, "host": {"mock"},
		"sweep": {"users=1,2"}, "step_time": {"1"}, "run_time": {"10m"}})
	if msg := res["message"].(string); !strings.Contains(msg, "users=1,2") || !strings.Contains(msg, "1s") {
		t.Errorf("message %q does not name the sweep", msg)
	}
	if _, ok := res["run_time"]; ok {
		t.Errorf("answer %v has a run time: the steps set the test's length", res)
	}
	live := f.get(t, "/llm/sweep").json(t)
	if live["mode"] != "users" || live["step_time_s"] != 1.0 || live["running"] != true {
		t.Fatalf("during the sweep: %v", live)
	}
	if cur := at(t, live, "current"); num(t, cur, "index") != 0 || num(t, cur, "value") != 1 || num(t, cur, "started_s") != 0 {
		t.Errorf("current step %v", cur)
	}
	edit := f.do(t, "POST", "/swarm", url.Values{"user_count": {"5"}, "spawn_rate": {"5"}}).json(t)
	if edit["success"] != false || !strings.Contains(edit["message"].(string), "a sweep controls the running test") {
		t.Errorf("an edit during the sweep: %v", edit)
	}
	waitFor(t, "the sweep to stop the test", 20*time.Second, func() bool { return f.stats(t)["state"] == "stopped" })
	done := f.get(t, "/llm/sweep").json(t)
	if done["running"] != false || done["current"] != nil {
		t.Errorf("after the sweep: %v", done)
	}
	steps := at(t, done, "steps").([]any)
	if len(steps) != 2 || num(t, steps[1], "users") != 2 || at(t, steps[1], "rate") != nil {
		t.Fatalf("steps %v", steps)
	}
	for _, k := range []string{"value", "users", "rate", "start_s", "duration_s", "requests", "failures", "rps",
		"output_tokens_per_s", "ttft_ms", "tpot_ms", "itl_ms", "e2e_ms", "lag_ms", "goodput"} {
		at(t, steps[0], k)
	}
	page, err := f.srv.Report("")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(at(t, pageArgs(t, page), "sweep", "steps").([]any)); n != 2 {
		t.Errorf("the report has %d sweep steps, want 2", n)
	}
}

// Bad sweeps and step times answer Locust's refusal, naming the value,
// and start nothing.
func TestSwarmSweepRefusals(t *testing.T) {
	f := setup(t, nil)
	cases := []struct {
		name     string
		sweep    string
		stepTime string
		message  string
	}{
		{"not a sweep", "lots", "", `invalid sweep: "lots" is not users=… or rate=…`},
		{"bad rate", "rate=1,x", "", `"x" is not a number of requests per second`},
		{"auto users", "users=auto", "", "only the rate has an automatic sweep"},
		{"bad step time", "rate=1", "soon", "invalid step_time"},
		{"short step time", "rate=1", "0", "invalid step_time: step time 0s is below 1s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"user_count": {"2"}, "spawn_rate": {"2"}, "host": {"mock"}, "sweep": {tc.sweep}}
			if tc.stepTime != "" {
				form.Set("step_time", tc.stepTime)
			}
			m := f.do(t, "POST", "/swarm", form).json(t)
			if m["success"] != false || !strings.Contains(m["message"].(string), tc.message) {
				t.Errorf("answer %v, want a refusal saying %q", m, tc.message)
			}
			if st := f.stats(t)["state"]; st != "ready" {
				t.Errorf("state %v after a refusal", st)
			}
		})
	}
}

// The form offers a sweep among its options, prefilled from the command
// line, with a step time that the default fills when none was given.
func TestFormOffersASweep(t *testing.T) {
	cases := []struct {
		name      string
		edit      func(*Config)
		wantSweep string
		wantStep  string
	}{
		{"nothing given", nil, "", "60s"},
		{"given on the command line", func(c *Config) { c.Sweep, c.StepTime = "rate=1,2", 90*time.Second }, "rate=1,2", "90s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := pageArgs(t, setup(t, tc.edit).get(t, "/").body)
			if got := at(t, args, "extra_options", "sweep", "default_value"); got != tc.wantSweep {
				t.Errorf("sweep field %q, want %q", got, tc.wantSweep)
			}
			if got := at(t, args, "extra_options", "step_time", "default_value"); got != tc.wantStep {
				t.Errorf("step_time field %q, want %q", got, tc.wantStep)
			}
			if h, _ := at(t, args, "extra_options", "sweep", "help_text").(string); !strings.Contains(h, "users=1,2,4,8") {
				t.Errorf("sweep help %q", h)
			}
		})
	}
}
