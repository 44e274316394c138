package archive

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every partial file is new, in the tmp directory, named mail-*.part (what
// Open clears after a crash), readable and writable by mailproc alone.
func TestCreatePartMakesNewFiles(t *testing.T) {
	dir := t.TempDir()
	seen := map[string]bool{}
	for i := range 200 {
		f, err := createPart(dir)
		if err != nil {
			t.Fatal(err)
		}
		name := f.Name()
		if _, err := f.Write([]byte("isi")); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(name)
		if seen[name] || filepath.Dir(name) != dir || !strings.HasPrefix(base, "mail-") || !strings.HasSuffix(base, ".part") {
			t.Fatalf("file %d: %s (seen before: %v)", i, name, seen[name])
		}
		seen[name] = true
		info, err := os.Stat(name)
		if err != nil || info.Size() != 3 || info.Mode().Perm()&0o077 != 0 {
			t.Fatalf("file %d: %v, %v", i, info, err)
		}
	}
}

// BenchmarkCreatePart is what one new file costs the file system where the
// benchmarks run ($TMPDIR): 2,000 partial files of 4 kB, as a burst
// archives them. Intake's own figures depend on it. On ext4 without a
// journal (this project's test machine) it was 10-20 µs in a directory
// tree nothing was deleted from lately, and 100-500 µs for some minutes
// after many directories were deleted near it — as every test run does
// when it removes its temporary data directory (docs/benchmarks.md):
//
//	go test -run '^$' -bench CreatePart -benchtime 1x ./mailproc/archive
func BenchmarkCreatePart(b *testing.B) {
	data := make([]byte, 4000)
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		var spent time.Duration
		const n = 2000
		for range n {
			start := time.Now()
			f, err := createPart(dir)
			spent += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.Write(data); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		b.ReportMetric(float64(spent.Microseconds())/n, "us/create")
	}
}

// A partial file closed twice (Commit's failure path closes what it may
// have closed already) reports it and leaves alone the descriptor the
// kernel has given to the next file meanwhile.
func TestPartFileClosedTwice(t *testing.T) {
	dir := t.TempDir()
	f, err := createPart(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	next, err := os.Create(filepath.Join(dir, "next"))
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	if err := f.Close(); err == nil {
		t.Error("a second Close reported nothing")
	}
	if _, err := f.Write([]byte("x")); err == nil {
		t.Error("a Write after Close reported nothing")
	}
	if _, err := next.Write([]byte("isi")); err != nil {
		t.Errorf("the next file's descriptor was closed by the second Close: %v", err)
	}
}
