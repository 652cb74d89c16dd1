package webui

import (
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// TestSecretsNeverLeave runs a test with an API key given through the
// option values and reads every route, download, feed message and the
// report: none may hold the key. A log line that holds it (a script that
// printed it) is masked.
func TestSecretsNeverLeave(t *testing.T) {
	f := setup(t, nil)
	if got := f.option("api-key"); got != testSecret {
		t.Fatalf("the test's key did not reach the options: %v", got)
	}
	addr := serve(t, f)
	conn := dial(t, "ws://"+addr+"/ws/llm", nil)
	f.logs.add("INFO llmlocust.user: using key " + testSecret)
	var seen []string
	swarm := f.do(t, "POST", "/swarm", url.Values{"user_count": {"2"}, "spawn_rate": {"10"}, "host": {"mock"}, "api_key": {""}})
	seen = append(seen, string(swarm.body))
	waitFor(t, "requests and two points", 20*time.Second, func() bool {
		_, points, _, _ := f.srv.feed.snapshot()
		return num(t, f.stats(t), "llm", "total", "requests") > 0 && len(points) >= 2
	})
	for _, p := range []string{
		"/", "/?theme=dark", "/stats/requests", "/tasks", "/exceptions", "/logs", "/worker-count",
		"/stats/requests/csv", "/stats/failures/csv", "/exceptions/csv", "/stats/llm/csv",
		"/stats/requests_full_history/csv", "/stats/report", "/stats/report?download=1", "/llm/points?since=0",
		"/assets/favicon.png", "/no/such/route",
	} {
		seen = append(seen, string(f.get(t, p).body))
	}
	report, err := f.srv.Report("light")
	if err != nil {
		t.Fatal(err)
	}
	seen = append(seen, string(report))
	seen = append(seen, readMessages(t, conn, 3)...)
	for i, body := range seen {
		if strings.Contains(body, testSecret) {
			t.Errorf("response %d holds the secret:\n%.300s", i, body)
		}
	}
	if logs := string(f.get(t, "/logs").body); !strings.Contains(logs, "using key ******") {
		t.Errorf("the log line is not masked: %s", logs)
	}
	if got := f.option("api-key"); got != testSecret {
		t.Errorf("the form's empty key replaced the secret: %v", got)
	}
}

// serve listens on a free loopback port and returns its address.
func serve(t *testing.T, f *fixture) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = f.srv.Serve(ln) }()
	addr := ln.Addr().String()
	waitFor(t, "the server to answer", 5*time.Second, func() bool {
		res, err := http.Get("http://" + addr + "/worker-count")
		if err != nil {
			return false
		}
		res.Body.Close()
		return f.srv.Addr() == addr
	})
	return addr
}

func dial(t *testing.T, u string, header http.Header) *websocket.Conn {
	t.Helper()
	conn, res, err := websocket.DefaultDialer.Dial(u, header)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dialling %s: %v (status %d)", u, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// readMessages reads n websocket messages, each within a few seconds.
func readMessages(t *testing.T, conn *websocket.Conn, n int) []string {
	t.Helper()
	var out []string
	for range n {
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("reading message %d: %v", len(out)+1, err)
		}
		out = append(out, string(msg))
	}
	return out
}

// TestBasicAuth asks every kind of route for credentials.
func TestBasicAuth(t *testing.T) {
	f := setup(t, func(c *Config) { c.Auth = &BasicAuth{User: "ada", Pass: "s3cret:with:colons"} })
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	creds := []struct {
		name   string
		header string
		status int
	}{
		{"none", "", 401},
		{"wrong password", basic("ada", "guess"), 401},
		{"wrong user", basic("bob", "s3cret:with:colons"), 401},
		{"password prefix", basic("ada", "s3cret"), 401},
		{"not base64", "Basic !!!", 401},
		{"another scheme", "Bearer s3cret", 401},
		{"right", basic("ada", "s3cret:with:colons"), 200},
	}
	routes := []struct {
		method, path string
		okStatus     int
	}{
		{"GET", "/", 200}, {"GET", "/stats/requests", 200}, {"GET", "/logs", 200},
		{"GET", "/stats/requests/csv", 200}, {"GET", "/stats/report", 200}, {"GET", "/llm/points", 200},
		{"GET", "/assets/x.png", 404}, {"GET", "/stats/reset", 200}, {"POST", "/swarm", 200},
		{"GET", "/ws/llm", 426}, // no upgrade asked: past the check, the handshake fails
	}
	for _, c := range creds {
		for _, r := range routes {
			t.Run(c.name+" "+r.method+" "+r.path, func(t *testing.T) {
				var form url.Values
				if r.method == "POST" {
					form = url.Values{}
				}
				res := f.do(t, r.method, r.path, form, "Authorization", c.header)
				want := c.status
				if want == 200 {
					want = r.okStatus
				}
				if res.status != want {
					t.Errorf("status %d, want %d", res.status, want)
				}
				if want == 401 && res.header.Get("WWW-Authenticate") != `Basic realm="llmlocust"` {
					t.Errorf("WWW-Authenticate %q", res.header.Get("WWW-Authenticate"))
				}
			})
		}
	}
	t.Run("websocket", func(t *testing.T) {
		addr := serve(t, f)
		if _, res, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws/llm", nil); err == nil || res == nil || res.StatusCode != 401 {
			t.Errorf("a websocket without credentials connected (err %v)", err)
		}
		conn := dial(t, "ws://"+addr+"/ws/llm", http.Header{"Authorization": {basic("ada", "s3cret:with:colons")}})
		if msg := readMessages(t, conn, 1)[0]; !strings.Contains(msg, `"type":"history"`) {
			t.Errorf("first message %s", msg)
		}
	})
}

func TestCheckBind(t *testing.T) {
	cases := []struct {
		host     string
		auth     bool
		insecure bool
		ok       bool
	}{
		{"127.0.0.1", false, false, true},
		{"127.8.9.10", false, false, true},
		{"localhost", false, false, true},
		{"LocalHost", false, false, true},
		{"::1", false, false, true},
		{"[::1]", false, false, true},
		{"0.0.0.0", false, false, false},
		{"::", false, false, false},
		{"", false, false, false},
		{"*", false, false, false},
		{"192.168.1.20", false, false, false},
		{"10.0.0.5", false, false, false},
		{"loadbox.internal", false, false, false},
		{"0.0.0.0", true, false, true},
		{"192.168.1.20", false, true, true},
		{"::", true, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			err := CheckBind(tc.host, tc.auth, tc.insecure)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckBind(%q, auth %v, insecure %v) = %v", tc.host, tc.auth, tc.insecure, err)
			}
			if err != nil && !strings.Contains(err.Error(), "--web-auth") {
				t.Errorf("the refusal does not say what to do: %v", err)
			}
		})
	}
}

// TestCrossSite refuses requests that other web sites make the browser
// send to the routes that start, stop or reset load, or open the feed.
func TestCrossSite(t *testing.T) {
	f := setup(t, nil)
	cases := []struct {
		name   string
		method string
		path   string
		header []string
		status int
	}{
		{"form from another site", "POST", "/swarm", []string{"Origin", "https://evil.example"}, 403},
		{"stop from another site", "GET", "/stop", []string{"Origin", "http://evil.example"}, 403},
		{"reset from another site", "GET", "/stats/reset", []string{"Origin", "http://evil.example:80"}, 403},
		{"feed from another site", "GET", "/ws/llm", []string{"Origin", "http://evil.example"}, 403},
		{"bad origin", "POST", "/swarm", []string{"Origin", "::nonsense"}, 403},
		{"link from another site", "GET", "/stop", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"form from the page itself", "POST", "/swarm", []string{"Origin", "http://localhost:8089"}, 200},
		{"form from the page on a LAN name", "POST", "/swarm", []string{"Host", "loadbox.lan:8089", "Origin", "http://loadbox.lan:8089"}, 200},
		{"form from a loopback page on a LAN server", "POST", "/swarm", []string{"Host", "loadbox.lan:8089", "Origin", "http://localhost:5173"}, 403},
		{"form through a development server", "POST", "/swarm", []string{"Origin", "http://127.0.0.1:5173"}, 200},
		{"stop from the page itself", "GET", "/stop", []string{"Sec-Fetch-Site", "same-origin"}, 200},
		{"tool without an origin", "GET", "/stop", nil, 200},
		{"reading stats from anywhere", "GET", "/stats/requests", []string{"Origin", "http://evil.example"}, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var form url.Values
			if tc.method == "POST" {
				form = url.Values{}
			}
			if r := f.do(t, tc.method, tc.path, form, tc.header...); r.status != tc.status {
				t.Errorf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
		})
	}
}

// TestHostHeader refuses, on a loopback listener, requests whose Host
// names another machine: a rebound DNS name.
func TestHostHeader(t *testing.T) {
	f := setup(t, nil)
	addr := serve(t, f)
	_, port, _ := net.SplitHostPort(addr)
	cases := []struct {
		host   string
		status int
	}{
		{"127.0.0.1:" + port, 200},
		{"localhost:" + port, 200},
		{"[::1]:" + port, 200},
		{"rebound.example:" + port, 403},
		{"192.168.1.20:" + port, 403},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://"+addr+"/stats/requests", nil)
			req.Host = tc.host
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			_, _ = io.Copy(io.Discard, res.Body)
			if res.StatusCode != tc.status {
				t.Errorf("status %d, want %d", res.StatusCode, tc.status)
			}
		})
	}
}
