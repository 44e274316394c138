package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestE2EBurstDigest: 30 citizen mails wait in the inbox when the daemon
// starts (notify_digest_over = 5): more than 5, known from the start, so
// staff get no notification one by one but one digest listing the 30
// cases, then the 30 notifications; every citizen is acknowledged before the digest, and the
// digest goes before the notifications it lists. A staff reply to one of
// the notifications that followed the digest answers its citizen; a reply
// to the digest relays nothing and gets the staff member the help mail.
// The held notifications, queued unrendered, arrive rendered like the
// others: the case's number and subject, the citizen's text, the reply
// marker, and the last citizen's attachment.
func TestE2EBurstDigest(t *testing.T) {
	const n, over = 30, 5
	d := newTestDesk(t)
	d.Config.Desk.NotifyDigestOver = over
	for i := range n - 1 {
		from := d.citizen(fmt.Sprintf("w%02d", i))
		d.appendRaw(citizenMail("Warga <"+from+">", d.Address, fmt.Sprintf("Pertanyaan %d tentang jam buka", i),
			"Apakah perpustakaan buka hari Sabtu?", fmt.Sprintf("Message-ID: <burst-%d-%s>", i, d.Address)))
	}
	d.appendRaw(bigMail("Warga <"+d.citizen("w29")+">", d.Address, 2000))
	d.start()
	db := d.db()
	ctx := context.Background()
	waitFor(t, 90*time.Second, "the digest and every notification in the staff inbox", func() bool {
		return d.inboxCount(d.Staff) >= n+1
	})
	waitFor(t, 30*time.Second, "the outbox to empty", func() bool {
		pending, _, _, _ := db.OutboxCounts(ctx)
		return pending == 0
	})

	// What staff received: one digest, and a notification of every case.
	var digest receivedMail
	digests, notified := 0, map[string]receivedMail{}
	for _, m := range d.mails(d.Staff, "INBOX") {
		switch {
		case strings.HasPrefix(m.Subject, "Ringkasan "):
			digests++
			digest = m
		case mailproc.FindNumber(m.Subject) != "":
			notified[mailproc.FindNumber(m.Subject)] = m
		default:
			t.Errorf("staff got %q", m.Subject)
		}
	}
	if digests != 1 || len(notified) != n {
		t.Fatalf("staff got %d digests and notifications of %d cases, want 1 and %d", digests, len(notified), n)
	}
	if want := fmt.Sprintf("Ringkasan %d kasus baru", n); !strings.HasPrefix(digest.Subject, want) {
		t.Errorf("digest subject %q, want %q…", digest.Subject, want)
	}

	// Which notifications were held, and when each mail was accepted.
	sent, err := db.Outbox(ctx, sqlite.OutboxFilter{State: mailproc.OutboxSent})
	if err != nil {
		t.Fatal(err)
	}
	var digestAt time.Time
	var held []*mailproc.OutgoingMail
	var acks []time.Time
	for _, m := range sent {
		switch {
		case m.Purpose == mailproc.PurposeAck:
			acks = append(acks, m.SentAt)
		case m.Purpose == mailproc.PurposeNotify && m.CaseID == 0:
			digestAt = m.SentAt
		case m.Burst:
			held = append(held, m)
		}
	}
	if len(acks) != n || len(held) != n || digestAt.IsZero() {
		t.Fatalf("%d acknowledgements, %d held notifications, digest sent at %v; want %d, %d, sent", len(acks), len(held), digestAt, n, n)
	}
	for _, at := range acks {
		if at.After(digestAt) {
			t.Errorf("an acknowledgement went at %v, after the digest at %v", at, digestAt)
		}
	}
	for _, m := range held {
		c, err := db.CaseByID(ctx, m.CaseID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(digest.Text, "- "+c.Number+"  ") {
			t.Errorf("the digest does not list %s, whose notification it held:\n%s", c.Number, digest.Text)
		}
		if m.SentAt.Before(digestAt) {
			t.Errorf("the notification of %s went at %v, before the digest at %v", c.Number, m.SentAt, digestAt)
		}
	}

	// Every held notification arrived rendered, as the others did.
	attached := false
	for _, m := range held {
		c, err := db.CaseByID(ctx, m.CaseID)
		if err != nil {
			t.Fatal(err)
		}
		got := notified[c.Number]
		text, subject := "Apakah perpustakaan buka hari Sabtu?", "tentang jam buka"
		if c.CitizenAddr == d.citizen("w29") {
			text, subject, attached = "Berikut scan arsip yang saya tanyakan.", "Scan arsip akta", true
			if !strings.Contains(string(got.Raw), "scan-arsip.pdf") || !strings.Contains(got.Header.Get("Content-Type"), "multipart/mixed") {
				t.Errorf("the held notification of %s lacks the citizen's attachment:\n%.800s", c.Number, got.Raw)
			}
		}
		if m.Held != nil || !strings.Contains(got.Subject, subject) || !strings.Contains(got.Text, text) ||
			!strings.Contains(got.Text, mailproc.ReplyMarker) || !strings.Contains(got.Text, c.Number) {
			t.Errorf("held notification of %s (held %+v) arrived as %q:\n%s", c.Number, m.Held, got.Subject, got.Text)
		}
	}

	if !attached {
		t.Error("the mail with an attachment was not among the held notifications")
	}

	// A reply to the digest relays nothing; the sender is told.
	d.sender().send(d.Staff, d.Address, staffReply(gmailID, digest, d.Staff, d.Address, "Semua sudah kami jawab: buka hari Sabtu."))
	waitFor(t, 30*time.Second, "the help mail for the reply to the digest", func() bool {
		for _, m := range d.mails(d.Staff, "INBOX") {
			if strings.Contains(m.Text, "Email Anda tidak diteruskan ke warga") {
				return true
			}
		}
		return false
	})

	// A reply to a notification that followed the digest answers its case.
	c, err := db.CaseByID(ctx, held[len(held)-1].CaseID)
	if err != nil {
		t.Fatal(err)
	}
	d.sender().send(d.Staff, d.Address, staffReply(gmailID, notified[c.Number], d.Staff, d.Address, "Perpustakaan buka hari Sabtu pukul 08.00."))
	waitFor(t, 30*time.Second, "the answer in the citizen's mailbox", func() bool { return len(answersTo(d, c.CitizenAddr)) == 1 })
	waitFor(t, 30*time.Second, "the outbox to empty", func() bool {
		pending, _, _, _ := db.OutboxCounts(ctx)
		return pending == 0
	})
	answers, err := db.Outbox(ctx, sqlite.OutboxFilter{Purpose: mailproc.PurposeAnswer})
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 1 || answers[0].CaseID != c.ID {
		t.Errorf("%d answers went out (want 1, to %s): the reply to the digest reached a citizen", len(answers), c.Number)
	}
	if got := caseNow(t, d, c.Number); got.State != mailproc.StateSelesai {
		t.Errorf("%s after the reply: %s, want selesai", c.Number, got.State)
	}
}
