package options

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Run holds the built-in options as typed fields, so that the program
// reads them without naming them in strings. Each field is bound to its
// option where the option is declared (see Locust); Values.Run fills it.
type Run struct {
	Help       bool
	Version    bool
	List       bool
	Locustfile string
	Config     string
	Host       string
	Users      int
	SpawnRate  float64
	RunTime    time.Duration

	WebHost     string
	WebPort     int
	Headless    bool
	Autostart   bool
	Autoquit    int
	WebLogin    bool
	WebAuth     string
	WebInsecure bool
	WebBasePath string

	Master               bool
	MasterBindHost       string
	MasterBindPort       int
	ExpectWorkers        int
	ExpectWorkersMaxWait int
	Worker               bool
	Processes            int
	MasterHost           string
	MasterPort           int

	Tags        []string
	ExcludeTags []string

	CSV            string
	CSVFullHistory bool
	PrintStats     bool
	OnlySummary    bool
	ResetStats     bool
	HTML           string
	JSON           bool
	JSONFile       string
	RequestsJSONL  string

	Loglevel string
	Logfile  string

	Tokenizer    string
	MaxEventSize string
	MaxTextSize  string
	MaxBacklog   string

	Load

	ShowTaskRatio     bool
	ShowTaskRatioJSON bool
	ExitCodeOnError   int
	StopTimeout       time.Duration
	EqualWeights      bool
}

// FlagName is the option name of a name as a scenario writes it:
// max_tokens is --max-tokens.
func FlagName(name string) string { return strings.ReplaceAll(name, "_", "-") }

// checkField refuses a binding whose field cannot hold the option's kind.
func (o *Option) checkField() error {
	if o.field == nil {
		return nil
	}
	var r Run
	ok := false
	switch o.field(&r).(type) {
	case *string:
		ok = o.Kind == String
	case *int:
		ok = o.Kind == Int
	case *float64:
		ok = o.Kind == Float
	case *bool:
		ok = o.Kind == Bool
	case *time.Duration:
		ok = o.Kind == Duration
	case *[]string:
		ok = o.Kind == List
	}
	if !ok {
		return fmt.Errorf("option %q: bound to a %T, which cannot hold a value of kind %s", o.Name, o.field(&r), o.Kind)
	}
	return nil
}

// assign stores x, of the option's kind, in the field the option is bound
// to, if any.
func (o *Option) assign(r *Run, x any) {
	if o.field == nil {
		return
	}
	switch p := o.field(r).(type) {
	case *string:
		*p = x.(string)
	case *int:
		*p = x.(int)
	case *float64:
		*p = x.(float64)
	case *bool:
		*p = x.(bool)
	case *time.Duration:
		*p = x.(time.Duration)
	case *[]string:
		*p = slices.Clone(x.([]string))
	}
}
