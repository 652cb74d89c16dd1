package script

import (
	"fmt"
	"math"
)

// Ratio is a class's or task's share of the work, as Locust's task ratio
// reports it (--show-task-ratio and the web UI's /tasks).
type Ratio struct {
	Ratio float64           `json:"ratio"`
	Tasks map[string]*Ratio `json:"tasks,omitempty"`
}

// Distribution is how many users of each class numUsers gives, by fixed
// count and weight, rounded as Locust's task-ratio report rounds it.
func (p *Plan) Distribution(numUsers int) map[string]int {
	fixed, weight := 0, 0
	for _, c := range p.Classes {
		if c.FixedCount > 0 {
			fixed += c.FixedCount
		} else {
			weight += c.Weight
		}
	}
	if numUsers <= 0 {
		numUsers = weight
		if fixed > 0 {
			numUsers = 1
		}
	}
	weighted := max(numUsers-fixed, 0)
	out := map[string]int{}
	for _, c := range p.Classes {
		if c.FixedCount > 0 {
			out[c.Name] = c.FixedCount
		} else if weight > 0 {
			out[c.Name] = int(math.RoundToEven(float64(c.Weight) / float64(weight) * float64(weighted)))
		}
	}
	return out
}

// TaskRatios gives each class's share of users and each task's share of
// its class's task runs; with total, task shares are of all task runs.
func (p *Plan) TaskRatios(counts map[string]int, total bool) map[string]*Ratio {
	users := 0
	for _, n := range counts {
		users += n
	}
	users = max(users, 1)
	out := map[string]*Ratio{}
	for _, c := range p.Classes {
		r := float64(counts[c.Name]) / float64(users)
		parent := 1.0
		if total {
			parent = r
		}
		weights := 0
		for _, t := range c.Tasks {
			weights += t.Weight
		}
		tasks := map[string]*Ratio{}
		for _, t := range c.Tasks {
			tr := &Ratio{Ratio: parent * float64(t.Weight) / float64(weights)}
			if t.Steps > 0 {
				tr.Tasks = map[string]*Ratio{}
				for i := 1; i <= t.Steps; i++ {
					step := tr.Ratio
					if !total {
						step = 1
					}
					tr.Tasks[fmt.Sprintf("step %d", i)] = &Ratio{Ratio: step / float64(t.Steps)}
				}
			}
			tasks[t.Name] = tr
		}
		out[c.Name] = &Ratio{Ratio: r, Tasks: tasks}
	}
	return out
}
