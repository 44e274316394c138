package archive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// A batch archives many mails with a fixed number of syncs instead of two
// per mail (group commit). The order keeps the archive's rule that a name
// under archive/ is only ever given to bytes already on disk:
//
//  1. every file is written under archive/tmp, closed, not synced;
//  2. one sync of the file system makes all their bytes durable;
//  3. each is renamed to its digest's name;
//  4. one sync more makes the names (and new directories) durable;
//  5. the same two steps for the copies in the mirror.
//
// A crash before 4 leaves at most files in tmp (removed by Open) or names
// that no row refers to yet: the mails are still in the inbox, and the
// same bytes fetched again find their name taken by identical bytes.
type batch struct {
	dir   *Dir
	files []pending
}

// pending is a mail written to tmp, waiting for Sync.
type pending struct {
	tmp, rel, sum string
}

var _ mailproc.BatchArchive = (*Dir)(nil)

// Batch implements mailproc.BatchArchive.
func (d *Dir) Batch() mailproc.ArchiveBatch { return &batch{dir: d} }

// Create implements mailproc.ArchiveBatch.
func (b *batch) Create() (mailproc.ArchiveWriter, error) {
	w, err := b.dir.Create()
	if err != nil {
		return nil, err
	}
	w.(*writer).batch = b
	return w, nil
}

// Sync implements mailproc.ArchiveBatch.
func (b *batch) Sync() error {
	if len(b.files) == 0 {
		return nil
	}
	b.dir.syncMu.Lock()
	defer b.dir.syncMu.Unlock()
	files := b.files
	b.files = nil
	tmps := make([]string, len(files))
	for i, p := range files {
		tmps[i] = p.tmp
	}
	fail := func(err error) error {
		for _, p := range files {
			os.Remove(p.tmp) // gone already once renamed
		}
		return fmt.Errorf("archive: %w", err)
	}
	if err := syncFiles(b.dir.tmpDir(), tmps); err != nil {
		return fail(err)
	}
	var placed []string
	for _, p := range files {
		final := b.dir.Path(p.rel)
		if err := place(p.tmp, final); err != nil {
			return fail(err)
		}
		placed = append(placed, final)
	}
	if err := syncDirs(b.dir.Path("archive"), placed); err != nil {
		return fail(err)
	}
	if b.dir.Mirror == "" {
		return nil
	}
	if err := b.dir.mirrorBatch(files); err != nil {
		return fmt.Errorf("archive mirror: %w", err)
	}
	return nil
}

// Abort implements mailproc.ArchiveBatch.
func (b *batch) Abort() {
	for _, p := range b.files {
		os.Remove(p.tmp)
	}
	b.files = nil
}

// place gives the synced file tmp its final name, or removes it when the
// same bytes are archived already (the same mail twice, in this batch or
// before: the name is only ever given to synced bytes). Where the file
// system can, the rename itself refuses a name that exists
// (renameNoReplace), and the digest's directory is made only when the
// rename says it is missing: one system call per mail where the check
// before the rename and the directory's were three.
func place(tmp, final string) error {
	if err := os.Chmod(tmp, 0o640); err != nil {
		return err
	}
	err := renameNoReplace(tmp, final)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
			return err
		}
		err = renameNoReplace(tmp, final)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return os.Remove(tmp)
	case !errors.Is(err, errNoReplaceUnsupported):
		return err
	}
	return placeChecked(tmp, final)
}

// placeChecked is place where a rename cannot refuse an existing name: the
// name is checked first.
func placeChecked(tmp, final string) error {
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return err
	}
	if _, err := os.Stat(final); err == nil {
		return os.Remove(tmp)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Chmod(tmp, 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, final)
}

// mirrorBatch copies the batch's files to the mirror with the same two
// syncs: copies (unsynced) into temporary files, one sync, renames, one
// sync.
func (d *Dir) mirrorBatch(files []pending) error {
	var tmps, finals []string
	defer func() {
		for _, t := range tmps {
			os.Remove(t) // gone already once renamed
		}
	}()
	for _, p := range files {
		dst := filepath.Join(d.Mirror, filepath.FromSlash(p.rel))
		if err := Verify(dst, p.sum); err == nil || slicesContain(finals, dst) {
			continue
		}
		tmp, err := copyTemp(d.Path(p.rel), dst, p.sum, false)
		if err != nil {
			return err
		}
		tmps, finals = append(tmps, tmp), append(finals, dst)
	}
	if len(tmps) == 0 {
		return nil
	}
	if err := syncFiles(d.Mirror, tmps); err != nil {
		return err
	}
	for i, tmp := range tmps {
		if err := os.Rename(tmp, finals[i]); err != nil {
			return err
		}
	}
	return syncDirs(d.Mirror, finals)
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
