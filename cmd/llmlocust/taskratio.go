package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/llmlocust/llmlocust/engine/options"
	"github.com/llmlocust/llmlocust/script"
)

// showTaskRatio prints Locust's task-ratio report, as text or JSON.
func showTaskRatio(w io.Writer, plan *script.Plan, opts *options.Run) int {
	counts := plan.Distribution(opts.Users)
	if opts.ShowTaskRatioJSON {
		b, _ := json.MarshalIndent(map[string]any{
			"per_class": plan.TaskRatios(counts, false),
			"total":     plan.TaskRatios(counts, true),
		}, "", "    ")
		fmt.Fprintln(w, string(b))
		return exitOK
	}
	fmt.Fprintln(w, "\n Task ratio per User class")
	fmt.Fprintln(w, strings.Repeat("-", 80))
	printRatios(w, plan.TaskRatios(counts, false), 0)
	fmt.Fprintln(w, "\n Total task ratio")
	fmt.Fprintln(w, strings.Repeat("-", 80))
	printRatios(w, plan.TaskRatios(counts, true), 0)
	return exitOK
}

func printRatios(w io.Writer, m map[string]*script.Ratio, level int) {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	pad := strings.Repeat("  ", level)
	for _, n := range names {
		fmt.Fprintf(w, " %-10s %-50s\n", pad+fmt.Sprintf("%-6.1f", m[n].Ratio*100), pad+n)
		if m[n].Tasks != nil {
			printRatios(w, m[n].Tasks, level+1)
		}
	}
}
