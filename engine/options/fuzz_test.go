package options

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fuzzers hold every parser of this package to properties that must
// hold for any input: no panic, mistakes reported as *Error with a place
// inside the input, and whatever is accepted prints back in the syntax it
// came in and reads again to the same thing.

// fuzzOptions add one option of every kind and shape to Locust's, so that
// the command-line fuzzer meets choices on lists, checks, secrets,
// fractional durations and plain durations.
func fuzzOptions() []Option {
	return []Option{
		{Name: "model", Kind: String, Default: "mock-model"},
		{Name: "max-tokens", Short: "m", Kind: Int, Default: 128},
		{Name: "temperature", Kind: Float, Default: 0.7},
		{Name: "api-key", Kind: String, Secret: true, Env: "OPENAI_API_KEY"},
		{Name: "stream", Short: "S", Kind: Bool, Default: true},
		{Name: "think", Kind: Duration, FloatSeconds: true},
		{Name: "modes", Kind: List, Choices: []string{"Fast", "slow"}},
		{Name: "future", Kind: Int, NotYet: "not built yet"},
	}
}

// argSeparator joins the words of one fuzzed command line, so that a word
// may hold spaces.
const argSeparator = "\x00"

// FuzzParseArgs parses fuzzed command lines, in the strict and the
// tolerant pass. Accepted values print back as --name=value words that
// parse to the same values; the strict pass never accepts an unknown
// option and agrees with the tolerant one when it succeeds.
func FuzzParseArgs(f *testing.F) {
	for _, args := range [][]string{
		{"-f", "chat.lua", "-H", "mock", "-u", "10", "-r", "2.5", "-t", "1h20m", "--headless"},
		{"--users=10", "-u10", "-u=3", "-lV", "--tags", "a", "b,c", "-T", "d", "--", "--users", "X"},
		{"-L", "debug", "--stop-timeout", "0.5", "--modes=fast,SLOW", "--think=1m", "ChatUser"},
		{"--max-tokens", "-5", "--temperature=-1e300", "--stream=off", "-S", "--api-key", "sk"},
		{"--spawnrate", "3"}, {"-x"}, {"--run-time", "1.5h"}, {"--future=1"}, {"-u"},
		{"--tags=", "--exclude-tags", "--config="}, {"-h", "--config", "missing.conf"},
		{"--locustfile=\xff\xfe", "-\xe2\x82\xac", "-", "-.5", "---x"},
		{"--no-stream", "--headless", "false", "--no-headless=1", "--no-users", "--no-help", "-l", "0"},
	} {
		f.Add(strings.Join(args, argSeparator), true)
		f.Add(strings.Join(args, argSeparator), false)
	}
	f.Fuzz(func(t *testing.T, line string, strict bool) {
		s := fuzzSet(t)
		var args []string
		if line != "" {
			args = strings.Split(line, argSeparator)
		}
		parse := s.ParseKnown
		if strict {
			parse = s.Parse
		}
		v, err := parse(Input{Args: args})
		if err != nil {
			checkCommandLineError(t, err)
			return
		}
		if name, ok := unknownOption(s, args); ok && strict {
			t.Fatalf("strict Parse accepted the unknown option %q in %q", name, args)
		}
		again, err := s.Parse(Input{Args: printArgs(v)})
		if err != nil {
			t.Fatalf("printed values %q do not parse again: %v", printArgs(v), err)
		}
		checkSameValues(t, v, again)
		if strict {
			known, err := s.ParseKnown(Input{Args: args})
			if err != nil {
				t.Fatalf("ParseKnown refused what Parse accepted: %v", err)
			}
			checkSameValues(t, v, known)
		}
	})
}

func fuzzSet(t *testing.T) *Set {
	t.Helper()
	s, err := NewSet(append(Locust(), fuzzOptions()...)...)
	if err != nil {
		t.Fatalf("NewSet: %v", err)
	}
	return s
}

// checkCommandLineError accepts only argparse-style mistakes: an *Error
// without a place, since the command line is the only source; or, since
// no file exists, a failure to read the file that --config names.
func checkCommandLineError(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(err.Error(), "reading config file ") {
		return
	}
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if perr.Where != "" || perr.Msg == "" {
		t.Fatalf("command-line error %q has a place %q or no message", perr.Msg, perr.Where)
	}
}

// negativeNumberWord is a word that starts with a dash but is a value, by
// argparse's rule; any other dash and more is an option. It is written
// out here rather than taken from the parser under test.
var negativeNumberWord = regexp.MustCompile(`^-(?:[0-9]+|[0-9]*\.[0-9]+)$`)

// unknownOption finds an option word before "--" whose long name, or
// whose first short letter, the set does not know. Words that options
// take as values never look like options, so every such word is read as
// an option.
func unknownOption(s *Set, args []string) (string, bool) {
	for _, w := range args {
		switch {
		case w == "--":
			return "", false
		case len(w) < 2 || w[0] != '-' || negativeNumberWord.MatchString(w):
			continue
		case strings.HasPrefix(w, "--"):
			name, _, _ := strings.Cut(w[2:], "=")
			if _, ok := s.Lookup(name); !ok && !turnsOff(s, name) {
				return w, true
			}
		default:
			_, size := utf8.DecodeRuneInString(w[1:])
			if !knownShort(s, w[1:1+size]) {
				return w, true
			}
		}
	}
	return "", false
}

// turnsOff reports whether name is "no-" and an on/off option that may be
// given on the command line and in files.
func turnsOff(s *Set, name string) bool {
	rest, ok := strings.CutPrefix(name, "no-")
	o, known := s.Lookup(rest)
	return ok && known && o.Kind == Bool && !o.FlagOnly
}

func knownShort(s *Set, letter string) bool {
	for _, o := range s.Options() {
		if o.Short == letter {
			return true
		}
	}
	return false
}

// printArgs writes every value set on the command line back as
// --name=value words, then the positional words after "--".
func printArgs(v *Values) []string {
	var args []string
	for _, name := range v.Names() {
		if v.Source(name) != CommandLine {
			continue
		}
		args = append(args, "--"+name+"="+printValue(get(v, name)))
	}
	return append(append(args, "--"), v.Positional()...)
}

// printValue writes a value the way a user would type it.
func printValue(x any) string {
	switch x := x.(type) {
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Duration:
		return formatSpan(x)
	case []string:
		return strings.Join(x, ",")
	}
	return fmt.Sprint(x)
}

// checkSameValues compares every option's value and the positional words.
func checkSameValues(t *testing.T, want, got *Values) {
	t.Helper()
	for _, name := range want.Names() {
		w, g := get(want, name), get(got, name)
		if !sameValue(w, g) {
			t.Errorf("--%s: %#v, then %#v after printing and parsing again", name, w, g)
		}
	}
	if w, g := want.Positional(), got.Positional(); len(w)+len(g) > 0 && !reflect.DeepEqual(w, g) {
		t.Errorf("positional words %q, then %q", w, g)
	}
}

// FuzzParseRunTime compares ParseRunTime with time.ParseDuration and
// prints every accepted span the way help texts do, which must read back
// to the same span; the same for durations that take fractional seconds.
func FuzzParseRunTime(f *testing.F) {
	for _, s := range []string{"20", "0", "20s", "3m", "2h", "1h20m", "3h30m10s", "90m", "007s",
		"9223372036s", "9223372037s", "2562047h47m16s", "2562047h47m17s", "1h1h", "1.5", "-1", "",
		"0.000000001", "1e3", "9223372036.854775807", "+5", " 5", "1m2h"} {
		f.Add(s)
	}
	stop := Option{Name: "stop-timeout", Kind: Duration, FloatSeconds: true}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseRunTime(s)
		checkSpanAgainstGo(t, s, d, err)
		if err == nil {
			checkSpanPrints(t, "ParseRunTime", ParseRunTime, d)
		}
		fd, ferr := stop.parseDuration(s)
		if err == nil && (ferr != nil || fd != d) {
			t.Fatalf("with fractions allowed, %q reads %v (%v), not %v", s, fd, ferr, d)
		}
		if ferr == nil {
			checkSpanPrints(t, "fractional seconds", stop.parseDuration, fd)
		}
	})
}

// runTimeSyntax is Locust's time span, written out independently of the
// parser: whole hours, minutes and seconds in that order, or bare seconds.
var runTimeSyntax = regexp.MustCompile(`^([0-9]+h)?([0-9]+m)?([0-9]+s)?$`)

// checkSpanAgainstGo compares ParseRunTime with time.ParseDuration, which
// reads the same spans once bare seconds carry their unit.
func checkSpanAgainstGo(t *testing.T, s string, d time.Duration, err error) {
	t.Helper()
	if s == "" || !runTimeSyntax.MatchString(s) && strings.Trim(s, "0123456789") != "" {
		if err == nil {
			t.Fatalf("ParseRunTime accepted %q, which is not a time span", s)
		}
		return
	}
	spelled := s
	if strings.Trim(s, "0123456789") == "" {
		spelled += "s"
	}
	want, goErr := time.ParseDuration(spelled)
	switch {
	case goErr != nil && err == nil:
		t.Fatalf("ParseRunTime(%q) = %v, but time.ParseDuration refuses it: %v", s, d, goErr)
	case goErr == nil && err != nil:
		t.Fatalf("ParseRunTime(%q) failed (%v), but it is %v", s, err, want)
	case err == nil && d != want:
		t.Fatalf("ParseRunTime(%q) = %v, want %v", s, d, want)
	}
	if err != nil && !strings.Contains(err.Error(), strconv.Quote(s)) {
		t.Fatalf("error %q does not quote the input", err)
	}
}

// checkSpanPrints prints a duration as help texts print defaults and reads
// it back.
func checkSpanPrints(t *testing.T, what string, parse func(string) (time.Duration, error), d time.Duration) {
	t.Helper()
	if d < 0 {
		t.Fatalf("%s gave a negative span %v", what, d)
	}
	printed := formatSpan(d)
	back, err := parse(printed)
	if err != nil || back != d {
		t.Fatalf("%s: %v prints as %q, which reads back as %v (%v)", what, d, printed, back, err)
	}
}

// FuzzINIFile parses fuzzed locust.conf files: entries print back as
// "key = value" lines that parse to the same entries, and errors name a
// line of the file, also when the whole Parse reads the file.
func FuzzINIFile(f *testing.F) {
	for _, text := range []string{
		"users = 5\nspawn-rate: 2.5\nrun-time 1h20m\nheadless\n",
		"# top\n; ini\n[locust]\n---\n--users = 5\r\nhost = \"http://a # b\"  ; note\n",
		"tags = [a, b]\nexclude-tags = [\"x\", 1, null, [2]]\ntags = []\nhost =\n",
		"\ufeffhost = 'http://a'\nhost = \"unbalanced\nhost = http://a/#frag ; c\n",
		"= 5\n", ":x\n", "key;\n", "loglevel = warning\nunknown-key = 1\nconfig = x.conf\n",
	} {
		f.Add([]byte(text))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseConfigFile("locust.conf", data)
		checkFileResult(t, "locust.conf", data, entries, err)
		if err != nil {
			return
		}
		printed := printINI(entries)
		again, err := parseConfigFile("locust.conf", []byte(printed))
		if err != nil {
			t.Fatalf("printed entries do not parse again: %v\n%s", err, printed)
		}
		checkSameEntries(t, entries, again, printed)
		checkWholeParse(t, "locust.conf", data)
	})
}

// FuzzPyprojectTOML does for pyproject.toml's [tool.locust] table what
// FuzzINIFile does for locust.conf.
func FuzzPyprojectTOML(f *testing.F) {
	for _, text := range []string{
		"[project]\nname = \"x\"\n\n[tool.locust]\nusers = 5\nspawn-rate = 2.5 # c\nheadless = true\ntags = [\"a\", 'b',\n  \"c\",]\n\n[tool.other]\nx = 1\n",
		"[tool . \"locust\"]\n\"run-time\" = '1h'\nhost = \"http://a\\tb\\u00e9\\U0001F600\"\nusers = 1_000\nn = 0x1F\nf = 1e3\n",
		"[tool.locust]\nusers = \nx = [[1]]\ny = {a = 1}\nz = \"\"\"m\"\"\"\nw = \"open\n",
		"[tool.locust]\na.b = 1\n[[tool.locust]]\n", "[tool.locust]\nkey = 1 2\n", "[tool.locust]\n\"\\q\" = 1\n",
		"[tool.locust]\na.b = 1\n\"a.b\" = 2\nhost = \"\\u0001\\u007f\\b\"\n",
		"[project]\nreadme = \"\"\"\n[tool.locust]\nusers = 99\n\"\"\"\nmeta = { x = 1979-05-27 }\n[[tool.bench]]\n[tool]\nlocust.users = 2\n",
	} {
		f.Add([]byte(text))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseConfigFile("pyproject.toml", data)
		checkFileResult(t, "pyproject.toml", data, entries, err)
		if err != nil {
			return
		}
		if !uniqueKeys(entries) {
			// TOML takes a key once, so a repeat is a dotted key beside a
			// quoted one with the same dots (a.b and "a.b"), which print
			// alike.
			checkWholeParse(t, "pyproject.toml", data)
			return
		}
		printed := printTOML(entries)
		again, err := parseConfigFile("pyproject.toml", []byte(printed))
		if err != nil {
			t.Fatalf("printed entries do not parse again: %v\n%s", err, printed)
		}
		checkSameEntries(t, entries, again, printed)
		checkWholeParse(t, "pyproject.toml", data)
	})
}

// checkFileResult checks the place of an error, or the lines of the
// entries: a line of the file, in file order.
func checkFileResult(t *testing.T, name string, data []byte, entries []fileEntry, err error) {
	t.Helper()
	lines := strings.Count(string(data), "\n") + 1
	if err != nil {
		var perr *Error
		if !errors.As(err, &perr) {
			t.Fatalf("error %v (%T) is not an *Error", err, err)
		}
		if n := errorLine(t, perr, name); n < 1 || n > lines {
			t.Fatalf("error %q is at line %d of a %d-line file", perr, n, lines)
		}
		return
	}
	prev := 0
	for _, e := range entries {
		if e.line < 1 || e.line > lines || e.line < prev {
			t.Fatalf("entry %q at line %d after line %d of a %d-line file", e.key, e.line, prev, lines)
		}
		// TOML allows an empty quoted key (""); an ini key is never empty.
		if e.key == "" && name != "pyproject.toml" || len(e.raw) == 0 && !e.list {
			t.Fatalf("entry at line %d has no key or no value: %+v", e.line, e)
		}
		prev = e.line
	}
}

// errorLine reads the line out of an *Error placed in the named file.
func errorLine(t *testing.T, perr *Error, name string) int {
	t.Helper()
	rest, ok := strings.CutPrefix(perr.Where, name+":")
	n, err := strconv.Atoi(rest)
	if !ok || err != nil {
		t.Fatalf("error %q is not placed as %s:<line>", perr, name)
	}
	return n
}

// printINI writes entries back as "key = value" lines: each single value
// in double quotes, so that comment characters and brackets stay data,
// and each list as a JSON array of strings.
func printINI(entries []fileEntry) string {
	var b strings.Builder
	// A first line of its own, so that a key that begins with a byte
	// order mark is not taken for the file's.
	b.WriteString("# printed\n")
	for _, e := range entries {
		if e.list {
			fmt.Fprintf(&b, "%s = %s\n", e.key, jsonStrings(e.raw))
			continue
		}
		fmt.Fprintf(&b, "%s = \"%s\"\n", e.key, e.raw[0])
	}
	return b.String()
}

// jsonStrings writes a JSON array of strings. Bytes that are not UTF-8
// cannot travel through JSON, so they are dropped here and in the
// comparison (see sameItems). '#' and ';' are escaped, since after a
// space they would start a comment.
func jsonStrings(items []string) string {
	valid := make([]string, len(items))
	for i, s := range items {
		valid[i] = strings.ToValidUTF8(s, "")
	}
	b, err := json.Marshal(valid)
	if err != nil {
		panic(err) // strings always encode
	}
	return strings.NewReplacer("#", `\u0023`, ";", `\u003b`).Replace(string(b))
}

// printTOML writes entries back as a [tool.locust] table with every key
// and value a basic string.
func printTOML(entries []fileEntry) string {
	var b strings.Builder
	b.WriteString("[tool.locust]\n")
	for _, e := range entries {
		b.WriteString(tomlString(e.key) + " = ")
		if !e.list {
			b.WriteString(tomlString(e.raw[0]) + "\n")
			continue
		}
		items := make([]string, len(e.raw))
		for i, s := range e.raw {
			items[i] = tomlString(s)
		}
		b.WriteString("[" + strings.Join(items, ", ") + "]\n")
	}
	return b.String()
}

// tomlString quotes s as a one-line TOML basic string. Control
// characters, which TOML allows only escaped, are written as \uXXXX; other
// characters pass through as they are.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteString(`\` + string(r))
		case r < 0x20 && r != '\t' || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func uniqueKeys(entries []fileEntry) bool {
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.key] {
			return false
		}
		seen[e.key] = true
	}
	return true
}

func checkSameEntries(t *testing.T, want, got []fileEntry, printed string) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%d entries, then %d after printing:\n%s", len(want), len(got), printed)
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.key != g.key || w.list != g.list || !sameItems(w.raw, g.raw, w.list) {
			t.Fatalf("entry %d: %q %q (list %v), then %q %q (list %v) after printing:\n%s",
				i, w.key, w.raw, w.list, g.key, g.raw, g.list, printed)
		}
	}
}

// sameItems compares raw values; list items are compared as the UTF-8
// that JSON can carry, on both sides: the INI printer writes lists as
// JSON, which drops invalid bytes (a TOML file holds none: it must be
// UTF-8).
func sameItems(want, got []string, list bool) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		w, g := want[i], got[i]
		if list {
			w, g = strings.ToValidUTF8(w, ""), strings.ToValidUTF8(g, "")
		}
		if w != g {
			return false
		}
	}
	return true
}

// checkWholeParse reads the file through Parse, in both modes: whatever
// the file holds, the outcome is values or an *Error placed in the file.
func checkWholeParse(t *testing.T, name string, data []byte) {
	t.Helper()
	s := fuzzSet(t)
	in := Input{Dir: "project", ReadFile: func(path string) ([]byte, error) {
		if path == "project/"+name {
			return data, nil
		}
		return nil, errNoFile
	}}
	for _, parse := range []func(Input) (*Values, error){s.Parse, s.ParseKnown} {
		_, err := parse(in)
		if err == nil {
			continue
		}
		var perr *Error
		if !errors.As(err, &perr) || !strings.HasPrefix(perr.Where, name+":") {
			t.Fatalf("Parse of %s failed with %v (%T), not an *Error placed in the file", name, err, err)
		}
	}
}

var errNoFile = fmt.Errorf("no such file: %w", fs.ErrNotExist)
