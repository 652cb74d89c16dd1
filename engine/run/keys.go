package run

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/llmlocust/llmlocust/engine/secret"
)

// keys is what the session keeps to protect the run's secrets: the
// scrubber every output goes through and which secret option values the
// current test may read.
type keys struct {
	scrub  *secret.Scrubber
	secret map[string]any // the secret options, by Lua name, with their zero values
	grant  atomic.Pointer[grant]
}

// grant is which secret option values a test reads.
type grant struct {
	host string
	all  bool            // the host is one the operator named
	own  map[string]bool // secret options whose values came with the test
}

func (s *Session) initKeys() {
	s.keys.scrub = s.cfg.Secrets
	if s.keys.scrub == nil {
		s.keys.scrub = secret.New()
	}
	s.keys.secret = s.cfg.Plan.SecretOptions()
	s.keys.grant.Store(&grant{all: true})
	s.learnSecrets()
}

// learnSecrets teaches the scrubber the secret options' values as they
// stand; the web form may have given new ones.
func (s *Session) learnSecrets() {
	for name := range s.keys.secret {
		if v, ok := s.readOption(name); ok {
			if text, isText := v.(string); isText {
				s.keys.scrub.Add(text)
			}
		}
	}
}

func (s *Session) readOption(name string) (any, bool) {
	if s.cfg.Options == nil {
		return nil, false
	}
	return s.cfg.Options(name)
}

// grantKeys applies the secret policy to a test aimed at host. A host the
// operator named (-H, a config file or LOCUST_HOST, a class's own host) or
// the built-in simulator, which runs inside this process, gets every
// option. Any other host can only have come from the web form, and
// whoever reaches the form must not be able to send the operator's keys
// where they like: such a test reads no secret option but those the form
// gave it (own). An edit of a running test adds to what it was given.
func (s *Session) grantKeys(host string, own []string, edit bool) {
	g := &grant{host: host, all: s.operatorHost(host), own: map[string]bool{}}
	if edit {
		prev := s.keys.grant.Load()
		g.all = prev.all
		for name := range prev.own {
			g.own[name] = true
		}
	}
	for _, name := range own {
		g.own[name] = true
	}
	s.keys.grant.Store(g)
	s.learnSecrets()
}

// warnKeys logs which secret options a new test aimed at host goes
// without.
func (s *Session) warnKeys(host string) {
	if note := s.SecretNote(); note != "" {
		s.cfg.Logf("WARNING", "llmlocust.main", "the test aims at %s: %s", host, note)
	}
}

// option is how the test's scripts read an option: a secret it may not
// read reads as its type's zero value.
func (s *Session) option(name string) (any, bool) {
	v, ok := s.readOption(name)
	zero, isSecret := s.keys.secret[name]
	if !isSecret {
		return v, ok
	}
	if g := s.keys.grant.Load(); g.all || g.own[name] {
		return v, ok
	}
	return zero, true
}

// operatorHost reports whether host is one the operator named or the
// simulator; "" stands for the classes' own hosts.
func (s *Session) operatorHost(host string) bool {
	if host == "" || host == SimulatorHost {
		return true
	}
	named := append([]string{s.cfg.Host}, s.cfg.Plan.Hosts()...)
	return slices.ContainsFunc(named, func(h string) bool { return h != "" && sameHost(h, host) })
}

// sameHost compares two base URLs as the same place: scheme and host in
// any case, the path without a trailing slash.
func sameHost(a, b string) bool {
	a, b = strings.TrimRight(a, "/"), strings.TrimRight(b, "/")
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errA != nil || errB != nil || ua.Host == "" || ub.Host == "" {
		return strings.EqualFold(a, b)
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		ua.Path == ub.Path && ua.RawQuery == ub.RawQuery
}

// Withheld names the secret options that have a value the current test
// does not get, sorted.
func (s *Session) Withheld() []string {
	g := s.keys.grant.Load()
	if g.all {
		return nil
	}
	var out []string
	for name, zero := range s.keys.secret {
		v, ok := s.readOption(name)
		if ok && !g.own[name] && v != zero {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// SecretNote says why the current test goes without some secret options,
// or is "" when it has them all.
func (s *Session) SecretNote() string {
	names := s.Withheld()
	if len(names) == 0 {
		return ""
	}
	return fmt.Sprintf("secret options (%s) are not sent to a host typed in the form; type the key in the form to use one",
		strings.Join(names, ", "))
}

// Secrets is the scrubber that every output of the session goes through.
func (s *Session) Secrets() *secret.Scrubber { return s.keys.scrub }
