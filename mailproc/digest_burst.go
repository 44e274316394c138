package mailproc

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// The burst digest (issue 14): when more than desk.notify_digest_over staff
// notifications were queued in the last NotifyDigestWindow or are known to
// be coming — a flood of mail, a start-up backlog that intake found
// waiting — the next ones are held: staff get one
// mail listing their cases, and the notifications themselves follow it in
// LaneBurst, after every other mail. Staff still answer a case by replying
// to its own notification, so the Reply path and the trust gate are those
// of any notification: no new address, no new token. A reply to the digest
// carries no token and names no case; the gate refuses it like any mail
// that answers nothing, and the sender gets the help mail that says so.

const (
	// NotifyDigestWindow is how far back the notifications that make a
	// burst are counted.
	NotifyDigestWindow = 5 * time.Minute
	// BurstQuiet: the digest goes out once no notification was held for
	// this long (the burst has paused) …
	BurstQuiet = 10 * time.Second
	// BurstMaxHold: … or once the oldest held one has waited this long (a
	// burst that goes on gets a digest a minute).
	BurstMaxHold = time.Minute
	// burstListMax bounds the cases a digest lists; the rest are counted.
	burstListMax = 100
	// burstPoll is how often the digester looks for held notifications.
	burstPoll = 2 * time.Second
)

// NotifyDigested decides whether a staff notification is held for a burst
// digest: recent is how many staff notifications were queued in the
// NotifyDigestWindow before it (counted up to over), behind how many more
// mails the intake already knows wait after it (Delivery.Behind), over is
// desk.notify_digest_over (0: never). Held once more than over are known,
// queued or waiting: a backlog found at start-up reaches staff as one
// digest, not as its first over mails one by one and then a digest. Of a
// burst that nobody could see coming, the first over still go out one by
// one.
func NotifyDigested(recent, behind, over int) bool { return over > 0 && recent+behind >= over }

// BurstDigestDue says whether the held notifications, the oldest queued at
// oldest and the newest at newest, are to be listed and released at now.
func BurstDigestDue(oldest, newest, now time.Time) bool {
	return !now.Before(newest.Add(BurstQuiet)) || !now.Before(oldest.Add(BurstMaxHold))
}

// BurstStore keeps the held notifications (the SQLite adapter).
type BurstStore interface {
	// FlushBurstDigest, in one transaction, looks at the notifications
	// held for a burst digest; when due(oldest, newest) says so, it queues
	// compose(cases, total) — the held notifications' cases, the first
	// limit by deadline, and how many cases there are — unless compose
	// returns nil, and releases every held notification: due at now, in
	// LaneBurst. It returns how many notifications it released.
	FlushBurstDigest(ctx context.Context, now time.Time, due func(oldest, newest time.Time) bool, limit int,
		compose func(cases []*Case, total int) (*OutgoingMail, error)) (int, error)
}

// BurstDigester sends the burst digests and releases the notifications
// they list.
type BurstDigester struct {
	Store    BurstStore
	Composer *Composer
	OnCommit func() // wakes the postman
	Now      func() time.Time
	Logger   *slog.Logger
}

// Flush queues the digest of the held notifications if it is due, and
// releases them; sent reports whether anything was queued or released.
func (d *BurstDigester) Flush(ctx context.Context) (sent bool, err error) {
	now := d.now()
	n, err := d.Store.FlushBurstDigest(ctx, now, func(oldest, newest time.Time) bool {
		return BurstDigestDue(oldest, newest, now)
	}, burstListMax, func(cases []*Case, total int) (*OutgoingMail, error) {
		if total < 2 || d.Composer == nil || len(d.Composer.Staff) == 0 {
			return nil, nil // one case is its own notification
		}
		return d.Composer.BurstDigest(cases, total, now), nil
	})
	if n > 0 {
		d.logger().Info("burst digest queued", "notifications", n)
	}
	return n > 0, err
}

// Run flushes every two seconds until ctx ends.
func (d *BurstDigester) Run(ctx context.Context) error {
	return runDaily(ctx, burstPoll, d.Flush, d.OnCommit, d.logger(), "burst digest")
}

// BurstDigest composes the digest of a burst to all staff: how many cases,
// that their notifications follow and are what to reply to, and the cases
// by deadline (number, kind, channel, deadline, how long ago it came, the
// subject as the desk echoes it). Its subject names no case, and its
// Message-ID is no token: a reply to it acts on nothing.
func (c *Composer) BurstDigest(cases []*Case, total int, now time.Time) *OutgoingMail {
	loc := c.Desk.Location
	var b strings.Builder
	fmt.Fprintf(&b, "Ringkasan kasus baru, %s\n\n", FormatWaktu(now, loc))
	fmt.Fprintf(&b, "%d kasus masuk hampir bersamaan. Notifikasi tiap kasus menyusul setelah email ini, satu per satu.\n", total)
	b.WriteString("Untuk menjawab warga, balas notifikasi kasusnya (subjeknya diawali nomor kasus). " +
		"Balasan ke ringkasan ini tidak diteruskan ke warga.\n\nMenurut batas waktu:\n")
	for _, cs := range cases {
		b.WriteString("- " + caseListLine(cs, loc, "masuk "+FormatDurasi(now.Sub(cs.OpenedAt))+" lalu") + "\n")
	}
	if more := total - len(cases); more > 0 {
		fmt.Fprintf(&b, "… dan %d kasus lainnya (mailproc cases list).\n", more)
	}
	return &OutgoingMail{
		Purpose:   PurposeNotify,
		MessageID: NewMessageID(PurposeNotify, "", c.Desk.Address),
		From:      Address{Name: c.Desk.Name, Addr: c.Desk.Address},
		To:        c.Staff,
		Subject:   fmt.Sprintf("Ringkasan %d kasus baru (notifikasi menyusul)", total),
		Date:      now,
		Text:      b.String(),
	}
}

// caseListLine is a case as the staff digests list it: number, kind,
// channel, deadline, extra (if any), and the subject as the desk echoes it.
func caseListLine(c *Case, loc *time.Location, extra string) string {
	parts := []string{c.Number, c.Kind.Label(), string(c.Channel.OrEmail()), "batas " + FormatWaktu(c.DueAt, loc)}
	if extra != "" {
		parts = append(parts, extra)
	}
	return strings.Join(append(parts, EchoSubject(c.Subject)), "  ")
}

// notifyStaff queues the staff notification of msg on c — held for the
// burst digest when NotifyDigested says so: due only after
// NotifyDigestWindow (the digester releases it sooner), in LaneBurst, and
// queued unrendered (Composer.HeldNotify). In a burst nearly every
// notification is held, and rendering it here (the template, text and
// HTML) was a fifth of the intake commit's CPU, and its longer row more
// (issue 14, docs/benchmarks.md), for a mail that leaves minutes later;
// the postman renders it when it picks it up (Postman.renderHeld).
func (in *Ingester) notifyStaff(tx IntakeTx, msg *Message, c *Case, followUp, reopened bool, now time.Time) error {
	held := false
	if in.NotifyDigestOver > 0 {
		recent, err := tx.CountQueuedUpTo(PurposeNotify, now.Add(-NotifyDigestWindow), in.NotifyDigestOver)
		if err != nil {
			return err
		}
		held = NotifyDigested(recent, msg.Delivery.Behind, in.NotifyDigestOver)
	}
	if !held {
		n, err := in.Composer.Notify(msg, c, followUp, reopened)
		if err != nil {
			return err
		}
		return tx.EnqueueMail(n)
	}
	n := in.Composer.HeldNotify(msg, c, followUp, reopened)
	n.Burst, n.NextAttempt = true, now.Add(NotifyDigestWindow)
	return tx.EnqueueMail(n)
}

func (d *BurstDigester) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *BurstDigester) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}
