package mailproc

import (
	"context"
	"errors"
)

// ErrNotFound is returned when a case or message asked for does not exist.
var ErrNotFound = errors.New("tidak ditemukan")

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
