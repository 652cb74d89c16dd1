package webui

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/llmlocust/llmlocust/engine/output"
	"github.com/llmlocust/llmlocust/engine/run"
)

// defaultStepTime is a form's step time when neither the form nor the
// command line gives one.
const defaultStepTime = 60 * time.Second

// SweepView is GET /llm/sweep, and the page's and the report's "sweep":
// the steps of the current (or last) test's sweep, with the one under way.
// Without a sweep, mode and step_time_s are null and steps empty.
type SweepView struct {
	Mode      *string            `json:"mode"`
	StepTimeS *float64           `json:"step_time_s"`
	Steps     []output.SweepStep `json:"steps"`
	Running   bool               `json:"running"`
	Current   *SweepCurrent      `json:"current"`
}

// SweepCurrent is the step under way: its index in steps, its value and
// when it started, in seconds from the test's start.
type SweepCurrent struct {
	Index    int     `json:"index"`
	Value    float64 `json:"value"`
	StartedS float64 `json:"started_s"`
}

func (s *Server) sweepView() SweepView {
	st := s.cfg.Session.SweepStatus()
	v := SweepView{Steps: []output.SweepStep{}}
	if st.Sweep == nil {
		return v
	}
	v.Mode, v.StepTimeS, v.Steps = &st.Sweep.Mode, &st.Sweep.StepTimeS, st.Sweep.Steps
	if st.Running && st.Current < len(v.Steps) {
		v.Running = true
		v.Current = &SweepCurrent{Index: st.Current, Value: v.Steps[st.Current].Value, StartedS: st.CurrentStart.Seconds()}
	}
	return v
}

// sweep is GET /llm/sweep.
func (s *Server) sweep(c *fiber.Ctx) error { return c.JSON(s.sweepView()) }

// parseSweep reads the form's sweep and step_time; refusal, when set,
// turns the form down.
func (s *Server) parseSweep(f swarmForm) (sw *run.Sweep, refusal string) {
	if f.sweep == "" {
		return nil, ""
	}
	step := s.cfg.StepTime
	if step <= 0 {
		step = defaultStepTime
	}
	if f.stepTime != "" {
		d, err := s.cfg.Options.ParseRunTime(f.stepTime)
		if err != nil {
			return nil, "invalid step_time: " + msgRunTime
		}
		step = d
	}
	if err := run.CheckStepTime(step); err != nil {
		return nil, "invalid step_time: " + err.Error()
	}
	sw, err := run.ParseSweep(f.sweep, step)
	if err != nil {
		return nil, "invalid sweep: " + err.Error()
	}
	return sw, ""
}
