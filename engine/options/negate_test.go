package options

import (
	"errors"
	"strings"
	"testing"
)

func TestNegativeBoolForm(t *testing.T) {
	tests := []struct {
		name    string
		env     env
		files   files
		args    []string
		want    map[string]any
		wantErr string
	}{
		{"turns a default-on option off", nil, nil, []string{"--no-stream"}, map[string]any{"stream": false}, ""},
		{"built-in flag", nil, nil, []string{"--no-headless"}, map[string]any{"headless": false}, ""},
		{"the last word wins", nil, nil, []string{"--headless", "--no-headless"}, map[string]any{"headless": false}, ""},
		{"and back on", nil, nil, []string{"--no-headless", "--headless"}, map[string]any{"headless": true}, ""},
		{"over a config file", nil, files{testDir + "/locust.conf": "headless = true\n"}, []string{"--no-headless"}, map[string]any{"headless": false}, ""},
		{"over the environment", env{"LOCUST_STREAM": "true"}, nil, []string{"--no-stream"}, map[string]any{"stream": false}, ""},
		{"takes no value", nil, nil, []string{"--no-stream=false"}, nil, "argument --no-stream: ignored explicit argument 'false'"},
		{"only for on/off options", nil, nil, []string{"--no-users"}, nil, "unrecognized argument: --no-users"},
		{"not for help", nil, nil, []string{"--no-help"}, nil, "unrecognized argument: --no-help"},
		{"not in config files", nil, files{testDir + "/locust.conf": "no-headless = true\n"}, nil, nil, "locust.conf:1: unknown option 'no-headless'"},
	}
	s := newTestSet(t, Option{Name: "stream", Kind: Bool, Default: true})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(tc.env, tc.files, tc.args...))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Parse error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkValues(t, v, tc.want)
			known, err := s.ParseKnown(input(tc.env, tc.files, tc.args...))
			if err != nil {
				t.Fatalf("ParseKnown: %v", err)
			}
			checkValues(t, known, tc.want)
		})
	}
}

func TestNegativeFormClashes(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
	}{
		{"a no- option after its flag", []Option{{Name: "cache", Kind: Bool}, {Name: "no-cache", Kind: String}}},
		{"a flag after its no- option", []Option{{Name: "no-cache", Kind: Int}, {Name: "cache", Kind: Bool}}},
		{"a built-in flag", []Option{{Name: "no-headless", Kind: Bool}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSet(append(Locust(), tc.opts...)...)
			if err == nil || !strings.Contains(err.Error(), "negative form") {
				t.Fatalf("NewSet error = %v, want a clash with the negative form", err)
			}
		})
	}
	if _, err := NewSet(append(Locust(), Option{Name: "no-cache", Kind: Bool})...); err != nil {
		t.Fatalf("an option named no-... with nothing to clash with: %v", err)
	}
}

func TestCheckUserClasses(t *testing.T) {
	known := []string{"ChatUser", "Admin"}
	tests := []struct {
		name    string
		env     env
		args    []string
		wantErr string // "" when the classes are fine
		where   string
	}{
		{"named classes", nil, []string{"ChatUser", "Admin"}, "", ""},
		{"none named", nil, nil, "", ""},
		{"unknown class", nil, []string{"Nobody"}, `unknown user class "Nobody"; the scenario has ChatUser, Admin`, ""},
		{"false after a flag", nil, []string{"--include-usage", "false"},
			`unknown user class "false"; the scenario has ChatUser, Admin; --include-usage takes no separate value: write --include-usage=false or --no-include-usage`, ""},
		{"off after a flag", nil, []string{"--headless", "off", "ChatUser"},
			"--headless takes no separate value: write --headless=off or --no-headless", ""},
		{"true after a flag", nil, []string{"--include-usage", "yes"},
			"--include-usage takes no separate value: write --include-usage=yes or just --include-usage", ""},
		{"zero after a short flag", nil, []string{"-l", "0"},
			"-l takes no separate value: write --list=0 or --no-list", ""},
		{"after a negative flag", nil, []string{"--no-include-usage", "true"},
			"--no-include-usage takes no separate value: write --include-usage=true or just --include-usage", ""},
		{"a word after a flag that is no value", nil, []string{"--headless", "Nobody"}, `unknown user class "Nobody"; the scenario has ChatUser, Admin`, ""},
		{"a value word not after a flag", nil, []string{"-u", "2", "false"}, `unknown user class "false"; the scenario has ChatUser, Admin`, ""},
		{"from the environment", env{"LOCUST_USER_CLASSES": "ChatUser Ghost"}, nil, `unknown user class "Ghost"`, "environment variable LOCUST_USER_CLASSES"},
	}
	s := newTestSet(t, Option{Name: "include-usage", Kind: Bool, Default: true})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Parse(input(tc.env, nil, tc.args...))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = v.CheckUserClasses(known)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckUserClasses: %v", err)
				}
				return
			}
			var perr *Error
			if !errors.As(err, &perr) || !strings.Contains(perr.Msg, tc.wantErr) || perr.Where != tc.where {
				t.Fatalf("CheckUserClasses error = %#v, want %q at %q", err, tc.wantErr, tc.where)
			}
			if tc.wantErr != "" && !strings.Contains(tc.wantErr, "takes no") && strings.Contains(perr.Msg, "takes no") {
				t.Fatalf("hint given where none applies: %q", perr.Msg)
			}
		})
	}
}
