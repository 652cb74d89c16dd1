package options

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Input is everything a parse reads from outside the process, so that the
// caller decides what the environment and the file system are.
type Input struct {
	// Args are the command-line words after the program name.
	Args []string
	// Getenv looks up an environment variable; nil means an empty
	// environment.
	Getenv func(string) (string, bool)
	// ReadFile reads a config file; nil means that no file exists.
	ReadFile func(path string) ([]byte, error)
	// Home holds ~/.locust.conf; empty skips that file.
	Home string
	// Dir holds ./locust.conf and ./pyproject.toml, and relative --config
	// paths start there; empty means the process's working directory.
	Dir string
}

// OSInput describes the running process: its arguments, environment, file
// system, home and working directory.
func OSInput() (Input, error) {
	dir, err := os.Getwd()
	if err != nil {
		return Input{}, fmt.Errorf("finding the working directory: %w", err)
	}
	// Without a home directory there is simply no ~/.locust.conf to read.
	home, _ := os.UserHomeDir()
	return Input{Args: os.Args[1:], Getenv: os.LookupEnv, ReadFile: os.ReadFile, Home: home, Dir: dir}, nil
}

// Parse reads the options from all sources. From weakest to strongest:
// defaults, ~/.locust.conf, ./locust.conf, ./pyproject.toml ([tool.locust]),
// the file named by --config, environment variables (LOCUST_<NAME>, then
// Option.Env), and the command line. Unknown options, unknown config-file
// keys and bad values are *Error values. With -h the config files are not
// read, but other mistakes are still reported.
func (s *Set) Parse(in Input) (*Values, error) {
	return s.parse(in, true)
}

// ParseKnown is Parse that passes over unknown command-line options and
// config-file keys. It serves the first pass, which finds -f and --config
// before the scenario has declared its own options. An unknown option
// without "=value" is taken to own the next word if that is not an option.
func (s *Set) ParseKnown(in Input) (*Values, error) {
	return s.parse(in, false)
}

// assignment is one raw value for one option from one source.
type assignment struct {
	opt   int
	raw   []string
	list  bool // the source wrote a list, which only List options take
	src   Source
	where string // for messages; "" on the command line
}

type parser struct {
	set    *Set
	in     Input
	strict bool
	strays map[int]stray // by index into the positional words
}

func (s *Set) parse(in Input, strict bool) (*Values, error) {
	p := &parser{set: s, in: in, strict: strict, strays: map[int]stray{}}
	args, positional, err := p.scanArgs()
	if err != nil {
		return nil, err
	}
	files, err := p.readFiles(args)
	if err != nil {
		return nil, err
	}
	winners := make([]*assignment, len(s.opts))
	for _, source := range [][]assignment{files, p.fromEnv(), args} {
		for i := range source {
			p.take(winners, source[i])
		}
	}
	v, err := p.resolve(winners)
	if err != nil {
		return nil, err
	}
	v.positional, v.classesWhere = p.userClasses(positional)
	if len(positional) > 0 {
		v.strays = p.strays
	}
	return v, nil
}

// take lets a stronger or later assignment win. Repeated list flags on
// the command line add up (-T a -T b) instead.
func (p *parser) take(winners []*assignment, a assignment) {
	prev := winners[a.opt]
	if prev != nil && prev.src == CommandLine && a.src == CommandLine && p.set.opts[a.opt].Kind == List {
		a.raw = append(slices.Clone(prev.raw), a.raw...)
	}
	winners[a.opt] = &a
}

// resolve converts each winning raw value, or takes the default.
func (p *parser) resolve(winners []*assignment) (*Values, error) {
	v := newValues(p.set)
	for i := range v.opts {
		o, a := &v.opts[i], winners[i]
		if a == nil {
			v.vals[i] = cloneValue(o.Default)
			continue
		}
		val, err := o.convert(a.raw, a.list)
		if err != nil {
			return nil, &Error{Where: a.where, Msg: fmt.Sprintf("argument %s: %v", o.label(), err)}
		}
		if o.NotYet != "" && !sameValue(val, o.Default) {
			return nil, &Error{Where: a.where, Msg: fmt.Sprintf("argument %s: %s", o.label(), o.NotYet)}
		}
		v.vals[i], v.srcs[i], v.origins[i] = val, a.src, a.where
		if a.where == "" {
			v.origins[i] = "command line"
		}
	}
	return v, nil
}

// userClasses falls back on LOCUST_USER_CLASSES, as Locust does, when the
// command line names no user classes; where says which it was, for
// messages ("" for the command line).
func (p *parser) userClasses(positional []string) (classes []string, where string) {
	if len(positional) > 0 || p.in.Getenv == nil {
		return positional, ""
	}
	if env, ok := p.in.Getenv("LOCUST_USER_CLASSES"); ok {
		return strings.Fields(env), "environment variable LOCUST_USER_CLASSES"
	}
	return nil, ""
}

// negativeNumber is argparse's test for a word that starts with '-' but
// is a value.
var negativeNumber = regexp.MustCompile(`^-\d+$|^-\d*\.\d+$`)

func looksLikeOption(w string) bool {
	return len(w) > 1 && w[0] == '-' && !negativeNumber.MatchString(w)
}

// scanArgs splits the command line into option assignments and positional
// words.
func (p *parser) scanArgs() ([]assignment, []string, error) {
	var out []assignment
	var positional []string
	var flag stray
	bare := false // args[i-1] was an on/off flag without a value
	args := p.in.Args
	for i := 0; i < len(args); i++ {
		switch w := args[i]; {
		case w == "--":
			return out, append(positional, args[i+1:]...), nil
		case !looksLikeOption(w):
			if _, isBool := parseBool(w); bare && isBool {
				p.strays[len(positional)] = flag
			}
			positional = append(positional, w)
			bare = false
		default:
			got, used, err := p.scanOption(args, i)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, got...)
			flag, bare = p.bareBool(w, got, used)
			i += used
		}
	}
	return out, positional, nil
}

// scanOption reads the option at args[i] and returns how many following
// words it consumed as values.
func (p *parser) scanOption(args []string, i int) ([]assignment, int, error) {
	w := args[i]
	if !strings.HasPrefix(w, "--") {
		return p.scanShorts(args, i)
	}
	name, val, hasVal := strings.Cut(w[2:], "=")
	idx, ok := p.set.byName[name]
	if neg, isNeg := p.set.negative(name); !ok && isNeg {
		return p.negate(neg, name, val, hasVal)
	}
	if !ok {
		n, err := p.skipUnknown("--"+name, hasVal, args, i)
		return nil, n, err
	}
	return p.takeValue(idx, val, hasVal, args, i)
}

// scanShorts reads "-u10", "-u=10", "-u 10" and runs of flags like "-lV".
func (p *parser) scanShorts(args []string, i int) ([]assignment, int, error) {
	var out []assignment
	rest := args[i][1:]
	for rest != "" {
		r, size := utf8.DecodeRuneInString(rest)
		letter := rest[:size]
		rest = rest[size:]
		idx, ok := p.set.byShort[letter]
		if !ok {
			n, err := p.skipUnknown("-"+string(r), rest != "", args, i)
			return out, n, err
		}
		if p.set.opts[idx].Kind == Bool && !strings.HasPrefix(rest, "=") {
			out = append(out, assignment{opt: idx, raw: []string{"true"}, src: CommandLine})
			continue
		}
		got, n, err := p.takeValue(idx, strings.TrimPrefix(rest, "="), rest != "", args, i)
		return append(out, got...), n, err
	}
	return out, 0, nil
}

// takeValue completes an option with its attached value or the words after
// it, as argparse would.
func (p *parser) takeValue(idx int, val string, hasVal bool, args []string, i int) ([]assignment, int, error) {
	o := &p.set.opts[idx]
	a := assignment{opt: idx, raw: []string{val}, src: CommandLine}
	switch {
	case o.Kind == Bool && !hasVal:
		a.raw = []string{"true"}
	case hasVal:
	case o.Kind == List:
		// Like nargs='*': every following word up to the next option.
		n := 0
		for i+1+n < len(args) && !looksLikeOption(args[i+1+n]) {
			n++
		}
		a.raw = slices.Clone(args[i+1 : i+1+n])
		return []assignment{a}, n, nil
	case i+1 < len(args) && !looksLikeOption(args[i+1]):
		a.raw = []string{args[i+1]}
		return []assignment{a}, 1, nil
	default:
		return nil, 0, &Error{Msg: fmt.Sprintf("argument %s: expected one argument", o.label())}
	}
	return []assignment{a}, 0, nil
}

// skipUnknown rejects an unknown option, or in the tolerant pass steps
// over it and the value it probably owns.
func (p *parser) skipUnknown(spelled string, hasVal bool, args []string, i int) (int, error) {
	if p.strict {
		msg := "unrecognized argument: " + spelled
		if hint := p.longHint(spelled); hint != "" {
			msg += " (did you mean --" + hint + "?)"
		}
		return 0, &Error{Msg: msg}
	}
	if !hasVal && i+1 < len(args) && !looksLikeOption(args[i+1]) {
		return 1, nil
	}
	return 0, nil
}

// configFile is one config file to read, with the name messages use.
type configFile struct {
	path, label string
	required    bool
}

// files lists the config files from weakest to strongest. Locust's order
// is ~/.locust.conf, ./locust.conf, ./pyproject.toml, then --config.
func (p *parser) files(args []assignment) []configFile {
	var files []configFile
	if p.in.Home != "" {
		files = append(files, configFile{path: filepath.Join(p.in.Home, ".locust.conf"), label: "~/.locust.conf"})
	}
	files = append(files,
		configFile{path: filepath.Join(p.in.Dir, "locust.conf"), label: "locust.conf"},
		configFile{path: filepath.Join(p.in.Dir, "pyproject.toml"), label: "pyproject.toml"})
	idx, ok := p.set.byName["config"]
	if !ok {
		return files
	}
	for _, a := range slices.Backward(args) {
		if a.opt == idx && a.raw[0] != "" {
			files = append(files, configFile{path: p.resolvePath(a.raw[0]), label: a.raw[0], required: true})
			break
		}
	}
	return files
}

func (p *parser) resolvePath(path string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok && p.in.Home != "" {
		return filepath.Join(p.in.Home, rest)
	}
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(p.in.Dir, path)
}

// readFiles reads every config file that exists; only a missing --config
// file is an error. With -h no file is read, as in Locust, so that help
// works even while a config file is broken.
func (p *parser) readFiles(args []assignment) ([]assignment, error) {
	if p.helpAsked(args) {
		return nil, nil
	}
	var out []assignment
	for _, f := range p.files(args) {
		data, err := p.read(f.path)
		if errors.Is(err, fs.ErrNotExist) && !f.required {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading config file %s: %w", f.label, err)
		}
		entries, err := parseConfigFile(f.label, data)
		if err != nil {
			return nil, err
		}
		got, err := p.fileAssignments(f.label, entries)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (p *parser) helpAsked(args []assignment) bool {
	idx, ok := p.set.byName["help"]
	if !ok {
		return false
	}
	for _, a := range args {
		if a.opt != idx {
			continue
		}
		if on, _ := parseBool(a.raw[0]); on {
			return true
		}
	}
	return false
}

func (p *parser) read(path string) ([]byte, error) {
	if p.in.ReadFile == nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return p.in.ReadFile(path)
}

// fileAssignments matches config-file keys ("users" or "--users") to
// options.
func (p *parser) fileAssignments(label string, entries []fileEntry) ([]assignment, error) {
	var out []assignment
	for _, e := range entries {
		where := fmt.Sprintf("%s:%d", label, e.line)
		name := strings.TrimPrefix(e.key, "--")
		idx, ok := p.set.byName[name]
		switch {
		case !ok && !p.strict:
			continue
		case !ok:
			msg := fmt.Sprintf("unknown option '%s'", e.key)
			if hint := p.hint(name); hint != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", hint)
			}
			return nil, &Error{Where: where, Msg: msg}
		case p.set.opts[idx].FlagOnly:
			return nil, &Error{Where: where, Msg: fmt.Sprintf("--%s can only be given on the command line", name)}
		case p.set.opts[idx].Kind == List && !e.list && e.raw[0] == "":
			// An empty list value means "not set", as in ConfigArgParse.
			continue
		}
		out = append(out, assignment{opt: idx, raw: e.raw, list: e.list, src: ConfigFile, where: where})
	}
	return out, nil
}

// fromEnv reads LOCUST_<NAME> and then Option.Env for every option.
func (p *parser) fromEnv() []assignment {
	if p.in.Getenv == nil {
		return nil
	}
	var out []assignment
	for idx, o := range p.set.opts {
		for _, name := range o.envVars() {
			val, ok := p.in.Getenv(name)
			if !ok || val == "" && o.Kind == List {
				continue
			}
			a := assignment{opt: idx, raw: []string{val}, src: Env, where: "environment variable " + name}
			if o.Kind == List {
				a.raw, a.list = bracketItems(val)
			}
			out = append(out, a)
			break
		}
	}
	return out
}

// longHint suggests a known long option for a misspelt --word, the
// negative forms of on/off options included.
func (p *parser) longHint(spelled string) string {
	typed, long := strings.CutPrefix(spelled, "--")
	if !long {
		return ""
	}
	if rest, ok := strings.CutPrefix(typed, "no-"); ok {
		if hint := p.hint(rest); hint != "" {
			if o := p.set.opts[p.set.byName[hint]]; o.negatable() {
				return "no-" + hint
			}
		}
	}
	return p.hint(typed)
}

// hint finds the known long name closest to a misspelt one: a unique
// prefix match, or a small edit distance.
func (p *parser) hint(typed string) string {
	var prefixed []string
	best, bestDist := "", len(typed)/4+2
	for _, o := range p.set.opts {
		if strings.HasPrefix(o.Name, typed) {
			prefixed = append(prefixed, o.Name)
		}
		if d := editDistance(typed, o.Name); d < bestDist {
			best, bestDist = o.Name, d
		}
	}
	if best == "" && len(prefixed) == 1 {
		return prefixed[0]
	}
	return best
}

// editDistance counts insertions, deletions, substitutions and swaps of
// neighbours needed to turn a into b.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
