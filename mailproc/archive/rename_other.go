//go:build !linux

package archive

import "errors"

var errNoReplaceUnsupported = errors.New("rename without replacing not supported")

// renameNoReplace: place checks and renames in two steps here.
func renameNoReplace(old, new string) error { return errNoReplaceUnsupported }
