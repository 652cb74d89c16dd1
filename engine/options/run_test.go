package options

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every built-in option fills a field of its own, and every field of Run
// has its option.
func TestEveryBuiltinIsBound(t *testing.T) {
	var r Run
	fields := map[uintptr]string{}
	for _, o := range Locust() {
		if o.field == nil {
			t.Errorf("--%s is bound to no field of Run", o.Name)
			continue
		}
		addr := reflect.ValueOf(o.field(&r)).Pointer()
		if other, dup := fields[addr]; dup {
			t.Errorf("--%s and --%s are bound to the same field", o.Name, other)
		}
		fields[addr] = o.Name
	}
	n := 0
	for _, f := range reflect.VisibleFields(reflect.TypeOf(r)) {
		if !f.Anonymous {
			n++
		}
	}
	if len(fields) != n {
		t.Errorf("%d options are bound to fields, Run has %d", len(fields), n)
	}
}

func TestRunFollowsValues(t *testing.T) {
	tests := []struct {
		name  string
		env   env
		files files
		args  []string
		check func(r Run) bool
	}{
		{"defaults", nil, nil, nil, func(r Run) bool {
			return r.Users == 1 && r.SpawnRate == 1 && r.WebPort == 8089 && r.WebHost == "127.0.0.1" &&
				r.Loglevel == "INFO" && r.Autoquit == -1 && r.ExitCodeOnError == 1 && r.Locustfile == "locustfile.lua" &&
				r.Tokenizer == "o200k_base" && r.MaxBacklog == "512MiB" && r.RunTime == 0 && r.Tags == nil
		}},
		{"command line", nil, nil, []string{"-u", "7", "-r", "2.5", "-t", "1m", "-T", "a,b", "--csv", "out", "--html", "r.html",
			"--json", "-P", "9000", "--headless", "-s", "0.5", "-L", "debug", "-H", "http://h"}, func(r Run) bool {
			return r.Users == 7 && r.SpawnRate == 2.5 && r.RunTime == time.Minute && reflect.DeepEqual(r.Tags, []string{"a", "b"}) &&
				r.CSV == "out" && r.HTML == "r.html" && r.JSON && r.WebPort == 9000 && r.Headless &&
				r.StopTimeout == 500*time.Millisecond && r.Loglevel == "DEBUG" && r.Host == "http://h"
		}},
		{"environment", env{"LOCUST_USERS": "4", "LOCUST_MODE_MASTER": "true"}, nil, nil, func(r Run) bool {
			return r.Users == 4 && r.Master
		}},
		{"config file", nil, files{testDir + "/pyproject.toml": "[tool.locust]\nusers = 3\nexclude-tags = [\"x\"]\n"}, nil, func(r Run) bool {
			return r.Users == 3 && reflect.DeepEqual(r.ExcludeTags, []string{"x"})
		}},
	}
	s := newTestSet(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(tc.env, tc.files, tc.args...))
			if err != nil {
				t.Fatal(err)
			}
			if r := v.Run(); !tc.check(r) {
				t.Errorf("Run() = %+v", r)
			}
		})
	}
}

// A value changed after parsing shows in the next Run.
func TestRunSeesSet(t *testing.T) {
	v, err := newTestSet(t).Parse(input(nil, nil, "-u", "2"))
	if err != nil {
		t.Fatal(err)
	}
	before := v.Run()
	if err := v.Set("users", "5"); err != nil {
		t.Fatal(err)
	}
	if err := v.Set("tags", "a"); err != nil {
		t.Fatal(err)
	}
	if got := v.Run(); got.Users != 5 || !reflect.DeepEqual(got.Tags, []string{"a"}) || before.Users != 2 {
		t.Errorf("after Set, Run() = %d %q (before: %d)", got.Users, got.Tags, before.Users)
	}
}

func TestBindingMustSuitTheKind(t *testing.T) {
	_, err := NewSet(Option{Name: "port", Kind: Int, field: func(r *Run) any { return &r.Host }})
	if err == nil || !strings.Contains(err.Error(), "cannot hold a value of kind int") {
		t.Errorf("NewSet = %v, want an error about the field", err)
	}
}
