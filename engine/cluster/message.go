package cluster

import (
	"bytes"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// The message types, as Locust names them.
const (
	ClientReady      = "client_ready"
	Ack              = "ack"
	Spawn            = "spawn"
	Spawning         = "spawning"
	SpawningComplete = "spawning_complete"
	Stats            = "stats"
	Heartbeat        = "heartbeat"
	ClientStopped    = "client_stopped"
	Stop             = "stop"
	Quit             = "quit"
	Reconnect        = "reconnect"
	Exception        = "exception"
	Logs             = "logs"
	Locustfile       = "locustfile"
)

// AnyVersion is what a worker sends as its version in client_ready to
// skip the master's version check, as Locust's own Go and other foreign
// workers do: our version numbers are not Locust's.
const AnyVersion = -1

// Message is one message of the protocol. Data is what is sent as it
// stands; a received message keeps its data encoded until Decode reads it
// into the type its message type calls for.
type Message struct {
	Type   string
	Data   any
	NodeID string

	raw msgpack.RawMessage
}

// Encode is the message as Locust's protocol writes it.
func (m Message) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	enc.UseCompactFloats(false)
	if err := enc.EncodeArrayLen(3); err != nil {
		return nil, err
	}
	if err := enc.EncodeString(m.Type); err != nil {
		return nil, err
	}
	data := m.Data
	if data == nil && m.raw != nil {
		data = m.raw
	}
	if err := enc.Encode(data); err != nil {
		return nil, fmt.Errorf("encode %s data: %w", m.Type, err)
	}
	if err := enc.EncodeString(m.NodeID); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Parse reads a message as Locust's protocol writes it.
func Parse(b []byte) (Message, error) {
	dec := msgpack.NewDecoder(bytes.NewReader(b))
	n, err := dec.DecodeArrayLen()
	if err != nil || n != 3 {
		return Message{}, fmt.Errorf("a message is an array of type, data and node id (got %d items): %w", n, err)
	}
	var m Message
	if m.Type, err = dec.DecodeString(); err != nil {
		return Message{}, fmt.Errorf("message type: %w", err)
	}
	if m.raw, err = dec.DecodeRaw(); err != nil {
		return Message{}, fmt.Errorf("%s data: %w", m.Type, err)
	}
	if m.NodeID, err = dec.DecodeString(); err != nil {
		return Message{}, fmt.Errorf("%s node id: %w", m.Type, err)
	}
	return m, nil
}

// Decode reads the data of a received message into v.
func (m Message) Decode(v any) error {
	if m.raw == nil {
		return fmt.Errorf("%s: no data received", m.Type)
	}
	dec := msgpack.NewDecoder(bytes.NewReader(m.raw))
	dec.SetCustomStructTag("msgpack")
	dec.UseLooseInterfaceDecoding(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s data: %w", m.Type, err)
	}
	return nil
}

// IsNil says whether the message carries no data (None), as stop, quit
// and heartbeat do.
func (m Message) IsNil() bool {
	return len(m.raw) == 1 && m.raw[0] == 0xc0
}
