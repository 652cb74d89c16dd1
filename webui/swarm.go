package webui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/llmlocust/llmlocust/engine/run"
)

// Locust's messages, which scripts driving /swarm may look for.
const (
	msgMissingCounts = "Missing user_count or spawn_rate from /swarm request"
	msgRunTime       = "Valid run_time formats are : 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc."
)

// swarmForm is what a POST /swarm asks for.
type swarmForm struct {
	users, rate       string
	host, runTime     string
	hostSet, countSet bool
	sweep, stepTime   string
	options           map[string]string // scenario option (Lua name) -> text
}

// swarm is POST /swarm: start a test or, while one runs, move it to a new
// user count and spawn rate with its stats kept (Locust's Edit). Errors
// answer success false with status 200, as Locust does.
func (s *Server) swarm(c *fiber.Ctx) error {
	form := s.readForm(c)
	test, refusal := s.parseTest(form)
	if refusal != "" {
		return s.swarmResult(c, false, refusal, 0)
	}
	undo, err := s.setOptions(form.options)
	if err != nil {
		return s.swarmResult(c, false, err.Error(), 0)
	}
	test.Own = s.typedSecrets(form.options)
	wasIdle := !isActive(s.cfg.Session.State())
	if err := s.cfg.Session.Start(test); err != nil {
		undo()
		return s.swarmResult(c, false, err.Error(), 0)
	}
	if wasIdle {
		// The charts clear now, not at the next tick.
		start, _ := s.cfg.Session.Times()
		s.cfg.Session.Timeline().Restart(start)
	}
	msg := "Swarming started"
	switch {
	case test.Sweep != nil:
		msg = fmt.Sprintf("Sweep %s started, in steps of %s", test.Sweep, test.Sweep.StepTime)
		test.RunTime = 0 // the steps set the test's length
	case s.plan.HasShape():
		msg = "Swarming started using the scenario's load shape"
	}
	if note := s.cfg.Session.SecretNote(); note != "" {
		msg += "; " + note
	}
	return s.swarmResult(c, true, msg, test.RunTime)
}

// readForm collects the form's fields; a repeated field counts once.
func (s *Server) readForm(c *fiber.Ctx) swarmForm {
	f := swarmForm{options: map[string]string{}}
	declared := map[string]bool{}
	for _, o := range s.plan.Options {
		declared[o.Name] = true
	}
	visit := func(key, value string) {
		switch {
		case key == "user_count":
			f.users, f.countSet = value, true
		case key == "spawn_rate":
			f.rate = value
		case key == "host":
			f.host, f.hostSet = strings.NewReplacer("<", "", ">", "").Replace(value), true
		case key == "run_time":
			f.runTime = value
		case key == "sweep":
			f.sweep = strings.TrimSpace(value)
		case key == "step_time":
			f.stepTime = value
		case declared[key]:
			if _, seen := f.options[key]; !seen {
				f.options[key] = value
			}
		}
	}
	if form, err := c.MultipartForm(); err == nil {
		for k, vs := range form.Value {
			if len(vs) > 0 {
				visit(k, vs[0])
			}
		}
		return f
	}
	for k, v := range c.Request().PostArgs().All() {
		visit(string(k), string(v))
	}
	return f
}

// parseTest reads the test's numbers in Locust's formats; refusal, when
// set, is the message that turns the form down.
func (s *Server) parseTest(f swarmForm) (t run.Test, refusal string) {
	t.Host = f.host
	if !f.hostSet {
		// A form without a host (the Edit form) keeps the last one, as
		// Locust keeps its environment's host.
		t.Host = s.cfg.Session.Host()
	}
	if f.runTime != "" {
		d, err := s.cfg.Options.ParseRunTime(f.runTime)
		if err != nil {
			return t, msgRunTime
		}
		t.RunTime = d
	}
	if t.Sweep, refusal = s.parseSweep(f); refusal != "" {
		return t, refusal
	}
	// A sweep sets the load in place of the shape, with the form's users.
	if s.plan.HasShape() && t.Sweep == nil {
		return t, ""
	}
	users, uerr := strconv.Atoi(strings.TrimSpace(f.users))
	rate, rerr := strconv.ParseFloat(strings.TrimSpace(f.rate), 64)
	switch {
	case !f.countSet || f.rate == "" || rerr == nil && rate == 0:
		return t, msgMissingCounts
	case uerr != nil || users < 0:
		return t, fmt.Sprintf("invalid user_count: %q is not a whole number of users", f.users)
	case rerr != nil || rate < 0:
		return t, fmt.Sprintf("invalid spawn_rate: %q is not a positive number", f.rate)
	}
	t.Users, t.SpawnRate = users, rate
	return t, ""
}

// setOptions sets the form's scenario options, all or none: on an error
// the ones already set go back to their old values. undo restores them
// after a later failure. A secret left empty keeps its value, since the
// form never receives it and so always sends it back empty.
func (s *Server) setOptions(opts map[string]string) (undo func(), err error) {
	old := map[string]any{}
	undo = func() {
		for name, v := range old {
			_ = s.cfg.Options.SetScenario(name, v) // a value it held before is valid
		}
	}
	for _, o := range s.plan.Options {
		text, given := opts[o.Name]
		if !given || o.Secret && text == "" {
			continue
		}
		if o.Secret {
			s.cfg.Session.Secrets().Add(text)
		}
		prev, _ := s.cfg.Options.Scenario(o.Name)
		if err := s.cfg.Options.SetScenario(o.Name, text); err != nil {
			undo()
			return func() {}, err
		}
		old[o.Name] = prev
	}
	return undo, nil
}

// typedSecrets names the secret options the form gave a value: the web
// user's own, which go wherever the form aims; the operator's do not.
func (s *Server) typedSecrets(opts map[string]string) []string {
	var own []string
	for _, o := range s.plan.Options {
		if o.Secret && opts[o.Name] != "" {
			own = append(own, o.Name)
		}
	}
	return own
}

func (s *Server) swarmResult(c *fiber.Ctx, ok bool, msg string, runTime time.Duration) error {
	res := map[string]any{"success": ok, "message": msg, "host": s.shownHost()}
	if ok && runTime > 0 {
		res["run_time"] = int64(runTime / time.Second)
	}
	return c.JSON(res)
}

// stop is GET /stop: the test's users begin to stop.
func (s *Server) stop(c *fiber.Ctx) error {
	s.cfg.Session.Stop()
	return c.JSON(map[string]any{"success": true, "message": "Test stopped"})
}

// reset is GET /stats/reset: the stats start over, the test goes on.
func (s *Server) reset(c *fiber.Ctx) error {
	s.cfg.Session.Reset()
	return c.SendString("ok")
}
