package main

import (
	"fmt"
	"strings"

	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/script"
)

// flagName is the --flag of a scenario option: max_tokens → max-tokens.
func flagName(name string) string { return strings.ReplaceAll(name, "_", "-") }

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
			Name: flagName(o.Name), Kind: kinds[o.Kind], Default: o.Default, Help: help,
			Group: "Scenario options", Env: o.Env, Secret: o.Secret, Choices: o.Choices,
		})
	}
	return out
}

// optionValues lets scripts read option values (by their Lua names) as
// they stand when read.
func optionValues(vals *options.Values) func(string) (any, bool) {
	return func(name string) (any, bool) {
		flag := flagName(name)
		if !vals.Has(flag) {
			return nil, false
		}
		return vals.Get(flag), true
	}
}

// checkRequired fails on a required option left empty.
func checkRequired(plan *script.Plan, vals *options.Values) error {
	for _, o := range plan.Options {
		if !o.Required {
			continue
		}
		if v, ok := vals.Get(flagName(o.Name)).(string); ok && v == "" {
			how := "--" + flagName(o.Name)
			if o.Env != "" {
				how += " or the environment variable " + o.Env
			}
			return &script.Error{File: plan.File, Line: o.Line, Msg: fmt.Sprintf("option %s is required: give %s", o.Name, how)}
		}
	}
	return nil
}
