//go:build faults

package main

// Fault tests: they stop and start the real Dovecot or Postfix, so they run
// alone (scripts/test runs them after the other tests, with -tags faults),
// never beside tests that need the stack up.

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// outage is how long a server stays down: MAILPROC_FAULT_OUTAGE seconds,
// default 30 (the figure the issues ask for).
func outage() time.Duration {
	if n, err := strconv.Atoi(os.Getenv("MAILPROC_FAULT_OUTAGE")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return 30 * time.Second
}

func mailstack(t *testing.T, verb string) {
	t.Helper()
	out, err := exec.Command("../../scripts/mailstack", verb).CombinedOutput()
	if err != nil {
		t.Fatalf("mailstack %s: %v\n%s", verb, err, out)
	}
}

// TestFaultPostfixOutage: Postfix is down while citizens' mails arrive;
// every acknowledgement waits in the outbox, is retried, and is delivered
// once after Postfix returns — none twice.
func TestFaultPostfixOutage(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	db := d.db()
	mailstack(t, "stop-smtp")
	t.Cleanup(func() { exec.Command("../../scripts/mailstack", "start-smtp").Run() })
	down := time.Now()

	const n = 5
	var citizens []string
	for i := 0; i < n; i++ {
		c := d.citizen("warga" + strconv.Itoa(i))
		citizens = append(citizens, c)
		d.appendRaw(citizenMail(c, d.Address, "Pertanyaan "+strconv.Itoa(i), "Jam berapa perpustakaan buka?"))
	}
	waitFor(t, 20*time.Second, "the cases", func() bool { c, _, _ := counts(t, db); return c == n })
	waitFor(t, 20*time.Second, "failed attempts", func() bool {
		rows, _ := db.Outbox(context.Background(), sqlite.OutboxFilter{State: mailproc.OutboxPending, Purpose: mailproc.PurposeAck})
		retried := 0
		for _, r := range rows {
			if r.Attempts > 0 && r.LastError != "" {
				retried++
			}
		}
		return retried == n
	})
	time.Sleep(time.Until(down.Add(outage())))
	mailstack(t, "start-smtp")
	back := time.Now()

	for _, c := range citizens {
		waitFor(t, 30*time.Second, "the acknowledgement of "+c, func() bool { return d.inboxCount(c) >= 1 })
	}
	t.Logf("all %d acknowledgements delivered %.1fs after Postfix returned", n, time.Since(back).Seconds())
	time.Sleep(3 * time.Second)
	for _, c := range citizens {
		if got := d.inboxCount(c); got != 1 {
			t.Errorf("%s has %d acknowledgements, want 1", c, got)
		}
	}
	if pending, _, failed, _ := db.OutboxCounts(context.Background()); pending != 0 || failed != 0 {
		t.Errorf("outbox pending=%d failed=%d after Postfix returned", pending, failed)
	}
	acks, _ := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAck, State: mailproc.OutboxSent})
	if len(acks) != n {
		t.Errorf("%d acknowledgements sent, want %d", len(acks), n)
	}
}

// TestFaultDovecotOutage: Dovecot stops while citizens write; Postfix keeps
// their mail queued, mailproc reconnects when Dovecot is back, and every
// mail becomes exactly one case.
func TestFaultDovecotOutage(t *testing.T) {
	d := newTestDesk(t)
	m := d.start()
	db := d.db()
	s := d.sender()
	siti := d.citizen("siti")
	s.send(siti, d.Address, citizenMail(siti, d.Address, "Sebelum", "Jam buka?"))
	waitFor(t, 20*time.Second, "the first case", func() bool { c, _, _ := counts(t, db); return c == 1 })

	mailstack(t, "stop-imap")
	t.Cleanup(func() { exec.Command("../../scripts/mailstack", "start-imap").Run() })
	down := time.Now()
	for i := 0; i < 5; i++ {
		s.send(siti, d.Address, citizenMail(siti, d.Address, "Selama gangguan "+strconv.Itoa(i), "Apakah ada koleksi arsip?"))
	}
	time.Sleep(time.Until(down.Add(outage())))
	mailstack(t, "start-imap")
	back := time.Now()
	lastFlush := time.Now()
	waitFor(t, 60*time.Second, "every mail as a case", func() bool {
		if time.Since(lastFlush) > 3*time.Second {
			mailstack(t, "flush") // Postfix's queue, not mailproc: see scripts/mailstack flush
			lastFlush = time.Now()
		}
		c, _, _ := counts(t, db)
		return c == 6
	})
	t.Logf("reconnected and caught up %.1fs after Dovecot returned; %d reconnects", time.Since(back).Seconds(), m.Intake.Status().Reconnects)
	waitFor(t, 10*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })
	if c, msgs, q := counts(t, db); c != 6 || msgs != 6 || q != 0 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want 6/6/0", c, msgs, q)
	}
	if m.Intake.Status().Reconnects == 0 {
		t.Error("no reconnect recorded")
	}
}
