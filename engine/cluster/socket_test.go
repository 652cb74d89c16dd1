package cluster

import (
	"context"
	"testing"
)

// A worker's messages reach the master with the worker's id, and the
// master's answers reach that worker.
func TestClientAndServer(t *testing.T) {
	ctx := context.Background()
	srv, err := ListenWorkers(ctx, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := DialMaster(ctx, "127.0.0.1", srv.Port(), "w1_abc")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Send(ClientReady, AnyVersion); err != nil {
		t.Fatal(err)
	}
	m, err := srv.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	if err := m.Decode(&v); err != nil || m.Type != ClientReady || m.NodeID != "w1_abc" || v != AnyVersion {
		t.Fatalf("master got %+v %v (%v)", m, v, err)
	}
	if err := srv.Send("w1_abc", Ack, AckData{Index: 4}); err != nil {
		t.Fatal(err)
	}
	m, err = c.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var ack AckData
	if err := m.Decode(&ack); err != nil || m.Type != Ack || ack.Index != 4 {
		t.Fatalf("worker got %+v %+v (%v)", m, ack, err)
	}
}
