// Package options turns the command line, locust.conf, --config files,
// pyproject.toml and LOCUST_* environment variables into option values with
// Locust's meanings and precedence, the built-in ones as typed fields (Run).
// The option set is open: a scenario declares options of its own at run
// time, and they become flags, file keys and environment variables just
// like the built-in ones.
package options

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind is the type of an option's value.
type Kind int

// The kinds of option values, with the Go type each one holds.
const (
	String   Kind = iota // string
	Int                  // int
	Float                // float64
	Bool                 // bool
	Duration             // time.Duration
	List                 // []string
)

var kindNames = [...]string{"string", "int", "float", "bool", "duration", "list"}

// String names the kind the way type errors do ("invalid int value").
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// Option describes one setting. Its long name is also its config-file key
// and, upper-cased with dashes turned into underscores behind LOCUST_, its
// environment variable.
type Option struct {
	// Name is the long name without dashes, e.g. "spawn-rate".
	Name string
	// Short is an optional one-letter alias, e.g. "r" for -r.
	Short string
	// Kind is the type of the value.
	Kind Kind
	// Default has the Go type of Kind (string, int, float64, bool,
	// time.Duration, []string); nil means the zero value.
	Default any
	// Help is the description shown by Usage.
	Help string
	// Group is the Usage section, e.g. "Common options". Options without
	// one are listed under "Scenario options", since that is where options
	// declared at run time belong.
	Group string
	// Metavar stands for the value in Usage, e.g. "<int>"; empty picks one
	// from the kind.
	Metavar string
	// Env is one more environment variable read for this option, such as
	// OPENAI_API_KEY. LOCUST_<NAME> wins over it and the command line wins
	// over both.
	Env string
	// Secret values never appear in Usage, errors, Redacted or formatted
	// Values.
	Secret bool
	// Choices, when set, are the only values allowed. Matching ignores case
	// and the value takes the spelling of the choice, as Locust's -L does.
	Choices []string
	// NotYet, when set, makes any value other than the default an error
	// with this message, for features that are declared but not built.
	NotYet string
	// Hidden options work but are left out of Usage.
	Hidden bool
	// FlagOnly options are read from the command line only: no config-file
	// key and no environment variable (-h, -V and --config itself).
	FlagOnly bool
	// FloatSeconds lets a Duration also be given as plain seconds with a
	// fraction, "0.5", on top of ParseRunTime's formats.
	FloatSeconds bool
	// Check, when set, vets a converted value; its error is reported like a
	// type error, naming the option and where the value came from. For a
	// Secret option its message must not quote the value.
	Check func(v any) error

	// field, for a built-in option, points at the Run field that holds
	// its value.
	field func(*Run) any
}

// groupOrDefault is the Usage section the option is listed under.
func (o *Option) groupOrDefault() string {
	if o.Group == "" {
		return "Scenario options"
	}
	return o.Group
}

// EnvVar is the LOCUST_<NAME> environment variable of the option, or "" for
// a FlagOnly option.
func (o *Option) EnvVar() string {
	if o.FlagOnly {
		return ""
	}
	return "LOCUST_" + strings.ToUpper(strings.ReplaceAll(o.Name, "-", "_"))
}

// envVars lists the environment variables read for the option, strongest
// first.
func (o *Option) envVars() []string {
	if o.FlagOnly {
		return nil
	}
	vars := []string{o.EnvVar()}
	if o.Env != "" && o.Env != vars[0] {
		vars = append(vars, o.Env)
	}
	return vars
}

// label names the option in messages the way argparse does: "-u/--users".
func (o *Option) label() string {
	if o.Short != "" {
		return "-" + o.Short + "/--" + o.Name
	}
	return "--" + o.Name
}

// negatable options also take argparse's --no-NAME form, which sets them
// false: the one way to turn an option off on the command line without
// "=", and to override a config file or environment variable that turned
// it on. -h and -V have nothing to turn off.
func (o *Option) negatable() bool { return o.Kind == Bool && !o.FlagOnly }

// zero is the zero value of a kind, in its Go type.
func zero(k Kind) any {
	switch k {
	case Int:
		return 0
	case Float:
		return 0.0
	case Bool:
		return false
	case Duration:
		return time.Duration(0)
	case List:
		return []string(nil)
	default:
		return ""
	}
}

// hasKind reports whether v holds the Go type of kind k.
func hasKind(v any, k Kind) bool {
	switch v.(type) {
	case string:
		return k == String
	case int:
		return k == Int
	case float64:
		return k == Float
	case bool:
		return k == Bool
	case time.Duration:
		return k == Duration
	case []string:
		return k == List
	}
	return false
}

// isZero reports whether v is its kind's zero value (or an empty list).
func isZero(v any) bool {
	if l, ok := v.([]string); ok {
		return len(l) == 0
	}
	return v == zero(kindOf(v))
}

// kindOf is the kind whose Go type v holds; String for anything unknown.
func kindOf(v any) Kind {
	for k := String; k <= List; k++ {
		if hasKind(v, k) {
			return k
		}
	}
	return String
}

// sameValue compares two values of one kind.
func sameValue(a, b any) bool {
	la, aList := a.([]string)
	lb, bList := b.([]string)
	if aList || bList {
		return aList && bList && slices.Equal(la, lb)
	}
	return a == b
}

// normalize checks an option's own fields and fills in a typed default.
func (o *Option) normalize() error {
	if err := checkName(o.Name); err != nil {
		return err
	}
	if o.Short != "" && !isShortLetter(o.Short) {
		return fmt.Errorf("option %q: short name %q is not a single letter", o.Name, o.Short)
	}
	if o.Kind < String || o.Kind > List {
		return fmt.Errorf("option %q: unknown kind %d", o.Name, int(o.Kind))
	}
	if err := o.checkField(); err != nil {
		return err
	}
	if o.Default == nil {
		o.Default = zero(o.Kind)
	}
	if !hasKind(o.Default, o.Kind) {
		return fmt.Errorf("option %q: default %T does not suit kind %s", o.Name, o.Default, o.Kind)
	}
	if l, ok := o.Default.([]string); ok {
		o.Default = slices.Clone(l)
	}
	if len(o.Choices) > 0 && o.Kind != String && o.Kind != List {
		return fmt.Errorf("option %q: choices need a string or list kind", o.Name)
	}
	if len(o.Choices) > 0 && !isZero(o.Default) {
		picked, err := o.pickChoices(o.Default)
		if err != nil {
			return fmt.Errorf("option %q: default is not one of the choices", o.Name)
		}
		o.Default = picked
	}
	return nil
}

// checkName accepts names that work as flags, file keys and parts of
// environment variable names.
func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("option with an empty name")
	}
	for i, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !letter && (i == 0 || r != '-' && r != '_') {
			return fmt.Errorf("option %q: a name is letters, digits, '-' and '_', starting with a letter or digit", name)
		}
	}
	return nil
}

// isShortLetter refuses digits so that "-5" always reads as a number.
func isShortLetter(s string) bool {
	return len(s) == 1 && (s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z')
}

// Set is an ordered collection of options with unique names, short names
// and environment variables. It is not safe for concurrent Add and Parse.
type Set struct {
	opts    []Option
	byName  map[string]int
	byShort map[string]int
	byEnv   map[string]int
}

// NewSet builds a set from opts; a name, short name or environment variable
// used twice is an error.
func NewSet(opts ...Option) (*Set, error) {
	s := &Set{byName: map[string]int{}, byShort: map[string]int{}, byEnv: map[string]int{}}
	if err := s.Add(opts...); err != nil {
		return nil, err
	}
	return s, nil
}

// Add appends options, such as those a scenario declares after a first
// ParseKnown pass. Either all of opts are added or, on error, none.
func (s *Set) Add(opts ...Option) error {
	staged := &Set{
		opts:    slices.Clone(s.opts),
		byName:  cloneIndex(s.byName),
		byShort: cloneIndex(s.byShort),
		byEnv:   cloneIndex(s.byEnv),
	}
	for _, o := range opts {
		if err := staged.add(o); err != nil {
			return err
		}
	}
	*s = *staged
	return nil
}

func cloneIndex(m map[string]int) map[string]int {
	c := make(map[string]int, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (s *Set) add(o Option) error {
	if err := o.normalize(); err != nil {
		return err
	}
	if _, dup := s.byName[o.Name]; dup {
		return fmt.Errorf("option --%s is declared twice", o.Name)
	}
	if err := s.checkNegative(o); err != nil {
		return err
	}
	if i, dup := s.byShort[o.Short]; dup && o.Short != "" {
		return fmt.Errorf("option --%s: -%s is already short for --%s", o.Name, o.Short, s.opts[i].Name)
	}
	for _, env := range o.envVars() {
		if i, dup := s.byEnv[env]; dup {
			return fmt.Errorf("option --%s: environment variable %s is already read for --%s", o.Name, env, s.opts[i].Name)
		}
	}
	i := len(s.opts)
	s.opts = append(s.opts, o)
	s.byName[o.Name] = i
	if o.Short != "" {
		s.byShort[o.Short] = i
	}
	for _, env := range o.envVars() {
		s.byEnv[env] = i
	}
	return nil
}

// Lookup returns the option with the given long name.
func (s *Set) Lookup(name string) (Option, bool) {
	i, ok := s.byName[name]
	if !ok {
		return Option{}, false
	}
	return s.opts[i], true
}

// Options returns the options in the order they were added.
func (s *Set) Options() []Option {
	return slices.Clone(s.opts)
}

// Source says where an option's value came from. Later sources override
// earlier ones, in the order of the constants.
type Source int

// Sources from weakest to strongest; Assigned is a change made after
// parsing through Values.Set, e.g. by the web form.
const (
	Default Source = iota
	ConfigFile
	Env
	CommandLine
	Assigned
)

var sourceNames = [...]string{"default", "config file", "environment", "command line", "assigned"}

// String names the source for people.
func (s Source) String() string {
	if s < 0 || int(s) >= len(sourceNames) {
		return fmt.Sprintf("Source(%d)", int(s))
	}
	return sourceNames[s]
}

// Error is a mistake in the options a user gave: an unknown option, a bad
// value, a malformed config-file line. Like argparse, a caller usually
// prints it and exits with status 2.
type Error struct {
	// Where locates the mistake: "locust.conf:3", "environment variable
	// LOCUST_USERS", or "" for the command line.
	Where string
	// Msg says what is wrong, in argparse's words where it has them.
	Msg string
}

func (e *Error) Error() string {
	if e.Where == "" {
		return e.Msg
	}
	return e.Where + ": " + e.Msg
}
