package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestE2EBounceJoinsCase: the acknowledgement to an address that Postfix
// accepts and then cannot deliver comes back as a real Postfix bounce into
// the desk's INBOX. It attaches to the case as a delivery failure, ops is
// told, and it never becomes a case or gets an acknowledgement.
func TestE2EBounceJoinsCase(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	pantul := envOr("MAILSTACK_BOUNCE_ADDR", "pantul@warga.test")
	d.sender().send(pantul, d.Address, citizenMail(pantul, d.Address, "Pertanyaan koleksi", "Apakah ada koleksi buku sejarah Kampar?",
		"Message-ID: <pantul-"+d.ID+"@warga.test>"))

	db := d.db()
	waitFor(t, 30*time.Second, "the bounce notice to ops", func() bool { return d.inboxCount(d.Ops) >= 1 })
	waitFor(t, 10*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })
	cases, msgs, q := counts(t, db)
	if cases != 1 || msgs != 2 || q != 0 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want 1 case holding the mail and its bounce", cases, msgs, q)
	}
	list, _ := db.ListCases(context.Background(), sqlite.CaseFilter{})
	events, _ := db.Timeline(context.Background(), list[0].ID)
	var failure string
	for _, e := range events {
		if e.Type == mailproc.EventDelivery {
			failure = e.Detail
		}
	}
	if !strings.Contains(failure, pantul) {
		t.Fatalf("no delivery failure event naming %s; events: %+v", pantul, events)
	}
	notice := d.mails(d.Ops, "INBOX")[0]
	if !strings.Contains(notice.Text, list[0].Number) {
		t.Errorf("ops notice does not name the case:\n%s", notice.Text)
	}
	acks, _ := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAck})
	if len(acks) != 1 {
		t.Fatalf("%d acknowledgements queued, want 1 (none for the bounce)", len(acks))
	}
}
