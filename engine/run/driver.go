package run

import (
	"github.com/llmlocust/llmlocust/engine/runner"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// Driver starts and stops the users of one test: a local runner.Runner,
// or a master's driver whose users run on its workers.
type Driver interface {
	Start(userCount int, spawnRate float64) error
	StartShape(s runner.Shape) error
	StartClasses(counts map[string]int) error
	SetRate(rate float64) error
	Stop()
	Cancel()
	Quit()
	Stopped() <-chan struct{}
	State() runner.State
	UserCount() int
	TargetUserCount() int
	UserClassesCount() map[string]int
	Arrivals() runner.Arrivals
}

var _ Driver = (*runner.Runner)(nil)

// Extend merges a worker's stats report into the session's stats, as a
// master does with each report.
func (s *Session) Extend(rep stats.Report) error { return s.stats.Extend(rep) }
