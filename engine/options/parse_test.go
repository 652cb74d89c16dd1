package options

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Fake home and project directories: inputs handed to Parse, never touched
// on disk.
const (
	testHome = "/home/alice"
	testDir  = "/srv/project"
)

// env is an environment handed to Parse through Input.Getenv.
type env map[string]string

func (e env) get(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// files is a file system handed to Parse through Input.ReadFile.
type files map[string]string

func (f files) read(path string) ([]byte, error) {
	if s, ok := f[path]; ok {
		return []byte(s), nil
	}
	return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
}

func input(e env, f files, args ...string) Input {
	return Input{Args: args, Getenv: e.get, ReadFile: f.read, Home: testHome, Dir: testDir}
}

// scenarioOptions stand for what a scenario declares at run time.
func scenarioOptions() []Option {
	return []Option{
		{Name: "model", Kind: String, Default: "mock-model", Help: "Model name sent in every request."},
		{Name: "max-tokens", Kind: Int, Default: 128, Help: "Upper bound on generated tokens."},
		{Name: "api-key", Kind: String, Secret: true, Env: "OPENAI_API_KEY", Help: "Key for the provider's API."},
	}
}

func newTestSet(t *testing.T, extra ...Option) *Set {
	t.Helper()
	s, err := NewSet(append(Locust(), extra...)...)
	if err != nil {
		t.Fatalf("NewSet: %v", err)
	}
	return s
}

// get is Lookup's value alone: nil for an unknown name.
func get(v *Values, name string) any {
	x, _ := v.Lookup(name)
	return x
}

// checkValues compares the named values only.
func checkValues(t *testing.T, v *Values, want map[string]any) {
	t.Helper()
	for name, w := range want {
		if got := get(v, name); !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", name, got, w)
		}
	}
}

func TestCommandLineSyntax(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    map[string]any
		wantPos []string
	}{
		{"long with space", []string{"--users", "10"}, map[string]any{"users": 10}, nil},
		{"long with equals", []string{"--users=10"}, map[string]any{"users": 10}, nil},
		{"short with space", []string{"-u", "10"}, map[string]any{"users": 10}, nil},
		{"short attached", []string{"-u10"}, map[string]any{"users": 10}, nil},
		{"short with equals", []string{"-u=10"}, map[string]any{"users": 10}, nil},
		{"bool flag", []string{"--headless"}, map[string]any{"headless": true}, nil},
		{"bool explicit false", []string{"--headless=false"}, map[string]any{"headless": false}, nil},
		{"bool explicit yes", []string{"--headless=yes"}, map[string]any{"headless": true}, nil},
		{"short bools combined", []string{"-lV"}, map[string]any{"list": true, "version": true}, nil},
		{"short bool then short with value", []string{"-lu7"}, map[string]any{"list": true, "users": 7}, nil},
		{"negative number is a value", []string{"--autoquit", "-1"}, map[string]any{"autoquit": -1}, nil},
		{"negative number attached", []string{"--autoquit=-30"}, map[string]any{"autoquit": -30}, nil},
		{"last one wins", []string{"-u", "1", "--users", "2"}, map[string]any{"users": 2}, nil},
		{"float", []string{"-r", "2.5"}, map[string]any{"spawn-rate": 2.5}, nil},
		{"run time with units", []string{"-t", "1h30m"}, map[string]any{"run-time": 90 * time.Minute}, nil},
		{"run time in bare seconds", []string{"-t", "20"}, map[string]any{"run-time": 20 * time.Second}, nil},
		{"stop timeout fraction", []string{"-s", "0.5"}, map[string]any{"stop-timeout": 500 * time.Millisecond}, nil},
		{"value keeps later equals signs", []string{"--host=http://h/?a=b"}, map[string]any{"host": "http://h/?a=b"}, nil},
		{"lone dash is a value", []string{"-H", "-"}, map[string]any{"host": "-"}, nil},
		{"choice matched without case", []string{"-L", "debug"}, map[string]any{"loglevel": "DEBUG"}, nil},
		{"help", []string{"-h"}, map[string]any{"help": true}, nil},
		{"version long", []string{"--version"}, map[string]any{"version": true}, nil},
		{"double dash ends options", []string{"-u", "3", "--", "-u", "5"}, map[string]any{"users": 3}, []string{"-u", "5"}},
		{"positional between options", []string{"ChatUser", "-u", "2", "CompletionUser"}, map[string]any{"users": 2}, []string{"ChatUser", "CompletionUser"}},
		{"nothing given", nil, map[string]any{"users": 1, "spawn-rate": 1.0, "web-host": "127.0.0.1", "loglevel": "INFO", "locustfile": "locustfile.lua", "tags": []string(nil)}, nil},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(nil, nil, tc.args...))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.args, err)
			}
			checkValues(t, v, tc.want)
			if got := v.Positional(); !reflect.DeepEqual(got, tc.wantPos) {
				t.Errorf("Positional() = %q, want %q", got, tc.wantPos)
			}
		})
	}
}

func TestListArguments(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      env
		files    files
		wantTags []string
		wantPos  []string
	}{
		{name: "words after the flag", args: []string{"-T", "a", "b", "c"}, wantTags: []string{"a", "b", "c"}},
		{name: "commas", args: []string{"-T", "a,b"}, wantTags: []string{"a", "b"}},
		{name: "repeated flag adds up", args: []string{"-T", "a", "-T", "b"}, wantTags: []string{"a", "b"}},
		{name: "stops at the next option", args: []string{"-T", "a", "b", "-u", "3", "ChatUser"}, wantTags: []string{"a", "b"}, wantPos: []string{"ChatUser"}},
		{name: "takes trailing words like argparse", args: []string{"-T", "a", "ChatUser"}, wantTags: []string{"a", "ChatUser"}},
		{name: "no words gives an empty list", args: []string{"-T", "--headless"}, wantTags: []string{}},
		{name: "equals takes one word", args: []string{"--tags=a,b", "c"}, wantTags: []string{"a", "b"}, wantPos: []string{"c"}},
		{name: "double dash ends the list", args: []string{"-T", "a", "--", "ChatUser"}, wantTags: []string{"a"}, wantPos: []string{"ChatUser"}},
		{name: "env brackets", env: env{"LOCUST_TAGS": "[a, b]"}, wantTags: []string{"a", "b"}},
		{name: "env commas", env: env{"LOCUST_TAGS": "a,b"}, wantTags: []string{"a", "b"}},
		{name: "empty env is unset", env: env{"LOCUST_TAGS": ""}, files: files{testDir + "/locust.conf": "tags = [x]"}, wantTags: []string{"x"}},
		{name: "file brackets", files: files{testDir + "/locust.conf": "tags = [a, b]"}, wantTags: []string{"a", "b"}},
		{name: "file JSON list", files: files{testDir + "/locust.conf": `tags = ["a", "b"]`}, wantTags: []string{"a", "b"}},
		{name: "file commas", files: files{testDir + "/locust.conf": "tags = a, b"}, wantTags: []string{"a", "b"}},
		{name: "command line replaces env", args: []string{"-T", "c"}, env: env{"LOCUST_TAGS": "a,b"}, wantTags: []string{"c"}},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(tc.env, tc.files, tc.args...))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := v.Run().Tags; !reflect.DeepEqual(got, tc.wantTags) && len(got)+len(tc.wantTags) > 0 {
				t.Errorf("tags = %q, want %q", got, tc.wantTags)
			}
			if tc.wantTags != nil && v.Source("tags") == Default {
				t.Errorf("tags source is default, want a given source")
			}
			if got := v.Positional(); !reflect.DeepEqual(got, tc.wantPos) {
				t.Errorf("Positional() = %q, want %q", got, tc.wantPos)
			}
		})
	}
}

func TestUserClassesFromEnv(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  env
		want []string
	}{
		{"env when none given", nil, env{"LOCUST_USER_CLASSES": "ChatUser  Other"}, []string{"ChatUser", "Other"}},
		{"command line wins", []string{"Mine"}, env{"LOCUST_USER_CLASSES": "ChatUser"}, []string{"Mine"}},
		{"neither", nil, nil, nil},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(tc.env, nil, tc.args...))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := v.Positional(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Positional() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPrecedence(t *testing.T) {
	// Every source sets --users to its own number; each case removes the
	// stronger ones, so the strongest that is left must win.
	all := files{
		testHome + "/.locust.conf":  "users = 2\n",
		testDir + "/locust.conf":    "users = 3\n",
		testDir + "/pyproject.toml": "[tool.locust]\nusers = 4\n",
		testDir + "/extra.conf":     "\nusers = 5\n",
	}
	without := func(keys ...string) files {
		f := files{}
		for k, v := range all {
			f[k] = v
		}
		for _, k := range keys {
			delete(f, k)
		}
		return f
	}
	tests := []struct {
		name       string
		args       []string
		env        env
		files      files
		want       int
		wantSource Source
		wantOrigin string
	}{
		{"default", nil, nil, nil, 1, Default, ""},
		{"home file", nil, nil, without(testDir+"/locust.conf", testDir+"/pyproject.toml"), 2, ConfigFile, "~/.locust.conf:1"},
		{"locust.conf over home", nil, nil, without(testDir + "/pyproject.toml"), 3, ConfigFile, "locust.conf:1"},
		{"pyproject over locust.conf", nil, nil, all, 4, ConfigFile, "pyproject.toml:2"},
		{"--config over pyproject", []string{"--config", "extra.conf"}, nil, all, 5, ConfigFile, "extra.conf:2"},
		{"env over files", []string{"--config", "extra.conf"}, env{"LOCUST_USERS": "6"}, all, 6, Env, "environment variable LOCUST_USERS"},
		{"command line over env", []string{"--config", "extra.conf", "-u", "7"}, env{"LOCUST_USERS": "6"}, all, 7, CommandLine, "command line"},
		{"overridden bad value is no error", []string{"-u", "7"}, nil, files{testDir + "/locust.conf": "users = many"}, 7, CommandLine, "command line"},
		{"config path from home", []string{"--config", "~/my.conf"}, nil, files{testHome + "/my.conf": "users = 8"}, 8, ConfigFile, "~/my.conf:1"},
		{"absolute config path", []string{"--config=/etc/llm.conf"}, nil, files{"/etc/llm.conf": "users = 9"}, 9, ConfigFile, "/etc/llm.conf:1"},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(tc.env, tc.files, tc.args...))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := v.Run().Users; got != tc.want {
				t.Errorf("users = %d, want %d", got, tc.want)
			}
			if got := v.Source("users"); got != tc.wantSource {
				t.Errorf("Source = %v, want %v", got, tc.wantSource)
			}
			if got := v.Origin("users"); got != tc.wantOrigin {
				t.Errorf("Origin = %q, want %q", got, tc.wantOrigin)
			}
		})
	}
}

func TestEnvPrecedence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  env
		want string
	}{
		{"extra variable alone", nil, env{"OPENAI_API_KEY": "from-openai"}, "from-openai"},
		{"LOCUST_ variable wins over the extra one", nil, env{"OPENAI_API_KEY": "from-openai", "LOCUST_API_KEY": "from-locust"}, "from-locust"},
		{"command line wins over both", []string{"--api-key", "from-flag"}, env{"OPENAI_API_KEY": "a", "LOCUST_API_KEY": "b"}, "from-flag"},
	}
	s := newTestSet(t, scenarioOptions()...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(tc.env, nil, tc.args...))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := get(v, "api-key"); got != tc.want {
				t.Errorf("api-key = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLocustEnvAliases(t *testing.T) {
	tests := []struct {
		name   string
		env    env
		option string
		want   any
	}{
		{"master", env{"LOCUST_MODE_MASTER": "true"}, "master", true},
		{"worker", env{"LOCUST_MODE_WORKER": "1"}, "worker", true},
		{"master host", env{"LOCUST_MASTER_NODE_HOST": "10.0.0.5"}, "master-host", "10.0.0.5"},
		{"master port", env{"LOCUST_MASTER_NODE_PORT": "6000"}, "master-port", 6000},
		{"derived name wins over the alias", env{"LOCUST_MASTER_PORT": "7000", "LOCUST_MASTER_NODE_PORT": "6000"}, "master-port", 7000},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(tc.env, nil))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkValues(t, v, map[string]any{tc.option: tc.want})
		})
	}
}

func TestFalseOverridesTrue(t *testing.T) {
	s := newTestSet(t)
	f := files{testDir + "/locust.conf": "headless = true\n"}
	v, err := s.Parse(input(env{"LOCUST_HEADLESS": "false"}, f))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if v.Run().Headless || v.Source("headless") != Env {
		t.Errorf("headless = %v from %v, want false from the environment", v.Run().Headless, v.Source("headless"))
	}
}

func TestUnknownOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"near miss", []string{"--spawnrate", "3"}, "unrecognized argument: --spawnrate (did you mean --spawn-rate?)"},
		{"underscore", []string{"--run_time=3m"}, "unrecognized argument: --run_time (did you mean --run-time?)"},
		{"swapped letters", []string{"--hsot", "x"}, "unrecognized argument: --hsot (did you mean --host?)"},
		{"unique prefix", []string{"--headl"}, "unrecognized argument: --headl (did you mean --headless?)"},
		{"nothing close", []string{"--zzzzzzzz"}, "unrecognized argument: --zzzzzzzz"},
		{"short", []string{"-x"}, "unrecognized argument: -x"},
		{"value after equals is not shown", []string{"--api-keyy=sk-live-123"}, "unrecognized argument: --api-keyy (did you mean --api-key?)"},
	}
	s := newTestSet(t, scenarioOptions()...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Parse(input(nil, nil, tc.args...))
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse error = %v, want *Error", err)
			}
			if err.Error() != tc.wantErr {
				t.Errorf("error = %q, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestParseKnownSkipsUnknown(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		files    files
		wantFile string
		wantUser int
		wantPos  []string
	}{
		{"unknown with value", []string{"--max-tokens", "64", "-f", "chat.lua", "-u", "3"}, nil, "chat.lua", 3, nil},
		{"unknown owns one word", []string{"--max-tokens", "64", "ChatUser"}, nil, "locustfile.lua", 1, []string{"ChatUser"}},
		{"unknown with equals", []string{"--model=gpt", "ChatUser", "-f", "chat.lua"}, nil, "chat.lua", 1, []string{"ChatUser"}},
		{"unknown flag before an option", []string{"--stream", "-f", "chat.lua"}, nil, "chat.lua", 1, nil},
		{"unknown short", []string{"-Z", "-u", "4"}, nil, "locustfile.lua", 4, nil},
		{"unknown file key", nil, files{testDir + "/locust.conf": "max-tokens = 5\nlocustfile = conf.lua\n"}, "conf.lua", 1, nil},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.ParseKnown(input(nil, tc.files, tc.args...))
			if err != nil {
				t.Fatalf("ParseKnown: %v", err)
			}
			if got := v.Run().Locustfile; got != tc.wantFile {
				t.Errorf("locustfile = %q, want %q", got, tc.wantFile)
			}
			if got := v.Run().Users; got != tc.wantUser {
				t.Errorf("users = %d, want %d", got, tc.wantUser)
			}
			if got := v.Positional(); !reflect.DeepEqual(got, tc.wantPos) {
				t.Errorf("Positional() = %q, want %q", got, tc.wantPos)
			}
			if _, err := s.Parse(input(nil, tc.files, tc.args...)); err == nil {
				t.Errorf("strict Parse accepted what ParseKnown skipped")
			}
		})
	}
}

func TestTypeErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     env
		files   files
		wantErr string
	}{
		{name: "int on the command line", args: []string{"-u", "x"}, wantErr: "argument -u/--users: invalid int value: 'x'"},
		{name: "int from env", env: env{"LOCUST_USERS": "x"}, wantErr: "environment variable LOCUST_USERS: argument -u/--users: invalid int value: 'x'"},
		{name: "int from a file", files: files{testDir + "/locust.conf": "\n\nusers = x"}, wantErr: "locust.conf:3: argument -u/--users: invalid int value: 'x'"},
		{name: "int from the extra env variable", env: env{"LOCUST_MASTER_NODE_PORT": "http"}, wantErr: "environment variable LOCUST_MASTER_NODE_PORT: argument --master-port: invalid int value: 'http'"},
		{name: "float", args: []string{"-r", "fast"}, wantErr: "argument -r/--spawn-rate: invalid float value: 'fast'"},
		{name: "float not finite", args: []string{"-r", "inf"}, wantErr: "argument -r/--spawn-rate: invalid float value: 'inf'"},
		{name: "spawn rate zero", args: []string{"-r", "0"}, wantErr: "argument -r/--spawn-rate: must be > 0"},
		{name: "negative users", args: []string{"-u", "-2"}, wantErr: "argument -u/--users: must be >= 0"},
		{name: "expect workers zero", args: []string{"--expect-workers", "0"}, wantErr: "argument --expect-workers: must be a positive number"},
		{name: "bool", args: []string{"--headless=maybe"}, wantErr: "argument --headless: invalid bool value: 'maybe' (expecting true, false, yes, no, on, off, 1 or 0)"},
		{name: "bool from env", env: env{"LOCUST_HEADLESS": "sure"}, wantErr: "environment variable LOCUST_HEADLESS: argument --headless: invalid bool value: 'sure' (expecting true, false, yes, no, on, off, 1 or 0)"},
		{name: "run time", args: []string{"-t", "5x"}, wantErr: `argument -t/--run-time: invalid time span "5x": valid run time formats are: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.`},
		{name: "run time has no fractions", args: []string{"-t", "0.5"}, wantErr: `argument -t/--run-time: invalid time span "0.5": valid run time formats are: 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.`},
		{name: "stop timeout negative", args: []string{"-s", "-1"}, wantErr: `argument -s/--stop-timeout: time span "-1" is negative`},
		{name: "choice", args: []string{"-L", "verbose"}, wantErr: "argument -L/--loglevel: invalid choice: 'verbose' (choose from 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')"},
		{name: "missing value at the end", args: []string{"-u"}, wantErr: "argument -u/--users: expected one argument"},
		{name: "missing value before an option", args: []string{"--host", "--headless"}, wantErr: "argument -H/--host: expected one argument"},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Parse(input(tc.env, tc.files, tc.args...))
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse error = %v, want *Error", err)
			}
			if err.Error() != tc.wantErr {
				t.Errorf("error = %q\nwant      %q", err, tc.wantErr)
			}
		})
	}
}

func TestDynamicOptions(t *testing.T) {
	s := newTestSet(t)
	f := files{testDir + "/locust.conf": "max-tokens = 32\n"}
	in := input(env{"OPENAI_API_KEY": "sk-test"}, f, "-f", "chat.lua", "--model", "gpt-x", "-u", "3", "ChatUser")

	first, err := s.ParseKnown(in)
	if err != nil {
		t.Fatalf("ParseKnown: %v", err)
	}
	if got := first.Run().Locustfile; got != "chat.lua" {
		t.Fatalf("first pass locustfile = %q, want chat.lua", got)
	}
	if first.Has("model") {
		t.Fatalf("first pass knows --model before the scenario declared it")
	}

	if err := s.Add(scenarioOptions()...); err != nil {
		t.Fatalf("Add: %v", err)
	}
	v, err := s.Parse(in)
	if err != nil {
		t.Fatalf("Parse after Add: %v", err)
	}
	checkValues(t, v, map[string]any{"model": "gpt-x", "max-tokens": 32, "api-key": "sk-test", "users": 3})
	if got := v.Positional(); !reflect.DeepEqual(got, []string{"ChatUser"}) {
		t.Errorf("Positional() = %q, want [ChatUser]", got)
	}
	if got := v.Origin("max-tokens"); got != "locust.conf:1" {
		t.Errorf("max-tokens origin = %q, want locust.conf:1", got)
	}
	if first.Has("model") {
		t.Errorf("Add changed values parsed before it")
	}
}

func TestNotYet(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     env
		wantErr string
	}{
		{name: "not given", args: nil},
		{name: "given as its default", args: []string{"--web-login=false"}},
		{name: "given", args: []string{"--web-login"}, wantErr: "argument --web-login: the web UI is not available yet; run with --headless"},
		{name: "given in env", env: env{"LOCUST_WEB_LOGIN": "1"}, wantErr: "environment variable LOCUST_WEB_LOGIN: argument --web-login: the web UI is not available yet; run with --headless"},
	}
	opts := Locust()
	for i := range opts {
		if opts[i].Name == "web-login" {
			opts[i].NotYet = "the web UI is not available yet; run with --headless"
		}
	}
	s, err := NewSet(opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Parse(input(tc.env, nil, tc.args...))
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.wantErr {
				t.Errorf("error = %q, want %q", got, tc.wantErr)
			}
		})
	}
}

func TestMissingConfigFile(t *testing.T) {
	s := newTestSet(t)
	_, err := s.Parse(input(nil, nil, "--config", "nope.conf"))
	if err == nil || !strings.Contains(err.Error(), "nope.conf") || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error = %v, want a not-found error naming nope.conf", err)
	}
	if _, err := s.Parse(Input{Args: []string{"--config", "x.conf"}}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("without ReadFile: error = %v, want not found", err)
	}
	if _, err := s.Parse(Input{}); err != nil {
		t.Errorf("an empty Input must parse: %v", err)
	}
}

func TestHelpSkipsConfigFiles(t *testing.T) {
	s := newTestSet(t)
	broken := files{testDir + "/locust.conf": "users = many\n"}
	v, err := s.Parse(input(nil, broken, "-h"))
	if err != nil {
		t.Fatalf("Parse with -h read the broken config file: %v", err)
	}
	if !v.Run().Help {
		t.Errorf("help = false, want true")
	}
	if _, err := s.Parse(input(nil, broken, "--help=false")); err == nil {
		t.Errorf("--help=false skipped the config files too")
	}
}

func TestOSInput(t *testing.T) {
	in, err := OSInput()
	if err != nil {
		t.Fatal(err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if in.Dir != wd || !reflect.DeepEqual(in.Args, os.Args[1:]) || in.Getenv == nil || in.ReadFile == nil {
		t.Errorf("OSInput() = %+v, want this process's arguments, directory, environment and files", in)
	}
	if _, err := in.ReadFile("parse_test.go"); err != nil {
		t.Errorf("OSInput's ReadFile cannot read this test's own source: %v", err)
	}
}

func TestReadError(t *testing.T) {
	s := newTestSet(t)
	denied := errors.New("permission denied")
	in := Input{ReadFile: func(string) ([]byte, error) { return nil, denied }, Dir: testDir}
	if _, err := s.Parse(in); !errors.Is(err, denied) || !strings.Contains(err.Error(), "locust.conf") {
		t.Errorf("error = %v, want the read error wrapped with the file name", err)
	}
}
