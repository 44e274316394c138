package archive

import (
	"os"
	"path/filepath"
	"testing"
)

// place, and placeChecked where the rename cannot refuse a name: a new
// digest's directory is made, a name already taken keeps its bytes (the
// same mail archived twice) and the partial file goes, and the placed file
// is readable by the group.
func TestPlace(t *testing.T) {
	for name, placeFn := range map[string]func(tmp, final string) error{"place": place, "placeChecked": placeChecked} {
		dir := t.TempDir()
		write := func(content string) string {
			f, err := createPart(dir)
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte(content))
			f.Close()
			return f.Name()
		}
		final := filepath.Join(dir, "archive", "ab", "abcd.eml")
		if err := placeFn(write("pertama"), final); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		second := write("kedua")
		if err := placeFn(second, final); err != nil {
			t.Fatalf("%s again: %v", name, err)
		}
		if b, err := os.ReadFile(final); err != nil || string(b) != "pertama" {
			t.Errorf("%s: the archived file holds %q (%v), want the first bytes", name, b, err)
		}
		if _, err := os.Stat(second); !os.IsNotExist(err) {
			t.Errorf("%s: the second partial file is still there (%v)", name, err)
		}
		if info, err := os.Stat(final); err != nil || info.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v (%v), want 0640", name, info.Mode(), err)
		}
	}
}
