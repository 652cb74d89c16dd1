package webui

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// BasicAuth is the user name and password that every request must carry
// when set.
type BasicAuth struct {
	User string
	Pass string
}

// realm names the server in the browser's password prompt.
const realm = `Basic realm="llmlocust"`

// CheckBind refuses to serve the web UI on an address that other machines
// can reach unless it asks for credentials or the user accepted the risk:
// whoever reaches the UI can aim load at any host. Loopback names and
// addresses are always allowed.
func CheckBind(host string, hasAuth, insecure bool) error {
	if isLoopback(host) || hasAuth || insecure {
		return nil
	}
	shown := host
	if shown == "" || shown == "*" {
		shown = "all interfaces"
	}
	return fmt.Errorf("refusing to serve the web UI on %s without credentials: "+
		"whoever reaches it can start load against any host; give --web-auth user:pass "+
		"(or --web-login), bind 127.0.0.1, or pass --web-insecure to accept the risk", shown)
}

// isLoopback reports whether host (a name or an address, bracketed or not)
// only ever means this machine.
func isLoopback(host string) bool {
	h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// hostOnly strips the port from a Host header or URL host.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// authorize lets a request through when it carries the configured
// credentials. Both parts are hashed first so that the comparison takes
// the same time whatever their lengths.
func (s *Server) authorize(c *fiber.Ctx) error {
	if s.cfg.Auth == nil {
		return c.Next()
	}
	user, pass, ok := basicCredentials(c.Get(fiber.HeaderAuthorization))
	wantUser := sha256.Sum256([]byte(s.cfg.Auth.User))
	wantPass := sha256.Sum256([]byte(s.cfg.Auth.Pass))
	gotUser := sha256.Sum256([]byte(user))
	gotPass := sha256.Sum256([]byte(pass))
	match := subtle.ConstantTimeCompare(gotUser[:], wantUser[:]) & subtle.ConstantTimeCompare(gotPass[:], wantPass[:])
	if !ok || match != 1 {
		c.Set(fiber.HeaderWWWAuthenticate, realm)
		return c.Status(fiber.StatusUnauthorized).SendString("Unauthorized")
	}
	return c.Next()
}

func basicCredentials(header string) (user, pass string, ok bool) {
	const prefix = "Basic "
	if len(header) < len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(header[len(prefix):])
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(raw), ":")
	return user, pass, ok
}

// checkHost refuses requests whose Host header names another machine while
// the server listens on loopback only. A web page can point a name it owns
// at 127.0.0.1 (DNS rebinding) and would then count as same-origin; the
// Host header it sends still carries its own name.
func (s *Server) checkHost(c *fiber.Ctx) error {
	if s.loopbackOnly.Load() && !isLoopback(hostOnly(c.Hostname())) {
		return c.Status(fiber.StatusForbidden).SendString("Forbidden: unexpected Host header")
	}
	return c.Next()
}

// sameOrigin guards the routes that start, change or stop load, and the
// live feed, against other web sites: a page elsewhere may send a form to
// this server (the browser attaches cached credentials) but cannot make
// its Origin look like ours.
func sameOrigin(c *fiber.Ctx) error {
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" {
		if c.Get("Sec-Fetch-Site") == "cross-site" {
			return refuseCrossOrigin(c)
		}
		return c.Next()
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return refuseCrossOrigin(c)
	}
	host := c.Hostname()
	// A development server on another loopback port proxies to this one.
	if strings.EqualFold(u.Host, host) || isLoopback(u.Hostname()) && isLoopback(hostOnly(host)) {
		return c.Next()
	}
	return refuseCrossOrigin(c)
}

func refuseCrossOrigin(c *fiber.Ctx) error {
	return c.Status(fiber.StatusForbidden).JSON(fiber.Map{
		"success": false,
		"message": "request from another web site refused",
	})
}

// scrub masks in b every secret the run knows (the secret options'
// values and the credentials its requests sent); changed says whether it
// found one. No response is meant to hold a secret: this is the net under
// that rule, should a script or a server put a key into a request name,
// an error or a log line.
func (s *Server) scrub(b []byte) (out []byte, changed bool) {
	return s.cfg.Session.Secrets().Bytes(b)
}

// maskedFile reads the first size bytes of f with every secret masked, for
// a streamed answer, which scrubResponse cannot reach: masks change its
// length, so it goes out chunked. Closing it closes f.
func (s *Server) maskedFile(f *os.File, size int64) io.ReadCloser {
	return struct {
		io.Reader
		io.Closer
	}{s.cfg.Session.Secrets().Reader(io.LimitReader(f, size)), f}
}

// scrubResponse applies scrub to every buffered response body; streamed
// ones are masked as they are read (maskedFile).
func (s *Server) scrubResponse(c *fiber.Ctx) error {
	err := c.Next()
	resp := c.Response()
	if resp.IsBodyStream() {
		return err
	}
	if clean, changed := s.scrub(resp.Body()); changed {
		resp.SetBodyRaw(clean)
	}
	return err
}
