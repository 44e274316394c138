package mime

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestParseBuffersReused: Parse hands its buffers to the next call, so a
// Message must not point into them. Every fixture is parsed once and kept;
// then all of them are parsed again, many at a time (so the pool's buffers
// pass between mails and goroutines), and each kept Message must still
// equal a fresh parse of its own mail.
func TestParseBuffersReused(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) < 10 {
		t.Fatalf("fixtures: %v, %d files", err, len(files))
	}
	type parsed struct {
		name string
		raw  []byte
		msg  *mailproc.Message
	}
	var kept []parsed
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(bytes.NewReader(raw), Options{})
		if err != nil {
			continue // the broken fixtures: nothing to keep
		}
		kept = append(kept, parsed{filepath.Base(f), raw, m})
	}
	if len(kept) < 10 {
		t.Fatalf("only %d fixtures parse", len(kept))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, k := range kept {
				if _, err := Parse(bytes.NewReader(k.raw), Options{}); err != nil {
					t.Errorf("%s: %v", k.name, err)
				}
			}
		}()
	}
	wg.Wait()
	for _, k := range kept {
		again, err := Parse(bytes.NewReader(k.raw), Options{})
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		if !reflect.DeepEqual(k.msg, again) {
			t.Errorf("%s: the Message kept from the first parse changed after later parses", k.name)
		}
	}
}
