package cluster

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmlocust/llmlocust/engine/locusttest"
	"github.com/llmlocust/llmlocust/engine/record"
	"github.com/llmlocust/llmlocust/engine/stats"
)

// payloadFor is the typed payload a message of key (its type, "+" when it
// carries data) is read into, nil for none.
func payloadFor(key string) (any, error) {
	switch key {
	case ClientReady + "+":
		return new(any), nil
	case Ack + "+":
		return new(AckData), nil
	case Spawn + "+":
		return new(SpawnData), nil
	case SpawningComplete + "+":
		return new(SpawningCompleteData), nil
	case Stats + "+":
		return new(ReportData), nil
	case Heartbeat + "+":
		return new(HeartbeatData), nil
	case Exception + "+":
		return new(ExceptionData), nil
	case Logs + "+":
		return new(LogsData), nil
	case Spawning, Heartbeat, ClientStopped, Stop, Quit, Reconnect:
		return nil, nil
	}
	return nil, fmt.Errorf("no payload type for %q", key)
}

// Every message type that real Locust writes is read into our payload
// types and written back, and Locust reads back what it wrote: no field
// is lost or changes its type on the way.
func TestMessagesRoundTripWithLocust(t *testing.T) {
	py := locusttest.Python(t)
	dir := t.TempDir()
	captured, ours := filepath.Join(dir, "ours.locust"), filepath.Join(dir, "ours")
	script := filepath.Join("testdata", "locust_messages.py")
	if out, err := exec.Command(py, script, "capture", captured).CombinedOutput(); err != nil {
		t.Fatalf("capture: %v\n%s", err, out)
	}
	in, err := os.Open(captured)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var back strings.Builder
	types := map[string]bool{}
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		key, h, _ := strings.Cut(sc.Text(), " ")
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		types[m.Type] = true
		if m.NodeID != "worker-host_0123456789abcdef" {
			t.Errorf("%s: node id %q", key, m.NodeID)
		}
		v, err := payloadFor(key)
		if err != nil {
			t.Fatal(err)
		}
		if v == nil && !m.IsNil() {
			t.Errorf("%s: data where none was sent", key)
		}
		if v != nil {
			if err := m.Decode(v); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
		}
		enc, err := Message{Type: m.Type, Data: v, NodeID: m.NodeID}.Encode()
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		fmt.Fprintf(&back, "%s %x\n", key, enc)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{ClientReady, Ack, Spawn, Spawning, SpawningComplete, Stats, Heartbeat, ClientStopped, Stop, Quit, Reconnect, Exception, Logs} {
		if !types[typ] {
			t.Errorf("no %s message captured", typ)
		}
	}
	if err := os.WriteFile(ours, []byte(back.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(py, script, "check", ours).CombinedOutput(); err != nil {
		t.Fatalf("Locust reads back other messages than it wrote: %v\n%s", err, out)
	}
}

// A worker's stats report of some requests is the report Locust's worker
// makes of the same requests: the same rows, histogram buckets, counts
// and error keys, so that a Locust master merges ours as its own.
func TestReportMatchesLocusts(t *testing.T) {
	py := locusttest.Python(t)
	start := time.Now()
	st := stats.New(start)
	log := func(method, name string, ms float64, size int64, fail string) {
		d := time.Duration(ms * float64(time.Millisecond))
		st.Log(&record.Record{Method: method, Name: name, Start: start, ResponseTime: d, ContentLength: size, Error: fail})
	}
	for _, ms := range []float64{3, 57, 140, 1234.5, 15000} {
		log("POST", "chat", ms, 120, "")
	}
	log("GET", "/v1/models", 4, 800, "")
	log("POST", "chat", 9, 0, "HTTP 500: 'overloaded'")
	rep := st.TakeReport(time.Now())
	enc, err := Message{Type: Stats, Data: ReportData{Report: rep, UserClassesCount: map[string]int{"ChatUser": 3}, UserCount: 3},
		NodeID: "worker-host_0123456789abcdef"}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report")
	if err := os.WriteFile(path, []byte(hex.EncodeToString(enc)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(py, filepath.Join("testdata", "locust_messages.py"), "report", path).CombinedOutput(); err != nil {
		t.Fatalf("our report is not Locust's: %v\n%s", err, out)
	}
	if again := st.TakeReport(time.Now()); len(again.Stats) != 0 || again.Total.NumRequests != 0 || len(again.Errors) != 0 {
		t.Errorf("a second report repeats the first: %+v", again)
	}
}
