package mailproc

import (
	"context"
	"errors"
	"syscall"
)

// ErrNotFound is returned when a case or message asked for does not exist.
var ErrNotFound = errors.New("tidak ditemukan")

// ErrDiskFull marks an error caused by the data disk running out of space
// (adapters wrap their own "full" errors with it, such as SQLite's
// SQLITE_FULL). Mail is kept in the inbox until space returns.
var ErrDiskFull = errors.New("data disk full")

// IsDiskFull reports whether err comes from the data disk being full: the
// operator must free space, and saying so plainly saves a search through
// the logs.
func IsDiskFull(err error) bool {
	return errors.Is(err, ErrDiskFull) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// IsTemporary reports whether err (or anything it wraps) says "try again":
// a Temporary error, or the context ending.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t Temporary
	return errors.As(err, &t) && t.Temporary()
}
