//go:build !linux

package archive

import (
	"os"
	"path/filepath"
)

// syncFiles makes the bytes of files durable: one fsync each where there
// is no syncfs(2).
func syncFiles(root string, files []string) error {
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// syncDirs makes the names of files durable: one fsync of each directory
// holding one, and of root.
func syncDirs(root string, files []string) error {
	done := map[string]bool{}
	for _, name := range append(files, filepath.Join(root, "x")) {
		dir := filepath.Dir(name)
		if done[dir] {
			continue
		}
		done[dir] = true
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	return nil
}
