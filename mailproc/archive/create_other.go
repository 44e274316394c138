//go:build !unix

package archive

import "os"

// createPart creates a new empty file in dir for a mail being written.
func createPart(dir string) (partFile, error) {
	f, err := os.CreateTemp(dir, "mail-*.part")
	if err != nil {
		return nil, err // not a nil *os.File in the interface
	}
	return f, nil
}
