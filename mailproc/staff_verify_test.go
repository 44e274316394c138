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

// TestRobotMailOpensNoCase: a newsletter from a no-reply sender opens no
// case, so staff are not told and nobody can send it a closing mail with
// the rating question; a person's case closed by #selesai gets one.
func TestRobotMailOpensNoCase(t *testing.T) {
	w := newDeskWorld(t)
	if robot := w.mail("From: Promo <noreply@toko.example>\nTo: " + desk + "\nSubject: Diskon akhir tahun\nMessage-ID: <promo-1@toko.example>\n\nBeli sekarang!\n"); robot != "" {
		t.Fatalf("a no-reply newsletter opened case %s", robot)
	}
	person := w.mail("From: Siti <siti@gmail.com>\nTo: " + desk + "\nSubject: Jam buka\nMessage-ID: <jam-9@gmail.com>\n\nJam berapa buka?\n")
	outbox := func(p mailproc.Purpose) []*mailproc.OutgoingMail {
		rows, err := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: p})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	notes := outbox(mailproc.PurposeNotify)
	if len(notes) != 1 || !strings.Contains(notes[0].Subject, person) {
		t.Fatalf("staff notifications %d, want one for %s", len(notes), person)
	}
	w.mail(fmt.Sprintf("From: petugas@pustakaarsip.kamparkab.go.id\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <tutup-1@pustakaarsip.kamparkab.go.id>\n\n#selesai\n",
		desk, notes[0].Subject, notes[0].MessageID))
	var to []string
	for _, m := range outbox(mailproc.PurposeClosing) {
		to = append(to, m.To[0].Addr)
	}
	if strings.Join(to, ",") != "siti@gmail.com" {
		t.Fatalf("closing mails went to %v, want only siti@gmail.com", to)
	}
	unlinked, err := w.db.UnlinkedMessages(context.Background(), time.Time{})
	if err != nil || len(unlinked) != 1 || unlinked[0].MessageID != "promo-1@toko.example" {
		t.Fatalf("unlinked mail %v (%v), want the newsletter", unlinked, err)
	}
}

// TestEskalasiOnAnsweredCase: staff answer a complaint and then ask the
// Kepala Seksi with #eskalasi. The head is told, but the case stays
// answered — not overdue — and the chain does not climb on by itself.
func TestEskalasiOnAnsweredCase(t *testing.T) {
	w := newDeskWorld(t)
	number := w.complaint("budi@gmail.com")
	rows, err := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeNotify})
	if err != nil || len(rows) != 1 {
		t.Fatalf("notifications: %v %d", err, len(rows))
	}
	notif := rows[0]
	reply := func(id, text string) {
		w.mail(fmt.Sprintf("From: petugas@pustakaarsip.kamparkab.go.id\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <%s@pustakaarsip.kamparkab.go.id>\n\n%s\n",
			desk, notif.Subject, notif.MessageID, id, text))
	}
	reply("jawab-1", "Mohon maaf, buku akan kami ganti.")
	reply("eskalasi-1", "#eskalasi mohon arahan soal penggantian buku")
	if got := len(w.escalations()); got != 1 {
		t.Fatalf("%d escalation mails after #eskalasi, want 1", got)
	}
	c, _ := w.db.CaseByNumber(context.Background(), number)
	if c.State != mailproc.StateDijawab || c.EscalationLevel != 1 || !c.EscalateAt.IsZero() {
		t.Fatalf("after #eskalasi on an answered case: state %s, level %d, escalate at %v", c.State, c.EscalationLevel, c.EscalateAt)
	}
	w.at(3 * time.Hour)
	if got := len(w.escalations()); got != 1 {
		t.Fatalf("%d escalation mails three hours later, want still 1: the chain climbed by itself", got)
	}
}

// TestNoEscalationForRobotMail: a newsletter opens no case, so nothing of
// it is escalated to the heads or reminded; a citizen's case opened at the
// same moment is escalated.
func TestNoEscalationForRobotMail(t *testing.T) {
	w := newDeskWorld(t)
	robot := w.mail("From: Berita <newsletter@toko.example>\nTo: " + desk + "\nSubject: Promo\nPrecedence: bulk\nMessage-ID: <promo-2@toko.example>\n\nDiskon!\n")
	if robot != "" {
		t.Fatalf("a bulk newsletter opened case %s", robot)
	}
	person := w.complaint("budi@gmail.com")
	w.at(2 * time.Hour)
	var other, personMails int
	for _, m := range w.escalations() {
		if strings.Contains(m.Subject, person) {
			personMails++
		} else {
			other++
		}
	}
	if other != 0 || personMails == 0 {
		t.Fatalf("escalation mails: %d for something else, %d for the citizen's case; want 0 and some", other, personMails)
	}
}
