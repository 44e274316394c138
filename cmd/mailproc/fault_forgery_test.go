//go:build faults

package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
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
	// Ops notices are coalesced: one at once, the rest in a digest when
	// the interval has passed (short here, so the digests come in the test).
	d.Config.Desk.OpsNoticeInterval = config.Duration(10 * time.Second)
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
		// 3. The token of case a with its signature (the last 16
		// characters before the @: base32 in a compact id, hex in the
		// second format) changed, within its alphabet.
		id := a.notif.Header.Get("Message-Id")
		at := strings.LastIndexByte(id, '@')
		alphabet := "abcdefghijklmnopqrstuvwxyz234567"
		if strings.HasPrefix(id, "<mailproc.") {
			alphabet = "0123456789abcdef"
		}
		mac := []byte(id[at-16 : at])
		mac[i%16] = alphabet[(strings.IndexByte(alphabet, mac[i%16])+1+i%15)%len(alphabet)]
		bad := id[:at-16] + string(mac) + id[at:]
		tampered := staffReply(gmailID, a.notif, d.Staff, d.Address, fmt.Sprintf("Jawaban dengan token rusak. (palsu token rusak %d)", i), pass)
		s.send(d.Staff, d.Address, []byte(strings.ReplaceAll(string(tampered), id, bad)))
		sent["tampered token"]++
		// 4. The right token and sender, but DKIM and SPF failed.
		s.send(d.Staff, d.Address, staffReply(gmailID, a.notif, d.Staff, d.Address, fmt.Sprintf("Jawaban DKIM gagal. (palsu DKIM %d)", i), fail))
		sent["A-R fail"]++
	}
	forged := 4 * perKind

	// forgeryNotices counts the forgeries ops was told of, and the mails
	// that told them: a notice tells of one, a digest of its count.
	digestRe := regexp.MustCompile(`Ringkasan (\d+) pemberitahuan operator`)
	forgeryNotices := func() (told, mails int) {
		for _, m := range d.mails(d.Ops, "INBOX") {
			switch sm := digestRe.FindStringSubmatch(m.Subject); {
			case strings.Contains(m.Subject, "Balasan petugas ditolak"):
				told, mails = told+1, mails+1
			case sm != nil:
				n, _ := strconv.Atoi(sm[1])
				told, mails = told+n, mails+1
			}
		}
		return told, mails
	}
	waitFor(t, 2*time.Minute, fmt.Sprintf("ops told of %d forgeries", forged), func() bool { told, _ := forgeryNotices(); return told >= forged })
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
	told, opsMails := forgeryNotices()
	if told != forged {
		t.Errorf("ops told of %d forgeries, want %d", told, forged)
	}
	// Coalesced: the flood took a handful of mails, not one per forgery.
	if opsMails > forged/10 {
		t.Errorf("%d mails to ops for %d forgeries: not coalesced", opsMails, forged)
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
	figure(t, "%d forged staff replies (%d from a staff address without a token, %d with a valid token for another case, %d with a tampered token, %d with an Authentication-Results fail under require_auth): %d relayed to citizens, %d reported to ops in %d mails (coalesced, desk.ops_notice_interval 10 s), %d rejections on the cases; the genuine reply sent after them relayed",
		forged, sent["no token"], sent["token for another case"], sent["tampered token"], sent["A-R fail"], relayed, told, opsMails, rejected)
}

// forgeryCase is one open complaint on a fresh desk, watched by a forgery
// test: its state and clock before the forgery, and the ops notices.
type forgeryCase struct {
	t      *testing.T
	d      *testDesk
	budi   string
	notif  receivedMail
	c      *mailproc.Case
	before *mailproc.Case
	ops    int
	inbox  int // the citizen's mails
}

// newForgeryCase starts a desk (after setup changes its config) and opens
// a complaint on it.
func newForgeryCase(t *testing.T, setup func(d *testDesk)) *forgeryCase {
	t.Helper()
	d := newTestDesk(t)
	if setup != nil {
		setup(d)
	}
	d.start()
	f := &forgeryCase{t: t, d: d, budi: d.citizen("budi")}
	f.notif, f.c = openCase(t, d, f.budi, "Aduan buku rusak", "Buku yang saya pinjam rusak, mohon diganti.")
	if f.c.Kind != mailproc.KindAduan || f.c.EscalateAt.IsZero() {
		t.Fatalf("case %s: kind %s, escalate at %v", f.c.Number, f.c.Kind, f.c.EscalateAt)
	}
	f.mark()
	return f
}

// mark remembers the case and the ops notices as they are now.
func (f *forgeryCase) mark() {
	f.before, f.ops, f.inbox = caseNow(f.t, f.d, f.c.Number), f.forgeryNotices(), f.d.inboxCount(f.budi)
}

func (f *forgeryCase) forgeryNotices() int {
	n := 0
	for _, m := range f.d.mails(f.d.Ops, "INBOX") {
		if strings.Contains(m.Subject, "Balasan petugas ditolak") {
			n++
		}
	}
	return n
}

// refused waits for the event of type typ naming why, then checks that
// the case, its escalation clock and the citizen's mailbox are as before
// and that ops got one notice. It counts the forgery in tally.
func (f *forgeryCase) refused(t *testing.T, tally *forgeryTally, typ mailproc.EventType, why string) {
	t.Helper()
	tally.forged++
	defer func() {
		if !t.Failed() {
			tally.stopped++
		}
	}()
	waitFor(t, 20*time.Second, "the "+string(typ)+" event", func() bool { return hasEvent(t, f.d, f.c.ID, typ, why) })
	waitFor(t, 20*time.Second, "the ops notice", func() bool { return f.forgeryNotices() > f.ops })
	time.Sleep(2 * time.Second) // time for anything wrongly queued to arrive
	after, b := caseNow(t, f.d, f.c.Number), f.before
	if after.State != b.State || !after.EscalateAt.Equal(b.EscalateAt) || !after.DueAt.Equal(b.DueAt) ||
		!after.FirstAnswerAt.Equal(b.FirstAnswerAt) || !after.ClosedAt.Equal(b.ClosedAt) || after.EscalationLevel != b.EscalationLevel {
		t.Errorf("the case changed: state %s → %s, escalate at %v → %v, answered %v → %v",
			b.State, after.State, b.EscalateAt, after.EscalateAt, b.FirstAnswerAt, after.FirstAnswerAt)
	}
	if mails := f.d.mails(f.budi, "INBOX"); len(mails) != f.inbox {
		t.Errorf("the citizen received %q", mails[len(mails)-1].Subject)
	}
	if n := f.forgeryNotices(); n != f.ops+1 {
		t.Errorf("%d ops notices, want %d", n, f.ops+1)
	}
}

// forgeryTally counts the forgeries sent and those that changed nothing.
type forgeryTally struct{ forged, stopped int }

// staffMail is a mail from `from` with the given headers and body.
func (f *forgeryCase) staffMail(from, to, subject, body string, headers ...string) []byte {
	return citizenMail("Petugas <"+from+">", to, subject, body,
		append(headers, fmt.Sprintf("Message-ID: <uji-%d@pustakaarsip.kamparkab.go.id>", time.Now().UnixNano()))...)
}

// replyWith is a staff reply from `from` that refers to the Message-ID id.
func (f *forgeryCase) replyWith(from, id, body string) []byte {
	return f.staffMail(from, f.d.Address, "Re: ["+f.c.Number+"] Aduan buku rusak", body, "In-Reply-To: <"+id+">", "References: <"+id+">")
}

// signed makes a token of this desk for the case as mailproc would with
// key, and records its mail in the outbox as sent to staff at issued: a
// compact token holds no date, so the desk reads when it was issued from
// the mail that carried it, and a token it never sent is no token.
func (f *forgeryCase) signed(key string, p mailproc.Purpose, recipient string, issued time.Time) string {
	f.t.Helper()
	id := mailproc.Tokens{Secret: []byte(key)}.MessageID(p, f.c.Number, recipient, f.d.Address, issued)
	out := &mailproc.OutgoingMail{Purpose: p, CaseID: f.c.ID, MessageID: id, From: mailproc.Address{Addr: f.d.Address},
		To: []mailproc.Address{{Addr: f.d.Staff}}, Subject: "[" + f.c.Number + "] Kasus baru", Date: issued, Text: "Kasus baru.",
		NextAttempt: time.Now().Add(time.Hour)} // never taken by the running postman
	db := f.d.db()
	if err := db.Intake(context.Background(), func(tx mailproc.IntakeTx) error { return tx.EnqueueMail(out) }); err != nil {
		f.t.Fatal(err)
	}
	if err := db.MarkSent(context.Background(), out.ID, issued); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// TestFaultForgeryTrust: the forgeries a token bound to a person, a purpose
// and a time must stop, each on a fresh desk and complaint. Each leaves the
// case, its escalation clock and the citizen's mailbox unchanged and tells
// ops once; a token of the previous key is accepted.
func TestFaultForgeryTrust(t *testing.T) {
	const oldKey, removedKey = "kunci-lama-kunci-lama-kunci-lama-0123456789", "kunci-dihapus-kunci-dihapus-0123456789ab"
	var tally forgeryTally
	accepted := false
	t.Run("direct answer without a token", func(t *testing.T) {
		f := newForgeryCase(t, nil)
		f.d.sender().send(f.d.Staff, f.d.Address, f.staffMail(f.d.Staff, f.budi, "Re: ["+f.c.Number+"] Aduan buku rusak", "Sudah kami ganti, selesai.", "Cc: "+f.d.Address))
		f.refused(t, &tally, mailproc.EventClaim, "token tidak ada")
	})
	t.Run("direct answer without a token, require_auth", func(t *testing.T) {
		f := newForgeryCase(t, func(d *testDesk) {
			d.Config.Desk.AuthservID, d.Config.Desk.RequireAuth = "mail.pustakaarsip.kamparkab.go.id", true
		})
		fail := "Authentication-Results: mail.pustakaarsip.kamparkab.go.id; dkim=fail header.d=pustakaarsip.kamparkab.go.id; spf=fail smtp.mailfrom=" + f.d.Staff
		f.d.sender().send(f.d.Staff, f.d.Address, f.staffMail(f.d.Staff, f.budi, "Re: ["+f.c.Number+"] Aduan buku rusak", "Sudah kami ganti, selesai.", "Cc: "+f.d.Address, fail))
		f.refused(t, &tally, mailproc.EventClaim, "DKIM/SPF")
	})
	t.Run("command with an exposed token", func(t *testing.T) {
		f := newForgeryCase(t, nil)
		id := mailproc.NormalizeMessageID(f.notif.Header.Get("Message-Id"))
		s := f.d.sender()
		direct := f.staffMail(f.d.Staff, f.budi, "Re: "+f.notif.Subject, "Bukunya kami ganti minggu ini, Pak.", "Cc: "+f.d.Address, "In-Reply-To: <"+id+">", "References: <"+id+">")
		s.send(f.d.Staff, f.budi, direct)
		s.send(f.d.Staff, f.d.Address, direct)
		waitFor(t, 20*time.Second, "the direct answer recorded and its token revoked", func() bool {
			return hasEvent(t, f.d, f.c.ID, mailproc.EventRevoked, "dicabut")
		})
		f.mark()
		s.send(f.budi, f.d.Address, f.replyWith(f.d.Staff, id, "#selesai"))
		f.refused(t, &tally, mailproc.EventRejected, "dicabut")
	})
	t.Run("another staff member's token", func(t *testing.T) {
		var dedi string
		f := newForgeryCase(t, func(d *testDesk) {
			dedi = "dedi-" + d.ID + "@pustakaarsip.kamparkab.go.id"
			d.Config.Desk.Staff = append(d.Config.Desk.Staff, config.Staff{Name: "Dedi", Address: dedi})
		})
		s := f.d.sender()
		before := f.d.inboxCount(f.d.Staff)
		s.send(f.d.Staff, f.d.Address, staffReply(gmailID, f.notif, f.d.Staff, f.d.Address, "#catatan sedang dicek ke gudang"))
		waitFor(t, 20*time.Second, "Rina's confirmation", func() bool { return f.d.inboxCount(f.d.Staff) > before })
		var confirm string
		for _, m := range f.d.mails(f.d.Staff, "INBOX") {
			if id := mailproc.NormalizeMessageID(m.Header.Get("Message-Id")); isConfirmation(id, f.d.Address) {
				confirm = id
			}
		}
		if confirm == "" {
			t.Fatal("no confirmation for Rina")
		}
		f.mark()
		s.send(dedi, f.d.Address, f.replyWith(dedi, confirm, "#selesai"))
		f.refused(t, &tally, mailproc.EventRejected, string(mailproc.TokenWrongRecipient))
	})
	t.Run("expired token", func(t *testing.T) {
		f := newForgeryCase(t, nil)
		old := f.signed(f.d.Config.Desk.HMACSecret.Reveal(), mailproc.PurposeNotify, mailproc.TokenGroupStaff, time.Now().AddDate(0, 0, -100))
		helps := f.d.inboxCount(f.d.Staff)
		f.d.sender().send(f.d.Staff, f.d.Address, f.replyWith(f.d.Staff, old, "#selesai"))
		f.refused(t, &tally, mailproc.EventRejected, "kedaluwarsa")
		waitFor(t, 20*time.Second, "the help mail with a fresh token", func() bool { return f.d.inboxCount(f.d.Staff) > helps })
	})
	t.Run("removed key", func(t *testing.T) {
		f := newForgeryCase(t, func(d *testDesk) { d.Config.Desk.HMACPreviousSecrets = oldKey })
		f.d.sender().send(f.d.Staff, f.d.Address, f.replyWith(f.d.Staff, f.signed(removedKey, mailproc.PurposeNotify, mailproc.TokenGroupStaff, time.Now()), "#selesai"))
		f.refused(t, &tally, mailproc.EventRejected, string(mailproc.TokenUnknownKey))
	})
	t.Run("previous key accepted", func(t *testing.T) {
		f := newForgeryCase(t, func(d *testDesk) { d.Config.Desk.HMACPreviousSecrets = oldKey })
		f.d.sender().send(f.d.Staff, f.d.Address, f.replyWith(f.d.Staff, f.signed(oldKey, mailproc.PurposeNotify, mailproc.TokenGroupStaff, time.Now()), "#selesai"))
		waitFor(t, 20*time.Second, "the case closed by a reply to the previous key's token", func() bool {
			return caseNow(t, f.d, f.c.Number).State == mailproc.StateSelesai
		})
		if n := f.forgeryNotices(); n != f.ops {
			t.Errorf("%d ops notices for a genuine reply", n-f.ops)
		}
		accepted = !t.Failed()
	})
	figure(t, "%d forgeries on fresh complaints (direct answer without a token, with and without require_auth; command with an exposed token; another staff member's token; an expired token; a removed key's token): %d left the case, its escalation clock and the citizen's mailbox unchanged with one ops notice each; a previous key's token accepted: %v",
		tally.forged, tally.stopped, accepted)
}
