package archive

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// errNoReplaceUnsupported: the file system cannot rename without
// replacing; place checks and renames in two steps.
var errNoReplaceUnsupported = errors.New("rename without replacing not supported")

// renameNoReplace renames old to new unless new exists (an error wrapping
// fs.ErrExist), in one system call: renameat2(RENAME_NOREPLACE).
func renameNoReplace(old, new string) error {
	err := unix.Renameat2(unix.AT_FDCWD, old, unix.AT_FDCWD, new, unix.RENAME_NOREPLACE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		return errNoReplaceUnsupported
	}
	return &os.LinkError{Op: "renameat2", Old: old, New: new, Err: err}
}
