package cluster

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// Client is a worker's connection to its master: a DEALER socket whose
// identity is the worker's node id. Send may be called from any goroutine.
type Client struct {
	id   string
	sock zmq4.Socket
	mu   sync.Mutex
}

// DialMaster connects to the master at host:port as node id. ZeroMQ connects
// in the background: a master that is not up yet is waited for, as
// Locust's workers wait.
func DialMaster(ctx context.Context, host string, port int, id string) (*Client, error) {
	sock := zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity(id)), zmq4.WithDialerRetry(time.Second),
		zmq4.WithDialerMaxRetries(-1), zmq4.WithAutomaticReconnect(true))
	if err := sock.Dial("tcp://" + net.JoinHostPort(host, strconv.Itoa(port))); err != nil {
		sock.Close()
		return nil, fmt.Errorf("connect to the master at %s: %w", net.JoinHostPort(host, strconv.Itoa(port)), err)
	}
	return &Client{id: id, sock: sock}, nil
}

// ID is the worker's node id.
func (c *Client) ID() string { return c.id }

// Send sends a message of type typ with data (nil for None).
func (c *Client) Send(typ string, data any) error {
	b, err := Message{Type: typ, Data: data, NodeID: c.id}.Encode()
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.sock.Send(zmq4.NewMsg(b)); err != nil {
		return fmt.Errorf("send %s: %w", typ, err)
	}
	return nil
}

// Recv waits for the master's next message.
func (c *Client) Recv() (Message, error) {
	msg, err := c.sock.Recv()
	if err != nil {
		return Message{}, err
	}
	if len(msg.Frames) == 0 {
		return Message{}, fmt.Errorf("an empty message")
	}
	return Parse(msg.Frames[len(msg.Frames)-1])
}

// Close closes the connection.
func (c *Client) Close() error { return c.sock.Close() }

// Server is the master's socket: a ROUTER that every worker connects to.
// Send may be called from any goroutine.
type Server struct {
	sock zmq4.Socket
	mu   sync.Mutex
}

// ListenWorkers binds the master's socket on host:port ("*" or "" for every
// address); port 0 takes a free one, which Port then tells.
func ListenWorkers(ctx context.Context, host string, port int) (*Server, error) {
	if host == "" || host == "*" {
		host = "0.0.0.0"
	}
	sock := zmq4.NewRouter(ctx, zmq4.WithID(zmq4.SocketIdentity("master")))
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	if err := sock.Listen("tcp://" + addr); err != nil {
		sock.Close()
		return nil, fmt.Errorf("bind the master's port on %s: %w", addr, err)
	}
	return &Server{sock: sock}, nil
}

// Port is the port the master listens on.
func (s *Server) Port() int {
	if a, ok := s.sock.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return 0
}

// Send sends a message of type typ with data to the worker node.
func (s *Server) Send(node, typ string, data any) error {
	b, err := Message{Type: typ, Data: data, NodeID: node}.Encode()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.sock.SendMulti(zmq4.NewMsgFrom([]byte(node), b)); err != nil {
		return fmt.Errorf("send %s to %s: %w", typ, node, err)
	}
	return nil
}

// Recv waits for the next message of any worker; its NodeID is the
// socket identity the message came from, whatever the payload says.
func (s *Server) Recv() (Message, error) {
	msg, err := s.sock.Recv()
	if err != nil {
		return Message{}, err
	}
	if len(msg.Frames) < 2 {
		return Message{}, fmt.Errorf("a message without its sender")
	}
	m, err := Parse(msg.Frames[len(msg.Frames)-1])
	if err != nil {
		return Message{}, err
	}
	m.NodeID = string(msg.Frames[0])
	return m, nil
}

// Close closes the socket.
func (s *Server) Close() error { return s.sock.Close() }
