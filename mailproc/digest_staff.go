package mailproc

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// StaffDigest sends staff, at the desk's opening time on each working day,
// the day's list: the open cases, those past their deadline and those due
// today. The day is recorded in desk_state in the same transaction that
// queues the mail, so it goes out once a day however often the daemon
// restarts.
type StaffDigest struct {
	Store    Store
	Composer *Composer
	// Calendar says when the desk opens; nil: every day at 00.00.
	Calendar *ServiceCalendar
	Location *time.Location
	// OpenCases reads the cases not yet closed (the database).
	OpenCases func(ctx context.Context) ([]*Case, error)
	// Recorded reports whether a desk-state key is set (a cheap look
	// before reading the cases; the transaction decides); optional.
	Recorded func(ctx context.Context, key string) (bool, error)
	OnCommit func()
	// Poll is how often Run looks (a minute when 0).
	Poll   time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// StaffDigestDue says whether today's digest is due at now: the desk
// opened today (in loc) at or before now. day names the day.
func StaffDigestDue(now time.Time, loc *time.Location, cal *ServiceCalendar) (day string, due bool) {
	local := now.In(loc)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	day = midnight.Format("2006-01-02")
	opens := midnight
	if cal != nil {
		opens = cal.NextOpen(midnight)
	}
	return day, opens.In(loc).Format("2006-01-02") == day && !now.Before(opens)
}

// DigestLists splits the open cases into those past their deadline and
// those due later today (in loc), each in deadline order as given.
func DigestLists(cases []*Case, now time.Time, loc *time.Location) (overdue, dueToday []*Case) {
	local := now.In(loc)
	end := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	for _, c := range cases {
		switch {
		case !c.State.Open() || c.DueAt.IsZero() || (c.State == StateDijawab && !c.NeedsFollowUp):
		case now.After(c.DueAt):
			overdue = append(overdue, c)
		case c.DueAt.Before(end):
			dueToday = append(dueToday, c)
		}
	}
	return overdue, dueToday
}

// SendDue queues today's digest unless it went out already.
func (d *StaffDigest) SendDue(ctx context.Context) (sent bool, err error) {
	if d.Composer == nil || len(d.Composer.Staff) == 0 || d.OpenCases == nil {
		return false, nil
	}
	now := d.now()
	day, due := StaffDigestDue(now, d.location(), d.Calendar)
	if !due {
		return false, nil
	}
	if d.Recorded != nil {
		if done, err := d.Recorded(ctx, "staff_digest:"+day); err != nil || done {
			return false, err
		}
	}
	cases, err := d.OpenCases(ctx)
	if err != nil {
		return false, err
	}
	err = d.Store.Intake(ctx, func(tx IntakeTx) error {
		sent = false
		first, err := tx.SetDeskStateOnce("staff_digest:"+day, "", now)
		if err != nil || !first {
			return err
		}
		sent = true
		return tx.EnqueueMail(d.compose(cases, now))
	})
	return sent, err
}

// compose writes the digest: counts first, then the two lists.
func (d *StaffDigest) compose(cases []*Case, now time.Time) *OutgoingMail {
	loc := d.location()
	var open []*Case
	for _, c := range cases {
		if c.State.Open() {
			open = append(open, c)
		}
	}
	overdue, today := DigestLists(open, now, loc)
	var b strings.Builder
	fmt.Fprintf(&b, "Ringkasan harian %s\n\nKasus terbuka: %d\nMelewati batas waktu: %d\nJatuh tempo hari ini: %d\n",
		FormatTanggal(now, loc), len(open), len(overdue), len(today))
	list := func(title string, cs []*Case) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", title)
		for _, c := range cs {
			b.WriteString("- " + caseListLine(c, loc, "") + "\n")
		}
	}
	list("Melewati batas waktu", overdue)
	list("Jatuh tempo hari ini", today)
	b.WriteString("\nUntuk menjawab, balas email notifikasi kasus masing-masing.\n")
	return &OutgoingMail{
		// Staff are the audience, like a notification.
		Purpose:   PurposeNotify,
		MessageID: NewMessageID(PurposeNotify, "", d.Composer.Desk.Address),
		From:      Address{Name: d.Composer.Desk.Name, Addr: d.Composer.Desk.Address},
		To:        d.Composer.Staff,
		Subject: SanitizeHeader(fmt.Sprintf("Ringkasan harian %s: %d terbuka, %d terlambat, %d jatuh tempo hari ini",
			FormatTanggal(now, loc), len(open), len(overdue), len(today)), 250),
		Date: now,
		Text: b.String(),
	}
}

// Run sends each working day's digest when the desk opens, until ctx ends.
func (d *StaffDigest) Run(ctx context.Context) error {
	return runDaily(ctx, d.Poll, d.SendDue, d.OnCommit, d.logger(), "staff digest")
}

// runDaily calls send every poll (a minute when 0) until ctx ends, waking
// the postman after a mail was queued: the loop of the mails that go out
// at a time of day (the staff digest, the month report, the ops list of
// mail on no case).
func runDaily(ctx context.Context, poll time.Duration, send func(context.Context) (bool, error), onCommit func(), log *slog.Logger, what string) error {
	if poll <= 0 {
		poll = time.Minute
	}
	for {
		if sent, err := send(ctx); err != nil && ctx.Err() == nil {
			log.Error(what, "err", err)
		} else if sent && onCommit != nil {
			onCommit()
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

func (d *StaffDigest) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *StaffDigest) location() *time.Location {
	if d.Location != nil {
		return d.Location
	}
	return time.UTC
}

func (d *StaffDigest) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}
