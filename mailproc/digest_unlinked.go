package mailproc

import (
	"context"
	"log/slog"
	"time"
)

// UnlinkedDigest tells ops once a day what mail was stored on no case in
// the 24 hours before: auto-replies, lists, reports, bounces about nothing
// of ours. Nobody is paged for such mail when it arrives; this one list is
// where a person looks at it. Each day's digest is recorded in the same
// transaction that queues it, so it goes out once however often the daemon
// restarts; a day with nothing stored sends nothing.
type UnlinkedDigest struct {
	Store    Store
	Composer *Composer
	// Hour is the local hour (in Location) the digest goes out, before
	// the office opens.
	Hour     int
	Location *time.Location
	OnCommit func() // after a digest was queued (wakes the postman); optional
	Now      func() time.Time
	Logger   *slog.Logger
}

// digestWindow returns the digest due at now: its name and the 24 hours it
// covers, ending at the latest Hour:00 at or before now.
func digestWindow(now time.Time, loc *time.Location, hour int) (name string, since, until time.Time) {
	local := now.In(loc)
	until = time.Date(local.Year(), local.Month(), local.Day(), hour, 0, 0, 0, loc)
	if until.After(local) {
		until = until.AddDate(0, 0, -1)
	}
	return "unlinked " + until.Format("2006-01-02"), until.AddDate(0, 0, -1), until
}

// SendDue queues the digest due now unless it went out already.
func (d *UnlinkedDigest) SendDue(ctx context.Context) (sent bool, err error) {
	if d.Composer == nil || len(d.Composer.Ops) == 0 {
		return false, nil
	}
	now := d.now()
	name, since, until := digestWindow(now, d.location(), d.Hour)
	err = d.Store.Intake(ctx, func(tx IntakeTx) error {
		sent = false
		added, err := tx.SetDeskStateOnce("digest:"+name, "", now)
		if err != nil || !added {
			return err
		}
		msgs, err := tx.UnlinkedMessages(since, until)
		if err != nil || len(msgs) == 0 {
			return err
		}
		out, err := d.Composer.OpsUnlinked(msgs, since, until)
		if err != nil {
			return err
		}
		sent = true
		return tx.EnqueueMail(out)
	})
	return sent, err
}

// Run sends each day's digest when it is due, until ctx ends: the same
// loop as the other mails that go out at a time of day (runDaily); the
// digest's once-a-day mark makes every poll after the first a no-op.
func (d *UnlinkedDigest) Run(ctx context.Context) error {
	return runDaily(ctx, time.Minute, d.SendDue, d.OnCommit, d.logger(), "unlinked digest")
}

func (d *UnlinkedDigest) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *UnlinkedDigest) location() *time.Location {
	if d.Location != nil {
		return d.Location
	}
	return time.UTC
}

func (d *UnlinkedDigest) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}
