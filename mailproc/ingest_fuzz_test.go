package mailproc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// FuzzIngest runs arbitrary bytes through the whole intake — the MIME
// parser, the raw archive, one SQLite transaction, placement, the
// acknowledgement and staff notification rendered from the real templates —
// as the daemon does with every mail it fetches. Seeded with every real and
// broken mail in the repository. Whatever the bytes, deliver's checks hold:
// no panic, no error (an error leaves a mail in the inbox for ever), the
// mail stored as a case or a copy of one, or quarantined with a reason, the
// raw bytes archived, and the store's counts moved by exactly that one mail.
// The same mail fetched again is a copy, never a second case.
//
// Each input gets a database of its own, copied from a migrated empty one
// (a file copy, not a migration, per input): with one database for all
// inputs, what an input does would depend on the inputs before it, and the
// fuzzer, which keeps an input for the new code it reaches, could neither
// trust nor minimise what it found.
func FuzzIngest(f *testing.F) {
	for _, pattern := range []string{
		"testdata/broken/*.eml",
		"testdata/replies/*.eml",
		"mime/testdata/*.eml",
		"../cmd/mailproc/demodata/*.eml",
	} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	// A staff member's reply with commands, and a citizen's rating.
	f.Add([]byte("From: Rina <petugas@pustakaarsip.kamparkab.go.id>\r\nTo: " + desk + "\r\nSubject: Re: [ADU-2026-00001] Kasus baru: Buku rusak\r\n" +
		"In-Reply-To: <mailproc.notify.adu-2026-00001.x@pustakaarsip.kamparkab.go.id>\r\n\r\n#aduan\r\n#tutup\r\nSudah kami ganti.\r\n"))
	f.Add([]byte("From: siti@example.id\r\nSubject: Re: [INF-2026-00001] Tanda terima\r\n\r\n4\r\n"))

	// fsync is not what is fuzzed, and on a disk it takes most of each run
	// (the archive, its directory and the database sync every mail): on a
	// memory file system the fuzzer tries many times as many mails.
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		f.Setenv("TMPDIR", "/dev/shm")
	}
	base := newDeskWorld(f)
	pristine := filepath.Join(f.TempDir(), "pristine.db")
	db, err := sqlite.Open(pristine)
	if err != nil {
		f.Fatal(err)
	}
	if err := db.Close(); err != nil { // checkpoints the WAL into the file
		f.Fatal(err)
	}
	empty, err := os.ReadFile(pristine)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		w := base.fresh(t, empty)
		first := w.deliver(t, bytes.NewReader(raw))
		again := w.deliver(t, bytes.NewReader(raw))
		if first.Disposition != mailproc.Quarantined && again.Disposition != mailproc.Duplicate {
			t.Errorf("fetched again: %+v, after %+v", again, first)
		}
	})
}

// fresh returns a copy of w with a database and archive of its own in a
// new directory, the database file a copy of db.
func (w *deskWorld) fresh(t testing.TB, db []byte) *deskWorld {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mailproc.db"), db, 0o600); err != nil {
		t.Fatal(err)
	}
	store, arch := w.openDataDir(t, dir)
	c := *w
	c.t, c.dir, c.db, c.uid = t, dir, store, 0
	esc := *w.esc
	esc.Store, esc.Next = store, store.NextEscalation
	in := *w.in
	in.Store, in.Archive, in.Escalator = store, arch, &esc
	c.in, c.esc = &in, &esc
	return &c
}
