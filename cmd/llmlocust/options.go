package main

import (
	"fmt"

	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/script"
	"github.com/llmlocust/llmlocust/webui"
)

// The web server reads and sets the option values through its own
// interface.
var _ webui.Options = (*options.Values)(nil)

// scenarioOptions turns the options a scenario declares into flags, config
// keys and LOCUST_* variables like Locust's own.
func scenarioOptions(plan *script.Plan) []options.Option {
	kinds := map[script.OptionKind]options.Kind{
		script.KindString: options.String, script.KindInt: options.Int,
		script.KindFloat: options.Float, script.KindBool: options.Bool,
	}
	var out []options.Option
	for _, o := range plan.Options {
		help := o.Help
		if help == "" {
			help = fmt.Sprintf("declared by the scenario (%s:%d)", plan.File, o.Line)
		}
		out = append(out, options.Option{
			Name: options.FlagName(o.Name), Kind: kinds[o.Kind], Default: o.Default, Help: help,
			Group: "Scenario options", Env: o.Env, Secret: o.Secret, Choices: o.Choices,
		})
	}
	return out
}

// checkRequired fails on a required option left empty.
func checkRequired(plan *script.Plan, vals *options.Values) error {
	for _, o := range plan.Options {
		if !o.Required {
			continue
		}
		if v, _ := vals.Scenario(o.Name); v == "" {
			how := "--" + options.FlagName(o.Name)
			if o.Env != "" {
				how += " or the environment variable " + o.Env
			}
			return &script.Error{File: plan.File, Line: o.Line, Msg: fmt.Sprintf("option %s is required: give %s", o.Name, how)}
		}
	}
	return nil
}
