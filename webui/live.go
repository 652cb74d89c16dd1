package webui

import (
	"strconv"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
)

// writeWait bounds the wait for a websocket client to take one message.
const writeWait = 5 * time.Second

// websocket is GET ws/llm: the history so far, then a point every second,
// the finished requests, and a reset when a new test begins.
func (s *Server) websocket() fiber.Handler {
	return websocket.New(func(conn *websocket.Conn) {
		queue := s.feed.subscribe()
		if queue == nil {
			return
		}
		defer s.feed.unsubscribe(queue)
		gone := make(chan struct{})
		go func() {
			// The client sends nothing; reading notices when it leaves.
			defer close(gone)
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}()
		s.pump(conn, queue, gone)
		_ = conn.Close()
	})
}

// pump writes queued messages until the feed or the client ends.
func (s *Server) pump(conn *websocket.Conn, queue chan []byte, gone chan struct{}) {
	for {
		select {
		case <-gone:
			return
		case msg, ok := <-queue:
			if !ok { // the server stops, or this client fell too far behind
				_ = conn.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(websocket.CloseGoingAway, "feed closed"), time.Now().Add(writeWait))
				return
			}
			msg, _ = s.scrub(msg)
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		}
	}
}

// points is GET llm/points?since=N, the polling fallback of the websocket.
func (s *Server) points(c *fiber.Ctx) error {
	since, err := strconv.ParseUint(c.Query("since", "0"), 10, 64)
	if err != nil {
		return c.Status(fiber.StatusBadRequest).JSON(map[string]any{"message": "since must be a sequence number"})
	}
	seq, points, reqs, reset := s.feed.since(since)
	return c.JSON(map[string]any{"seq": seq, "points": points, "requests": reqs, "reset": reset})
}
