package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func TestCommitNamesBySHA256(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: warga@example.com\r\nSubject: Jam buka\r\n\r\nSelamat pagi\r\n")
	for i := 0; i < 2; i++ { // the second write of the same bytes must land on the same file
		w, err := a.Create()
		if err != nil {
			t.Fatal(err)
		}
		w.Write(raw[:10])
		w.Write(raw[10:])
		rel, sum, n, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		want := sha256.Sum256(raw)
		if sum != hex.EncodeToString(want[:]) || n != int64(len(raw)) {
			t.Fatalf("sum %s n %d", sum, n)
		}
		if rel != "archive/"+sum[:2]+"/"+sum+".eml" {
			t.Fatalf("rel = %s", rel)
		}
		got, err := os.ReadFile(a.Path(rel))
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("archived bytes differ: %v", err)
		}
	}
	left, _ := os.ReadDir(filepath.Join(dir, "archive", "tmp"))
	if len(left) != 0 {
		t.Fatalf("temp files left: %d", len(left))
	}
}

func TestAbortAndCrashLeftovers(t *testing.T) {
	dir := t.TempDir()
	a, _ := Open(dir)
	w, _ := a.Create()
	w.Write([]byte("partial"))
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	// A crash leaves a partial file; the next Open removes it.
	os.WriteFile(filepath.Join(dir, "archive", "tmp", "mail-1.part"), []byte("x"), 0o600)
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(filepath.Join(dir, "archive", "tmp"))
	if len(left) != 0 {
		t.Fatalf("temp files left: %d", len(left))
	}
}
