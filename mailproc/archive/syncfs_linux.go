package archive

import (
	"os"

	"golang.org/x/sys/unix"
)

// fsyncEachMax is the largest batch synced file by file. syncfs(2) is one
// journal commit for a whole batch where an fsync per file costs one each,
// but it also waits for whatever else is dirty on the file system: for the
// one or two mails of a live citizen (whose acknowledgement waits on this
// sync) an fsync each is the shorter wait, most of all on a busy server.
const fsyncEachMax = 4

// syncFiles makes the bytes of files, all on the file system of root,
// durable: an fsync each for a few, else one syncfs(2).
func syncFiles(root string, files []string) error {
	if len(files) <= fsyncEachMax {
		return fsyncFiles(files)
	}
	return syncFS(root)
}

// syncDirs makes the names of files (renamed or created under root, with
// any new directories) durable; see syncFiles.
func syncDirs(root string, files []string) error {
	if len(files) <= fsyncEachMax {
		return fsyncDirs(root, files)
	}
	return syncFS(root)
}

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
