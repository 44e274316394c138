package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestE2EClosingDelay: on the real stack, the closing mail with the rating
// question reaches the citizen after the answer, desk.closing_delay later —
// the postman wakes for it with nothing else queued — and its Date says so.
// Only lower bounds are checked: a loaded machine may be late, never early.
func TestE2EClosingDelay(t *testing.T) {
	const delay = 4 * time.Second
	d := newTestDesk(t)
	d.Config.Desk.ClosingDelay = config.Duration(delay)
	d.start()
	siti := d.citizen("siti")
	notif, c := openCase(t, d, siti, "Jam buka hari Minggu", "Apakah perpustakaan buka hari Minggu?")
	d.sender().send(d.Staff, d.Address, staffReply(gmailID, notif, d.Staff, d.Address, "Hari Minggu perpustakaan tutup."))

	closingOf := func() []receivedMail {
		var out []receivedMail
		for _, m := range d.mails(siti, "INBOX") {
			if strings.Contains(m.Subject, "] Selesai:") {
				out = append(out, m)
			}
		}
		return out
	}
	waitFor(t, 20*time.Second, "the answer in the citizen's mailbox", func() bool { return len(answersTo(d, siti)) >= 1 })
	waitFor(t, 30*time.Second, "the closing mail in the citizen's mailbox", func() bool { return len(closingOf()) >= 1 })
	if n := len(closingOf()); n != 1 {
		t.Errorf("%d closing mails, want 1", n)
	}

	rows, err := d.db().Outbox(context.Background(), sqlite.OutboxFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var answer, closing *mailproc.OutgoingMail
	for _, r := range rows {
		switch {
		case r.CaseID != c.ID:
		case r.Purpose == mailproc.PurposeAnswer:
			answer = r
		case r.Purpose == mailproc.PurposeClosing:
			closing = r
		}
	}
	if answer == nil || closing == nil || answer.SentAt.IsZero() || closing.SentAt.IsZero() {
		t.Fatalf("outbox: answer %+v, closing %+v", answer, closing)
	}
	if gap := closing.SentAt.Sub(answer.SentAt); gap < delay-time.Second {
		t.Errorf("closing mail sent %v after the answer, want at least %v", gap, delay)
	}
	a, cl := answersTo(d, siti)[0], closingOf()[0]
	ad, err1 := a.Header.Date()
	cd, err2 := cl.Header.Date()
	if err1 != nil || err2 != nil || cd.Sub(ad) < delay-time.Second {
		t.Errorf("Date: answer %v, closing %v (%v, %v): want the closing %v later", ad, cd, err1, err2, delay)
	}
}
