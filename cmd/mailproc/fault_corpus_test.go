//go:build faults

package main

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
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
	// The 50 MB attachment is about 70 MB as mail (base64): above the
	// default imap.max_message_size, which would quarantine it undownloaded
	// (TestE2EOversizeQuarantined). Here it must stream through.
	d.Config.IMAP.MaxMessageSize = 128 << 20
	wantCases, wantQ, wantUnlinked := 0, 0, 0
	var skipped []string
	var files []indexEntry // in the order appended: UID i+1
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
		case strings.HasPrefix(outcome, "unlinked"):
			wantUnlinked++ // stored, on no case (robot mail)
		default:
			t.Fatalf("INDEX %s: outcome %q", parts[0], outcome)
		}
		d.appendRaw(raw)
		files = append(files, indexEntry{file: parts[0], outcome: parts[2]})
	}
	d.appendRaw(bigMail(d.citizen("besar"), d.Address, 50<<20))
	wantCases++
	total := wantCases + wantUnlinked + wantQ

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
	if cases != wantCases+1 || msgs != wantCases+1+wantUnlinked || q != wantQ {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want %d/%d/%d", cases, msgs, q, wantCases+1, wantCases+1+wantUnlinked, wantQ)
	}
	if got := d.count("Karantina"); got != wantQ {
		t.Errorf("Karantina holds %d, want %d", got, wantQ)
	}
	if got := d.count("Diproses"); got != wantCases+1+wantUnlinked {
		t.Errorf("Diproses holds %d, want %d", got, wantCases+1+wantUnlinked)
	}
	entries, err := db.QuarantineList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	quarantined := map[uint32]string{} // UID → reason
	for _, e := range entries {
		if e.Reason == "" {
			t.Errorf("quarantined UID %d has no reason", e.Delivery.UID)
		}
		reasons = append(reasons, e.Reason)
		quarantined[e.Delivery.UID] = e.Reason
	}
	stored := storedByUID(t, db)
	unlinked := unlinkedByUID(t, db)
	matched := 0
	for i, f := range files {
		uid := uint32(i + 1)
		if f.matches(t, quarantined[uid], stored[uid], unlinked[uid]) {
			matched++
		}
	}
	peak := p.peakRSS(t)
	figure(t, "broken-mail corpus (%d files; not %s, which Dovecot will not store) and a 50 MB mail in the inbox at start: %d of %d files as INDEX says, %d cases, %d quarantined with reasons (%s), inbox empty after %.1f s, a good mail after them handled; peak RSS %.1f MB",
		len(files), strings.Join(skipped, ", "), matched, len(files), cases-1, q, strings.Join(reasons, "; "), took.Seconds(), mb(peak))
}

// indexEntry is one line of the corpus INDEX: a file and its outcome.
type indexEntry struct{ file, outcome string }

var attachmentsRE = regexp.MustCompile(`\b(\d+) attachments?\b`)

// matches checks what became of the file against its INDEX outcome: a case
// (with the number of attachments INDEX names, if it names one), a mail
// stored on no case (robot mail), or quarantine with a reason that begins
// as INDEX gives it (the parser may add detail after it, as TestBrokenCorpus
// allows).
func (e indexEntry) matches(t *testing.T, reason string, msg, unlinked *mailproc.Message) bool {
	t.Helper()
	if strings.HasPrefix(e.outcome, "unlinked") {
		if unlinked == nil {
			t.Errorf("%s: not stored on no case (on a case: %v, quarantined: %q), INDEX says %q", e.file, msg != nil, reason, e.outcome)
			return false
		}
		return true
	}
	if want, ok := strings.CutPrefix(e.outcome, "quarantine: "); ok {
		if !strings.HasPrefix(reason, want) {
			t.Errorf("%s: quarantine reason %q (stored as a case: %v), INDEX says %q", e.file, reason, msg != nil, want)
			return false
		}
		return true
	}
	if msg == nil {
		t.Errorf("%s: no case (quarantined: %q), INDEX says %q", e.file, reason, e.outcome)
		return false
	}
	if m := attachmentsRE.FindStringSubmatch(e.outcome); m != nil {
		if want, _ := strconv.Atoi(m[1]); len(msg.Attachments) != want {
			t.Errorf("%s: %d attachments, INDEX says %q", e.file, len(msg.Attachments), e.outcome)
			return false
		}
	}
	return true
}

// unlinkedByUID returns the stored messages on no case by their inbox UID.
func unlinkedByUID(t *testing.T, db *sqlite.DB) map[uint32]*mailproc.Message {
	t.Helper()
	msgs, err := db.UnlinkedMessages(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32]*mailproc.Message{}
	for _, m := range msgs {
		if m.Delivery.Mailbox == "INBOX" {
			out[m.Delivery.UID] = m
		}
	}
	return out
}

// storedByUID returns every stored message of the desk by its inbox UID.
func storedByUID(t *testing.T, db *sqlite.DB) map[uint32]*mailproc.Message {
	t.Helper()
	cases, err := db.ListCases(context.Background(), sqlite.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32]*mailproc.Message{}
	for _, c := range cases {
		msgs, err := db.CaseMessages(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Delivery.Mailbox == "INBOX" {
				out[m.Delivery.UID] = m
			}
		}
	}
	return out
}
