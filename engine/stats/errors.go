package stats

import (
	"maps"
	"slices"
	"time"
)

const (
	// maxErrorGroups bounds the distinct (method, name, error) groups kept.
	// Error texts that embed ids or timestamps would otherwise grow the map
	// with every request. Beyond the bound, new texts are counted in one
	// catch-all group per (method, name), so no failure goes uncounted.
	maxErrorGroups = 1000

	// maxExceptionGroups bounds the distinct exceptions kept, likewise.
	maxExceptionGroups = 1000
)

const (
	// OtherErrors is the error text of the catch-all group that counts the
	// failures of a (method, name) once too many distinct texts exist.
	OtherErrors = "other errors (too many distinct error texts to list)"

	// OtherExceptions is the message of the catch-all exception group.
	OtherExceptions = "other exceptions (too many distinct exceptions to list)"
)

type errorKey struct{ method, name, text string }

type errorGroup struct {
	occurrences int64
	first, last time.Time
}

type errorGroups map[errorKey]*errorGroup

func (g errorGroups) add(method, name, text string, at time.Time) {
	k := errorKey{method, name, text}
	eg := g[k]
	if eg == nil && len(g) >= maxErrorGroups {
		k.text = OtherErrors
		eg = g[k]
	}
	if eg == nil {
		eg = &errorGroup{first: at, last: at}
		g[k] = eg
	}
	eg.occurrences++
	// Records may be logged slightly out of order of their end times.
	if at.Before(eg.first) {
		eg.first = at
	}
	if at.After(eg.last) {
		eg.last = at
	}
}

func (g errorGroups) snapshot() []*ErrorEntry {
	out := make([]*ErrorEntry, 0, len(g))
	for k, eg := range g {
		out = append(out, &ErrorEntry{
			Method:      k.method,
			Name:        k.name,
			Error:       k.text,
			Occurrences: eg.occurrences,
			FirstSeen:   eg.first,
			LastSeen:    eg.last,
		})
	}
	return out
}

type exceptionKey struct{ msg, traceback string }

type exceptionGroup struct {
	seq   int // order of first appearance
	count int64
	nodes map[string]struct{}
}

type exceptionGroups map[exceptionKey]*exceptionGroup

func (g exceptionGroups) add(msg, traceback, node string) {
	k := exceptionKey{msg, traceback}
	eg := g[k]
	if eg == nil && len(g) >= maxExceptionGroups {
		k = exceptionKey{msg: OtherExceptions}
		eg = g[k]
	}
	if eg == nil {
		eg = &exceptionGroup{seq: len(g), nodes: make(map[string]struct{})}
		g[k] = eg
	}
	eg.count++
	eg.nodes[node] = struct{}{}
}

// snapshot lists the exceptions in order of first appearance.
func (g exceptionGroups) snapshot() []*Exception {
	out := make([]*Exception, len(g))
	for k, eg := range g {
		out[eg.seq] = &Exception{
			Count:     eg.count,
			Msg:       k.msg,
			Traceback: k.traceback,
			Nodes:     slices.Sorted(maps.Keys(eg.nodes)),
		}
	}
	return out
}
