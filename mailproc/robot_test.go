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

// TestRobotMailOnItsCase: a citizen's mail opened a case and got an
// acknowledgement; what robots then send about that acknowledgement goes on
// the case's log as what it is — a read receipt, an auto-reply, a spam
// report — changes nothing else, and tells staff nothing. The spam report
// puts the citizen on the suppression list (no more acknowledgements) and
// tells ops once, however often it is reported.
func TestRobotMailOnItsCase(t *testing.T) {
	w := newDeskWorld(t)
	ctx := context.Background()
	number := w.mail("From: Warga <warga.kampar@yahoo.co.id>\nTo: " + desk + "\nSubject: Jam buka arsip\nMessage-ID: <w1@yahoo.co.id>\n\nKapan ruang arsip buka?\n")
	outbox := func(p mailproc.Purpose) []*mailproc.OutgoingMail {
		rows, err := w.db.Outbox(ctx, sqlite.OutboxFilter{Purpose: p})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	acks := outbox(mailproc.PurposeAck)
	if len(acks) != 1 {
		t.Fatalf("%d acknowledgements, want 1", len(acks))
	}
	ack := acks[0].MessageID
	notifies := len(outbox(mailproc.PurposeNotify))

	w.mail("From: Warga <warga.kampar@yahoo.co.id>\nTo: " + desk + "\nSubject: Dibaca: Tanda terima\nMessage-ID: <mdn1@yahoo.co.id>\n" +
		"Content-Type: multipart/report; report-type=disposition-notification; boundary=b\n\n--b\nContent-Type: text/plain\n\nDibaca.\n" +
		"--b\nContent-Type: message/disposition-notification\n\nOriginal-Message-ID: <" + ack + ">\nDisposition: manual-action/MDN-sent-manually; displayed\n\n--b--\n")
	w.mail("From: Warga <warga.kampar@yahoo.co.id>\nTo: " + desk + "\nSubject: Auto reply: Tanda terima\nMessage-ID: <vac1@yahoo.co.id>\nIn-Reply-To: <" + ack + ">\n" +
		"X-Apple-Action: VACATION\n\nSaya sedang berlibur.\n")
	arf := func(n int) string {
		return fmt.Sprintf("From: Yahoo <feedback@arf.mail.yahoo.com>\nTo: %s\nSubject: FW: Tanda terima\nMessage-ID: <arf%d@yahoo.com>\n"+
			"Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n--b\nContent-Type: text/plain\n\nAbuse report.\n"+
			"--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nVersion: 1\nOriginal-Rcpt-To: warga.kampar@yahoo.co.id\n\n"+
			"--b\nContent-Type: message/rfc822\n\nFrom: %s\nMessage-ID: <%s>\nSubject: Tanda terima\n\nx\n--b--\n", desk, n, desk, ack)
	}
	w.mail(arf(1))
	w.mail(arf(2))

	c, err := w.db.CaseByNumber(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	events, err := w.db.Timeline(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	count := map[mailproc.EventType]int{}
	for _, e := range events {
		count[e.Type]++
	}
	if count[mailproc.EventRead] != 1 || count[mailproc.EventAutoReply] != 1 || count[mailproc.EventSpam] != 3 || count[mailproc.EventReopened] != 0 {
		t.Errorf("events %v, want 1 dibaca, 1 balasan_otomatis, 3 laporan_spam (two reports, one suppression), no reopening", count)
	}
	if c.State != mailproc.StateBaru && c.State != mailproc.StateDiakui {
		t.Errorf("state %s", c.State)
	}
	if got := len(outbox(mailproc.PurposeNotify)); got != notifies {
		t.Errorf("staff got %d more notifications from robots", got-notifies)
	}
	sup, err := w.db.Suppressions(ctx)
	if err != nil || len(sup) != 1 || sup[0].Addr != "warga.kampar@yahoo.co.id" {
		t.Fatalf("suppressions %+v %v", sup, err)
	}
	var spamNotices int
	for _, o := range outbox(mailproc.PurposeOps) {
		if strings.Contains(o.Subject, "Laporan spam") {
			spamNotices++
		}
	}
	if spamNotices != 1 {
		t.Errorf("%d spam notices to ops, want 1", spamNotices)
	}

	// The suppressed citizen writes again: a case, but no acknowledgement.
	w.at(time.Minute)
	again := w.mail("From: warga.kampar@yahoo.co.id\nTo: " + desk + "\nSubject: Pertanyaan lain tentang koleksi\nMessage-ID: <w2@yahoo.co.id>\n\nApakah ada koleksi peta lama?\n")
	if again == "" || len(outbox(mailproc.PurposeAck)) != 1 {
		t.Fatalf("case %q, %d acknowledgements: want a case and no new acknowledgement", again, len(outbox(mailproc.PurposeAck)))
	}
	if err := w.db.Unsuppress(ctx, "Warga.Kampar@yahoo.co.id"); err != nil {
		t.Fatal(err)
	}
	w.mail("From: warga.kampar@yahoo.co.id\nTo: " + desk + "\nSubject: Satu lagi: ruang baca anak\nMessage-ID: <w3@yahoo.co.id>\n\nApakah ruang baca anak buka hari Minggu?\n")
	if got := len(outbox(mailproc.PurposeAck)); got != 2 {
		t.Errorf("%d acknowledgements after removal from the list, want 2", got)
	}
}

// TestReplyToCase: a letter from a personal address naming the school's
// secretariat in Reply-To is acknowledged there, the case keeps both, and
// the staff answer goes there too.
func TestReplyToCase(t *testing.T) {
	w := newDeskWorld(t)
	ctx := context.Background()
	number := w.mail("From: Hendra <hendra.wijaya77@gmail.com>\nReply-To: Sekretariat <sekretariat@sman1bangkinang.sch.id>\nTo: " + desk +
		"\nSubject: Permohonan kunjungan siswa\nMessage-ID: <k1@gmail.com>\n\nMohon informasi syarat kunjungan.\n")
	c, err := w.db.CaseByNumber(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	if c.CitizenAddr != "hendra.wijaya77@gmail.com" || c.ReplyAddr != "sekretariat@sman1bangkinang.sch.id" {
		t.Errorf("case citizen %q reply %q", c.CitizenAddr, c.ReplyAddr)
	}
	rows, err := w.db.Outbox(ctx, sqlite.OutboxFilter{Purpose: mailproc.PurposeAck})
	if err != nil || len(rows) != 1 || rows[0].To[0].Addr != "sekretariat@sman1bangkinang.sch.id" {
		t.Fatalf("acknowledgements %+v %v", rows, err)
	}
	notes, _ := w.db.Outbox(ctx, sqlite.OutboxFilter{Purpose: mailproc.PurposeNotify})
	w.mail(fmt.Sprintf("From: petugas@pustakaarsip.kamparkab.go.id\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <ans-1@pustakaarsip.kamparkab.go.id>\n\nSilakan datang hari Selasa.\n",
		desk, notes[0].Subject, notes[0].MessageID))
	answers, _ := w.db.Outbox(ctx, sqlite.OutboxFilter{Purpose: mailproc.PurposeAnswer})
	if len(answers) != 1 || answers[0].To[0].Addr != "sekretariat@sman1bangkinang.sch.id" {
		t.Fatalf("answers %+v, want one to the secretariat", answers)
	}
}

// TestUnlinkedDigest: robot mail stored on no case reaches ops once, in the
// next morning's digest at 07.00 WIB; asking again (a restart) sends no
// second one, and a day with no such mail sends nothing.
func TestUnlinkedDigest(t *testing.T) {
	w := newDeskWorld(t)
	ctx := context.Background()
	wib, _ := time.LoadLocation("Asia/Jakarta")
	d := &mailproc.UnlinkedDigest{Store: w.db, Composer: w.in.Composer, Hour: 7, Location: wib, Now: w.clock}
	digests := func() []*mailproc.OutgoingMail {
		var out []*mailproc.OutgoingMail
		rows, _ := w.db.Outbox(ctx, sqlite.OutboxFilter{Purpose: mailproc.PurposeOps})
		for _, r := range rows {
			if strings.HasPrefix(r.Subject, "Email tanpa kasus") {
				out = append(out, r)
			}
		}
		return out
	}
	// 27 November 09.00 UTC is 16.00 WIB: the digest of the 27th (07.00)
	// went out before this mail came.
	if sent, err := d.SendDue(ctx); err != nil || sent {
		t.Fatalf("first call: sent %v %v, want nothing: no mail on no case yet", sent, err)
	}
	w.mail("From: Berita <newsletter@toko.example>\nTo: " + desk + "\nSubject: Promo\nPrecedence: bulk\nMessage-ID: <promo-9@toko.example>\n\nDiskon!\n")
	if sent, _ := d.SendDue(ctx); sent {
		t.Fatal("a digest went out before its hour")
	}
	w.at(16 * time.Hour) // 28 November 08.00 WIB
	if sent, err := d.SendDue(ctx); err != nil || !sent {
		t.Fatalf("the morning digest: sent %v %v", sent, err)
	}
	if sent, _ := d.SendDue(ctx); sent {
		t.Fatal("a second digest for the same day")
	}
	got := digests()
	if len(got) != 1 || !strings.Contains(got[0].Text, "promo-9@toko.example") || !strings.Contains(got[0].Text, "Precedence: bulk") {
		t.Fatalf("digests %d: %+v", len(got), got)
	}
	w.at(24 * time.Hour)
	if sent, _ := d.SendDue(ctx); sent {
		t.Error("a digest for a day with no such mail")
	}
}
