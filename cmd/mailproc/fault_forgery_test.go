//go:build faults

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

// TestFaultForgery: 100 forged staff replies, 25 of each kind, against five
// open cases with desk.require_auth on: from a staff address without a
// token, with a valid token for another case than the subject names, with a
// tampered token, and with the right token and sender but an
// Authentication-Results fail. None reaches a citizen; each is reported to
// ops and recorded on its case; a genuine reply sent after them all is
// relayed.
func TestFaultForgery(t *testing.T) {
	const perKind = 25
	d := newTestDesk(t)
	d.Config.Desk.AuthservID = "mail.pustakaarsip.kamparkab.go.id"
	d.Config.Desk.RequireAuth = true
	d.start()
	db := d.db()

	type open struct {
		citizen string
		notif   receivedMail
		c       *mailproc.Case
	}
	var cases []open
	for i := 0; i < 5; i++ {
		citizen := d.citizen(fmt.Sprintf("warga%d", i))
		notif, c := openCase(t, d, citizen, fmt.Sprintf("Pertanyaan arsip %d", i), "Apakah arsip desa saya tersedia?")
		cases = append(cases, open{citizen, notif, c})
	}
	pass := "Authentication-Results: mail.pustakaarsip.kamparkab.go.id; dkim=pass header.d=pustakaarsip.kamparkab.go.id header.s=mail; spf=pass smtp.mailfrom=" + d.Staff
	fail := "Authentication-Results: mail.pustakaarsip.kamparkab.go.id; dkim=fail header.d=pustakaarsip.kamparkab.go.id; spf=fail smtp.mailfrom=" + d.Staff

	s := d.sender()
	sent := map[string]int{}
	for i := 0; i < perKind; i++ {
		a, b := cases[i%5], cases[(i+1)%5]
		// 1. A staff address, the number in the subject, no token.
		s.send(d.Staff, d.Address, citizenMail("Rina <"+d.Staff+">", d.Address, "Re: ["+a.c.Number+"] Pertanyaan arsip",
			fmt.Sprintf("Silakan transfer biaya ke rekening ini. (palsu tanpa token %d)", i), pass,
			fmt.Sprintf("Message-ID: <palsu-1-%d@pustakaarsip.kamparkab.go.id>", i)))
		sent["no token"]++
		// 2. A valid token of case a, the subject names case b.
		other := staffReply(gmailID, a.notif, d.Staff, d.Address, fmt.Sprintf("Jawaban untuk kasus lain. (palsu token lain %d)", i), pass)
		other = []byte(strings.Replace(string(other), "["+a.c.Number+"]", "["+b.c.Number+"]", 1))
		s.send(d.Staff, d.Address, other)
		sent["token for another case"]++
		// 3. The token of case a with its signature changed.
		id := a.notif.Header.Get("Message-Id")
		at := strings.LastIndexByte(id, '@')
		mac := []byte(id[at-32 : at])
		mac[i%32] = "0123456789abcdef"[(strings.IndexByte("0123456789abcdef", mac[i%32])+1+i%15)%16]
		bad := id[:at-32] + string(mac) + id[at:]
		tampered := staffReply(gmailID, a.notif, d.Staff, d.Address, fmt.Sprintf("Jawaban dengan token rusak. (palsu token rusak %d)", i), pass)
		s.send(d.Staff, d.Address, []byte(strings.ReplaceAll(string(tampered), id, bad)))
		sent["tampered token"]++
		// 4. The right token and sender, but DKIM and SPF failed.
		s.send(d.Staff, d.Address, staffReply(gmailID, a.notif, d.Staff, d.Address, fmt.Sprintf("Jawaban DKIM gagal. (palsu DKIM %d)", i), fail))
		sent["A-R fail"]++
	}
	forged := 4 * perKind

	forgeryNotices := func() int {
		n := 0
		for _, m := range d.mails(d.Ops, "INBOX") {
			if strings.Contains(m.Subject, "Balasan petugas ditolak") {
				n++
			}
		}
		return n
	}
	waitFor(t, 2*time.Minute, fmt.Sprintf("%d notices to ops", forged), func() bool { return d.inboxCount(d.Ops) >= forged })
	// After them all, a genuine reply: the queue reached everything.
	s.send(d.Staff, d.Address, staffReply(gmailID, cases[0].notif, d.Staff, d.Address, "Arsip desa Anda tersedia di ruang baca lantai 2.", pass))
	waitFor(t, 30*time.Second, "the genuine answer", func() bool { return len(answersTo(d, cases[0].citizen)) == 1 })

	relayed := 0
	for _, o := range cases {
		for _, m := range d.mails(o.citizen, "INBOX") {
			if strings.Contains(m.Text, "palsu") || (strings.Contains(m.Subject, "] Jawaban") && o.citizen != cases[0].citizen) {
				relayed++
				t.Errorf("%s received %q", o.citizen, m.Subject)
			}
		}
	}
	if got := forgeryNotices(); got != forged {
		t.Errorf("%d forgery notices to ops, want %d", got, forged)
	}
	rejected := 0
	for _, o := range cases {
		events, err := db.Timeline(context.Background(), o.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if e.Type == mailproc.EventRejected {
				rejected++
			}
		}
	}
	if rejected != forged {
		t.Errorf("%d rejections recorded on the cases, want %d", rejected, forged)
	}
	answers, _ := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAnswer})
	if len(answers) != 1 {
		t.Errorf("%d answers in the outbox, want only the genuine one", len(answers))
	}
	figure(t, "%d forged staff replies (%d from a staff address without a token, %d with a valid token for another case, %d with a tampered token, %d with an Authentication-Results fail under require_auth): %d relayed to citizens, %d reported to ops, %d rejections on the cases; the genuine reply sent after them relayed",
		forged, sent["no token"], sent["token for another case"], sent["tampered token"], sent["A-R fail"], relayed, forgeryNotices(), rejected)
}
