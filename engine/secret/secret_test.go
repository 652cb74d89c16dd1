package secret

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
)

const key = "sk-live+Zx/9Q=<&>\"k3y"

func TestMasksEveryForm(t *testing.T) {
	s := New()
	s.Add(key)
	for _, form := range forms(key) {
		text := "before " + form + " after"
		if got := s.String(text); got != "before ****** after" {
			t.Errorf("String(%q) = %q", text, got)
		}
		if got, masked := s.Bytes([]byte(text)); !masked || string(got) != "before ****** after" {
			t.Errorf("Bytes(%q) = %q, %v", text, got, masked)
		}
	}
	if len(forms(key)) < 5 {
		t.Errorf("only %d forms of a key with characters that JSON, HTML, URLs and CSV escape", len(forms(key)))
	}
}

func TestShortValuesAreNotSecrets(t *testing.T) {
	s := New()
	s.Add("", "abc", "42")
	s.AddHeader("Authorization", "abc")
	if s.Len() != 0 {
		t.Fatalf("short values registered: %d", s.Len())
	}
	if got := s.String("abc 42 abc"); got != "abc 42 abc" {
		t.Errorf("got %q", got)
	}
	s.Add("abcd")
	if got := s.String("xabcdx"); got != "x******x" {
		t.Errorf("a value of MinLen is not masked: %q", got)
	}
}

func TestHeaders(t *testing.T) {
	s := New()
	s.AddHeaders([][2]string{
		{"Content-Type", "application/json"},
		{"authorization", "Bearer sk-bearer-1234"},
		{"X-API-KEY", "ant-key-5678"},
		{"api-key", "azure-key-9012"},
	})
	cases := map[string]string{
		"echo: Bearer sk-bearer-1234":         "echo: ******",
		"bad key sk-bearer-1234 given":        "bad key ****** given",
		"x-api-key ant-key-5678 is wrong":     "x-api-key ****** is wrong",
		"azure-key-9012":                      "******",
		"content type application/json stays": "content type application/json stays",
	}
	for in, want := range cases {
		if got := s.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

// A secret that holds another is masked whole, not around the inner one.
func TestLongestFirst(t *testing.T) {
	s := New()
	s.Add("cdef")
	s.Add("abcdefgh")
	if got := s.String("abcdefgh cdef"); got != "****** ******" {
		t.Errorf("got %q", got)
	}
}

func TestNilScrubberMasksNothing(t *testing.T) {
	var s *Scrubber
	s.Add("sk-1234")
	s.AddHeaders([][2]string{{"Authorization", "Bearer sk-1234"}})
	if s.String("sk-1234") != "sk-1234" || s.Len() != 0 {
		t.Error("a nil Scrubber masked or kept something")
	}
	var buf bytes.Buffer
	_, _ = s.Writer(&buf).Write([]byte("sk-1234\n"))
	if buf.String() != "sk-1234\n" {
		t.Errorf("got %q", buf.String())
	}
}

// Offering a known key again, as every request does, allocates nothing
// and finds nothing to mask in text without secrets allocates nothing.
func TestHotPathsDoNotAllocate(t *testing.T) {
	s := New()
	h := [][2]string{{"Content-Type", "application/json"}, {"Authorization", "Bearer sk-hot-path-key"}}
	s.AddHeaders(h)
	s.Add("sk-option-value")
	gen := s.set.Load()
	if n := testing.AllocsPerRun(1000, func() { s.AddHeaders(h); s.Add("sk-option-value") }); n != 0 {
		t.Errorf("offering known values allocates %.1f times", n)
	}
	if s.set.Load() != gen {
		t.Error("offering known values rebuilt the set")
	}
	clean := []byte("GET /v1/models 200 OK and nothing secret in it")
	if n := testing.AllocsPerRun(1000, func() { _, _ = s.Bytes(clean) }); n != 0 {
		t.Errorf("scrubbing clean bytes allocates %.1f times", n)
	}
	line := strings.Repeat("a log line that holds no secret at all ", 4)
	if n := testing.AllocsPerRun(1000, func() { _ = s.String(line) }); n != 0 {
		t.Errorf("scrubbing a clean string allocates %.1f times", n)
	}
	if out, masked := s.Bytes(clean); masked || &out[0] != &clean[0] {
		t.Error("clean bytes were copied")
	}
}

func TestWriterJoinsSplitSecrets(t *testing.T) {
	s := New()
	s.Add("sk-split-across-writes")
	text := "row one\nname sk-split-across-writes end\nlast sk-split-across-writes"
	for cut := 1; cut < len(text); cut++ {
		var buf bytes.Buffer
		w := s.Writer(&buf)
		for _, part := range []string{text[:cut], text[cut:]} {
			if n, err := w.Write([]byte(part)); err != nil || n != len(part) {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if want := "row one\nname ****** end\nlast ******"; buf.String() != want {
			t.Fatalf("cut at %d: got %q", cut, buf.String())
		}
	}
}

// Lines pass at once: nothing is held back after a newline, and a partial
// secret at the end comes out on Flush.
func TestWriterHoldsOnlyWhatMayBeASecret(t *testing.T) {
	s := New()
	s.Add("sk-held-back")
	var buf bytes.Buffer
	w := s.Writer(&buf)
	_, _ = w.Write([]byte("a live line\n"))
	if buf.String() != "a live line\n" {
		t.Fatalf("a whole line was held: %q", buf.String())
	}
	_, _ = w.Write([]byte("ends with sk-he"))
	if buf.String() != "a live line\nends with " {
		t.Fatalf("got %q", buf.String())
	}
	_ = w.Flush()
	if buf.String() != "a live line\nends with sk-he" {
		t.Fatalf("Flush lost the held bytes: %q", buf.String())
	}
}

// Secrets added while others scrub and write are masked from then on.
func TestConcurrentUse(t *testing.T) {
	s := New()
	var out bytes.Buffer
	w := s.Writer(&out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				k := fmt.Sprintf("sk-g%d-i%d", g, i)
				s.AddHeaders([][2]string{{"Authorization", "Bearer " + k}})
				if got := s.String("key " + k); got != "key ******" {
					t.Errorf("String = %q", got)
					return
				}
				_, _ = fmt.Fprintf(w, "line %s\n", k)
			}
		})
	}
	wg.Wait()
	if strings.Contains(out.String(), "sk-g") {
		t.Error("a registered key reached the writer")
	}
	if s.Len() != 8*50*2 {
		t.Errorf("Len = %d", s.Len())
	}
}

// iotest.OneByteReader splits every secret across reads.
func TestReaderMasksAsItReads(t *testing.T) {
	s := New()
	s.Add("sk-read-through")
	text := strings.Repeat("row sk-read-through end\n", 3000) + "tail sk-read-thr"
	got, err := io.ReadAll(s.Reader(iotest.OneByteReader(strings.NewReader(text))))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Repeat("row ****** end\n", 3000) + "tail sk-read-thr"
	if string(got) != want {
		t.Errorf("read %d bytes, want %d; ends %q", len(got), len(want), got[max(0, len(got)-40):])
	}
}
