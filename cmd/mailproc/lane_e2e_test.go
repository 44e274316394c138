package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
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
}

func (s *orderSender) SendMail(ctx context.Context, m *mailproc.OutgoingMail) (mailproc.SentMail, error) {
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
