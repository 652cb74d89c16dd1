package run

import "testing"

// The hosts that count as the operator's: the session's own, the
// simulator and the classes' hosts, compared as places, not as text.
func TestOperatorHost(t *testing.T) {
	s := newSession(t)
	s.cfg.Host = "https://API.example.com/v1/"
	cases := map[string]bool{
		"":                             true, // the classes' own hosts
		"mock":                         true,
		"https://api.example.com/v1":   true,
		"https://api.example.com/v1/":  true,
		"HTTPS://api.EXAMPLE.com/v1":   true,
		"http://api.example.com/v1":    false, // another scheme, another port
		"https://api.example.com":      false,
		"https://api.example.com/v2":   false,
		"https://api.example.com.evil": false,
		"https://evil.example/v1":      false,
	}
	for host, want := range cases {
		if got := s.operatorHost(host); got != want {
			t.Errorf("operatorHost(%q) = %v, want %v", host, got, want)
		}
	}
}
