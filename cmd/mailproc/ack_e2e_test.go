package main

// End-to-end tests of acknowledgements (tanda terima) on the real Dovecot +
// Postfix: what a citizen finds in their own mailbox, and what robots,
// lists, bounces and the desk itself never get.

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

var ackSubjectRE = regexp.MustCompile(`^\[(INF|ADU)-\d{4}-\d{5}\] Tanda terima: `)

func TestE2EAckReachesCitizen(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	siti := d.citizen("siti")
	msgID := "CAJ7yZ1-" + d.ID + "@mail.warga.test"
	d.sender().send(siti, d.Address, citizenMail("Siti Rahmawati <"+siti+">", d.Address,
		"Jam buka perpustakaan hari Sabtu", "Selamat pagi, apakah perpustakaan buka hari Sabtu?",
		"Message-ID: <"+msgID+">"))

	waitFor(t, 20*time.Second, "the acknowledgement in the citizen's mailbox", func() bool { return d.inboxCount(siti) >= 1 })
	db := d.db()
	list, err := db.ListCases(context.Background(), sqlite.CaseFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("cases: %v %d", err, len(list))
	}
	c := list[0]
	got := d.mails(siti, "INBOX")
	if len(got) != 1 {
		t.Fatalf("citizen has %d mails, want 1", len(got))
	}
	ack := got[0]
	want := "[" + c.Number + "] Tanda terima: Jam buka perpustakaan hari Sabtu"
	if ack.Subject != want {
		t.Errorf("subject %q, want %q", ack.Subject, want)
	}
	h := ack.Header
	checks := map[string]string{
		"Auto-Submitted":           "auto-replied",
		"X-Auto-Response-Suppress": "All",
		"Content-Language":         "id",
		"In-Reply-To":              "<" + msgID + ">",
	}
	for k, v := range checks {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if refs := h.Get("References"); !strings.Contains(refs, "<"+msgID+">") {
		t.Errorf("References %q lacks the citizen's mail", refs)
	}
	if id := h.Get("Message-Id"); !strings.HasSuffix(id, "@pustakaarsip.kamparkab.go.id>") {
		t.Errorf("Message-ID %q is not ours", id)
	}
	if from, _ := h.AddressList("From"); len(from) != 1 || from[0].Address != d.Address {
		t.Errorf("From %v", from)
	}
	if h.Get("Date") == "" {
		t.Error("no Date")
	}
	for _, s := range []string{c.Number, "tidak dipungut biaya", "5 menit", "WIB", "Siti Rahmawati"} {
		if !strings.Contains(ack.Text, s) {
			t.Errorf("acknowledgement text lacks %q:\n%s", s, ack.Text)
		}
	}

	// The conversation is in the shared mailbox's Sent folder, and the case
	// is acknowledged.
	waitFor(t, 10*time.Second, "the copy in Sent", func() bool {
		for _, m := range d.mails(d.Address, "Sent") {
			if m.Subject == want {
				return true
			}
		}
		return false
	})
	waitFor(t, 10*time.Second, "state diakui", func() bool {
		c, err := db.CaseByNumber(context.Background(), c.Number)
		return err == nil && c.State == mailproc.StateDiakui
	})
	// Nothing more arrives: exactly one acknowledgement.
	time.Sleep(2 * time.Second)
	if n := d.inboxCount(siti); n != 1 {
		t.Fatalf("citizen has %d mails after settling, want 1", n)
	}
}

// TestE2ENoAckForRobots: an out-of-office reply, a list mail, a no-reply
// sender and a stray bounce get nothing; a person writing after them does,
// which proves the queue had reached them.
func TestE2ENoAckForRobots(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	s := d.sender()
	ooo, list, noreply := d.citizen("cuti"), d.citizen("milis"), "noreply-"+d.ID+"@bank.test"
	s.send(ooo, d.Address, citizenMail(ooo, d.Address, "Di luar kantor: Jam buka", "Saya sedang cuti sampai 1 Desember.", "Auto-Submitted: auto-replied"))
	s.send(list, d.Address, citizenMail(list, d.Address, "[warga-kampar] Info kegiatan", "Kegiatan minggu ini di perpustakaan.",
		"List-Id: <warga-kampar.lists.warga.test>", "Precedence: list", "List-Unsubscribe: <mailto:leave@lists.warga.test>"))
	s.send(noreply, d.Address, citizenMail(noreply, d.Address, "Tagihan Anda", "Informasi tagihan."))
	d.appendRaw(strayBounce(d.Address))
	person := d.citizen("budi")
	s.send(person, d.Address, citizenMail(person, d.Address, "Syarat kartu anggota", "Apa syarat membuat kartu anggota?"))

	waitFor(t, 30*time.Second, "the person's acknowledgement", func() bool { return d.inboxCount(person) == 1 })
	db := d.db()
	// Postfix delivers the five mails in its own order: the person's may
	// come before a robot's. Wait until all five are taken.
	waitFor(t, 30*time.Second, "all five mails stored", func() bool {
		_, msgs, q := counts(t, db)
		return msgs+q >= 5
	})
	cases, msgs, q := counts(t, db)
	if cases != 1 || msgs != 5 || q != 0 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want 1/5/0 (the robots stored on no case)", cases, msgs, q)
	}
	acks, err := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAck})
	if err != nil {
		t.Fatal(err)
	}
	if len(acks) != 1 || acks[0].To[0].Addr != person {
		t.Fatalf("acknowledgements queued: %d (%v), want only the person's", len(acks), acks)
	}
	for _, robot := range []string{ooo, list, noreply} {
		if n := d.inboxCount(robot); n != 0 {
			t.Errorf("%s got %d mails", robot, n)
		}
	}
	// Each robot is listed with why it opened no case.
	unlinked, err := db.UnlinkedMessages(context.Background(), time.Time{})
	if err != nil || len(unlinked) != 4 {
		t.Fatalf("%d mails on no case (%v), want the 4 robots", len(unlinked), err)
	}
	for _, m := range unlinked {
		if mailproc.AutomaticReason(m) == "" {
			t.Errorf("%s (%s) on no case without a reason", m.MessageID, m.From.Addr)
		}
	}
}

// TestE2EOwnAckComesBack: two copies of mailproc's own acknowledgement
// landing in the desk's INBOX (a forwarding loop) produce nothing.
func TestE2EOwnAckComesBack(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	siti := d.citizen("siti")
	s := d.sender()
	s.send(siti, d.Address, citizenMail(siti, d.Address, "Jam buka", "Jam berapa buka?"))
	waitFor(t, 20*time.Second, "the acknowledgement", func() bool { return d.inboxCount(siti) == 1 })
	ack := d.mails(siti, "INBOX")[0]

	d.appendRaw(ack.Raw)
	d.appendRaw(ack.Raw)
	other := d.citizen("andi")
	s.send(other, d.Address, citizenMail(other, d.Address, "Koleksi arsip", "Bagaimana cara melihat koleksi arsip?"))
	waitFor(t, 20*time.Second, "the second citizen's acknowledgement", func() bool { return d.inboxCount(other) == 1 })
	waitFor(t, 10*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })

	db := d.db()
	cases, msgs, q := counts(t, db)
	if cases != 2 || msgs != 2 || q != 0 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want 2/2/0", cases, msgs, q)
	}
	if n := d.inboxCount(siti); n != 1 {
		t.Fatalf("siti has %d mails, want 1", n)
	}
	acks, err := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAck})
	if err != nil || len(acks) != 2 {
		t.Fatalf("%d acknowledgements (%v), want 2", len(acks), err)
	}
}

// TestE2ERejectedRecipient: Postfix refuses one citizen's address with 550:
// that acknowledgement fails, ops is told, the case says so, and another
// citizen's acknowledgement is unaffected.
func TestE2ERejectedRecipient(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	rejected := envOr("MAILSTACK_REJECT_ADDR", "tolak@warga.test")
	s := d.sender()
	s.send(rejected, d.Address, citizenMail(rejected, d.Address, "Pertanyaan jam buka", "Jam berapa buka?",
		"Message-ID: <tolak-"+d.ID+"@warga.test>"))
	ok := d.citizen("rina")
	s.send(ok, d.Address, citizenMail(ok, d.Address, "Pertanyaan syarat", "Apa syaratnya?"))

	waitFor(t, 20*time.Second, "the other citizen's acknowledgement", func() bool { return d.inboxCount(ok) == 1 })
	waitFor(t, 20*time.Second, "the failure notice to ops", func() bool { return d.inboxCount(d.Ops) == 1 })
	db := d.db()
	rows, err := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAck})
	if err != nil {
		t.Fatal(err)
	}
	var failed *mailproc.OutgoingMail
	for _, r := range rows {
		if r.To[0].Addr == rejected {
			failed = r
		}
	}
	if failed == nil || failed.State != mailproc.OutboxFailed || !strings.Contains(failed.LastError, "550") {
		t.Fatalf("the refused acknowledgement: %+v", failed)
	}
	notice := d.mails(d.Ops, "INBOX")[0]
	if !strings.Contains(notice.Subject, "Gagal terkirim") || !strings.Contains(notice.Text, rejected) {
		t.Errorf("ops notice: %q\n%s", notice.Subject, notice.Text)
	}
	events, _ := db.Timeline(context.Background(), failed.CaseID)
	var logged bool
	for _, e := range events {
		logged = logged || e.Type == mailproc.EventDelivery
	}
	if !logged {
		t.Error("the case does not record the delivery failure")
	}
}

// TestE2EHostileSubject: a subject built to inject a header comes back as one
// safe header, and the would-be Bcc recipient gets nothing.
func TestE2EHostileSubject(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	victim := d.citizen("korban")
	evil := d.citizen("iseng")
	hostile := "Halo\r\nBcc: " + victim + "\r\n" + strings.Repeat("ꦲꦏ꧀ꦱꦫ 漢字 عربى 📚 ", 400)
	subject := "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(hostile)) + "?="
	d.sender().send(evil, d.Address, citizenMail(evil, d.Address, subject, "Tes."))
	waitFor(t, 20*time.Second, "the acknowledgement", func() bool { return d.inboxCount(evil) == 1 })
	ack := d.mails(evil, "INBOX")[0]
	if ack.Header.Get("Bcc") != "" {
		t.Fatal("a Bcc header reached the mail")
	}
	if strings.ContainsAny(ack.Subject, "\r\n") || !ackSubjectRE.MatchString(ack.Subject) {
		t.Fatalf("subject %q", ack.Subject)
	}
	if n := len([]rune(ack.Subject)); n > 260 {
		t.Fatalf("subject is %d runes long", n)
	}
	time.Sleep(time.Second)
	if n := d.inboxCount(victim); n != 0 {
		t.Fatalf("the injected Bcc recipient got %d mails", n)
	}
}

// strayBounce is a delivery report about a mail the desk never sent.
func strayBounce(to string) []byte {
	return []byte(fmt.Sprintf("Return-Path: <>\r\nFrom: Mail Delivery System <MAILER-DAEMON@mx.warga.test>\r\nTo: %s\r\n"+
		"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-%d@mx.warga.test>\r\nAuto-Submitted: auto-replied\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"+
		"--b\r\nContent-Type: text/plain\r\n\r\nThis is the mail system.\r\n"+
		"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.warga.test\r\n\r\nFinal-Recipient: rfc822; x@nowhere.test\r\nAction: failed\r\nStatus: 5.1.1\r\n"+
		"--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <never-sent-by-us@elsewhere.test>\r\nSubject: hi\r\n"+
		"--b--\r\n", to, time.Now().UnixNano()))
}
