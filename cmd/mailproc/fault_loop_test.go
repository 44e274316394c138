//go:build faults

package main

import (
	"context"
	"fmt"
	"net/smtp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// robot is an auto-responder on a test mailbox: it answers every mail it
// receives, the way a kind of real responder does.
type robot struct {
	name    string
	addr    string
	marked  bool // its replies say they are automatic (Auto-Submitted, Precedence)
	headers func(subject, inReplyTo string) (subj string, extra []string)

	mu       sync.Mutex
	received int
	autoIDs  []string // Message-IDs of the replies it marked as automatic
	err      error
}

// TestFaultAutoResponder: four auto-responders answer everything the desk
// sends them, for MAILPROC_FAULT_LOOP seconds (default 30; scripts/faults
// --full: 600). Each first writes one mail as a person would, so the desk
// acknowledges it and the exchange starts. The desk must never acknowledge
// a mail marked automatic, must stop a responder that marks nothing at the
// per-sender cap, and the mail it sends to the robots (what a loop is made
// of, counted in the outbox and in the robots' own inboxes) must not grow in
// the second half of the run. Mail to staff and heads (the reminder and
// escalation of the robots' cases, due after 5 minutes) is not part of a
// loop and is not counted.
func TestFaultAutoResponder(t *testing.T) {
	run := faultSeconds(t, "LOOP", 30)
	d := newTestDesk(t)
	d.start()
	db := d.db()
	capPerDay := d.Config.Ack.PerSenderPerDay

	robots := []*robot{
		{name: "liburan", marked: true, headers: func(s, irt string) (string, []string) { // RFC 3834 vacation reply
			return "Balasan otomatis: " + s, []string{"Auto-Submitted: auto-replied", "In-Reply-To: " + irt, "X-Autoreply: yes"}
		}},
		{name: "milis", marked: true, headers: func(s, irt string) (string, []string) { // a list that posts everything back
			return "[warga-kampar] " + s, []string{"Precedence: list", "List-Id: <warga-kampar.lists.warga.test>"}
		}},
		{name: "naif", headers: func(s, irt string) (string, []string) { // a broken responder: no marks, no threading
			return fmt.Sprintf("Terima kasih, email Anda sudah kami terima (%d)", time.Now().UnixNano()), nil
		}},
		{name: "naif-utas", headers: func(s, irt string) (string, []string) { // no marks, but threaded
			return "Re: " + s, []string{"In-Reply-To: " + irt, "References: " + irt}
		}},
	}
	for _, r := range robots {
		r.addr = d.citizen("robot-" + r.name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, r := range robots {
		wg.Add(1)
		go func() { defer wg.Done(); r.answer(ctx, d) }()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })

	s := d.sender()
	for _, r := range robots {
		s.send(r.addr, d.Address, citizenMail(r.addr, d.Address, "Pertanyaan tentang arsip", "Apakah arsip desa tersedia?",
			"Message-ID: <awal-"+r.name+"-"+d.ID+"@warga.test>"))
	}

	isRobot := map[string]bool{}
	for _, r := range robots {
		isRobot[strings.ToLower(r.addr)] = true
	}
	// toRobots counts the outbox mails (any purpose) addressed to each robot.
	toRobots := func() (per map[string]int, total int) {
		rows, err := db.Outbox(context.Background(), sqlite.OutboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		per = map[string]int{}
		for _, m := range rows {
			for _, a := range m.Recipients() {
				if isRobot[strings.ToLower(a)] {
					per[strings.ToLower(a)]++
					total++
				}
			}
		}
		return per, total
	}
	start := time.Now()
	var samples []int
	for time.Since(start) < run {
		time.Sleep(min(5*time.Second, run/6))
		_, n := toRobots()
		samples = append(samples, n)
	}
	// What the robots received is what the desk sent them: let the last
	// mails arrive, then stop the robots.
	sent, _ := toRobots()
	waitFor(t, 60*time.Second, "the robots to receive what the desk sent them", func() bool {
		for _, r := range robots {
			r.mu.Lock()
			got := r.received
			r.mu.Unlock()
			if got < sent[strings.ToLower(r.addr)] {
				return false
			}
		}
		return true
	})
	cancel()
	wg.Wait()

	for _, r := range robots {
		if r.err != nil {
			t.Fatalf("robot %s: %v", r.name, r.err)
		}
	}
	// What each robot got from the desk: only acknowledgements, since no
	// member of staff answers in this test.
	acks, err := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAck})
	if err != nil {
		t.Fatal(err)
	}
	ackedIDs := map[string]bool{}
	acksTo := map[string]int{}
	for _, a := range acks {
		ackedIDs[a.InReplyTo] = true
		for _, to := range a.To {
			acksTo[to.Addr]++
		}
	}
	var report []string
	for _, r := range robots {
		n := acksTo[r.addr]
		if n > capPerDay {
			t.Errorf("robot %s got %d acknowledgements, over the cap of %d per day", r.name, n, capPerDay)
		}
		for _, id := range r.autoIDs {
			if ackedIDs[id] {
				t.Errorf("robot %s: its automatic mail %s was acknowledged", r.name, id)
			}
		}
		if got := sent[strings.ToLower(r.addr)]; r.received != got {
			t.Errorf("robot %s received %d mails, the desk's outbox has %d to it", r.name, r.received, got)
		}
		if r.received > capPerDay {
			t.Errorf("robot %s received %d mails from the desk, over the per-sender cap of %d", r.name, r.received, capPerDay)
		}
		report = append(report, fmt.Sprintf("%s received %d mails (%d acknowledgements)", r.name, r.received, n))
	}
	if got := acksTo[robots[0].addr] + acksTo[robots[1].addr]; got != 2 {
		t.Errorf("the marked responders got %d acknowledgements, want 1 each (for the person's first mail)", got)
	}
	if got := acksTo[robots[2].addr]; got != capPerDay {
		t.Errorf("the unmarked, unthreaded responder got %d acknowledgements, want exactly the cap %d", got, capPerDay)
	}
	// No growth: in the second half of the run the desk sent the robots
	// nothing new.
	half := samples[len(samples)/2]
	if last := samples[len(samples)-1]; last != half {
		t.Errorf("mail to the robots grew from %d to %d in the second half of the run: %v", half, last, samples)
	}
	autoAcked := 0
	for _, r := range robots {
		for _, id := range r.autoIDs {
			if ackedIDs[id] {
				autoAcked++
			}
		}
	}
	figure(t, "4 auto-responders answering everything for %s (cap %d acknowledgements per sender per day): %s; %d acknowledgements to Auto-Submitted/list mail; mail to the robots in the outbox, sampled over the run: %v",
		run, capPerDay, strings.Join(report, ", "), autoAcked, samples)
}

// answer polls the robot's INBOX and answers each new mail through Postfix.
func (r *robot) answer(ctx context.Context, d *testDesk) {
	fail := func(err error) { r.mu.Lock(); r.err = err; r.mu.Unlock() }
	c := d.imapLogin(r.addr)
	defer c.Close()
	out, err := smtp.Dial(d.stack.SMTPAddr)
	if err != nil {
		fail(err)
		return
	}
	defer out.Quit()
	var last imap.UID
	n := 0
	for ctx.Err() == nil {
		time.Sleep(300 * time.Millisecond)
		if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			if strings.Contains(err.Error(), "NONEXISTENT") || strings.Contains(err.Error(), "doesn't exist") {
				continue
			}
			fail(err)
			return
		}
		var set imap.UIDSet
		set.AddRange(last+1, 0)
		msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true, Envelope: true}).Collect()
		if err != nil {
			fail(err)
			return
		}
		for _, m := range msgs {
			if m.UID <= last { // UID n:* returns the last mail when none is newer
				continue
			}
			last = m.UID
			r.mu.Lock()
			r.received++
			r.mu.Unlock()
			n++
			subj, extra := r.headers(m.Envelope.Subject, "<"+m.Envelope.MessageID+">")
			id := fmt.Sprintf("robot-%s-%d-%s@warga.test", r.name, n, d.ID)
			raw := citizenMail(r.addr, d.Address, subj, "Terima kasih atas email Anda. Ini balasan otomatis.", append(extra, "Message-ID: <"+id+">")...)
			if err := (&sender{c: out}).try(r.addr, d.Address, raw); err != nil {
				fail(err)
				return
			}
			if r.marked {
				r.mu.Lock()
				r.autoIDs = append(r.autoIDs, id)
				r.mu.Unlock()
			}
		}
	}
}
