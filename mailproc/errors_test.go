package mailproc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"testing"
)

func TestIsDiskFull(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"ENOSPC from a write", TemporaryError(fmt.Errorf("archive: %w", &fs.PathError{Op: "write", Path: "/data/x", Err: syscall.ENOSPC})), true},
		{"quota", &os.SyscallError{Syscall: "write", Err: syscall.EDQUOT}, true},
		{"marked by an adapter", fmt.Errorf("sqlite: commit: database or disk is full (%w)", ErrDiskFull), true},
		{"permission", &fs.PathError{Op: "open", Path: "/data/x", Err: syscall.EACCES}, false},
		{"other", errors.New("disk is fine"), false},
		{"nil", nil, false},
	} {
		if got := IsDiskFull(tt.err); got != tt.want {
			t.Errorf("%s: IsDiskFull(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
