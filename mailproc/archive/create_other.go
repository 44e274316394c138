//go:build !unix

package archive

import "os"

// createPart creates a new empty file in dir for a mail being written.
func createPart(dir string) (*os.File, error) { return os.CreateTemp(dir, "mail-*.part") }
