package mailproc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// Escalator tells the chain of heads about overdue cases: the Kepala Seksi
// Pelayanan when a case passes its deadline unanswered, the Kepala Bagian
// Pelayanan when the Kepala Seksi's time passes too (Kepala Seksi in Cc),
// then the Kepala Dinas. It sleeps until the earliest EscalateAt in the
// database — not a coarse poll — and is woken when cases change. Each
// escalation is written in the same transaction as its outbox mail, so a
// crash neither loses one nor sends one twice.
type Escalator struct {
	Store Store
	// Next returns the earliest pending EscalateAt (the database's index).
	Next      func(ctx context.Context) (time.Time, bool, error)
	Composer  *Composer
	Directory Directory
	// After is how much service time each level has before the next level
	// is told: After[0] for the Kepala Seksi, and so on. 0: the chain stops
	// at that level.
	After []time.Duration
	Timer ServiceTimer
	// ReminderPercent: staff get one reminder when this share of a case's
	// promised time has passed unanswered. 0: no reminders.
	ReminderPercent int
	// DigestOver: when more than this many cases fall due for one head at
	// once (after downtime), they get one digest instead. 0 means 5.
	DigestOver int
	OnCommit   func()
	Now        func() time.Time
	Logger     *slog.Logger

	wake Wakeup // made by NewEscalator
}

// NewEscalator returns an escalator with the fields of e, ready to Run.
func NewEscalator(e Escalator) *Escalator {
	e.wake = NewWakeup()
	return &e
}

// Wake re-arms the timer: a case changed and may be due sooner. It never blocks.
func (e *Escalator) Wake() { e.wake.Ring() }

// Run escalates until ctx ends. On start it escalates, once, every case
// that fell due while the daemon was down.
func (e *Escalator) Run(ctx context.Context) error {
	if e.wake == nil {
		return errors.New("escalation: escalator not made with NewEscalator")
	}
	for {
		wait := time.Hour
		if err := e.EscalateDue(ctx); err != nil {
			if ctx.Err() == nil { // a read cut short by shutdown is no error
				e.log().Error("escalation", "err", err)
			}
			wait = 5 * time.Second
		} else if at, ok, err := e.Next(ctx); err != nil {
			if ctx.Err() == nil {
				e.log().Error("escalation: next deadline", "err", err)
			}
			wait = 5 * time.Second
		} else if ok {
			wait = max(at.Sub(e.now()), 0)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-e.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// escalationBatch bounds one transaction.
const escalationBatch = 500

// EscalateDue escalates every case whose EscalateAt has passed.
func (e *Escalator) EscalateDue(ctx context.Context) error {
	for {
		n := 0
		err := e.Store.Intake(context.WithoutCancel(ctx), func(tx IntakeTx) error {
			remind, err := tx.DueReminders(e.now(), escalationBatch)
			if err != nil {
				return err
			}
			if err := e.remindAll(tx, remind); err != nil {
				return err
			}
			due, err := tx.DueEscalations(e.now(), escalationBatch)
			if err != nil {
				return err
			}
			n = max(len(due), len(remind))
			return e.escalateAll(tx, due)
		})
		if err != nil {
			return err
		}
		if n > 0 && e.OnCommit != nil {
			e.OnCommit()
		}
		if n < escalationBatch {
			return nil
		}
	}
}

// ScheduleReminder sets c.RemindAt: ReminderPercent of the promised time
// after from, on the service calendar (zero when reminders are off).
func (e *Escalator) ScheduleReminder(c *Case, from time.Time) {
	c.RemindAt = time.Time{}
	if e == nil || e.ReminderPercent <= 0 || e.Composer == nil || c.EscalationLevel > 0 {
		return
	}
	d := e.Composer.Promise.For(c.Kind) * time.Duration(e.ReminderPercent) / 100
	if at := e.Timer.AddServiceTime(from, d); d > 0 && at.Before(c.DueAt) {
		c.RemindAt = at
	}
}

// remindAll sends staff the one reminder of each case.
func (e *Escalator) remindAll(tx IntakeTx, cases []*Case) error {
	now := e.now()
	for _, c := range cases {
		c.RemindAt, c.UpdatedAt = time.Time{}, now
		if err := tx.UpdateCase(c); err != nil {
			return err
		}
		if len(e.Composer.Staff) == 0 {
			continue
		}
		mail, err := e.Composer.Reminder(c)
		if err != nil {
			return err
		}
		if err := tx.EnqueueMail(mail); err != nil {
			return err
		}
		if err := tx.AddEvent(&Event{CaseID: c.ID, At: now, Actor: ActorSystem, Type: EventReminder,
			Detail: "petugas diingatkan; batas waktu " + FormatWaktu(c.DueAt, e.Composer.Desk.Location)}); err != nil {
			return err
		}
	}
	return nil
}

// escalateAll tells the next level of each due case, grouped per level so
// a head with many cases due at once gets one digest.
func (e *Escalator) escalateAll(tx IntakeTx, due []*Case) error {
	byLevel := map[int][]*Case{}
	var levels []int
	for _, c := range due {
		l := c.EscalationLevel + 1
		if _, ok := byLevel[l]; !ok {
			levels = append(levels, l)
		}
		byLevel[l] = append(byLevel[l], c)
	}
	limit := e.DigestOver
	if limit <= 0 {
		limit = 5
	}
	for _, level := range levels {
		cases := byLevel[level]
		if len(e.Directory.Heads(level)) > 0 && len(cases) > limit {
			if err := e.digest(tx, level, cases); err != nil {
				return err
			}
			continue
		}
		for _, c := range cases {
			if err := e.Escalate(tx, c, "", ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// Escalate tells the next level of the chain about c, now, inside tx:
// because its time passed (requestedBy "") or because staff asked
// (#eskalasi). It updates the case and its log and queues the mail.
func (e *Escalator) Escalate(tx IntakeTx, c *Case, requestedBy, reason string) error {
	mail, err := e.prepare(tx, c, requestedBy, reason)
	if err != nil || mail == nil {
		return err
	}
	return tx.EnqueueMail(mail)
}

// prepare moves c one level up and returns the mail for that level's heads
// (nil when the chain is exhausted; the case is then left as it is, with no
// further escalation pending).
func (e *Escalator) prepare(tx IntakeTx, c *Case, requestedBy, reason string) (*OutgoingMail, error) {
	now := e.now()
	if requestedBy == "" {
		// The deadline passed unanswered: the verdict is made now, even
		// when there is no head to tell.
		JudgeRunOut(c, e.Timer, now)
	}
	level := c.EscalationLevel + 1
	heads := e.Directory.Heads(level)
	if len(heads) == 0 {
		c.EscalateAt = time.Time{}
		c.UpdatedAt = now
		if err := tx.UpdateCase(c); err != nil {
			return nil, err
		}
		return nil, tx.AddEvent(&Event{CaseID: c.ID, At: now, Actor: ActorSystem, Type: EventEscalated,
			Detail: "tidak ada tingkat pimpinan berikutnya; eskalasi berhenti di tingkat " + strconv.Itoa(c.EscalationLevel)})
	}
	var told []Person
	for l := 1; l < level; l++ {
		told = append(told, e.Directory.Heads(l)...)
	}
	citizenMail, err := tx.LatestMessageFrom(c.ID, c.CitizenAddr)
	if err != nil {
		return nil, err
	}
	events, err := tx.Events(c.ID)
	if err != nil {
		return nil, err
	}
	mail, err := e.Composer.Escalation(c, level, heads, told, citizenMail, requestedBy, reason, e.history(events))
	if err != nil {
		return nil, err
	}
	late := FormatTerlambat(c.DueAt, now)
	if late != "" {
		late = "; terlambat " + late
	}
	c.EscalationLevel = level
	// An answered case that owes no follow-up (staff asked a head with
	// #eskalasi after answering) stays answered: it is not overdue, and
	// the chain does not climb by itself — only the head was asked.
	owes := c.State != StateDijawab || c.NeedsFollowUp
	if c.State.Open() && owes {
		c.State = StateDieskalasi
	}
	c.EscalateAt, c.RemindAt = time.Time{}, time.Time{}
	if owes && level <= len(e.After) && e.After[level-1] > 0 && len(e.Directory.Heads(level+1)) > 0 {
		c.EscalateAt = e.Timer.AddServiceTime(now, e.After[level-1])
	}
	c.UpdatedAt = now
	if err := tx.UpdateCase(c); err != nil {
		return nil, err
	}
	who := "batas waktu terlewati" + late
	actor := ActorSystem
	if requestedBy != "" {
		who, actor = "diminta oleh "+requestedBy, requestedBy
	}
	detail := fmt.Sprintf("tingkat %d (%s, %s) diberi tahu: %s", level, heads[0].Title, heads[0].Addr, who)
	if !c.EscalateAt.IsZero() {
		detail += "; tingkat berikutnya pada " + FormatWaktu(c.EscalateAt, e.Composer.Desk.Location)
	}
	return mail, tx.AddEvent(&Event{CaseID: c.ID, At: now, Actor: actor, Type: EventEscalated, Detail: detail})
}

// digest escalates many cases of one level with one mail to its heads.
func (e *Escalator) digest(tx IntakeTx, level int, cases []*Case) error {
	var lines []DigestLine
	for _, c := range cases {
		mail, err := e.prepare(tx, c, "", "")
		if err != nil {
			return err
		}
		if mail == nil {
			continue
		}
		// The per-case mail is not sent: the digest replaces it.
		lines = append(lines, DigestLine{Number: c.Number, KindLabel: c.Kind.Label(), CitizenAddr: c.CitizenAddr,
			Subject: SanitizeHeader(c.Subject, 100), DueAt: FormatWaktu(c.DueAt, e.Composer.Desk.Location),
			Late: FormatTerlambat(c.DueAt, e.now())})
	}
	if len(lines) == 0 {
		return nil
	}
	heads := e.Directory.Heads(level)
	var told []Person
	for l := 1; l < level; l++ {
		told = append(told, e.Directory.Heads(l)...)
	}
	mail, err := e.Composer.EscalationDigest(level, heads, told, lines)
	if err != nil {
		return err
	}
	return tx.EnqueueMail(mail)
}

// history renders a case's log for the head: when, who, what.
func (e *Escalator) history(events []*Event) []string {
	var out []string
	for _, ev := range events {
		out = append(out, ev.At.In(e.Composer.Desk.Location).Format("02-01 15.04")+"  "+string(ev.Type)+"  "+ev.Actor+": "+firstLine(ev.Detail))
	}
	if len(out) > 30 {
		out = append(out[:5:5], append([]string{"…"}, out[len(out)-24:]...)...)
	}
	return out
}

func (e *Escalator) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Escalator) log() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return slog.Default()
}
