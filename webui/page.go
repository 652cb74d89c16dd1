package webui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/secret"
)

// The placeholders of index.html that the server fills in.
const (
	argsPlaceholder  = "__LLMLOCUST_TEMPLATE_ARGS__"
	themePlaceholder = "__LLMLOCUST_THEME__"
)

// ErrNoFrontend is returned by Report when the binary was built without
// the frontend, whose page the report is.
var ErrNoFrontend = errors.New("the web UI was built without its frontend: run make build")

// noFrontendPage stands at / in a binary built without the frontend, so
// that the browser shows why rather than a blank page.
const noFrontendPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>llmlocust</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>llmlocust</h1>
<p>This llmlocust binary was built without its web UI frontend, so there is no page to show.</p>
<p>Run <code>make build</code> to build the frontend into the binary, or run tests with
<code>--headless</code>. The web API (<code>stats/requests</code>, <code>swarm</code>, ...) works all the same.</p>
</body></html>
`

// index is GET /: the page, with the state of the test inlined.
func (s *Server) index(c *fiber.Ctx) error {
	// Relative URLs resolve against the page's folder: /locust must be
	// /locust/ or the page would fetch /stats/requests.
	if s.base != "" && c.Path() == s.base {
		return c.Redirect(s.base + "/")
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("html", "utf-8")
	if s.cfg.Index == nil {
		return c.SendString(noFrontendPage)
	}
	args := s.templateArgs()
	args["is_report"] = false
	page, err := s.render(args, pageTheme(c.Query("theme")))
	if err != nil {
		return err
	}
	return c.Send(page)
}

// pageTheme keeps a theme the page knows, or none.
func pageTheme(t string) string {
	if t == "dark" || t == "light" {
		return t
	}
	return ""
}

// render fills the page's placeholders. json.Marshal escapes <, > and &,
// so no value can close the script element it lands in.
func (s *Server) render(args map[string]any, theme string) ([]byte, error) {
	argsJSON, err := json.Marshal(args)
	if err != nil {
		return nil, fmt.Errorf("encoding the page's data: %w", err)
	}
	themeJSON, _ := json.Marshal(theme) // a string always encodes
	page := fill(s.cfg.Index, "window.templateArgs = ", argsPlaceholder, argsJSON)
	return fill(page, "window.theme = ", themePlaceholder, themeJSON), nil
}

// fill replaces the placeholder where it is assigned, so that the same
// text elsewhere (in the bundled code, say) stays; failing that, its first
// occurrence.
func fill(page []byte, assign, placeholder string, value []byte) []byte {
	target := []byte(assign + placeholder)
	i := bytes.Index(page, target)
	if i < 0 {
		target = []byte(placeholder)
		if i = bytes.Index(page, target); i < 0 {
			return page
		}
	} else {
		i += len(assign)
		target = []byte(placeholder)
	}
	out := make([]byte, 0, len(page)+len(value))
	out = append(out, page[:i]...)
	out = append(out, value...)
	return append(out, page[i+len(target):]...)
}

// asset is GET /assets/*: a file of the build's assets folder.
func (s *Server) asset(c *fiber.Ctx) error {
	name := c.Params("*")
	if s.cfg.Assets == nil || !fs.ValidPath(name) {
		return fiber.ErrNotFound
	}
	b, err := fs.ReadFile(s.cfg.Assets, name)
	if err != nil {
		return fiber.ErrNotFound
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		c.Set(fiber.HeaderContentType, t)
	}
	return c.Send(b)
}

// templateArgs are Locust's page arguments, live, plus ours.
func (s *Server) templateArgs() map[string]any {
	seq, points, reqs, history := s.feed.snapshot()
	host, overrideWarn, missingWarn := s.hostInfo()
	shape := s.plan.HasShape()
	classes, tasks, users := s.classInfo()
	numUsers, spawnRate, runTime := s.formDefaults()
	return map[string]any{
		"locustfile":                s.locustfile(),
		"state":                     string(s.cfg.Session.State()),
		"is_distributed":            s.cfg.Workers != nil,
		"worker_count":              len(s.workers()),
		"user_count":                s.formUserCount(),
		"num_users":                 numUsers,
		"spawn_rate":                spawnRate,
		"run_time":                  runTime,
		"host":                      host,
		"override_host_warning":     overrideWarn,
		"missing_host_warning":      missingWarn,
		"is_host_required":          missingWarn,
		"history":                   history,
		"percentiles_to_chart":      percentilesToChart,
		"percentiles_to_statistics": percentilesToStatistics,
		"stats_history_enabled":     s.cfg.FullHistory && s.cfg.CSVPrefix != "",
		"extended_csv_files":        s.csvLinks(),
		"extra_options":             s.extraOptions(),
		"show_userclass_picker":     false,
		"available_user_classes":    classes,
		"available_shape_classes":   []string{"Default"},
		"available_user_tasks":      tasks,
		"users":                     users,
		"hide_common_options":       shape,
		"shape_use_common_options":  false,
		"tasks":                     "{}",
		"version":                   s.cfg.Version,
		"profile":                   nil,
		"llm": map[string]any{
			"points": points, "requests": reqs, "seq": seq,
			"percentiles": s.cfg.Session.Percentiles(), "ws_path": "ws/llm", "points_path": "llm/points",
		},
		"sweep": s.sweepView(),
	}
}

// formUserCount is templateArgs' user_count: the users running now, or
// while a test runs the count it is moving to. locust-ui reads it only as
// the Edit form's first choice of user count (its navbar counts from
// /stats/requests), and an Edit that started from a ramp's passing count
// would quietly lower the test's target.
func (s *Server) formUserCount() int {
	if st := s.cfg.Session.State(); st == runner.StateSpawning || st == runner.StateRunning {
		return s.cfg.Session.TargetUserCount()
	}
	return s.cfg.Session.UserCount()
}

// formDefaults are the form's user count, spawn rate and run time: those
// of the current (or last) test once one was started, so that a page
// loaded during a test edits it from its own settings, else the command
// line's. The run time is in seconds, null when unset.
func (s *Server) formDefaults() (users, rate, runTime any) {
	users, rate, d := s.cfg.Users, s.cfg.SpawnRate, s.cfg.RunTime
	// A load shape sets its own numbers, which the form does not show.
	if t, ok := s.cfg.Session.Test(); ok && !s.plan.HasShape() {
		users, rate, d = t.Users, t.SpawnRate, t.RunTime
	}
	if d > 0 {
		runTime = int64(d / time.Second)
	}
	return users, rate, runTime
}

// hostInfo is the host to prefill and Locust's two warnings: classes that
// name different hosts (a host given overrides them all), and a class
// without any host.
func (s *Server) hostInfo() (host string, override, missing bool) {
	if h := s.cfg.Session.Host(); h != "" {
		return h, false, false
	}
	hosts := map[string]bool{}
	for _, c := range s.plan.Classes {
		hosts[c.Host] = true
	}
	if len(hosts) == 1 {
		for h := range hosts {
			return h, false, h == ""
		}
	}
	return "", true, hosts[""]
}

// shownHost is the host that a test aims at, or "".
func (s *Server) shownHost() string {
	h, _, _ := s.hostInfo()
	return h
}

// classInfo describes the user classes as Locust's class picker does.
func (s *Server) classInfo() (names []string, tasks map[string][]string, users map[string]any) {
	tasks, users = map[string][]string{}, map[string]any{}
	for _, c := range s.plan.Classes {
		names = append(names, c.Name)
		var list []string
		for _, t := range c.Tasks {
			list = append(list, t.Name)
		}
		tasks[c.Name] = list
		users[c.Name] = map[string]any{"host": c.Host, "weight": c.Weight, "fixed_count": c.FixedCount, "tasks": list}
	}
	slices.Sort(names)
	return names, tasks, users
}

// secretFormNote is what the form says by a secret option: the server's
// value of it goes only to the hosts the operator named.
const secretFormNote = "(The server's value is sent only to the hosts given when llmlocust was started; for a host typed here, type the key too.)"

// Help of the sweep's form fields, which locust-ui shows among the
// scenario's options.
const (
	sweepHelp    = "Run the test as a sweep, in steps: users=1,2,4,8 (user counts), rate=1,2,4,8 (requests/s, open loop; the user count caps requests in flight) or rate=auto. Empty: an ordinary test. The steps set its length; see the Sweep tab."
	stepTimeHelp = "How long each step of a sweep runs (20s, 1m…)."
)

// sweepOptions are the form's sweep fields, prefilled from the command
// line.
func (s *Server) sweepOptions() map[string]any {
	step := s.cfg.StepTime
	if step <= 0 {
		step = defaultStepTime
	}
	field := func(v, help string) map[string]any {
		return map[string]any{"default_value": v, "is_secret": false, "is_required": false, "help_text": help, "is_multiple": false, "choices": nil}
	}
	return map[string]any{
		"sweep":     field(s.cfg.Sweep, sweepHelp),
		"step_time": field(strconv.FormatFloat(step.Seconds(), 'f', -1, 64)+"s", stepTimeHelp),
	}
}

// extraOptions are the scenario's options as form fields, with their
// current values, and the sweep's fields; a secret's value never leaves
// the server.
func (s *Server) extraOptions() map[string]any {
	out := s.sweepOptions()
	for _, o := range s.plan.Options {
		v, ok := s.cfg.Options.Scenario(o.Name)
		if !ok {
			v = o.Default
		}
		if o.Secret {
			v = ""
		}
		var choices any
		if len(o.Choices) > 0 {
			choices = o.Choices
		}
		help := o.Help
		if o.Secret {
			help = strings.TrimSpace(help + " " + secretFormNote)
		}
		out[o.Name] = map[string]any{
			"default_value": v, "is_secret": o.Secret, "is_required": o.Required,
			"help_text": help, "is_multiple": false, "choices": choices,
		}
	}
	return out
}

// Report is the single-file HTML report: the page in report mode, with
// the stats, charts and LLM table inlined, so that it opens from disk.
// theme is "dark" or "light" (the default).
func (s *Server) Report(theme string) ([]byte, error) {
	return s.renderReport(theme, false)
}

func (s *Server) renderReport(theme string, downloadLink bool) ([]byte, error) {
	if s.cfg.Index == nil {
		return nil, ErrNoFrontend
	}
	if theme != "dark" {
		theme = "light"
	}
	args := s.templateArgs()
	for k, v := range s.reportArgs(downloadLink) {
		args[k] = v
	}
	return s.render(args, theme)
}

// reportPercentiles are the columns of the report's response time table,
// keyed as Python prints them.
var reportPercentiles = []struct {
	key string
	p   float64
}{
	{"0.5", 0.5}, {"0.6", 0.6}, {"0.7", 0.7}, {"0.8", 0.8},
	{"0.9", 0.9}, {"0.95", 0.95}, {"0.99", 0.99}, {"1.0", 1},
}

// reportArgs are Locust's report arguments, plus our LLM table.
func (s *Server) reportArgs(downloadLink bool) map[string]any {
	snap := s.cfg.Session.Snapshot()
	rows := append(slices.Clone(snap.Entries), snap.Total)
	requests := make([]map[string]any, len(rows))
	times := make([]map[string]any, len(rows))
	stopped := s.cfg.Session.State() == runner.StateStopped
	for i, e := range rows {
		requests[i] = entryDict(e, stopped)
		times[i] = map[string]any{"name": e.Name, "method": e.Method}
		for _, rp := range reportPercentiles {
			times[i][rp.key] = e.Percentile(rp.p)
		}
	}
	start, end := snap.Start, snap.Total.LastRequestTimestamp
	if end.IsZero() {
		end = start
	}
	return map[string]any{
		"is_report":                true,
		"requests_statistics":      requests,
		"failures_statistics":      errorRows(snap.Errors),
		"exceptions_statistics":    exceptionRows(snap),
		"response_time_statistics": times,
		"start_time":               start.UTC().Format(isoSeconds),
		"end_time":                 end.UTC().Format(isoSeconds),
		"duration":                 formatDuration(end.Unix() - start.Unix()),
		"show_download_link":       downloadLink,
		"tasks":                    s.taskRatios(),
		"llm_report":               llmTable(snap, snap.Time, s.cfg.Session.Percentiles()),
	}
}

// formatDuration spells a number of seconds as Locust's report does:
// "1 hour, 2 minutes and 5 seconds".
func formatDuration(seconds int64) string {
	parts := []string{}
	for _, u := range []struct {
		n    int64
		name string
	}{
		{seconds / 86400, "day"}, {seconds % 86400 / 3600, "hour"},
		{seconds % 3600 / 60, "minute"}, {seconds % 60, "second"},
	} {
		if u.n > 0 {
			unit := u.name
			if u.n != 1 {
				unit += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", u.n, unit))
		}
	}
	switch len(parts) {
	case 0:
		return "0 seconds"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// report is GET /stats/report: the report page, as an attachment with
// download=1.
func (s *Server) report(c *fiber.Ctx) error {
	download := c.Query("download") != ""
	page, err := s.renderReport(c.Query("theme"), !download)
	if errors.Is(err, ErrNoFrontend) {
		return c.Status(fiber.StatusServiceUnavailable).SendString(err.Error())
	}
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	if download {
		c.Set(fiber.HeaderContentDisposition, "attachment;filename="+s.downloadName("")+".html")
	}
	return c.Send(page)
}

// Report writes the HTML report (--html) when the run closes, from the
// run's stats and timeline, without a server.
type Report struct {
	page    *Server // serves nothing: no app, no listener, no live feed
	path    string
	secrets *secret.Scrubber
}

var _ output.Output = (*Report)(nil)

// NewReport writes the report of cfg's session to path, through secrets.
func NewReport(cfg Config, path string, secrets *secret.Scrubber) *Report {
	return &Report{page: &Server{cfg: cfg, plan: cfg.Plan, feed: &feed{tl: cfg.Session.Timeline()}}, path: path, secrets: secrets}
}

// Start implements output.Output.
func (r *Report) Start(output.Sample) error { return nil }

// Tick implements output.Output.
func (r *Report) Tick(output.Sample) error { return nil }

// Close implements output.Output.
func (r *Report) Close(output.Sample) error {
	page, err := r.page.Report("")
	if err == nil {
		err = output.WriteFile(r.path, r.secrets, func(w io.Writer) error {
			_, err := w.Write(page)
			return err
		})
	}
	if err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}
