package options

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Layout of the help text: argparse's help column, wrapped for a wide
// terminal.
const (
	usageWidth = 100
	helpColumn = 24
)

// Usage writes the --help text: the options grouped as Locust groups them,
// each with its short and long form, value placeholder, help, default
// (never a secret's) and environment variables. Like flag.PrintDefaults it
// has no error to return: help goes to a terminal, and a failed write there
// has no better place to be reported.
func (s *Set) Usage(w io.Writer, prog string) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s [options] [UserClass ...]\n", prog)
	for _, group := range s.groups() {
		fmt.Fprintf(&b, "\n%s:\n", group)
		for _, o := range s.opts {
			if !o.Hidden && o.groupOrDefault() == group {
				writeEntry(&b, o.invocation(), o.helpText())
			}
		}
	}
	b.WriteString("\nUser classes:\n")
	writeEntry(&b, "<UserClass1 UserClass2>", []string{
		"User classes to run, listed at the end of the command line (see --list). LOCUST_USER_CLASSES may list them too. By default every user class of the scenario runs.",
	})
	fmt.Fprintf(&b, "\nExamples:\n\n    %s -f chat.lua -H https://api.example.com\n\n"+
		"    %s -f chat.lua -H mock --headless -u 50 -r 5 -t 5m --csv results/run1\n\n"+
		"Options may also be set in ~/.locust.conf, ./locust.conf, ./pyproject.toml ([tool.locust]) or a\n"+
		"--config file (\"users = 10\"), or in LOCUST_<NAME> environment variables (LOCUST_USERS=10).\n"+
		"The command line wins over the environment, which wins over the files. An on/off option takes\n"+
		"--NAME=false (or true), and --no-NAME turns it off.\n", prog, prog)
	_, _ = io.WriteString(w, b.String())
}

// groups lists the help sections in the order their first option appears.
func (s *Set) groups() []string {
	var groups []string
	for _, o := range s.opts {
		if g := o.groupOrDefault(); !o.Hidden && !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	return groups
}

// invocation is the left column: "-u <int>, --users <int>".
func (o *Option) invocation() string {
	arg := ""
	switch o.Kind {
	case Bool:
	case List:
		arg = " [" + o.metavar() + " ...]"
	default:
		arg = " " + o.metavar()
	}
	long := "--" + o.Name + arg
	if o.negatable() && o.Default == true {
		// Listed where it matters: the way to turn off what is on.
		long += ", --no-" + o.Name
	}
	if o.Short == "" {
		return long
	}
	return "-" + o.Short + arg + ", " + long
}

func (o *Option) metavar() string {
	switch {
	case o.Metavar != "":
		return o.Metavar
	case len(o.Choices) > 0:
		return "{" + strings.Join(o.Choices, ",") + "}"
	}
	return map[Kind]string{
		String: "<string>", Int: "<int>", Float: "<float>", Duration: "<time string>", List: "<value>",
	}[o.Kind]
}

// helpText is the right column: the help, then one parenthesised note on
// the default, the choices and the environment variables.
func (o *Option) helpText() []string {
	var notes []string
	switch {
	case o.Secret:
		notes = append(notes, "secret")
	case !isZero(o.Default):
		notes = append(notes, "default: "+o.showDefault())
	}
	if len(o.Choices) > 0 && o.Metavar != "" {
		notes = append(notes, "choices: "+strings.Join(o.Choices, ", "))
	}
	if vars := o.envVars(); len(vars) > 0 {
		notes = append(notes, "env: "+strings.Join(vars, ", "))
	}
	paragraphs := []string{o.Help}
	if len(notes) > 0 {
		paragraphs = append(paragraphs, "("+strings.Join(notes, "; ")+")")
	}
	return paragraphs
}

// showDefault prints the default in the syntax the option accepts.
func (o *Option) showDefault() string {
	switch v := o.Default.(type) {
	case float64:
		// 1.0, not 1, so that a float option reads as one.
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEnN") {
			s += ".0"
		}
		return s
	case time.Duration:
		if v%time.Second != 0 && !o.FloatSeconds {
			// Not expressible in run-time syntax; Go's form is still clear.
			return v.String()
		}
		return formatSpan(v)
	case []string:
		return strings.Join(v, ",")
	}
	return fmt.Sprint(o.Default)
}

// formatSpan writes a duration the way ParseRunTime reads it when it can.
func formatSpan(d time.Duration) string {
	if d%time.Second != 0 {
		return strconv.FormatFloat(d.Seconds(), 'g', -1, 64)
	}
	h, m, sec := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	var b strings.Builder
	for _, part := range []struct {
		n    time.Duration
		unit string
	}{{h, "h"}, {m, "m"}, {sec, "s"}} {
		if part.n != 0 {
			fmt.Fprintf(&b, "%d%s", part.n, part.unit)
		}
	}
	if b.Len() == 0 {
		return "0s"
	}
	return b.String()
}

// writeEntry lays out one option: the invocation at column 2, its help
// from helpColumn on, on the same line when the invocation is short.
func writeEntry(b *strings.Builder, invocation string, paragraphs []string) {
	head := "  " + invocation
	var lines []string
	for _, p := range paragraphs {
		lines = append(lines, wrap(p, usageWidth-helpColumn)...)
	}
	indent := strings.Repeat(" ", helpColumn)
	if len(head) <= helpColumn-2 && len(lines) > 0 {
		b.WriteString(head + strings.Repeat(" ", helpColumn-len(head)) + lines[0] + "\n")
		lines = lines[1:]
	} else {
		b.WriteString(head + "\n")
	}
	for _, l := range lines {
		b.WriteString(indent + l + "\n")
	}
}

// wrap breaks text into lines of at most width bytes, at spaces; a word
// longer than width gets a line of its own.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
