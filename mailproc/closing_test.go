package mailproc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestClosingDelay: the closing mail with the rating question leaves
// desk.closing_delay after the answer that closed the case, never with it;
// a second answer within the delay moves it after that answer (one closing
// mail, after the last answer); a citizen's reply that reopens the case
// within the delay withdraws it, and the case's log says so.
func TestClosingDelay(t *testing.T) {
	const delay = 10 * time.Minute
	tc := newTrustCase(t)
	w := tc.w
	w.in.ClosingDelay = delay
	answeredAt := w.now
	tc.reply(petugas, "", tc.notif.MessageID, "#selesai\nBuku pengganti sudah kami siapkan di loket sirkulasi.")

	due := func(at time.Time) map[mailproc.Purpose]int { t.Helper(); return dueOf(tc, at) }
	closing := func() []*mailproc.OutgoingMail {
		t.Helper()
		var out []*mailproc.OutgoingMail
		for _, m := range tc.outbox(mailproc.PurposeClosing) {
			if strings.Contains(m.Subject, tc.number) {
				out = append(out, m)
			}
		}
		return out
	}

	if c := tc.kase(); c.State != mailproc.StateSelesai {
		t.Fatalf("case %s after #selesai with an answer", c.State)
	}
	if n := due(w.now); n[mailproc.PurposeAnswer] != 1 || n[mailproc.PurposeClosing] != 0 {
		t.Errorf("due at the answer: %v, want the answer and no closing mail", n)
	}
	if n := due(answeredAt.Add(delay - time.Second)); n[mailproc.PurposeClosing] != 0 {
		t.Errorf("closing mail due a second before the delay ends: %v", n)
	}
	if n := due(answeredAt.Add(delay)); n[mailproc.PurposeClosing] != 1 {
		t.Errorf("closing mail not due when the delay ends: %v", n)
	}
	if c := closing(); len(c) != 1 || !c[0].Date.Equal(answeredAt.Add(delay)) {
		t.Fatalf("closing mails %d, want one dated %v", len(c), answeredAt.Add(delay))
	}

	// A second answer five minutes later: the one closing mail now waits
	// until ten minutes after it.
	w.now = w.now.Add(5 * time.Minute)
	secondAt := w.now
	tc.reply(petugas, "", tc.notif.MessageID, "Tambahan: loket buka sampai pukul 15.00.")
	if c := closing(); len(c) != 1 || !c[0].NextAttempt.Equal(secondAt.Add(delay)) || !c[0].Date.Equal(secondAt.Add(delay)) {
		t.Errorf("after a second answer: %d closing mails, next attempt %v, want one at %v", len(c), c[0].NextAttempt, secondAt.Add(delay))
	}
	if n := due(answeredAt.Add(delay)); n[mailproc.PurposeClosing] != 0 || n[mailproc.PurposeAnswer] != 2 {
		t.Errorf("due when the first delay ends: %v, want both answers and no closing mail", n)
	}

	// The citizen writes back before it left: the case reopens and the
	// closing mail ("telah kami selesaikan") is withdrawn.
	w.now = w.now.Add(2 * time.Minute)
	answers := tc.outbox(mailproc.PurposeAnswer)
	w.mail(fmt.Sprintf("From: budi@gmail.com\nTo: %s\nSubject: Re: [%s] Buku rusak\nMessage-ID: <balik.%d@gmail.com>\nIn-Reply-To: <%s>\nReferences: <%s>\n\nMaaf, bukunya belum ada di loket.\n",
		desk, tc.number, w.uid, answers[len(answers)-1].MessageID, answers[len(answers)-1].MessageID))
	if c := tc.kase(); c.State == mailproc.StateSelesai {
		t.Fatalf("the citizen's reply did not reopen the case")
	}
	if c := closing(); len(c) != 0 {
		t.Errorf("%d closing mails left after the case reopened", len(c))
	}
	events, err := w.db.Timeline(context.Background(), tc.kase().ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		found = found || strings.Contains(e.Detail, "email penutupan (pertanyaan penilaian) yang belum terkirim dibatalkan")
	}
	if !found {
		t.Error("no event says the closing mail was withdrawn")
	}

	// Closed again: one new closing mail, ten minutes after that answer.
	w.now = w.now.Add(time.Minute)
	thirdAt := w.now
	tc.reply(petugas, "", tc.notif.MessageID, "#selesai\nMohon maaf, buku sudah kami antar ke meja sirkulasi sekarang.")
	if c := closing(); len(c) != 1 || !c[0].NextAttempt.Equal(thirdAt.Add(delay)) {
		t.Errorf("after closing again: %d closing mails, want one at %v", len(c), thirdAt.Add(delay))
	}
}

// TestClosingDelayZero: "0s" sends the closing mail with the answer.
func TestClosingDelayZero(t *testing.T) {
	tc := newTrustCase(t)
	tc.reply(petugas, "", tc.notif.MessageID, "#selesai\nSudah kami ganti.")
	if n := dueOf(tc, tc.w.now); n[mailproc.PurposeClosing] != 1 || n[mailproc.PurposeAnswer] != 1 {
		t.Errorf("due with the answer: %v, want the answer and the closing mail", n)
	}
}

// dueOf counts the case's pending mails whose time has come at at, per
// purpose: what the postman sends from then on, one after the other in
// queue order (TestDueMailCaseOrder tests that order).
func dueOf(tc *trustCase, at time.Time) map[mailproc.Purpose]int {
	tc.w.t.Helper()
	rows, err := tc.w.db.Outbox(context.Background(), sqlite.OutboxFilter{CaseID: tc.kase().ID, State: mailproc.OutboxPending})
	if err != nil {
		tc.w.t.Fatal(err)
	}
	n := map[mailproc.Purpose]int{}
	for _, r := range rows {
		if !r.NextAttempt.After(at) {
			n[r.Purpose]++
		}
	}
	return n
}
