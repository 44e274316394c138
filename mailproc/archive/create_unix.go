//go:build unix

package archive

import (
	"errors"
	"io"
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
// archived. Nor is the descriptor wrapped in an *os.File, whose NewFile
// asks the kernel once more (fcntl F_GETFL) whether it blocks: a plain
// descriptor, written, synced and closed by rawFile.
func createPart(dir string) (partFile, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, "mail-"+strconv.FormatUint(rand.Uint64(), 36)+".part")
		fd, err := syscall.Open(name, syscall.O_RDWR|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC, 0o600)
		switch {
		case err == nil:
			return &rawFile{fd: fd, name: name}, nil
		case errors.Is(err, syscall.EINTR), errors.Is(err, syscall.EEXIST) && try < 100:
			continue
		}
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
}

// rawFile is a regular file's descriptor, written with write(2): a
// regular file never blocks, so nothing is gained from the runtime's
// poller.
type rawFile struct {
	fd   int // -1 once closed: a descriptor number is reused, so it is closed once only
	name string
}

func (f *rawFile) Name() string { return f.name }

func (f *rawFile) Write(p []byte) (int, error) {
	if f.fd < 0 {
		return 0, &os.PathError{Op: "write", Path: f.name, Err: os.ErrClosed}
	}
	n := 0
	for n < len(p) {
		m, err := syscall.Write(f.fd, p[n:])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return n, &os.PathError{Op: "write", Path: f.name, Err: err}
		}
		if m == 0 {
			return n, &os.PathError{Op: "write", Path: f.name, Err: io.ErrShortWrite}
		}
		n += m
	}
	return n, nil
}

func (f *rawFile) Sync() error {
	if f.fd < 0 {
		return &os.PathError{Op: "sync", Path: f.name, Err: os.ErrClosed}
	}
	for {
		err := syscall.Fsync(f.fd)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "sync", Path: f.name, Err: err}
		}
		return nil
	}
}

func (f *rawFile) Close() error {
	if f.fd < 0 {
		return &os.PathError{Op: "close", Path: f.name, Err: os.ErrClosed}
	}
	err := syscall.Close(f.fd) // not retried on EINTR: the descriptor is gone either way
	f.fd = -1
	if err != nil {
		return &os.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}
