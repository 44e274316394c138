// Package archive keeps every raw mail on disk, byte for byte, named by its
// SHA-256. It wraps the file system the way the other subpackages wrap
// their one dependency.
package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Dir is an archive rooted at a data directory. Files live under
// <data>/archive/<first two hex digits>/<sha256>.eml; partial files under
// <data>/archive/tmp until they are complete and synced.
type Dir struct {
	DataDir string
	// Mirror, when set, receives a synced copy of every archived file
	// before Commit returns (see mirror.go).
	Mirror string

	// syncMu makes the syncs of batches one at a time: a batch's sync may
	// run beside the staging of the next batch (mailproc.SealingBatch),
	// and two of them at once would only make each wait longer and leave
	// the order of their renames to chance.
	syncMu sync.Mutex
}

var _ mailproc.Archive = (*Dir)(nil)

// Open makes sure the archive directories exist and removes partial files a
// crash may have left behind.
func Open(dataDir string) (*Dir, error) {
	tmp := filepath.Join(dataDir, "archive", "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	for _, e := range entries {
		os.Remove(filepath.Join(tmp, e.Name()))
	}
	return &Dir{DataDir: dataDir}, nil
}

// Create implements mailproc.Archive.
func (d *Dir) Create() (mailproc.ArchiveWriter, error) {
	f, err := createPart(d.tmpDir())
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return &writer{dir: d, f: f, h: sha256.New()}, nil
}

// tmpDir holds the partial files.
func (d *Dir) tmpDir() string { return filepath.Join(d.DataDir, "archive", "tmp") }

// Path returns the absolute path of an archived mail from its relative path.
func (d *Dir) Path(rel string) string { return filepath.Join(d.DataDir, filepath.FromSlash(rel)) }

// partFile is the partial file a writer fills (createPart).
type partFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

type writer struct {
	dir   *Dir
	batch *batch // nil: Commit syncs this file alone
	f     partFile
	h     hash.Hash
	n     int64
	err   error
	done  bool
}

// Write implements io.Writer. A write error is kept and reported by Commit,
// so the reader feeding the parser is not cut off by a full disk halfway
// (the mail is then left on the server and tried again).
func (w *writer) Write(p []byte) (int, error) {
	if w.err == nil {
		if _, err := w.f.Write(p); err != nil {
			w.err = err
		}
	}
	w.h.Write(p)
	w.n += int64(len(p))
	return len(p), nil
}

func (w *writer) Commit() (string, string, int64, error) {
	if w.done {
		return "", "", 0, errors.New("archive: commit after close")
	}
	w.done = true
	tmp := w.f.Name()
	fail := func(err error) (string, string, int64, error) {
		w.f.Close()
		os.Remove(tmp)
		return "", "", 0, fmt.Errorf("archive: %w", err)
	}
	if w.err != nil {
		return fail(w.err)
	}
	if w.batch != nil {
		// Synced and put in place by the batch's Sync.
		if err := w.f.Close(); err != nil {
			return fail(err)
		}
		sum := hex.EncodeToString(w.h.Sum(nil))
		rel := "archive/" + sum[:2] + "/" + sum + ".eml"
		w.batch.files = append(w.batch.files, pending{tmp: tmp, rel: rel, sum: sum})
		return rel, sum, w.n, nil
	}
	if err := w.f.Sync(); err != nil {
		return fail(err)
	}
	if err := w.f.Close(); err != nil {
		return fail(err)
	}
	sum := hex.EncodeToString(w.h.Sum(nil))
	rel := "archive/" + sum[:2] + "/" + sum + ".eml"
	final := w.dir.Path(rel)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return fail(err)
	}
	if _, err := os.Stat(final); err == nil {
		// The same bytes are archived already (the same mail fetched again).
		os.Remove(tmp)
		if err := w.dir.mirror(rel, sum); err != nil {
			return "", "", 0, err
		}
		return rel, sum, w.n, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	if err := os.Chmod(tmp, 0o640); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fail(err)
	}
	if err := syncDir(filepath.Dir(final)); err != nil {
		return "", "", 0, fmt.Errorf("archive: %w", err)
	}
	if err := w.dir.mirror(rel, sum); err != nil {
		return "", "", 0, err
	}
	return rel, sum, w.n, nil
}

func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	return os.Remove(w.f.Name())
}

// syncDir makes a rename durable: without it a power cut can forget the new
// directory entry even though the file's bytes were synced.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
