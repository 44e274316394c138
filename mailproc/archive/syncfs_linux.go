package archive

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFiles makes the bytes of files, all on the file system of root,
// durable with one syncfs(2): one journal commit for a whole batch, where
// an fsync per file costs one each. It also syncs whatever else is dirty
// on that file system; on a desk's server that is little.
func syncFiles(root string, files []string) error { return syncFS(root) }

// syncDirs makes the names of files (renamed or created under root, with
// any new directories) durable; see syncFiles.
func syncDirs(root string, files []string) error { return syncFS(root) }

func syncFS(root string) error {
	f, err := os.Open(root)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return &os.PathError{Op: "syncfs", Path: root, Err: err}
	}
	return nil
}
