package webui

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// feedMessage is a websocket message of the live feed.
type feedMessage struct {
	Type     string            `json:"type"`
	Seq      uint64            `json:"seq"`
	Point    *Point            `json:"point"`
	Points   []json.RawMessage `json:"points"`
	Requests [][]any           `json:"requests"`
}

// next reads messages until one of type want, failing after limit.
func next(t *testing.T, conn *websocket.Conn, want string, limit time.Duration) feedMessage {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		_ = conn.SetReadDeadline(deadline)
		_, b, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for a %q message: %v", want, err)
		}
		var m feedMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("message is not JSON: %v: %s", err, b)
		}
		if m.Type == want {
			return m
		}
	}
}

// TestWebsocket follows a test over the live feed with a real client:
// the history on connecting, a point a second, the finished requests, a
// reset when the next test starts, and a close when the server stops.
func TestWebsocket(t *testing.T) {
	f := setup(t, nil)
	addr := serve(t, f)
	conn := dial(t, "ws://"+addr+"/ws/llm", nil)
	if h := next(t, conn, "history", 2*time.Second); len(h.Points) != 0 || h.Requests == nil {
		t.Errorf("history before any test: %+v", h)
	}
	f.startTest(t, url.Values{"user_count": {"2"}, "spawn_rate": {"10"}, "host": {"mock"}})
	first := next(t, conn, "point", 3*time.Second)
	second := next(t, conn, "point", 3*time.Second)
	if second.Seq != first.Seq+1 || second.Point.UserCount != 2 || second.Point.Time <= first.Point.Time {
		t.Errorf("points %+v then %+v", first.Point, second.Point)
	}
	reqs := next(t, conn, "requests", 5*time.Second)
	if len(reqs.Requests) == 0 || reqs.Requests[0][2] != "chat" {
		t.Errorf("requests message %+v", reqs)
	}
	// A client that connects later catches up from the history.
	late := dial(t, "ws://"+addr+"/ws/llm", nil)
	if h := next(t, late, "history", 2*time.Second); len(h.Points) < 2 || h.Seq < second.Seq {
		t.Errorf("late history has %d points up to %d", len(h.Points), h.Seq)
	}
	f.stopTest(t)
	f.startTest(t, url.Values{"user_count": {"1"}, "spawn_rate": {"10"}})
	next(t, conn, "reset", 3*time.Second)
	if p := next(t, conn, "point", 3*time.Second); p.Seq <= second.Seq {
		t.Errorf("the new test's point has seq %d", p.Seq)
	}
	after := dial(t, "ws://"+addr+"/ws/llm", nil)
	if h := next(t, after, "history", 2*time.Second); len(h.Points) > 3 {
		t.Errorf("history after the reset still has %d points", len(h.Points))
	}
	if err := f.srv.Shutdown(); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) && ce.Code == websocket.CloseGoingAway {
			break
		}
		if err != nil {
			t.Fatalf("the feed ended with %v, want a going-away close", err)
		}
	}
}
