//go:build !linux

package archive

// syncFiles makes the bytes of files durable: one fsync each where there
// is no syncfs(2).
func syncFiles(root string, files []string) error { return fsyncFiles(files) }

// syncDirs makes the names of files durable: one fsync of each directory
// holding one, and of root.
func syncDirs(root string, files []string) error { return fsyncDirs(root, files) }
