package options

import (
	"strings"
	"testing"
	"time"
)

func TestParseRunTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"20", 20 * time.Second},
		{"0", 0},
		{"20s", 20 * time.Second},
		{"3m", 3 * time.Minute},
		{"2h", 2 * time.Hour},
		{"1h20m", 80 * time.Minute},
		{"3h30m10s", 3*time.Hour + 30*time.Minute + 10*time.Second},
		{"1h5s", time.Hour + 5*time.Second},
		{"90m", 90 * time.Minute},
		{"0s", 0},
		{"007s", 7 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRunTime(tc.in)
			if err != nil || got != tc.want {
				t.Errorf("ParseRunTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParseRunTimeErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"empty", "", runTimeFormats},
		{"unknown unit", "20x", runTimeFormats},
		{"units out of order", "1m1h", runTimeFormats},
		{"fraction", "1.5h", runTimeFormats},
		{"negative", "-5", runTimeFormats},
		{"leading space", " 20s", runTimeFormats},
		{"unit alone", "h", runTimeFormats},
		{"space between parts", "1h 20m", runTimeFormats},
		{"days", "1d", runTimeFormats},
		{"too long", "99999999999999999999h", "too long"},
		{"too long in sum", "2562047h47m17s", "too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRunTime(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseRunTime(%q) error = %v, want it to contain %q", tc.in, err, tc.wantErr)
			}
		})
	}
}

func TestFloatSeconds(t *testing.T) {
	stop := Option{Name: "stop-timeout", Kind: Duration, FloatSeconds: true}
	run := Option{Name: "run-time", Kind: Duration}
	tests := []struct {
		name    string
		opt     Option
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"fraction", stop, "0.5", 500 * time.Millisecond, false},
		{"whole seconds", stop, "2", 2 * time.Second, false},
		{"run time format", stop, "1m30s", 90 * time.Second, false},
		{"exponent", stop, "1e1", 10 * time.Second, false},
		{"word", stop, "abc", 0, true},
		{"negative", stop, "-0.5", 0, true},
		{"not a number", stop, "NaN", 0, true},
		{"infinite", stop, "inf", 0, true},
		{"huge", stop, "1e300", 0, true},
		{"run time refuses fractions", run, "0.5", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.opt.parseDuration(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseDuration(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestNewSetErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		wantErr string
	}{
		{"duplicate name", []Option{{Name: "users"}}, "declared twice"},
		{"duplicate short", []Option{{Name: "model", Short: "u"}}, "-u is already short for --users"},
		{"environment clash", []Option{{Name: "mode-master", Kind: Bool}}, "LOCUST_MODE_MASTER is already read for --master"},
		{"extra env clash", []Option{{Name: "key", Env: "LOCUST_USERS"}}, "LOCUST_USERS is already read for --users"},
		{"default of the wrong type", []Option{{Name: "n", Kind: Int, Default: "5"}}, "does not suit kind int"},
		{"empty name", []Option{{Kind: Int}}, "empty name"},
		{"leading dash", []Option{{Name: "-n"}}, "a name is letters"},
		{"space in name", []Option{{Name: "max tokens"}}, "a name is letters"},
		{"digit short", []Option{{Name: "n", Short: "5"}}, "not a single letter"},
		{"long short", []Option{{Name: "n", Short: "nn"}}, "not a single letter"},
		{"bad kind", []Option{{Name: "n", Kind: Kind(42)}}, "unknown kind"},
		{"choices on an int", []Option{{Name: "n", Kind: Int, Choices: []string{"1"}}}, "choices need"},
		{"default outside choices", []Option{{Name: "mode", Default: "c", Choices: []string{"a", "b"}}}, "not one of the choices"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSet(append(Locust(), tc.opts...)...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("NewSet error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestAddIsAllOrNothing(t *testing.T) {
	s := newTestSet(t)
	before := len(s.Options())
	err := s.Add(Option{Name: "model"}, Option{Name: "users"})
	if err == nil {
		t.Fatal("Add accepted a duplicate")
	}
	if len(s.Options()) != before {
		t.Errorf("a failed Add left %d options, want %d", len(s.Options()), before)
	}
	if _, ok := s.Lookup("model"); ok {
		t.Errorf("a failed Add left --model behind")
	}
	if err := s.Add(Option{Name: "model"}); err != nil {
		t.Errorf("Add after a failed Add: %v", err)
	}
}
