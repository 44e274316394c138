package main

// The verification gate end to end on the real Dovecot + Postfix: a forged
// direct answer, a genuine one, and the token it exposed.

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// startLogged is start with the daemon's log also kept (in a proc's
// buffer, as if it ran as its own process), for the test to read.
func (d *testDesk) startLogged() *proc {
	d.t.Helper()
	logs := &proc{out: new(bytes.Buffer)}
	tw := &tWriter{t: d.t}
	d.t.Cleanup(func() { tw.mu.Lock(); tw.done = true; tw.mu.Unlock() })
	d.startWith(slog.New(slog.NewTextHandler(io.MultiWriter(tw, lockedWriter{logs}), &slog.HandlerOptions{Level: slog.LevelDebug})))
	return logs
}

// casesShow runs `mailproc cases show NUMBER` on the desk's database.
func (d *testDesk) casesShow(number string) string {
	d.t.Helper()
	cmd := exec.Command(binary(d.t), "cases", "show", "-config", d.writeConfig(), number)
	cmd.Env = d.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		d.t.Fatalf("cases show %s: %v\n%s", number, err, out)
	}
	return string(out)
}

// TestE2EForgedDirectAnswer: a forged direct answer (staff From:, citizen
// To:, desk Cc:, the case number in the subject, no token) leaves the
// complaint unanswered and its escalation runs; the log and `cases show`
// say why. A genuine direct answer that references the notification is
// recorded, and a mail "from staff" that carries only the token it exposed,
// with #selesai, changes nothing.
func TestE2EForgedDirectAnswer(t *testing.T) {
	d := newTestDesk(t)
	d.Config.Desk.ComplaintDue = config.Duration(8 * time.Second)
	logs := d.startLogged()
	db := d.db()
	budi := d.citizen("budi")
	notif, c := openCase(t, d, budi, "Aduan buku rusak", "Buku yang saya pinjam rusak, mohon diganti.")
	if c.Kind != mailproc.KindAduan || c.EscalateAt.IsZero() {
		t.Fatalf("case %s: kind %s, escalate at %v", c.Number, c.Kind, c.EscalateAt)
	}
	s := d.sender()

	// 1. The forgery: anyone can write these headers.
	forged := citizenMail("Rina Marlina <"+d.Staff+">", budi, "Re: ["+c.Number+"] Aduan buku rusak",
		"Sudah kami ganti, kasus selesai.", "Cc: "+d.Address, "Message-ID: <palsu-langsung-"+d.ID+"@warga.test>")
	s.send(d.Staff, d.Address, forged)
	waitFor(t, 20*time.Second, "the claim on the case", func() bool { return hasEvent(t, d, c.ID, mailproc.EventClaim, mailproc.ClaimPrefix) })
	got := caseNow(t, d, c.Number)
	if !got.FirstAnswerAt.IsZero() || !got.State.Open() || got.State == mailproc.StateDijawab || got.EscalateAt.IsZero() {
		t.Fatalf("after the forged direct answer: state %s, answered %v, escalate at %v", got.State, got.FirstAnswerAt, got.EscalateAt)
	}
	waitFor(t, 20*time.Second, "the ops notice", func() bool {
		for _, m := range d.mails(d.Ops, "INBOX") {
			if strings.Contains(m.Text, mailproc.ClaimPrefix) {
				return true
			}
		}
		return false
	})
	// The clock ran on: the Kepala Seksi hears of the unanswered complaint.
	waitFor(t, 30*time.Second, "the escalation to the Kepala Seksi", func() bool { return d.inboxCount(d.Kasi) >= 1 })
	if !strings.Contains(logs.output(), mailproc.ClaimPrefix) || !strings.Contains(logs.output(), "palsu-langsung-"+d.ID) {
		t.Errorf("the log does not say why the forged answer was not recorded")
	}
	if show := d.casesShow(c.Number); !strings.Contains(show, string(mailproc.EventClaim)) || !strings.Contains(show, "token tidak ada") {
		t.Errorf("cases show does not say why:\n%s", show)
	}

	// 2. The genuine direct answer references the notification.
	id := notif.Header.Get("Message-Id")
	genuine := citizenMail("Rina Marlina <"+d.Staff+">", budi, "Re: "+notif.Subject, "Mohon maaf, Pak. Buku akan kami ganti minggu ini.",
		"Cc: "+d.Address, "In-Reply-To: "+id, "References: "+id, "Message-ID: <asli-langsung-"+d.ID+"@pustakaarsip.kamparkab.go.id>")
	s.send(d.Staff, budi, genuine)
	s.send(d.Staff, d.Address, genuine)
	waitFor(t, 20*time.Second, "the direct answer recorded", func() bool { return !caseNow(t, d, c.Number).FirstAnswerAt.IsZero() })
	if st := caseNow(t, d, c.Number).State; st != mailproc.StateDijawab {
		t.Fatalf("after the genuine direct answer: %s", st)
	}
	if !hasEvent(t, d, c.ID, mailproc.EventRevoked, "dicabut") {
		t.Errorf("the exposed token was not revoked")
	}
	waitFor(t, 20*time.Second, "the confirmation with a fresh token", func() bool {
		for _, m := range d.mails(d.Staff, "INBOX") {
			if strings.Contains(m.Text, "dicabut") && m.Header.Get("Message-Id") != id && isConfirmation(m.Header.Get("Message-Id"), d.Address) {
				return true
			}
		}
		return false
	})

	// 3. The citizen now holds the notification's id and forges staff.
	before := caseNow(t, d, c.Number)
	selesai := citizenMail("Rina Marlina <"+d.Staff+">", d.Address, "Re: "+notif.Subject, "#selesai",
		"In-Reply-To: "+id, "References: "+id, "Message-ID: <palsu-selesai-"+d.ID+"@warga.test>")
	s.send(budi, d.Address, selesai)
	waitFor(t, 20*time.Second, "the forged #selesai refused", func() bool { return hasEvent(t, d, c.ID, mailproc.EventRejected, "dicabut") })
	after := caseNow(t, d, c.Number)
	if after.State != before.State || !after.ClosedAt.IsZero() || !after.EscalateAt.Equal(before.EscalateAt) {
		t.Fatalf("the exposed token changed the case: %s → %s, closed %v", before.State, after.State, after.ClosedAt)
	}
	time.Sleep(2 * time.Second) // time for anything wrongly queued to arrive
	for _, m := range d.mails(budi, "INBOX") {
		if strings.Contains(m.Subject, "] Jawaban") || strings.Contains(m.Subject, "Selesai") {
			t.Errorf("the citizen received %q", m.Subject)
		}
	}
	closing, _ := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeClosing})
	if len(closing) != 0 {
		t.Errorf("%d closing mails queued", len(closing))
	}
}

// isConfirmation reports whether id is the signed Message-ID of a
// confirmation to staff (any token format).
func isConfirmation(id, desk string) bool {
	tok, ok := mailproc.ParseToken(id, desk)
	return ok && tok.Purpose == mailproc.PurposeConfirm
}
