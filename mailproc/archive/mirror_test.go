package archive

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestMirror: a committed mail is in the mirror, with its digest, by the
// time Commit returns; a mirror that cannot be written fails the Commit,
// so the mail is not recorded without its copy; an altered copy is caught.
func TestMirror(t *testing.T) {
	a, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a.Mirror = t.TempDir()
	commit := func(raw string) (string, string, error) {
		w, err := a.Create()
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(raw))
		rel, sum, _, err := w.Commit()
		return rel, sum, err
	}
	rel, sum, err := commit("Subject: Jam buka\r\n\r\nSelamat pagi\r\n")
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(a.Mirror, filepath.FromSlash(rel))
	if err := Verify(copyPath, sum); err != nil {
		t.Fatalf("mirror after Commit: %v", err)
	}

	// The same bytes again (a mail fetched twice) with the copy lost: the
	// copy is made again.
	os.Remove(copyPath)
	if _, _, err := commit("Subject: Jam buka\r\n\r\nSelamat pagi\r\n"); err != nil {
		t.Fatal(err)
	}
	if err := Verify(copyPath, sum); err != nil {
		t.Fatalf("mirror after a second Commit of the same bytes: %v", err)
	}

	// A mirror path that cannot be a directory.
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	a.Mirror = blocker
	if _, _, err := commit("Subject: lain\r\n\r\nisi lain\r\n"); err == nil {
		t.Fatal("Commit succeeded with a mirror that cannot be written")
	}

	if err := os.WriteFile(copyPath, []byte("diubah"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Verify(copyPath, sum); !errors.Is(err, ErrDigest) {
		t.Fatalf("Verify of an altered copy: %v, want ErrDigest", err)
	}
}
