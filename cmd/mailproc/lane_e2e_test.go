package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/smtp"
)

// orderSender passes each mail to the real sender (Postfix) and records the
// order in which they were accepted.
type orderSender struct {
	next mailproc.Sender
	mu   sync.Mutex
	sent []string    // Message-IDs
	hook func(n int) // after the n-th accepted mail; may be nil
	// fail, if set, is asked first: an error it returns is the attempt's
	// outcome, and nothing is sent.
	fail func(m *mailproc.OutgoingMail) error
}

func (s *orderSender) SendMail(ctx context.Context, m *mailproc.OutgoingMail) (mailproc.SentMail, error) {
	if s.fail != nil {
		if err := s.fail(m); err != nil {
			return mailproc.SentMail{}, err
		}
	}
	sent, err := s.next.SendMail(ctx, m)
	if err != nil {
		return sent, err
	}
	s.mu.Lock()
	s.sent = append(s.sent, m.MessageID)
	n := len(s.sent)
	s.mu.Unlock()
	if s.hook != nil {
		s.hook(n)
	}
	return sent, nil
}

func (s *orderSender) order() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// TestE2EOutboxLanes: the postman sends through the real Postfix over kept
// sessions. A backlog of staff notifications and ops notices queued first
// goes after the citizens' acknowledgements queued last; and an
// acknowledgement queued while the backlog is being sent goes next, not
// after the rest of the backlog.
func TestE2EOutboxLanes(t *testing.T) {
	d := newTestDesk(t)
	db := d.db()
	ctx := context.Background()
	out := func(id string, p mailproc.Purpose) *mailproc.OutgoingMail {
		return &mailproc.OutgoingMail{Purpose: p, MessageID: id + "." + d.ID + "@pustakaarsip.test",
			From: mailproc.Address{Addr: d.Address}, To: []mailproc.Address{{Addr: d.citizen("lane")}},
			Subject: "Antrean " + id, Text: "Tes antrean.\n", Date: time.Now(), NextAttempt: time.Now()}
	}
	queue := func(ms ...*mailproc.OutgoingMail) {
		t.Helper()
		if err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
			for _, m := range ms {
				if err := tx.EnqueueMail(m); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	var backlog []*mailproc.OutgoingMail
	for i := range 60 {
		p := mailproc.PurposeNotify
		if i%3 == 2 {
			p = mailproc.PurposeOps
		}
		backlog = append(backlog, out(fmt.Sprintf("backlog%02d", i), p))
	}
	queue(backlog...)
	queue(out("ack-first", mailproc.PurposeAck), out("ack-second", mailproc.PurposeAck))

	real := &smtp.Sender{Config: smtpConfig(d.Config), PerSession: 100}
	defer real.Close()
	s := &orderSender{next: real}
	var pm *mailproc.Postman
	live := out("ack-live", mailproc.PurposeAck)
	queuedAt := make(chan int, 1)
	s.hook = func(n int) {
		if n == 10 { // in the middle of the backlog, as a citizen writes
			queue(live)
			queuedAt <- n
			pm.Wake()
		}
	}
	pm = mailproc.NewPostman(mailproc.Postman{Store: db, Sender: s, Connections: 1})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- pm.Run(rctx) }()
	waitFor(t, 2*time.Minute, "the outbox to empty", func() bool {
		pending, _, _, _ := db.OutboxCounts(ctx)
		return pending == 0 && len(s.order()) == 63
	})
	cancel()
	<-done

	order := s.order()
	// Citizen mail newest first.
	if order[0] != out("ack-second", "").MessageID || order[1] != out("ack-first", "").MessageID {
		t.Errorf("first two sent = %q, want the two acknowledgements, newest first", order[:2])
	}
	at := slices.Index(order, live.MessageID)
	n := <-queuedAt
	// Queued after the n-th mail was accepted: at most the mail already in
	// hand goes before it.
	if at < 0 || at > n+1 {
		t.Errorf("the live acknowledgement went out %d-th, queued after %d mails had gone: it waited behind the backlog\n%q", at+1, n, order)
	}
	var backlogOrder []string
	for _, id := range order {
		if id != live.MessageID && !slices.Contains(order[:2], id) {
			backlogOrder = append(backlogOrder, id)
		}
	}
	// Within the backlog every staff mail before any ops mail.
	lastNotify, firstOps := -1, len(backlogOrder)
	for i, id := range backlogOrder {
		for _, b := range backlog {
			if b.MessageID == id && b.Purpose == mailproc.PurposeNotify {
				lastNotify = i
			}
			if b.MessageID == id && b.Purpose == mailproc.PurposeOps && i < firstOps {
				firstOps = i
			}
		}
	}
	if lastNotify > firstOps {
		t.Errorf("an ops notice went before a staff notification: %q", backlogOrder)
	}
}

// TestE2EOutboxCaseOrder: over two parallel sessions to the real Postfix,
// each case's acknowledgement, answer and closing mail are accepted in that
// order — also when the acknowledgement's first attempt fails (an outage)
// and it waits for its retry while the case's later mails are due — and
// every mail is accepted exactly once: mails marked sent in groups are
// never read from the queue again.
func TestE2EOutboxCaseOrder(t *testing.T) {
	d := newTestDesk(t)
	db := d.db()
	ctx := context.Background()
	purposes := []mailproc.Purpose{mailproc.PurposeAck, mailproc.PurposeAnswer, mailproc.PurposeClosing}
	var all []string
	if err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		for c := range 6 {
			cs := &mailproc.Case{Number: fmt.Sprintf("INF-2026-%05d", c+1), Kind: mailproc.KindInformasi,
				State: mailproc.StateBaru, CitizenAddr: d.citizen("urut"), Subject: "Urutan",
				OpenedAt: time.Now(), DueAt: time.Now().Add(time.Hour)}
			if err := tx.CreateCase(cs); err != nil {
				return err
			}
			for _, p := range append(purposes, mailproc.PurposeNotify) {
				m := &mailproc.OutgoingMail{CaseID: cs.ID, Purpose: p,
					MessageID: fmt.Sprintf("%s%d.%s@pustakaarsip.test", p, c, d.ID),
					From:      mailproc.Address{Addr: d.Address}, To: []mailproc.Address{{Addr: d.citizen("urut")}},
					Subject: "Urutan " + string(p), Text: "Tes urutan.\n", Date: time.Now(), NextAttempt: time.Now()}
				if err := tx.EnqueueMail(m); err != nil {
					return err
				}
				all = append(all, m.MessageID)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	real := &smtp.Sender{Config: smtpConfig(d.Config), PerSession: 100}
	defer real.Close()
	var failed atomic.Bool
	outage := fmt.Sprintf("ack0.%s@pustakaarsip.test", d.ID)
	s := &orderSender{next: real, fail: func(m *mailproc.OutgoingMail) error {
		if m.MessageID == outage && failed.CompareAndSwap(false, true) {
			return mailproc.TemporaryError(errors.New("421 4.3.2 service shutting down"))
		}
		return nil
	}}
	pm := mailproc.NewPostman(mailproc.Postman{Store: db, Sender: s, Connections: 2,
		RetryMin: 300 * time.Millisecond, RetryMax: time.Second})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- pm.Run(rctx) }()
	waitFor(t, 2*time.Minute, "the outbox to empty", func() bool {
		pending, _, _, _ := db.OutboxCounts(ctx)
		return pending == 0
	})
	cancel()
	<-done

	order := s.order()
	if !failed.Load() {
		t.Fatal("the outage was never met")
	}
	if len(order) != len(all) {
		t.Errorf("%d mails accepted, %d queued: %q", len(order), len(all), order)
	}
	for _, id := range all {
		if n := len(slices.DeleteFunc(slices.Clone(order), func(x string) bool { return x != id })); n != 1 {
			t.Errorf("%s accepted %d times", id, n)
		}
	}
	for c := range 6 {
		prev := -1
		for _, p := range purposes {
			at := slices.Index(order, fmt.Sprintf("%s%d.%s@pustakaarsip.test", p, c, d.ID))
			if at < prev {
				t.Errorf("case %d: %s accepted before the mail queued before it\n%q", c, p, order)
			}
			prev = at
		}
	}
}
