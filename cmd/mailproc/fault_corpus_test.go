//go:build faults

package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFaultBrokenCorpus: every mail of the broken-mail corpus
// (mailproc/testdata/broken, outcomes in its INDEX) and a 50 MB mail wait
// in the desk's INBOX on the real Dovecot when the daemon starts. Each
// becomes a case or is quarantined with a reason, as INDEX says; the inbox
// empties (the queue never stalls); a good mail sent after them all is
// handled too.
func TestFaultBrokenCorpus(t *testing.T) {
	dir := "../../mailproc/testdata/broken"
	f, err := os.Open(filepath.Join(dir, "INDEX"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := newTestDesk(t)
	wantCases, wantQ := 0, 0
	var skipped []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, " | ")
		if len(parts) != 3 {
			t.Fatalf("INDEX line %q", line)
		}
		raw, err := os.ReadFile(filepath.Join(dir, parts[0]))
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 {
			// No IMAP server holds a 0-byte mail (Dovecot refuses the
			// APPEND); TestBrokenCorpus covers it in process.
			skipped = append(skipped, parts[0])
			continue
		}
		switch outcome := parts[2]; {
		case strings.HasPrefix(outcome, "case"):
			wantCases++
		case strings.HasPrefix(outcome, "quarantine"):
			wantQ++
		default:
			t.Fatalf("INDEX %s: outcome %q", parts[0], outcome)
		}
		d.appendRaw(raw)
	}
	d.appendRaw(bigMail(d.citizen("besar"), d.Address, 50<<20))
	wantCases++
	total := wantCases + wantQ

	cfgPath := d.writeConfig()
	db := d.db()
	start := time.Now()
	p := d.spawn(cfgPath)
	waitFor(t, 3*time.Minute, "every mail handled", func() bool { _, m, q := counts(t, db); return m+q >= total })
	took := time.Since(start)
	waitFor(t, 30*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })

	// A good mail after them all.
	siti := d.citizen("siti")
	d.sender().send(siti, d.Address, citizenMail(siti, d.Address, "Jam buka", "Jam berapa perpustakaan buka?"))
	waitFor(t, 30*time.Second, "the good mail after the corpus", func() bool { c, _, _ := counts(t, db); return c == wantCases+1 })

	cases, msgs, q := counts(t, db)
	if cases != wantCases+1 || msgs != wantCases+1 || q != wantQ {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want %d/%d/%d", cases, msgs, q, wantCases+1, wantCases+1, wantQ)
	}
	if got := d.count("Karantina"); got != wantQ {
		t.Errorf("Karantina holds %d, want %d", got, wantQ)
	}
	if got := d.count("Diproses"); got != wantCases+1 {
		t.Errorf("Diproses holds %d, want %d", got, wantCases+1)
	}
	entries, err := db.QuarantineList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, e := range entries {
		if e.Reason == "" {
			t.Errorf("quarantined UID %d has no reason", e.Delivery.UID)
		}
		reasons = append(reasons, e.Reason)
	}
	peak := p.peakRSS(t)
	figure(t, "broken-mail corpus (%d files; not %s, which Dovecot will not store) and a 50 MB mail in the inbox at start: %d cases, %d quarantined with reasons (%s), inbox empty after %.1f s, a good mail after them handled; peak RSS %.1f MB",
		total-1, strings.Join(skipped, ", "), wantCases, wantQ, strings.Join(reasons, "; "), took.Seconds(), mb(peak))
}
