package options

import (
	"fmt"
	"slices"
	"strings"
)

// checkNegative keeps --no-NAME unambiguous: no option may be named like
// the negative form of an on/off option.
func (s *Set) checkNegative(o Option) error {
	if _, dup := s.byName["no-"+o.Name]; dup && o.negatable() {
		return fmt.Errorf("option --%s: --no-%s is already declared, and it would be the negative form of --%s", o.Name, o.Name, o.Name)
	}
	if rest, ok := strings.CutPrefix(o.Name, "no-"); ok {
		if i, dup := s.byName[rest]; dup && s.opts[i].negatable() {
			return fmt.Errorf("option --%s is the negative form of --%s", o.Name, rest)
		}
	}
	return nil
}

// negative finds the option that --name turns off, for name "no-NAME".
func (s *Set) negative(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "no-")
	if !ok {
		return 0, false
	}
	i, ok := s.byName[rest]
	return i, ok && s.opts[i].negatable()
}

// negate reads --no-NAME, which takes no value, as argparse's
// BooleanOptionalAction does.
func (p *parser) negate(idx int, name, val string, hasVal bool) ([]assignment, int, error) {
	if hasVal {
		return nil, 0, &Error{Msg: fmt.Sprintf("argument --%s: ignored explicit argument %s", name, p.set.opts[idx].quote(val))}
	}
	return []assignment{{opt: idx, raw: []string{"false"}, src: CommandLine}}, 0, nil
}

// stray remembers an on/off flag given without a value right before a
// positional word that reads as a boolean: "--include-usage false" gives
// the flag true and a user class named "false", as in argparse, and the
// user almost surely meant something else.
type stray struct {
	spelled string // the flag as typed
	opt     int
}

// bareBool returns the on/off option that the option word w ended with
// when it took no value, for spotting the word after it.
func (p *parser) bareBool(w string, got []assignment, used int) (stray, bool) {
	if used > 0 || len(got) == 0 || strings.Contains(w, "=") {
		return stray{}, false
	}
	last := got[len(got)-1].opt
	if p.set.opts[last].Kind != Bool {
		return stray{}, false
	}
	return stray{spelled: w, opt: last}, true
}

// CheckUserClasses fails on a user class to run, from the command line or
// LOCUST_USER_CLASSES, that is not among known. When the class is a word
// such as "false" right after an on/off flag, the error says how to give
// the flag a value. Checking this before anything starts keeps a typo from
// costing a simulator start or a web server.
func (v *Values) CheckUserClasses(known []string) error {
	for i, name := range v.positional {
		if slices.Contains(known, name) {
			continue
		}
		msg := fmt.Sprintf("unknown user class %q; the scenario has %s", name, strings.Join(known, ", "))
		if s, ok := v.strays[i]; ok {
			msg += "; " + v.strayHint(s, name)
		}
		return &Error{Where: v.classesWhere, Msg: msg}
	}
	return nil
}

// strayHint says how to write what "--flag word" probably meant.
func (v *Values) strayHint(s stray, word string) string {
	o := &v.opts[s.opt]
	hint := fmt.Sprintf("%s takes no separate value: write --%s=%s", s.spelled, o.Name, word)
	on, _ := parseBool(word)
	switch {
	case on:
		hint += " or just --" + o.Name
	case o.negatable():
		hint += " or --no-" + o.Name
	}
	return hint
}
