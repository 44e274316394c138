package archive

import (
	"os"
	"path/filepath"
	"testing"
)

// A batch's files get their names only at Sync, after their bytes are
// synced; then every one is in the archive and in the mirror under its
// digest, the same bytes twice are one file, and tmp is empty. A mirror
// that cannot be written fails the Sync.
func TestBatchSync(t *testing.T) {
	data := t.TempDir()
	a, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	a.Mirror = t.TempDir()
	b := a.Batch()
	var rels, sums []string
	for _, raw := range []string{"Subject: satu\r\n\r\n1\r\n", "Subject: dua\r\n\r\n2\r\n", "Subject: satu\r\n\r\n1\r\n"} {
		w, err := b.Create()
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(raw))
		rel, sum, _, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(a.Path(rel)); err == nil {
			t.Errorf("%s has its name before the batch is synced", rel)
		}
		rels, sums = append(rels, rel), append(sums, sum)
	}
	if rels[0] != rels[2] || rels[0] == rels[1] {
		t.Fatalf("names %q", rels)
	}
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	for i, rel := range rels {
		if err := Verify(a.Path(rel), sums[i]); err != nil {
			t.Errorf("archive: %v", err)
		}
		if err := Verify(filepath.Join(a.Mirror, filepath.FromSlash(rel)), sums[i]); err != nil {
			t.Errorf("mirror: %v", err)
		}
	}
	if tmp, _ := os.ReadDir(filepath.Join(data, "archive", "tmp")); len(tmp) != 0 {
		t.Errorf("%d files left in tmp", len(tmp))
	}

	a.Mirror = filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(a.Mirror, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	b = a.Batch()
	w, _ := b.Create()
	w.Write([]byte("Subject: tiga\r\n\r\n3\r\n"))
	if _, _, _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(); err == nil {
		t.Error("Sync succeeded with a mirror that cannot be written")
	}
}

// An aborted batch leaves nothing: no file in tmp, no name in the archive.
func TestBatchAbort(t *testing.T) {
	data := t.TempDir()
	a, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	b := a.Batch()
	var rels []string
	for _, raw := range []string{"Subject: satu\r\n\r\n1\r\n", "Subject: dua\r\n\r\n2\r\n"} {
		w, err := b.Create()
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(raw))
		rel, _, _, err := w.Commit()
		if err != nil {
			t.Fatal(err)
		}
		rels = append(rels, rel)
	}
	b.Abort()
	if tmp, _ := os.ReadDir(filepath.Join(data, "archive", "tmp")); len(tmp) != 0 {
		t.Errorf("%d files left in tmp", len(tmp))
	}
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	for _, rel := range rels {
		if _, err := os.Stat(a.Path(rel)); err == nil {
			t.Errorf("%s named after the batch was aborted", rel)
		}
	}
}
