//go:build faults

package main

// The fault suite (issue 7): crash, outage, disk-full, loop, forgery and
// load tests against the real Dovecot and Postfix. Some stop and start the
// servers, so the suite runs alone (build tag `faults`), never beside tests
// that need the stack up. scripts/faults runs it; scripts/test runs a short
// version. Every knob is an environment variable MAILPROC_FAULT_*, read by
// faultInt; the defaults are the short version, scripts/faults --full sets
// the figures of the issue. Each test writes its results with figure().

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// faultInt reads the knob MAILPROC_FAULT_<name>, or def.
func faultInt(t testing.TB, name string, def int) int {
	t.Helper()
	v := os.Getenv("MAILPROC_FAULT_" + name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("MAILPROC_FAULT_%s=%q: want a positive integer", name, v)
	}
	return n
}

func faultSeconds(t testing.TB, name string, def int) time.Duration {
	return time.Duration(faultInt(t, name, def)) * time.Second
}

var figureMu sync.Mutex

// figure records one result of the suite: it is logged, and appended as
// "TestName: text" to the file MAILPROC_FAULT_FIGURES when set (scripts/
// faults collects them for docs/reliability.md).
func figure(t testing.TB, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log("figure: " + line)
	path := os.Getenv("MAILPROC_FAULT_FIGURES")
	if path == "" {
		return
	}
	figureMu.Lock()
	defer figureMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Errorf("figures: %v", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s: %s\n", t.Name(), line)
}

func mailstack(t testing.TB, verb string) {
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
	down := faultSeconds(t, "SMTP_OUTAGE", 15)
	d := newTestDesk(t)
	d.start()
	db := d.db()
	mailstack(t, "stop-smtp")
	t.Cleanup(func() { exec.Command("../../scripts/mailstack", "start-smtp").Run() })
	stopped := time.Now()

	const n = 5
	var citizens []string
	for i := 0; i < n; i++ {
		c := d.citizen("warga" + strconv.Itoa(i))
		citizens = append(citizens, c)
		d.appendRaw(citizenMail(c, d.Address, "Pertanyaan "+strconv.Itoa(i), "Jam berapa perpustakaan buka?"))
	}
	waitFor(t, 20*time.Second, "the cases", func() bool { c, _, _ := counts(t, db); return c == n })
	retried := 0 // acknowledgements pending with a failed attempt, during the outage
	waitFor(t, 20*time.Second, "failed attempts", func() bool {
		rows, _ := db.Outbox(context.Background(), sqlite.OutboxFilter{State: mailproc.OutboxPending, Purpose: mailproc.PurposeAck})
		retried = 0
		for _, r := range rows {
			if r.Attempts > 0 && r.LastError != "" {
				retried++
			}
		}
		return retried == n
	})
	time.Sleep(time.Until(stopped.Add(down)))
	mailstack(t, "start-smtp")
	back := time.Now()

	for _, c := range citizens {
		waitFor(t, 60*time.Second, "the acknowledgement of "+c, func() bool { return d.inboxCount(c) >= 1 })
	}
	delivered := time.Since(back)
	time.Sleep(3 * time.Second) // time for a second copy to show, if one were sent
	dup, got1 := 0, 0
	for _, c := range citizens {
		got := d.inboxCount(c)
		if got >= 1 {
			got1++
		}
		if got != 1 {
			t.Errorf("%s has %d acknowledgements, want 1", c, got)
			dup += max(got-1, 0)
		}
	}
	pending, _, failed, _ := db.OutboxCounts(context.Background())
	if pending != 0 || failed != 0 {
		t.Errorf("outbox pending=%d failed=%d after Postfix returned", pending, failed)
	}
	acks, _ := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAck, State: mailproc.OutboxSent})
	if len(acks) != n {
		t.Errorf("%d acknowledgements sent, want %d", len(acks), n)
	}
	figure(t, "Postfix stopped %s: %d of %d acknowledgements retried during the outage, %d sent; %d of %d citizens had theirs %.1f s after it returned, %d twice; outbox pending %d, failed %d",
		down, retried, n, len(acks), got1, n, delivered.Seconds(), dup, pending, failed)
}

// TestFaultDovecotOutage: Dovecot stops while citizens write; Postfix keeps
// their mail queued, mailproc reconnects within 5 s of Dovecot coming back
// — with the default reconnect settings — and every mail becomes exactly
// one case.
func TestFaultDovecotOutage(t *testing.T) {
	down := faultSeconds(t, "IMAP_OUTAGE", 10)
	d := newTestDesk(t)
	// The defaults an operator gets, not the test desk's fast ones.
	def := config.DefaultConfig()
	d.Config.IMAP.ReconnectMin, d.Config.IMAP.ReconnectMax = def.IMAP.ReconnectMin, def.IMAP.ReconnectMax
	m := d.start()
	db := d.db()
	s := d.sender()
	siti := d.citizen("siti")
	s.send(siti, d.Address, citizenMail(siti, d.Address, "Sebelum", "Jam buka?"))
	waitFor(t, 20*time.Second, "the first case", func() bool { c, _, _ := counts(t, db); return c == 1 })

	mailstack(t, "stop-imap")
	t.Cleanup(func() { exec.Command("../../scripts/mailstack", "start-imap").Run() })
	stopped := time.Now()
	const during = 5
	for i := 0; i < during; i++ {
		s.send(siti, d.Address, citizenMail(siti, d.Address, "Selama gangguan "+strconv.Itoa(i), "Apakah ada koleksi arsip?"))
	}
	waitFor(t, 10*time.Second, "the daemon to notice", func() bool { return !m.Intake.Status().Connected })
	time.Sleep(time.Until(stopped.Add(down)))
	mailstack(t, "start-imap") // returns once Dovecot accepts connections
	back := time.Now()
	waitFor(t, 30*time.Second, "the reconnect", func() bool { return m.Intake.Status().Connected })
	reconnect := time.Since(back)
	if reconnect > 5*time.Second {
		t.Errorf("reconnected %.1f s after Dovecot came back, want within 5 s", reconnect.Seconds())
	}
	lastFlush := time.Now()
	waitFor(t, 60*time.Second, "every mail as a case", func() bool {
		if time.Since(lastFlush) > 3*time.Second {
			mailstack(t, "flush") // Postfix's queue, not mailproc: see scripts/mailstack flush
			lastFlush = time.Now()
		}
		c, _, _ := counts(t, db)
		return c == 1+during
	})
	caughtUp := time.Since(back)
	waitFor(t, 10*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })
	cases, msgs, q := counts(t, db)
	if cases != 1+during || msgs != 1+during || q != 0 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want %d/%d/0", cases, msgs, q, 1+during, 1+during)
	}
	st := m.Intake.Status()
	if st.Reconnects == 0 {
		t.Error("no reconnect recorded")
	}
	figure(t, "Dovecot stopped %s (default reconnect settings): reconnected %.1f s after it returned, %d reconnect attempts; %d mails (1 before, %d during the outage): %d cases and %d stored messages %.1f s after it returned, %d quarantined",
		down, reconnect.Seconds(), st.Reconnects, 1+during, during, cases, msgs, caughtUp.Seconds(), q)
}
