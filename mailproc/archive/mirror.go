package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The mirror (records.archive_mirror): a second directory, on another disk
// or a backup volume, that receives a synced copy of every archived mail
// before Commit returns, and so before the mail's database row commits.
// Litestream replicates the database continuously but knows nothing of the
// archive; with the mirror, every row a restored database holds names a file
// the mirror has. It holds the same relative paths as the data dir
// (archive/ab/ab….eml). A mirror that cannot be written fails the Commit:
// the mail stays on the server and is tried again, rather than being
// recorded without its backup.

// mirror copies the archived file rel to the mirror root, unless a file
// with the right digest is there already.
func (d *Dir) mirror(rel, sum string) error {
	if d.Mirror == "" {
		return nil
	}
	dst := filepath.Join(d.Mirror, filepath.FromSlash(rel))
	if err := Verify(dst, sum); err == nil {
		return nil
	}
	if err := CopyVerified(d.Path(rel), dst, sum); err != nil {
		return fmt.Errorf("archive mirror: %w", err)
	}
	return nil
}

// ErrDigest is returned when a file's SHA-256 is not the one recorded.
var ErrDigest = errors.New("SHA-256 does not match")

// Verify checks that the file at path has the hex SHA-256 sum.
func Verify(path, sum string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("%s: %w (%s, want %s)", path, ErrDigest, got, sum)
	}
	return nil
}

// CopyVerified copies src to dst (through a temporary file in dst's
// directory, synced and renamed), checking on the way that the bytes have
// the hex SHA-256 sum. A missing src is reported as fs.ErrNotExist.
func CopyVerified(src, dst, sum string) error {
	tmp, err := copyTemp(src, dst, sum, true)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(dst))
}

// copyTemp copies src to a new temporary file beside dst, checking that the
// bytes have the hex SHA-256 sum, synced if sync says so, and returns its
// name; the caller renames it to dst.
func copyTemp(src, dst, sum string, sync bool) (name string, err error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".copy-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), in); err != nil {
		return "", fmt.Errorf("copy %s: %w", src, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return "", fmt.Errorf("%s: %w (%s, want %s)", src, ErrDigest, got, sum)
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			return "", err
		}
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return "", err
	}
	return tmp.Name(), nil
}
