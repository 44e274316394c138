//go:build unix

package archive

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// createPart creates a new empty file in dir for a mail being written,
// as os.CreateTemp(dir, "mail-*.part") would, without os.OpenFile's try
// to add the file to the runtime's network poller: that fails for a
// regular file, after an epoll_ctl and four fcntl calls, for every mail
// archived. os.NewFile wraps the descriptor as a plain blocking file.
func createPart(dir string) (*os.File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, "mail-"+strconv.FormatUint(rand.Uint64(), 36)+".part")
		fd, err := syscall.Open(name, syscall.O_RDWR|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o600)
		switch {
		case err == nil:
			return os.NewFile(uintptr(fd), name), nil
		case errors.Is(err, syscall.EINTR), errors.Is(err, syscall.EEXIST) && try < 100:
			continue
		}
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
}
