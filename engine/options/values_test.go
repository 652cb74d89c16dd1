package options

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestValuesSet(t *testing.T) {
	tests := []struct {
		name    string
		option  string
		value   any
		want    any
		wantErr string
	}{
		{name: "typed int", option: "users", value: 5, want: 5},
		{name: "int from text", option: "users", value: "7", want: 7},
		{name: "float from int", option: "spawn-rate", value: 2, want: 2.0},
		{name: "float from text", option: "spawn-rate", value: "0.5", want: 0.5},
		{name: "duration from text", option: "run-time", value: "1m", want: time.Minute},
		{name: "typed duration", option: "run-time", value: 3 * time.Second, want: 3 * time.Second},
		{name: "list from text", option: "tags", value: "a, b", want: []string{"a", "b"}},
		{name: "typed list", option: "tags", value: []string{"a,b", "c"}, want: []string{"a", "b", "c"}},
		{name: "bool from text", option: "headless", value: "on", want: true},
		{name: "choice spelling", option: "loglevel", value: "debug", want: "DEBUG"},
		{name: "bad text", option: "users", value: "x", wantErr: "argument -u/--users: invalid int value: 'x'"},
		{name: "wrong type", option: "users", value: 1.5, wantErr: "argument -u/--users: a float64 cannot hold a value of kind int"},
		{name: "check applies", option: "spawn-rate", value: 0.0, wantErr: "argument -r/--spawn-rate: must be > 0"},
		{name: "bad choice", option: "loglevel", value: "loud", wantErr: "invalid choice: 'loud'"},
		{name: "unknown option", option: "nope", value: 1, wantErr: "unknown option --nope"},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(nil, nil))
			if err != nil {
				t.Fatal(err)
			}
			err = v.Set(tc.option, tc.value)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("Set error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			if got := get(v, tc.option); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("after Set, %s = %#v, want %#v", tc.option, got, tc.want)
			}
			if v.Source(tc.option) != Assigned {
				t.Errorf("source = %v, want assigned", v.Source(tc.option))
			}
		})
	}
}

func TestLookupNeverPanics(t *testing.T) {
	v, err := newTestSet(t, scenarioOptions()...).Parse(input(nil, nil, "--max-tokens", "9"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		lookup func() (any, bool)
		want   any
		wantOK bool
	}{
		{"scenario option by flag name", func() (any, bool) { return v.Lookup("max-tokens") }, 9, true},
		{"scenario option by its own name", func() (any, bool) { return v.Scenario("max_tokens") }, 9, true},
		{"built-in option", func() (any, bool) { return v.Lookup("host") }, "", true},
		{"unknown", func() (any, bool) { return v.Lookup("nope") }, nil, false},
		{"unknown scenario name", func() (any, bool) { return v.Scenario("no_such") }, nil, false},
		{"empty name", func() (any, bool) { return v.Lookup("") }, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.lookup()
			if ok != tc.wantOK || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, %v; want %#v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestListsAreCopies(t *testing.T) {
	v, err := newTestSet(t).Parse(input(nil, nil, "ChatUser", "-T", "a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	v.Run().Tags[0] = "changed"
	get(v, "tags").([]string)[1] = "changed"
	v.Positional()[0] = "changed"
	if got := v.Run().Tags; !reflect.DeepEqual(got, []string{"a", "b"}) || v.Positional()[0] != "ChatUser" {
		t.Errorf("tags = %q after the caller changed its copies", got)
	}
}

func TestNamesFollowTheSet(t *testing.T) {
	s := newTestSet(t, scenarioOptions()...)
	v, err := s.Parse(input(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	names := v.Names()
	if len(names) != len(s.Options()) || names[0] != "help" || names[len(names)-1] != "api-key" {
		t.Errorf("Names() = %q, want every option in set order", names)
	}
	if _, ok := v.Lookup("nope"); ok || v.Has("nope") || v.Source("nope") != Default || v.Origin("nope") != "" {
		t.Errorf("an unknown name must read as absent")
	}
}

const secret = "sk-live-0123456789"

func TestSecretsNeverShown(t *testing.T) {
	opts := append(scenarioOptions(),
		Option{Name: "region", Secret: true, Choices: []string{"eu", "us"}, Default: "eu"},
		Option{Name: "pin", Kind: Int, Secret: true},
		Option{Name: "token", Secret: true, Default: secret},
	)
	s := newTestSet(t, opts...)
	v, err := s.Parse(input(env{"OPENAI_API_KEY": secret}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if get(v, "api-key") != secret {
		t.Fatalf("Lookup must return the real secret")
	}
	var usage strings.Builder
	s.Usage(&usage, "llmlocust")

	shown := map[string]string{
		"Usage":      usage.String(),
		"Redacted":   fmt.Sprint(v.Redacted()),
		"%v":         fmt.Sprintf("%v", v),
		"%+v":        fmt.Sprintf("%+v", v),
		"%#v":        fmt.Sprintf("%#v", v),
		"%s":         fmt.Sprintf("%s", v),
		"Set error":  errText(v.Set("region", secret)),
		"int error":  errText(v.Set("pin", secret)),
		"env error":  errText(parseErr(s, env{"LOCUST_REGION": secret})),
		"flag error": errText(parseErr(s, nil, "--region", secret)),
		"file error": errText(parseErr(s, nil, "--config", "c.conf")),
		"unknown":    errText(parseErr(s, nil, "--api-keyy="+secret)),
	}
	for where, text := range shown {
		if strings.Contains(text, secret) {
			t.Errorf("%s shows the secret: %s", where, text)
		}
	}
	for _, where := range []string{"Set error", "int error", "env error", "flag error"} {
		if !strings.Contains(shown[where], "secret value not shown") {
			t.Errorf("%s = %q, want it to say the value is hidden", where, shown[where])
		}
	}
	if got := v.Redacted()["api-key"]; got != Mask {
		t.Errorf("Redacted api-key = %v, want %q", got, Mask)
	}
	if got := v.Redacted()["web-auth"]; got != "" {
		t.Errorf("Redacted unset secret = %v, want empty", got)
	}
	if !strings.Contains(usage.String(), "(secret; env: LOCUST_API_KEY, OPENAI_API_KEY)") {
		t.Errorf("Usage does not mark the secret option")
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// parseErr parses with a config file c.conf that sets the secret region
// to the secret, and returns the error.
func parseErr(s *Set, e env, args ...string) error {
	_, err := s.Parse(input(e, files{testDir + "/c.conf": "region = " + secret}, args...))
	return err
}

func TestFormatShowsValues(t *testing.T) {
	s, err := NewSet(Option{Name: "users", Kind: Int, Default: 3}, Option{Name: "host"}, Option{Name: "key", Secret: true})
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Parse(input(nil, nil, "--host", "http://h", "--key", "k"))
	if err != nil {
		t.Fatal(err)
	}
	want := `users=3 host="http://h" key="******"`
	if got := fmt.Sprint(v); got != want {
		t.Errorf("Sprint = %s, want %s", got, want)
	}
}

func TestConcurrentSetAndGet(t *testing.T) {
	v, err := newTestSet(t).Parse(input(nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 200 {
				if i%2 == 0 {
					_ = v.Set("users", j)
					continue
				}
				_ = v.Run().Users
				_ = v.Redacted()
				_ = fmt.Sprint(v)
			}
		})
	}
	wg.Wait()
	if v.Run().Users != 199 {
		t.Errorf("users = %d, want the last value set, 199", v.Run().Users)
	}
}
