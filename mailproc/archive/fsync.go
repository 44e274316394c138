package archive

import (
	"os"
	"path/filepath"
)

// fsyncFiles makes the bytes of files durable with one fsync each.
func fsyncFiles(files []string) error {
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

// fsyncDirs makes the names of files durable: one fsync of each directory
// holding one, and of root (which holds any new directory).
func fsyncDirs(root string, files []string) error {
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
