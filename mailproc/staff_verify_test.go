package mailproc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestStaffReplyTokenForAnotherCase: a staff reply whose token names one
// case and whose subject names another is not relayed to either citizen;
// ops hear of it and the token's case records the rejection. The same reply
// with a matching subject is relayed.
func TestStaffReplyTokenForAnotherCase(t *testing.T) {
	w := newDeskWorld(t)
	a := w.mail("From: Siti <siti@gmail.com>\nTo: " + desk + "\nSubject: Jam buka\nMessage-ID: <a-1@gmail.com>\n\nJam berapa buka?\n")
	b := w.mail("From: Budi <budi@gmail.com>\nTo: " + desk + "\nSubject: Syarat anggota\nMessage-ID: <b-1@gmail.com>\n\nApa syarat jadi anggota?\n")
	outbox := func(p mailproc.Purpose) []*mailproc.OutgoingMail {
		rows, err := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: p})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	var notifA *mailproc.OutgoingMail
	for _, n := range outbox(mailproc.PurposeNotify) {
		if strings.Contains(n.Subject, a) {
			notifA = n
		}
	}
	if notifA == nil {
		t.Fatalf("no notification for %s", a)
	}
	reply := func(id, subject, text string) {
		w.mail(fmt.Sprintf("From: petugas@pustakaarsip.kamparkab.go.id\nTo: %s\nSubject: %s\nIn-Reply-To: <%s>\nMessage-ID: <%s@pustakaarsip.kamparkab.go.id>\n\n%s\n",
			desk, subject, notifA.MessageID, id, text))
	}
	ops := len(outbox(mailproc.PurposeOps))
	reply("p-1", "Re: ["+b+"] Syarat anggota", "Syaratnya bayar dulu. (palsu)")
	if got := outbox(mailproc.PurposeAnswer); len(got) != 0 {
		t.Fatalf("a reply with %s's token and %s in the subject was relayed: %+v", a, b, got[0].To)
	}
	if got := len(outbox(mailproc.PurposeOps)); got != ops+1 {
		t.Fatalf("ops notices %d → %d, want one more", ops, got)
	}
	ca, _ := w.db.CaseByNumber(context.Background(), a)
	events, _ := w.db.Timeline(context.Background(), ca.ID)
	var rejected string
	for _, e := range events {
		if e.Type == mailproc.EventRejected {
			rejected = e.Detail
		}
	}
	if !strings.Contains(rejected, "subjek menyebut kasus "+b) {
		t.Fatalf("rejection on %s: %q", a, rejected)
	}

	reply("p-2", "Re: ["+a+"] Jam buka", "Buka pukul 08.00.")
	got := outbox(mailproc.PurposeAnswer)
	if len(got) != 1 || got[0].To[0].Addr != "siti@gmail.com" {
		t.Fatalf("the genuine reply was not relayed to Siti: %+v", got)
	}
}
