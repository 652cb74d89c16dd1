package output

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/llmlocust/llmlocust/engine/locusttest"
)

func TestPyFloat(t *testing.T) {
	// Expected strings are Python 3's repr() of the same doubles.
	tests := []struct {
		name string
		in   float64
		want string
	}{
		{"zero", 0, "0.0"},
		{"negative zero", math.Copysign(0, -1), "-0.0"},
		{"whole number", 147, "147.0"},
		{"shortest digits", 0.1, "0.1"},
		{"third", 1.0 / 3, "0.3333333333333333"},
		{"small fixed", 0.0001, "0.0001"},
		{"small exponent", 0.00001234, "1.234e-05"},
		{"below 1e16 fixed", 1234567890123456, "1234567890123456.0"},
		{"1e16 exponent", 1e16, "1e+16"},
		{"large exponent", 1.5e300, "1.5e+300"},
		{"infinity", math.Inf(1), "inf"},
		{"nan", math.NaN(), "nan"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := pyFloat(tc.in); got != tc.want {
				t.Errorf("pyFloat(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestPercentileLabel(t *testing.T) {
	want := "50% 66% 75% 80% 90% 95% 98% 99% 99.9% 99.99% 100%"
	var got []string
	for _, p := range percentiles {
		got = append(got, percentileLabel(p))
	}
	if strings.Join(got, " ") != want {
		t.Errorf("labels = %v, want %s", got, want)
	}
}

func TestWriteCSVRow(t *testing.T) {
	// Python's csv.writer quotes only for a comma, a quote or a line
	// break, and leaves a leading space alone.
	tests := []struct {
		name   string
		fields []string
		want   string
	}{
		{"plain", []string{"GET", "/", "1"}, "GET,/,1\r\n"},
		{"empty field", []string{"", "Aggregated"}, ",Aggregated\r\n"},
		{"comma", []string{"a,b"}, "\"a,b\"\r\n"},
		{"quotes doubled", []string{`say "hi"`}, "\"say \"\"hi\"\"\"\r\n"},
		{"line break kept", []string{"a\nb", "c\rd"}, "\"a\nb\",\"c\rd\"\r\n"},
		{"leading space unquoted", []string{" x"}, " x\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeCSVRow(&b, tc.fields...); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got %q, want %q", b.String(), tc.want)
			}
		})
	}
}

// TestPythonFormattingMatchesPython asks Python itself for repr() of many
// floats and strings.
func TestPythonFormattingMatchesPython(t *testing.T) {
	py := locusttest.Python(t)
	rng := rand.New(rand.NewPCG(1, 9))
	floats := []float64{0, 1, 0.5, 147.3, 1e-5, 9.999999999999999e15, 1e16, 123456.789}
	for range 2000 {
		floats = append(floats, math.Exp(rng.Float64()*80-40)*float64(1-2*rng.IntN(2)))
	}
	strs := []string{"", "plain", "it's", `say "x"`, `both ' and "`, "tab\tnew\nline\rcr",
		"back\\slash", "\x00\x01\x1f\x7f", "naïve", "emoji 🚀", "nbsp\u00a0", "soft\u00adhyphen",
		"zero\u200bwidth", "line\u2028sep", "private\ue000use", "cjk 中文", "\u0085next line"}

	in, _ := json.Marshal(map[string]any{"floats": floats, "strs": strs})
	// Go's JSON writes whole floats such as 1e16 as integers; float() turns
	// them back into the doubles they were.
	script := `import json, sys
req = json.load(sys.stdin)
json.dump({"floats": [repr(float(f)) for f in req["floats"]], "strs": [repr(s) for s in req["strs"]]}, sys.stdout)`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running python: %v", err)
	}
	var want struct{ Floats, Strs []string }
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, f := range floats {
		if got := pyFloat(f); got != want.Floats[i] {
			t.Errorf("pyFloat(%v) = %q, Python says %q", f, got, want.Floats[i])
		}
	}
	for i, s := range strs {
		if got := pyRepr(s); got != want.Strs[i] {
			t.Errorf("pyRepr(%q) = %s, Python says %s", s, got, want.Strs[i])
		}
	}
}
