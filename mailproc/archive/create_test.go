package archive

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every partial file is new, in the tmp directory, named mail-*.part (what
// Open clears after a crash), readable and writable by mailproc alone.
func TestCreatePartMakesNewFiles(t *testing.T) {
	dir := t.TempDir()
	seen := map[string]bool{}
	for i := range 200 {
		f, err := createPart(dir)
		if err != nil {
			t.Fatal(err)
		}
		name := f.Name()
		if _, err := f.WriteString("isi"); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(name)
		if seen[name] || filepath.Dir(name) != dir || !strings.HasPrefix(base, "mail-") || !strings.HasSuffix(base, ".part") {
			t.Fatalf("file %d: %s (seen before: %v)", i, name, seen[name])
		}
		seen[name] = true
		info, err := os.Stat(name)
		if err != nil || info.Size() != 3 || info.Mode().Perm()&0o077 != 0 {
			t.Fatalf("file %d: %v, %v", i, info, err)
		}
	}
}
