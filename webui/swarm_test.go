package webui

import (
	"net/url"
	"strings"
	"testing"
)

// TestSwarmRefusals posts forms that must not start a test: each answers
// success false with status 200, as Locust does, and leaves the options
// as they were.
func TestSwarmRefusals(t *testing.T) {
	f := setup(t, nil)
	ok := url.Values{"user_count": {"2"}, "spawn_rate": {"2"}, "host": {"mock"}}
	with := func(changes url.Values) url.Values {
		form := url.Values{}
		for k, v := range ok {
			form[k] = v
		}
		for k, v := range changes {
			if v == nil {
				delete(form, k)
				continue
			}
			form[k] = v
		}
		return form
	}
	cases := []struct {
		name    string
		form    url.Values
		message string
	}{
		{"no user count", with(url.Values{"user_count": nil}), "Missing user_count or spawn_rate from /swarm request"},
		{"no spawn rate", with(url.Values{"spawn_rate": nil}), "Missing user_count or spawn_rate from /swarm request"},
		{"zero spawn rate", with(url.Values{"spawn_rate": {"0"}}), "Missing user_count or spawn_rate from /swarm request"},
		{"user count not a number", with(url.Values{"user_count": {"many"}}), "invalid user_count"},
		{"negative spawn rate", with(url.Values{"spawn_rate": {"-1"}}), "invalid spawn_rate"},
		{"bad run time", with(url.Values{"run_time": {"soon"}}), "Valid run_time formats are"},
		{"int option not a number", with(url.Values{"max_tokens": {"lots"}}), "--max-tokens"},
		{"float option not a number", with(url.Values{"temperature": {"warm"}}), "--temperature"},
		{"bool option not a bool", with(url.Values{"verbose": {"maybe"}}), "--verbose"},
		{"not one of the choices", with(url.Values{"api": {"grpc"}}), "invalid choice"},
		// The good option must not stay set when another one fails.
		{"one good option, one bad", with(url.Values{"max_tokens": {"9"}, "temperature": {"warm"}}), "--temperature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "POST", "/swarm", tc.form)
			if r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
			m := r.json(t)
			if m["success"] != false || !strings.Contains(m["message"].(string), tc.message) {
				t.Errorf("answer %v, want a refusal saying %q", m, tc.message)
			}
			if _, ok := m["host"]; !ok {
				t.Error("no host in the answer")
			}
			if st := f.stats(t)["state"]; st != "ready" {
				t.Errorf("state %v after a refused form", st)
			}
			for flag, want := range map[string]any{"max-tokens": 6, "temperature": 0.5, "verbose": false, "api": "openai-chat"} {
				if got := f.option(flag); got != want {
					t.Errorf("%s = %v after a refused form, want %v", flag, got, want)
				}
			}
		})
	}
}

// TestSwarmAccepts starts tests from forms as locust-ui sends them.
func TestSwarmAccepts(t *testing.T) {
	f := setup(t, nil)
	r := f.startTest(t, url.Values{
		"user_count": {"1"}, "spawn_rate": {"5"}, "host": {"<mock>"}, "run_time": {"1h2m3s"},
		"max_tokens": {"3"}, "temperature": {"0.25"}, "verbose": {"true"}, "api": {"OPENAI-CHAT"},
		// The form never receives the secret, so it sends it back empty.
		"api_key": {""},
		// Fields that are not the scenario's options are not options.
		"csv": {"elsewhere/run"}, "locustfile": {"other.lua"},
	})
	if r["host"] != "mock" || r["run_time"] != float64(3723) {
		t.Errorf("answer %v", r)
	}
	for flag, want := range map[string]any{
		"max-tokens": 3, "temperature": 0.25, "verbose": true, "api": "openai-chat",
		"api-key": testSecret, "csv": "", "locustfile": testScenario,
	} {
		if got := f.option(flag); got != want {
			t.Errorf("%s = %v, want %v", flag, got, want)
		}
	}
	if h := f.sess.Host(); h != "mock" {
		t.Errorf("session host %q", h)
	}
	f.stopTest(t)
	// A new test after a stopped one, with a secret given in the form.
	f.startTest(t, url.Values{"user_count": {"1"}, "spawn_rate": {"5"}, "api_key": {"sk-typed-in-the-form"}})
	if got := f.option("api-key"); got != "sk-typed-in-the-form" {
		t.Errorf("api-key = %v", got)
	}
	if h := f.sess.Host(); h != "mock" {
		t.Errorf("a form without a host should keep the last one, got %q", h)
	}
	f.stopTest(t)
}
