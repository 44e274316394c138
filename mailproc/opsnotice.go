package mailproc

import (
	"context"
	"log/slog"
	"time"
)

// Ops notices are coalesced: ops hears of each kind of trouble (a
// quarantined mail, a delivery failure, a forged staff reply, the
// acknowledgement budget …) at most once per desk.ops_notice_interval. A
// notice that comes sooner is held in the database; when the interval since
// the last notice of its kind has passed, the held ones go out as one digest
// mail, which counts as that interval's notice. A flood of forged mail
// therefore costs ops a handful of mails, not one per forgery, and because
// the times and the held notices are in the database, a restart neither
// forgets them nor sends a burst.

// DefaultOpsNoticeInterval is desk.ops_notice_interval's default.
const DefaultOpsNoticeInterval = 15 * time.Minute

// OpsNoticeNow decides whether an ops notice of a kind whose last notice
// (or digest) went out at last (zero: never) may go out at now; otherwise
// it is held for the digest.
func OpsNoticeNow(last, now time.Time, interval time.Duration) bool {
	return last.IsZero() || !now.Before(last.Add(interval))
}

// HeldOpsNotice is an ops notice held for the digest.
type HeldOpsNotice struct {
	Kind    string
	At      time.Time
	Subject string
	Text    string
}

// OpsDigestStore keeps the held notices. The SQLite adapter implements it,
// and coalesces ops notices in IntakeTx.EnqueueMail itself.
type OpsDigestStore interface {
	// FlushOpsDigests, in one transaction, finds every kind with held
	// notices whose last notice is at least interval before now, queues
	// the mail compose makes of them, marks the kind sent at now, and
	// forgets the held notices. It returns how many digests it queued.
	FlushOpsDigests(ctx context.Context, now time.Time, interval time.Duration,
		compose func(kind string, held []HeldOpsNotice) (*OutgoingMail, error)) (int, error)
}

// OpsDigester sends the digests of held ops notices when their kind's
// interval has passed.
type OpsDigester struct {
	Store    OpsDigestStore
	Composer *Composer
	Interval time.Duration
	OnCommit func() // wakes the postman
	Now      func() time.Time
	Logger   *slog.Logger
}

// Run flushes due digests every Interval/15 (a minute by default) until ctx
// ends; a held notice waits at most that much longer than its interval.
func (d *OpsDigester) Run(ctx context.Context) error {
	t := time.NewTicker(max(d.interval()/15, time.Second))
	defer t.Stop()
	for {
		d.Flush(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Flush queues every due digest now.
func (d *OpsDigester) Flush(ctx context.Context) {
	n, err := d.Store.FlushOpsDigests(ctx, d.now(), d.interval(), d.Composer.OpsDigest)
	if err != nil {
		if ctx.Err() == nil {
			d.Logger.Error("ops digest", "err", err)
		}
		return
	}
	if n > 0 {
		d.Logger.Info("ops digest queued", "digests", n)
		if d.OnCommit != nil {
			d.OnCommit()
		}
	}
}

func (d *OpsDigester) interval() time.Duration {
	if d.Interval > 0 {
		return d.Interval
	}
	return DefaultOpsNoticeInterval
}

func (d *OpsDigester) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}
