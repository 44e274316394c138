package main

import (
	"strings"
	"testing"
	"time"
)

// TestE2ESentCopy: with imap.sent_copy = "citizen", on the real stack, the
// tanda terima is in the desk's Sent folder and the staff notification is
// not; an answer sent from the shared mailbox is still read from Sent and
// recorded (the gate's sent-folder proof).
func TestE2ESentCopy(t *testing.T) {
	d := newTestDesk(t)
	d.Config.IMAP.SentCopy = "citizen"
	// One sender: a mail's copy (or not) is decided before the next mail
	// is sent, so once the second tanda terima is in Sent the first
	// notification's copy would be there too.
	d.Config.SMTP.Connections = 1
	d.start()
	siti, budi := d.citizen("siti"), d.citizen("budi")
	sent := func(subject string) int {
		n := 0
		for _, m := range d.mails(d.Address, "Sent") {
			if strings.Contains(m.Subject, subject) {
				n++
			}
		}
		return n
	}
	notif, c := openCase(t, d, siti, "Koleksi arsip desa", "Apakah arsip desa Kuok tahun 1980 bisa dilihat?")
	d.sender().send(budi, d.Address, citizenMail("Budi <"+budi+">", d.Address, "Peminjaman buku", "Berapa lama buku boleh dipinjam?",
		"Message-ID: <pinjam-"+d.ID+"@mail.warga.test>"))
	waitFor(t, 30*time.Second, "both tanda terima in the desk's Sent folder", func() bool { return sent("Tanda terima") == 2 })
	if n := sent("Kasus baru"); n != 0 {
		t.Errorf("%d staff notifications in the Sent folder with sent_copy = \"citizen\", want 0", n)
	}
	if !strings.Contains(notif.Subject, "Kasus baru") {
		t.Fatalf("notification subject %q", notif.Subject)
	}

	// A staff member answers from the shared mailbox: their client puts
	// the answer in Sent; mailproc reads it there and records the case.
	answer := citizenMail("Layanan <"+d.Address+">", siti, "Re: ["+c.Number+"] Koleksi arsip desa",
		"Bisa, silakan datang ke ruang baca arsip lantai 2.", "Message-ID: <jawab-"+d.ID+"@pustakaarsip.kamparkab.go.id>")
	ic := d.imapLogin(d.Address)
	if err := appendMail(ic, "Sent", answer); err != nil {
		t.Fatal(err)
	}
	ic.Close()
	waitFor(t, 30*time.Second, "the answer from the shared mailbox recorded", func() bool {
		return !caseNow(t, d, c.Number).FirstAnswerAt.IsZero()
	})
}
