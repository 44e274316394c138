//go:build faults

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFaultDiskFull: the data directory is a small tmpfs that fills up.
// While it is full, new mail stays in the inbox — nothing is moved to
// Diproses without its case, nothing is quarantined — the log says the
// disk is full, and the daemon keeps running; once space returns, every
// waiting mail becomes a case and is acknowledged.
func TestFaultDiskFull(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("MAILPROC_REQUIRE_STACK") != "" || os.Getenv("CI") == "true" {
			t.Fatal("the disk-full test mounts a tmpfs and needs root")
		}
		t.Skip("needs root to mount a tmpfs")
	}
	hold := faultSeconds(t, "DISK_FULL", 10)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })

	d := newTestDesk(t)
	d.DataDir = mnt
	d.Config.Desk.DataDir, d.Config.Desk.Database = mnt, filepath.Join(mnt, "mailproc.db")
	cfgPath := d.writeConfig()
	p := d.spawn(cfgPath)
	db := d.db()
	s := d.sender()

	first := d.citizen("pertama")
	s.send(first, d.Address, citizenMail(first, d.Address, "Jam buka", "Jam berapa perpustakaan buka?"))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("daemon log (tail):\n%s", tail(p.output(), 30))
		}
	})
	waitFor(t, 30*time.Second, "the first case", func() bool { c, _, _ := counts(t, db); return c == 1 })
	waitFor(t, 30*time.Second, "its acknowledgement", func() bool { return d.inboxCount(first) == 1 })
	waitFor(t, 30*time.Second, "the outbox to empty", func() bool {
		pending, _, _, _ := db.OutboxCounts(context.Background())
		return pending == 0
	})

	filler := filepath.Join(mnt, "filler")
	fill(t, filler)
	full := time.Now()
	const waiting = 5
	var citizens []string
	for i := 0; i < waiting; i++ {
		c := d.citizen(fmt.Sprintf("warga%d", i))
		citizens = append(citizens, c)
		s.send(c, d.Address, citizenMail(c, d.Address, fmt.Sprintf("Pertanyaan %d", i), "Apakah ada koleksi arsip desa?"))
	}
	waitFor(t, 30*time.Second, "the mails in the inbox", func() bool { return d.count("INBOX") == waiting })
	// Several poll intervals and retries while the disk is full.
	waitFor(t, 60*time.Second, "the disk-full error in the log", func() bool {
		return strings.Contains(p.output(), "the data disk is full")
	})
	time.Sleep(time.Until(full.Add(hold)))
	if p.cmd.ProcessState != nil {
		t.Fatalf("the daemon exited while the disk was full:\n%s", tail(p.output(), 20))
	}
	cases, msgs, q := counts(t, db)
	if cases != 1 || msgs != 1 || q != 0 {
		t.Fatalf("while full: cases=%d messages=%d quarantined=%d, want 1/1/0", cases, msgs, q)
	}
	processedWhileFull := d.count("Diproses")
	if processedWhileFull != 1 {
		t.Fatalf("while full: Diproses holds %d, want 1 (a mail moved without its case)", processedWhileFull)
	}
	qWhileFull := q
	if got := d.count("INBOX"); got != waiting {
		t.Fatalf("while full: INBOX holds %d, want %d", got, waiting)
	}
	errLine := logMsg(firstLineWith(p.output(), "the data disk is full"))

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	waitFor(t, 2*time.Minute, "every waiting mail as a case", func() bool { c, _, _ := counts(t, db); return c == 1+waiting })
	recovered := time.Since(freed)
	waitFor(t, 30*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })
	for _, c := range citizens {
		waitFor(t, 60*time.Second, "the acknowledgement of "+c, func() bool { return d.inboxCount(c) >= 1 })
	}
	time.Sleep(3 * time.Second) // time for a second copy to show, if one were sent
	ackedOnce := 0
	for _, c := range citizens {
		if got := d.inboxCount(c); got == 1 {
			ackedOnce++
		} else {
			t.Errorf("%s has %d acknowledgements, want 1", c, got)
		}
	}
	cases, msgs, q = counts(t, db)
	if cases != 1+waiting || msgs != 1+waiting || q != 0 {
		t.Fatalf("after: cases=%d messages=%d quarantined=%d, want %d/%d/0", cases, msgs, q, 1+waiting, 1+waiting)
	}
	if got := d.count("Diproses"); got != 1+waiting {
		t.Fatalf("after: Diproses holds %d, want %d", got, 1+waiting)
	}
	figure(t, "data disk full for %.0f s with %d mails arriving: %d moved to Diproses, %d quarantined, daemon still running; logged %q; %d cases %.1f s after space was freed (%d quarantined), %d of %d acknowledged exactly once",
		freed.Sub(full).Seconds(), waiting, processedWhileFull-1, qWhileFull, errLine, cases-1, recovered.Seconds(), q, ackedOnce, waiting)
}

// fill writes path until the file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
}

// logMsg returns the level, msg and err of a slog text line, for figures.
func logMsg(line string) string {
	var parts []string
	for _, key := range []string{"level=", "msg=", "err="} {
		if i := strings.Index(line, key); i >= 0 {
			v := line[i:]
			if strings.HasPrefix(v[len(key):], `"`) {
				if j := strings.Index(v[len(key)+1:], `"`); j >= 0 {
					v = v[:len(key)+j+2]
				}
			} else if j := strings.IndexByte(v, ' '); j >= 0 {
				v = v[:j]
			}
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " ")
}

func firstLineWith(s string, subs ...string) string {
	for _, line := range strings.Split(s, "\n") {
		for _, sub := range subs {
			if strings.Contains(line, sub) {
				return strings.TrimSpace(line)
			}
		}
	}
	return ""
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
