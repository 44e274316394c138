package main

// The escalation chain end to end on the real Dovecot + Postfix, with the
// promise and each level's time in seconds.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
)

// fastChain gives complaints 3 s and each head 3 s.
func fastChain(d *testDesk) {
	d.Config.Desk.InfoDue = config.Duration(3 * time.Second)
	d.Config.Desk.ComplaintDue = config.Duration(3 * time.Second)
	for i := range d.Config.Chain[:2] {
		d.Config.Chain[i].After = config.Duration(3 * time.Second)
	}
}

func TestE2EEscalationChain(t *testing.T) {
	d := newTestDesk(t)
	fastChain(d)
	d.start()
	budi := d.citizen("budi")
	d.sender().send(budi, d.Address, citizenMail(budi, d.Address, "[ADUAN] Petugas tidak ramah", "Saya diperlakukan tidak ramah di loket."))

	heads := []string{d.Kasi, d.Kabag, d.Kadis}
	for i, h := range heads {
		waitFor(t, 20*time.Second, "the escalation to level "+string(rune('1'+i)), func() bool { return d.inboxCount(h) >= 1 })
		// Each head is told before the next, once.
		for _, later := range heads[i+1:] {
			if n := d.inboxCount(later); n != 0 {
				t.Fatalf("%s told before %s", later, h)
			}
		}
	}
	time.Sleep(4 * time.Second) // past every deadline once more: nothing further may arrive
	for i, h := range heads {
		// A head gets their own level's mail, and is in Cc of each later one.
		mails := d.mails(h, "INBOX")
		if len(mails) != len(heads)-i {
			t.Fatalf("level %d got %d mails, want %d", i+1, len(mails), len(heads)-i)
		}
		var own []receivedMail
		for _, m := range mails {
			if to, _ := m.Header.AddressList("To"); len(to) == 1 && to[0].Address == h {
				own = append(own, m)
			}
		}
		if len(own) != 1 {
			t.Fatalf("level %d was addressed %d times, want once", i+1, len(own))
		}
		m := own[0]
		if !strings.Contains(m.Subject, "Eskalasi tingkat "+string(rune('1'+i))) || !strings.Contains(m.Text, "tidak ramah di loket") {
			t.Fatalf("level %d mail %q:\n%s", i+1, m.Subject, m.Text)
		}
		cc, _ := m.Header.AddressList("Cc")
		if len(cc) != i {
			t.Errorf("level %d has %d heads in Cc, want %d", i+1, len(cc), i)
		}
	}
	// Each escalation went out within 2 s of its deadline.
	list, _ := d.db().ListCases(context.Background(), caseFilterAll)
	events, _ := d.db().Timeline(context.Background(), list[0].ID)
	deadline := list[0].OpenedAt.Add(3 * time.Second)
	for _, e := range events {
		if e.Type != mailproc.EventEscalated {
			continue
		}
		if late := e.At.Sub(deadline); late < 0 || late > 2*time.Second {
			t.Errorf("escalation %q at %v: %v after its deadline", e.Detail, e.At, late)
		}
		deadline = e.At.Add(3 * time.Second)
	}
}

func TestE2EEscalationStopsOnAnswer(t *testing.T) {
	d := newTestDesk(t)
	fastChain(d)
	d.start()
	siti := d.citizen("siti")
	notif, c := openCase(t, d, siti, "[ADUAN] Buku hilang", "Buku yang saya kembalikan dicatat hilang.")
	waitFor(t, 20*time.Second, "the Kepala Seksi told", func() bool { return d.inboxCount(d.Kasi) == 1 })
	d.sender().send(d.Staff, d.Address, staffReply(gmailID, notif, d.Staff, d.Address, "Mohon maaf, catatan sudah kami perbaiki."))
	waitFor(t, 20*time.Second, "the answer", func() bool { return len(answersTo(d, siti)) == 1 })
	time.Sleep(5 * time.Second) // past the Kepala Seksi's time
	if n := d.inboxCount(d.Kabag); n != 0 {
		t.Fatalf("the Kepala Bagian was told after the case was answered (%d mails)", n)
	}
	if got := caseNow(t, d, c.Number); !got.EscalateAt.IsZero() {
		t.Fatalf("escalation still pending at %v", got.EscalateAt)
	}
}

// TestE2EEscalationAcrossRestart: the daemon is killed before a deadline and
// started again after it: the case is escalated exactly once.
func TestE2EEscalationAcrossRestart(t *testing.T) {
	d := newTestDesk(t)
	fastChain(d)
	d.Config.Chain[0].After = config.Duration(time.Hour) // only level 1 in this test
	cfgPath := d.writeConfig()
	p := d.spawn(cfgPath)
	db := d.db()
	budi := d.citizen("budi")
	d.sender().send(budi, d.Address, citizenMail(budi, d.Address, "[ADUAN] AC rusak", "AC ruang baca rusak."))
	waitFor(t, 20*time.Second, "the case", func() bool { c, _, _ := counts(t, db); return c == 1 })
	p.kill(t)
	time.Sleep(5 * time.Second) // the deadline passes while the daemon is down
	if n := d.inboxCount(d.Kasi); n != 0 {
		t.Fatalf("escalated while down?")
	}
	p = d.spawn(cfgPath)
	waitFor(t, 20*time.Second, "the escalation after restart", func() bool { return d.inboxCount(d.Kasi) == 1 })
	p.kill(t)
	p = d.spawn(cfgPath)
	time.Sleep(3 * time.Second)
	if n := d.inboxCount(d.Kasi); n != 1 {
		t.Fatalf("the Kepala Seksi got %d mails, want exactly 1", n)
	}
}
