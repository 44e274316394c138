package main

// End-to-end tests of staff answering from their own mail client, on the
// real Dovecot + Postfix.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// openCase has a citizen write and waits for the staff notification.
func openCase(t *testing.T, d *testDesk, citizen, subject, body string) (receivedMail, *mailproc.Case) {
	t.Helper()
	before := d.inboxCount(d.Staff)
	d.sender().send(citizen, d.Address, citizenMail("Siti Rahmawati <"+citizen+">", d.Address, subject, body,
		"Message-ID: <"+strings.ReplaceAll(subject, " ", "-")+"-"+d.ID+"@mail.warga.test>"))
	waitFor(t, 20*time.Second, "the staff notification", func() bool { return d.inboxCount(d.Staff) > before })
	notes := d.mails(d.Staff, "INBOX")
	n := notes[len(notes)-1]
	number := mailproc.FindNumber(n.Subject)
	c, err := d.db().CaseByNumber(context.Background(), number)
	if err != nil {
		t.Fatalf("notification %q: %v", n.Subject, err)
	}
	return n, c
}

// answersTo returns the answers (not acknowledgements) in a citizen's INBOX.
func answersTo(d *testDesk, citizen string) []receivedMail {
	var out []receivedMail
	for _, m := range d.mails(citizen, "INBOX") {
		if strings.Contains(m.Subject, "] Jawaban") {
			out = append(out, m)
		}
	}
	return out
}

func caseNow(t *testing.T, d *testDesk, number string) *mailproc.Case {
	t.Helper()
	c, err := d.db().CaseByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestE2EStaffReplyRelayed(t *testing.T) {
	answer := "Perpustakaan buka hari Sabtu pukul 08.00 sampai 12.00 WIB.\nSilakan datang ke lantai 2."
	for _, tt := range []struct {
		name  string
		style replyStyle
	}{
		{"gmail-id", gmailID},
		{"outlook-en-attachment", outlookEN},
		{"thunderbird-id", thunderbirdID},
		{"html-only", gmailHTMLOnly},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDesk(t)
			d.start()
			siti := d.citizen("siti")
			notif, c := openCase(t, d, siti, "Jam buka hari Sabtu", "Apakah perpustakaan buka hari Sabtu?")
			if !strings.Contains(notif.Text, "Balas email ini untuk menjawab warga") || !strings.Contains(notif.Text, "#catatan") {
				t.Fatalf("notification lacks the reply line or the commands:\n%s", notif.Text)
			}
			d.sender().send(d.Staff, d.Address, staffReply(tt.style, notif, d.Staff, d.Address, answer))

			waitFor(t, 20*time.Second, "the answer in the citizen's mailbox", func() bool { return len(answersTo(d, siti)) >= 1 })
			got := answersTo(d, siti)
			if len(got) != 1 {
				t.Fatalf("%d answers, want 1", len(got))
			}
			a := got[0]
			for _, want := range []string{"Perpustakaan buka hari Sabtu pukul 08.00 sampai 12.00 WIB.", "Silakan datang ke lantai 2.", c.Number, "Rina Marlina", "tidak dipungut biaya"} {
				if !strings.Contains(a.Text, want) {
					t.Errorf("answer lacks %q:\n%s", want, a.Text)
				}
			}
			for _, quoted := range []string{"Balas email ini", "menulis:", "wrote:", "Apakah perpustakaan buka", "From:", "Regards"} {
				if quoted == "Regards" {
					continue // a sign-off is the staff member's own words
				}
				if strings.Contains(a.Text, quoted) {
					t.Errorf("answer carries quoted history %q:\n%s", quoted, a.Text)
				}
			}
			if irt := a.Header.Get("In-Reply-To"); !strings.Contains(irt, "@mail.warga.test") {
				t.Errorf("answer In-Reply-To %q: not threaded under the citizen's mail", irt)
			}
			if from, _ := a.Header.AddressList("From"); len(from) != 1 || from[0].Address != d.Address {
				t.Errorf("answer From %v, want the desk", from)
			}
			if tt.style == outlookEN && !strings.Contains(string(a.Raw), "Jadwal Layanan.pdf") {
				t.Error("the staff member's attachment was not passed through")
			}
			after := caseNow(t, d, c.Number)
			if after.State != mailproc.StateSelesai || after.FirstAnswerAt.IsZero() {
				t.Errorf("case after answer: state %s, first answer %v", after.State, after.FirstAnswerAt)
			}
			waitFor(t, 20*time.Second, "the confirmation to staff", func() bool {
				for _, m := range d.mails(d.Staff, "INBOX") {
					if strings.Contains(m.Subject, "Terkirim ke warga") {
						return true
					}
				}
				return false
			})
		})
	}
}

// TestE2EForgedReplies: nothing that fails verification reaches the citizen;
// each is reported to ops and written on the case. A notification answered
// by an outsider has left the desk: its token is revoked, and staff who
// reply to it get a help mail with a fresh one.
func TestE2EForgedReplies(t *testing.T) {
	d := newTestDesk(t)
	d.Config.Desk.AuthservID = "mail.pustakaarsip.kamparkab.go.id"
	d.Config.Desk.RequireAuth = true
	d.start()
	siti := d.citizen("siti")
	notif, c := openCase(t, d, siti, "Syarat kartu anggota", "Apa syarat membuat kartu anggota?")
	s := d.sender()
	pass := "Authentication-Results: mail.pustakaarsip.kamparkab.go.id; dkim=pass header.d=pustakaarsip.kamparkab.go.id header.s=mail; spf=pass smtp.mailfrom=" + d.Staff
	fail := "Authentication-Results: mail.pustakaarsip.kamparkab.go.id; dkim=fail header.d=pustakaarsip.kamparkab.go.id; spf=fail smtp.mailfrom=" + d.Staff

	// 1. From a staff address, with the number in the subject but no token.
	noToken := citizenMail("Rina <"+d.Staff+">", d.Address, "Re: ["+c.Number+"] Syarat kartu anggota", "Syaratnya KTP saja. (palsu)", pass)
	s.send(d.Staff, d.Address, noToken)
	// 2. A token for this case, tampered.
	tampered := staffReply(gmailID, notif, d.Staff, d.Address, "Jawaban dengan token rusak. (palsu)", pass)
	tampered = []byte(strings.Replace(string(tampered), ".mailproc", ".mailproX", 1))
	id := notif.Header.Get("Message-Id")
	bad := id[:len(id)-30] + "0000" + id[len(id)-26:]
	tampered = []byte(strings.ReplaceAll(string(tampered), id, bad))
	s.send(d.Staff, d.Address, tampered)
	// 3. The right token and sender, but our server says DKIM and SPF failed.
	s.send(d.Staff, d.Address, staffReply(gmailID, notif, d.Staff, d.Address, "Jawaban dengan DKIM gagal. (palsu)", fail))
	// 4. A valid token, from someone not on the list: the notification was
	// forwarded. Its token is revoked.
	outsider := d.citizen("penyusup")
	s.send(outsider, d.Address, staffReply(gmailID, notif, outsider, d.Address, "Bayar Rp 50.000 dulu. (palsu)", pass))

	rejections := func() int {
		events, _ := d.db().Timeline(context.Background(), c.ID)
		n := 0
		for _, e := range events {
			if e.Type == mailproc.EventRejected {
				n++
			}
		}
		return n
	}
	waitFor(t, 30*time.Second, "four rejections on the case", func() bool { return rejections() >= 4 })
	// Ops notices are coalesced: one now, the others in a digest after
	// desk.ops_notice_interval (15 minutes, beyond this test).
	waitFor(t, 20*time.Second, "the notice to ops", func() bool { return d.inboxCount(d.Ops) >= 1 })
	// 5. Staff reply to the notification: refused, its token is revoked;
	// they get a help mail with a fresh token.
	s.send(d.Staff, d.Address, staffReply(gmailID, notif, d.Staff, d.Address, "Syaratnya KTP saja.", pass))
	// The staff member may also have been told once that step 1's mail
	// (in their name) was not relayed: look for the help mail by its text.
	var help receivedMail
	waitFor(t, 20*time.Second, "the help mail about the revoked token", func() bool {
		for _, m := range d.mails(d.Staff, "INBOX") {
			if strings.Contains(m.Text, "dicabut") {
				help = m
				return true
			}
		}
		return false
	})
	// 6. A genuine reply to the help mail is relayed: the queue reached all
	// of them.
	s.send(d.Staff, d.Address, staffReply(gmailID, help, d.Staff, d.Address, "Syaratnya KTP dan pas foto 3x4.", pass))
	waitFor(t, 20*time.Second, "the genuine answer", func() bool { return len(answersTo(d, siti)) == 1 })
	a := answersTo(d, siti)[0]
	if strings.Contains(a.Text, "palsu") || !strings.Contains(a.Text, "KTP dan pas foto") {
		t.Fatalf("relayed:\n%s", a.Text)
	}
	for _, m := range d.mails(siti, "INBOX") {
		if strings.Contains(m.Text, "palsu") {
			t.Fatalf("a forged text reached the citizen: %q", m.Subject)
		}
	}
	if rejected := rejections(); rejected != 5 {
		t.Errorf("%d rejection events on the case, want 5", rejected)
	}
	if n := d.inboxCount(d.Ops); n != 1 {
		t.Errorf("ops got %d notices for five rejections within the interval, want 1 (the rest wait for the digest)", n)
	}
}

// TestE2EStaffCommands: each command does what it says, and nothing that
// is internal reaches the citizen.
func TestE2EStaffCommands(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	siti := d.citizen("siti")
	notif, c := openCase(t, d, siti, "Informasi koleksi", "Apakah ada koleksi arsip desa?")
	s := d.sender()
	ctx := context.Background()

	// #catatan: internal, nothing to the citizen.
	s.send(d.Staff, d.Address, staffReply(gmailID, notif, d.Staff, d.Address, "#catatan sudah saya telepon, beliau datang besok\nRahasia internal."))
	waitFor(t, 20*time.Second, "the note", func() bool { return hasEvent(t, d, c.ID, mailproc.EventNote, "sudah saya telepon") })

	// Unknown command: help to the staff member only.
	s.send(d.Staff, d.Address, staffReply(gmailID, notif, d.Staff, d.Address, "#tutupsaja\nJawaban yang tidak boleh terkirim."))
	waitFor(t, 20*time.Second, "the help mail", func() bool {
		for _, m := range d.mails(d.Staff, "INBOX") {
			if strings.Contains(m.Text, "#tutupsaja") && strings.Contains(m.Text, "#catatan") {
				return true
			}
		}
		return false
	})

	// #aduan with an answer below: kind changed, answer relayed, case stays
	// open as a complaint is answered but not closed.
	s.send(d.Staff, d.Address, staffReply(outlookEN, notif, d.Staff, d.Address, "#aduan\n#tindaklanjut\nKami akan memeriksa arsip desa dan mengabari Anda."))
	waitFor(t, 20*time.Second, "the answer", func() bool { return len(answersTo(d, siti)) == 1 })
	got := caseNow(t, d, c.Number)
	if got.Kind != mailproc.KindAduan || got.State != mailproc.StateDijawab || !got.NeedsFollowUp {
		t.Fatalf("after #aduan #tindaklanjut + answer: kind %s state %s followup %v", got.Kind, got.State, got.NeedsFollowUp)
	}

	// #eskalasi: the Kepala Seksi is told at once, and their reply answers
	// the citizen through the desk like a staff reply.
	s.send(d.Staff, d.Address, staffReply(gmailID, notif, d.Staff, d.Address, "#eskalasi mohon arahan Kasi"))
	waitFor(t, 20*time.Second, "the escalation mail to the Kepala Seksi", func() bool { return d.inboxCount(d.Kasi) == 1 })
	esc := d.mails(d.Kasi, "INBOX")[0]
	if !strings.Contains(esc.Subject, "Eskalasi tingkat 1") || !strings.Contains(esc.Text, "Apakah ada koleksi arsip desa?") {
		t.Fatalf("escalation mail %q:\n%s", esc.Subject, esc.Text)
	}
	if got := caseNow(t, d, c.Number); got.EscalationLevel != 1 || got.State != mailproc.StateDieskalasi {
		t.Fatalf("after #eskalasi: level %d state %s", got.EscalationLevel, got.State)
	}
	s.send(d.Kasi, d.Address, staffReply(outlookEN, esc, d.Kasi, d.Address, "Arsip desa dapat dilihat di ruang arsip lantai 3 setiap hari kerja."))
	waitFor(t, 20*time.Second, "the head's answer", func() bool { return len(answersTo(d, siti)) == 2 })
	if a := answersTo(d, siti)[1]; !strings.Contains(a.Text, "ruang arsip lantai 3") || !strings.Contains(a.Text, "Kepala Seksi Pelayanan") {
		t.Fatalf("head's answer:\n%s", a.Text)
	}

	// #selesai: closed.
	s.send(d.Staff, d.Address, staffReply(thunderbirdID, notif, d.Staff, d.Address, "#selesai"))
	waitFor(t, 20*time.Second, "the case closed", func() bool { return caseNow(t, d, c.Number).State == mailproc.StateSelesai })

	for _, m := range d.mails(siti, "INBOX") {
		if strings.Contains(m.Text, "Rahasia internal") || strings.Contains(m.Text, "tidak boleh terkirim") || strings.Contains(m.Text, "#") && strings.Contains(m.Text, "#catatan") {
			t.Fatalf("internal text reached the citizen in %q:\n%s", m.Subject, m.Text)
		}
	}
	if n := len(answersTo(d, siti)); n != 2 {
		t.Fatalf("%d answers reached the citizen, want 2", n)
	}
	_ = ctx
}

// TestE2EAnswersAroundMailproc: an answer sent from the shared mailbox
// (its Sent folder) and one sent straight to the citizen with the desk in
// Cc that replies to the notification are recorded; mailproc sends nothing
// to the citizens itself.
func TestE2EAnswersAroundMailproc(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	db := d.db()
	siti, budi := d.citizen("siti"), d.citizen("budi")
	_, c1 := openCase(t, d, siti, "Jam buka Minggu", "Apakah buka hari Minggu?")
	notif2, c2 := openCase(t, d, budi, "Jam buka Senin", "Apakah buka hari Senin?")
	time.Sleep(time.Second) // the Sent watcher has connected and set its bookmark

	// From the shared mailbox in Thunderbird: the answer lands in Sent.
	shared := citizenMail("Layanan <"+d.Address+">", siti, "Re: ["+c1.Number+"] Tanda terima: Jam buka Minggu", "Hari Minggu tutup, Bu.")
	c := d.imapLogin(d.Address)
	if err := appendMail(c, "Sent", shared); err != nil {
		t.Fatal(err)
	}
	c.Close()
	// Straight to the citizen, desk in Cc, replying to the notification
	// (its token proves the sender; see TestE2EForgedDirectAnswer).
	id := notif2.Header.Get("Message-Id")
	cc := citizenMail("Rina <"+d.Staff+">", budi, "Re: ["+c2.Number+"] Jam buka Senin", "Senin buka jam 07.30, Pak.",
		"Cc: "+d.Address, "In-Reply-To: "+id, "References: "+id)
	s := d.sender()
	s.send(d.Staff, budi, cc)
	s.send(d.Staff, d.Address, cc)

	waitFor(t, 20*time.Second, "both cases answered", func() bool {
		return !caseNow(t, d, c1.Number).FirstAnswerAt.IsZero() && !caseNow(t, d, c2.Number).FirstAnswerAt.IsZero()
	})
	time.Sleep(2 * time.Second)
	if n := len(answersTo(d, siti)) + len(answersTo(d, budi)); n != 0 {
		t.Fatalf("mailproc relayed %d answers itself", n)
	}
	answers, _ := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAnswer})
	if len(answers) != 0 {
		t.Fatalf("%d answers queued", len(answers))
	}
}

// TestE2ECitizenFollowUp: a citizen's reply to the answer reopens the case
// and staff hear of it.
func TestE2ECitizenFollowUp(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	siti := d.citizen("siti")
	notif, c := openCase(t, d, siti, "Denda buku", "Berapa denda keterlambatan buku?")
	s := d.sender()
	s.send(d.Staff, d.Address, staffReply(gmailID, notif, d.Staff, d.Address, "#tindaklanjut\nDendanya Rp 500 per hari."))
	waitFor(t, 20*time.Second, "the answer", func() bool { return len(answersTo(d, siti)) == 1 })
	if st := caseNow(t, d, c.Number).State; st != mailproc.StateDijawab {
		t.Fatalf("state %s after answer with #tindaklanjut", st)
	}
	a := answersTo(d, siti)[0]
	staffBefore := d.inboxCount(d.Staff)
	reply := citizenMail(siti, d.Address, "Re: "+a.Subject, "Bagaimana kalau bukunya hilang?\n\nPada Jum, 27 Nov 2026 pukul 10.20 Layanan menulis:\n> Dendanya Rp 500 per hari.",
		"In-Reply-To: "+a.Header.Get("Message-Id"), "References: "+a.Header.Get("Message-Id"))
	s.send(siti, d.Address, reply)
	waitFor(t, 20*time.Second, "the case reopened", func() bool { return caseNow(t, d, c.Number).State == mailproc.StateDiakui })
	waitFor(t, 20*time.Second, "staff told", func() bool { return d.inboxCount(d.Staff) > staffBefore })
	var followUp *receivedMail
	for _, m := range d.mails(d.Staff, "INBOX") {
		if strings.Contains(m.Subject, "lanjutan") || strings.Contains(m.Text, "Bagaimana kalau bukunya hilang") {
			m := m
			followUp = &m
		}
	}
	if followUp == nil || !strings.Contains(followUp.Text, "Bagaimana kalau bukunya hilang") || strings.Contains(followUp.Text, "Dendanya Rp 500") {
		t.Fatalf("follow-up notification: %+v", followUp)
	}
}

func hasEvent(t *testing.T, d *testDesk, caseID int64, typ mailproc.EventType, contains string) bool {
	events, err := d.db().Timeline(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Type == typ && strings.Contains(e.Detail, contains) {
			return true
		}
	}
	return false
}
