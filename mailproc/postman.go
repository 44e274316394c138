package mailproc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Postman empties the outbox: it sends each pending mail when it is due,
// retries temporary failures with capped exponential backoff, fails
// permanent ones (and tells ops in the same transaction), and appends a
// copy of what it sent to the desk's Sent folder.
//
// Three windows in which a mail can go out twice, none closable (SMTP has
// no idempotency key): the daemon is killed after the SMTP server said 250
// and before the mail's group is marked sent (sentGroup: up to
// SentGroupMax mails accepted within about sentGroupWait; on restart
// their rows are still pending); the
// connection is lost after the message data went out but before the reply
// (a temporary error: retried, though the server may have taken it); and
// marking the group sent fails after the 250s (logged, the rows stay
// pending).
type Postman struct {
	Store  OutboxStore
	Sender Sender
	Copier SentCopier // nil: no Sent copy
	// SentCopy is which mails the Copier gets (imap.sent_copy); "": all.
	SentCopy SentCopy
	// Composer writes the ops notice for a permanent failure; nil: none.
	Composer *Composer
	// Cases finds a mail's case for the notice; nil: the notice has no number.
	Cases func(ctx context.Context, id int64) (*Case, error)
	// Held renders the staff notifications queued unrendered
	// (OutgoingMail.Held) with Composer; nil: none are expected, and one
	// that comes due is an error.
	Held HeldNotifyStore

	// Connections is how many mails are sent at once (config
	// smtp.connections); 0: one.
	Connections int

	RetryMin, RetryMax time.Duration // backoff between attempts
	GiveUpAfter        time.Duration // a mail still failing this long after it was queued fails
	Now                func() time.Time
	Logger             *slog.Logger

	wake Wakeup // made by NewPostman
	// The Sent-folder copier's queue (copyLoop) and its free places,
	// made by Run; kept rings the copier when copies were kept in the
	// store because the queue was full.
	copies chan accepted
	places chan struct{}
	kept   Wakeup

	pace map[Lane]*pacer // each lane's, made by NewPostman
}

// pacer keeps a paced lane's next free slot (PaceSlot).
type pacer struct {
	mu   sync.Mutex
	next time.Time
}

// NewPostman returns a postman with the fields of p, ready to Run.
func NewPostman(p Postman) *Postman {
	p.wake, p.pace = NewWakeup(), map[Lane]*pacer{}
	for l := LaneCitizen; l <= LaneBurst; l++ {
		p.pace[l] = new(pacer)
	}
	return &p
}

// copyQueueMax is how many sent mails wait in memory for their Sent copy.
// The copies are made apart from the sending (copyLoop): an IMAP APPEND
// and its commit per group took the senders' time, and under a backlog
// the postman sent 5–7 mails a second while citizens wrote 10 (issue 14).
// A sender never waits for the copier: when the queue is full, the bytes
// of the mails it sent are kept in the store with their mark
// (SentMark.Raw) and copied from there once the queue is empty, so the
// pace of the Sent folder (a remote server's APPEND can take a few hundred
// ms) never holds a citizen's mail. Small, because a kill loses the copies
// still queued (the mails are sent and marked; their copies are not made).
const copyQueueMax = 64

// copyGroupMax is the most copies one commit marks copied.
const copyGroupMax = 32

// batch is how many due mails are read at a time.
const postmanBatch = 20

// Wake tells the postman that mail was queued. It never blocks.
func (p *Postman) Wake() { p.wake.Ring() }

// Run sends until ctx ends. A mail being sent when ctx ends is finished.
func (p *Postman) Run(ctx context.Context) error {
	if p.wake == nil {
		return errors.New("outbox: postman not made with NewPostman")
	}
	p.copies, p.places, p.kept = make(chan accepted, copyQueueMax), make(chan struct{}, copyQueueMax), NewWakeup()
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		p.copyLoop(ctx)
	}()
	// The senders are done when sendDue returns: no more copies come.
	defer func() {
		close(p.copies)
		<-copied
	}()
	for {
		more, err := p.sendDue(ctx)
		if err != nil && ctx.Err() == nil { // a read cut short by shutdown is no error
			p.log().Error("outbox", "err", err)
		}
		if more && err == nil && ctx.Err() == nil {
			continue
		}
		wait := p.retryMin()
		if err == nil {
			if at, ok, err := p.Store.NextAttempt(ctx); err != nil {
				if ctx.Err() == nil {
					p.log().Error("outbox: next attempt", "err", err)
				}
			} else if ok {
				wait = max(at.Sub(p.now()), 0)
			} else {
				wait = time.Hour
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-p.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// sendDue sends one batch of due mail, in lane order (DueMail), over
// Connections senders at once; more reports a full batch, or a batch cut
// short. A lane's mails are all sent before the next lane's first is
// begun, so with parallel senders too a citizen's acknowledgement is
// accepted before the staff notification of the same case. The batch is
// cut short when new mail was queued (Wake): it is read again, so a
// citizen's acknowledgement queued meanwhile goes next, not after the rest
// of a backlog.
func (p *Postman) sendDue(ctx context.Context) (more bool, err error) {
	due, err := p.Store.DueMail(ctx, p.now(), postmanBatch)
	if err != nil {
		return false, err
	}
	full := len(due) == postmanBatch
	if due, err = p.renderHeld(ctx, due); err != nil {
		return false, err
	}
	var cut atomic.Bool
	var group sentGroup
	for first := true; len(due) > 0 && ctx.Err() == nil && !cut.Load(); first = false {
		n := 1
		for n < len(due) && due[n].Lane() == due[0].Lane() {
			n++
		}
		lane := due[:n]
		due = due[n:]
		// A whole batch of one lane is a backlog (Lane.Pace).
		l := lane[0].Lane()
		pace := l.Pace(n == postmanBatch)
		var next atomic.Int64
		work := func() {
			for ctx.Err() == nil && !cut.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(lane) {
					return
				}
				if (i > 0 || !first) && p.rang() || !p.waitPace(ctx, p.pace[l], pace) {
					cut.Store(true)
					return
				}
				if a := p.deliver(context.WithoutCancel(ctx), lane[i]); a != nil {
					p.markSent(context.WithoutCancel(ctx), group.add(*a))
				}
			}
		}
		var wg sync.WaitGroup
		for range min(max(p.Connections, 1), len(lane)) - 1 {
			wg.Go(work)
		}
		work()
		wg.Wait()
		// Before the next lane or the next read of the queue: a mail
		// accepted but not marked would be read as pending again.
		p.markSent(context.WithoutCancel(ctx), group.take())
	}
	if ctx.Err() != nil {
		return false, nil
	}
	return cut.Load() || full, nil
}

// waitPace waits for the lane's next slot (pc), its mails paced so
// (Lane.Pace; 0: at once). It reports false, the wait cut short, when new
// mail was queued (Wake: the queue is read again, a citizen's mail may be
// in it) or ctx ended.
func (p *Postman) waitPace(ctx context.Context, pc *pacer, pace time.Duration) bool {
	if pace <= 0 {
		return true
	}
	pc.mu.Lock()
	now := p.now()
	at, after := PaceSlot(pc.next, now, pace)
	pc.next = after
	pc.mu.Unlock()
	if !at.After(now) {
		return true
	}
	t := time.NewTimer(at.Sub(now))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.wake:
		return false
	case <-ctx.Done():
		return false
	}
}

// rang takes a waiting Wake, if any.
func (p *Postman) rang() bool {
	select {
	case <-p.wake:
		return true
	default:
		return false
	}
}

// deliver makes one attempt at m. A mail the server accepted is returned,
// to be marked sent with its group (markSent); a failure is recorded here.
func (p *Postman) deliver(ctx context.Context, m *OutgoingMail) *accepted {
	log := p.log().With("outbox_id", m.ID, "purpose", string(m.Purpose), "message_id", m.MessageID)
	attempts := m.Attempts + 1
	began := p.now()
	sent, err := p.Sender.SendMail(ctx, m)
	now := p.now()
	switch {
	case err == nil:
		return &accepted{m: m, sent: sent, at: now, took: now.Sub(began), attempts: attempts, log: log}
	case IsTemporary(err) && now.Sub(m.CreatedAt) < p.giveUpAfter():
		next := now.Add(p.backoff(attempts))
		log.Warn("send failed; will retry", "attempts", attempts, "retry_at", next, "err", err)
		if err := p.Store.MarkRetry(ctx, m.ID, attempts, next, err.Error()); err != nil {
			log.Error("outbox: record retry", "err", err)
		}
	default:
		why := err.Error()
		if IsTemporary(err) {
			why = "menyerah setelah " + FormatDurasi(p.giveUpAfter()) + ": " + why
		}
		log.Error("send failed permanently", "attempts", attempts, "err", err)
		p.fail(ctx, log, m, attempts, why)
	}
	return nil
}

// fail records that m failed for good, with the ops notice and case event
// of failureNotice.
func (p *Postman) fail(ctx context.Context, log *slog.Logger, m *OutgoingMail, attempts int, why string) {
	m.Attempts = attempts
	notice, ev := p.failureNotice(ctx, m, why)
	if err := p.Store.MarkFailed(ctx, m.ID, attempts, why, notice, ev); err != nil {
		log.Error("outbox: record failure", "err", err)
		return
	}
	if notice != nil {
		p.Wake()
	}
}

// renderHeld renders the held staff notifications among due (queued
// unrendered by Ingester.notifyStaff) in one transaction, before any of
// due is sent, and returns due without any that could not be rendered
// (its mail or case gone): that one fails, with the notice any failed
// mail gets. Rendering here, rather than when the digester releases them
// (FlushBurstDigest), costs a transaction of at most a batch, at the
// burst lane's pace (BurstPace), however many a release lets go (a flood
// holds tens of thousands a minute: rendered in the release, they would
// hold the database from intake for seconds); and a held notification
// that comes due without a release (its NotifyDigestWindow ran out) is
// rendered the same way. A crash before the render commits leaves the row
// unrendered and pending: it is rendered when it is next read.
func (p *Postman) renderHeld(ctx context.Context, due []*OutgoingMail) ([]*OutgoingMail, error) {
	var held []*OutgoingMail
	for _, m := range due {
		if m.Held != nil {
			held = append(held, m)
		}
	}
	if len(held) == 0 {
		return due, nil
	}
	if p.Held == nil || p.Composer == nil {
		return nil, errors.New("outbox: a held staff notification is due, and nothing renders it")
	}
	errs, err := p.Held.RenderHeld(ctx, held, p.Composer.RenderHeld)
	if err != nil {
		return nil, fmt.Errorf("outbox: render held notifications: %w", err)
	}
	failed := make(map[*OutgoingMail]bool)
	for i, err := range errs {
		if err != nil {
			m := held[i]
			log := p.log().With("outbox_id", m.ID, "purpose", string(m.Purpose), "message_id", m.MessageID)
			log.Error("held notification cannot be rendered", "err", err)
			p.fail(ctx, log, m, m.Attempts, "tidak dapat disusun: "+err.Error())
			failed[m] = true
		}
	}
	if len(failed) == 0 {
		return due, nil
	}
	var out []*OutgoingMail
	for _, m := range due {
		if !failed[m] {
			out = append(out, m)
		}
	}
	return out, nil
}

// failureNotice is the ops mail and case event for a mail that failed for
// good. A failed ops notice itself only gets logged: telling ops that the
// mail to ops failed could loop.
func (p *Postman) failureNotice(ctx context.Context, m *OutgoingMail, why string) (*OutgoingMail, *Event) {
	var cs *Case
	if m.CaseID != 0 && p.Cases != nil {
		cs, _ = p.Cases(ctx, m.CaseID)
	}
	var ev *Event
	if cs != nil {
		ev = &Event{CaseID: cs.ID, At: p.now(), Actor: ActorSystem, Type: EventDelivery,
			Detail: "email " + string(m.Purpose) + " ke " + strings.Join(m.Recipients(), ", ") + " gagal: " + firstLine(why)}
	}
	if m.Purpose == PurposeOps || p.Composer == nil || len(p.Composer.Ops) == 0 {
		return nil, ev
	}
	notice, err := p.Composer.OpsDeliveryFailed(m, cs, why, false)
	if err != nil {
		p.log().Error("outbox: compose failure notice", "err", err)
		return nil, ev
	}
	return notice, ev
}

// copyLoop makes the Sent copies the senders queue (markSent), a
// group at a time, until the queue is closed; the copies kept in the store
// (the queue was full, or an append failed) when the queue is empty and
// the senders kept some, and every minute. The queue is emptied before it
// returns, also once ctx has ended: the mails are sent, their copies are
// still owed.
func (p *Postman) copyLoop(ctx context.Context) {
	retry := time.NewTicker(time.Minute)
	defer retry.Stop()
	ctx = context.WithoutCancel(ctx)
	for {
		// The queue first: the store's copies only when it is empty.
		var a accepted
		var ok bool
		select {
		case a, ok = <-p.copies:
		default:
			select {
			case a, ok = <-p.copies:
			case <-p.kept:
				p.retryCopies(ctx)
				continue
			case <-retry.C:
				p.retryCopies(ctx)
				continue
			}
		}
		if !ok {
			return
		}
		group, open := p.takeCopies(a)
		p.copySent(ctx, group)
		if !open {
			return
		}
	}
}

// takeCopies is first and whatever else is queued, up to copyGroupMax,
// their places freed; open is false when the queue was found closed.
func (p *Postman) takeCopies(first accepted) (group []accepted, open bool) {
	group = []accepted{first}
	<-p.places
	for len(group) < copyGroupMax {
		select {
		case a, ok := <-p.copies:
			if !ok {
				return group, false
			}
			<-p.places
			group = append(group, a)
		default:
			return group, true
		}
	}
	return group, true
}

// reserveCopies decides how each mail of a group gets its Sent copy: by
// the copier's queue while it has places (queued[i]: markSent puts it
// there once it is marked), else from the store (SentMark.Raw). A mail
// with attachments is streamed from the archive, never held whole in
// memory, so it waits for a place instead.
func (p *Postman) reserveCopies(group []accepted) (queued []bool, marks []SentMark) {
	queued = make([]bool, len(group))
	marks = make([]SentMark, len(group))
	for i, a := range group {
		marks[i] = SentMark{ID: a.m.ID, At: a.at}
		if p.Copier == nil || a.sent.Empty() || !p.SentCopy.Copies(a.m.Purpose) {
			continue
		}
		select {
		case p.places <- struct{}{}:
			queued[i] = true
			continue
		default:
		}
		if a.sent.Rewrite != nil {
			p.places <- struct{}{}
			queued[i] = true
			continue
		}
		marks[i].Raw = a.sent.Raw
	}
	return queued, marks
}

// releaseCopies gives back the places of queued mails that will not be
// queued (their mark failed).
func (p *Postman) releaseCopies(n int) {
	for range n {
		<-p.places
	}
}

// copySent appends the sent mails to the Sent folder and marks those
// copied in one transaction; a mail whose append fails keeps its raw bytes
// and the copy is retried every minute.
func (p *Postman) copySent(ctx context.Context, sent []accepted) {
	if p.Copier == nil {
		return
	}
	var ids []int64
	var logs []*slog.Logger
	for _, a := range sent {
		if a.sent.Empty() {
			continue
		}
		if err := p.Copier.AppendSent(ctx, a.sent, a.at); err != nil {
			a.log.Warn("copy to Sent folder failed; will retry", "err", err)
			// Kept in the database until the retry: a mail with
			// attachments is read from the archive into memory for it.
			raw, err := a.sent.Bytes()
			if err == nil {
				err = p.Store.SetCopyPending(ctx, a.m.ID, raw)
			}
			if err != nil {
				a.log.Error("outbox: keep copy", "err", err)
			}
			continue
		}
		ids, logs = append(ids, a.m.ID), append(logs, a.log)
	}
	if len(ids) == 0 {
		return
	}
	errs, err := p.Store.MarkCopiedMany(ctx, ids, p.now())
	for i, log := range logs {
		if e := itemErr(errs, err, i); e != nil {
			log.Error("outbox: record copy", "err", e)
		}
	}
}

func (p *Postman) retryCopies(ctx context.Context) {
	if p.Copier == nil {
		return
	}
	for {
		pending, err := p.Store.CopyPending(ctx, copyGroupMax)
		if err != nil {
			p.log().Error("outbox: pending copies", "err", err)
			return
		}
		var ids []int64
		failed := false
		for _, c := range pending {
			if err := p.Copier.AppendSent(ctx, SentMail{Raw: c.Raw}, c.SentAt); err != nil {
				p.log().Warn("copy to Sent folder failed again", "outbox_id", c.ID, "err", err)
				failed = true
				break
			}
			ids = append(ids, c.ID)
		}
		if len(ids) > 0 {
			errs, err := p.Store.MarkCopiedMany(ctx, ids, p.now())
			for i, id := range ids {
				if e := itemErr(errs, err, i); e != nil {
					p.log().Error("outbox: record copy", "outbox_id", id, "err", e)
					failed = true // not to read it again at once
				}
			}
		}
		// Newer copies in the queue go before the rest of these.
		if failed || len(pending) < copyGroupMax || len(p.copies) > 0 {
			return
		}
	}
}

// backoff is RetryMin doubled per attempt, capped at RetryMax, ±20%.
func (p *Postman) backoff(attempts int) time.Duration {
	d := p.retryMin()
	for i := 1; i < attempts && d < p.retryMax(); i++ {
		d *= 2
	}
	d = min(d, p.retryMax())
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

func (p *Postman) retryMin() time.Duration {
	if p.RetryMin > 0 {
		return p.RetryMin
	}
	return 30 * time.Second
}

func (p *Postman) retryMax() time.Duration {
	if p.RetryMax > 0 {
		return p.RetryMax
	}
	return 30 * time.Minute
}

func (p *Postman) giveUpAfter() time.Duration {
	if p.GiveUpAfter > 0 {
		return p.GiveUpAfter
	}
	return 24 * time.Hour
}

func (p *Postman) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Postman) log() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}
