package mailproc

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Mails accepted by the server are marked sent in groups, one commit (one
// fsync) for the group: a commit per mail capped the outbox near 280
// mails/s. A group is committed when it holds SentGroupMax mails, when its
// first mail has waited sentGroupWait, and always before the postman reads
// the queue again (the end of a lane in sendDue), so a mail accepted but
// not yet marked is never handed out twice.
//
// The cost is the duplicate window: a daemon killed after a mail's 250 and
// before its group commits sends it again on restart, and that is now up
// to a whole group (at most SentGroupMax mails, accepted within about
// sentGroupWait plus one send), not one mail.
const (
	// SentGroupMax is the most mails one commit marks sent, and so the
	// most a kill can make the daemon send twice.
	// Small, because every mail of a group is sent twice after a kill at
	// the wrong moment (TestFaultCrash: 26 duplicates in 5 kills with
	// groups of 20 and 50 ms); 8 still cuts the commits eightfold.
	SentGroupMax  = 8
	sentGroupWait = 10 * time.Millisecond
)

// accepted is a mail the server took (its 250), waiting for its group to
// be marked sent.
type accepted struct {
	m        *OutgoingMail
	sent     SentMail // for the Sent copy
	at       time.Time
	took     time.Duration // the SMTP transaction, for the log
	attempts int
	log      *slog.Logger
}

// sentGroup collects accepted mails from the parallel senders of one
// batch.
type sentGroup struct {
	mu    sync.Mutex
	items []accepted
	first time.Time // when items[0] was accepted
}

// add puts a in the group and returns the group to commit when it is full
// or its first mail has waited long enough (the caller commits it), or nil.
func (g *sentGroup) add(a accepted) []accepted {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.items) == 0 {
		g.first = a.at
	}
	g.items = append(g.items, a)
	if len(g.items) < SentGroupMax && a.at.Sub(g.first) < sentGroupWait {
		return nil
	}
	return g.takeLocked()
}

// take empties the group and returns what it held.
func (g *sentGroup) take() []accepted {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.takeLocked()
}

func (g *sentGroup) takeLocked() []accepted {
	out := g.items
	g.items = nil
	return out
}

// markSent records a group of accepted mails as sent in one transaction,
// then logs each and hands its Sent copy to the copier: by its queue, or,
// when that is full, kept in the store with the mark (reserveCopies). A
// mail the store did not record stays pending and may be sent again; that
// is logged.
func (p *Postman) markSent(ctx context.Context, group []accepted) {
	if len(group) == 0 {
		return
	}
	queued, marks := p.reserveCopies(group)
	errs, err := p.Store.MarkSentMany(ctx, marks)
	kept, unused := false, 0
	for i, a := range group {
		if e := itemErr(errs, err, i); e != nil {
			a.log.Error("sent but not recorded; it may be sent again", "err", e)
			if queued[i] {
				unused++
			}
			continue
		}
		a.log.Info("mail sent", "lane", a.m.Lane().String(), "attempts", a.attempts,
			"queued_ms", a.at.Sub(a.m.CreatedAt).Milliseconds(), "smtp_ms", a.took.Milliseconds())
		switch {
		case queued[i]:
			p.copies <- a // its place is reserved: never blocks
		case marks[i].Raw != nil:
			kept = true
		}
	}
	p.releaseCopies(unused)
	if kept {
		p.kept.Ring()
	}
}

// itemErr is why item i of a store call over many (MarkSentMany) was not
// recorded: the call's own error, else the item's.
func itemErr(errs []error, err error, i int) error {
	if err != nil {
		return err
	}
	return errs[i]
}
