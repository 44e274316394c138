package mailproc

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// MonthReportMailer mails the previous month's report to the heads of the
// chain on the first working day of each month at SendAt (report.send_at,
// 08.00 WIB by default): the HTML report as the body, its text as the
// plain alternative, the CSV attached. The month's key is recorded in
// desk_state in the same transaction that queues the mail, so it goes out
// exactly once across restarts; a daemon that was down at SendAt sends it
// when it comes back, on any later day of the month.
type MonthReportMailer struct {
	Store   Store
	Archive Archive
	// Calendar tells working days (the first day the desk opens); nil:
	// every day is one.
	Calendar *ServiceCalendar
	Location *time.Location
	// SendAt is the time of day after midnight, in Location.
	SendAt time.Duration
	Desk   Desk
	Heads  []Address
	// Render makes the report of a month as mailed: its title, text, HTML
	// and CSV (cmd/mailproc wires the report package).
	Render func(ctx context.Context, year int, month time.Month, now time.Time) (MonthReportDocs, error)
	// Recorded reports whether a desk-state key is set (a cheap look
	// before rendering; the transaction decides); optional.
	Recorded func(ctx context.Context, key string) (bool, error)
	OnCommit func()
	// Poll is how often Run looks (a minute when 0).
	Poll   time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// MonthReportDocs is one month's report in the forms it is mailed in.
type MonthReportDocs struct {
	Title, Text, HTML, CSV string
}

// MonthReportDue says which month's report is due at now: the previous
// month's, once now has reached SendAt on the first working day of now's
// month (in loc); ok is false before that.
func MonthReportDue(now time.Time, loc *time.Location, cal *ServiceCalendar, sendAt time.Duration) (year int, month time.Month, at time.Time, ok bool) {
	local := now.In(loc)
	first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, loc)
	day := first
	if cal != nil {
		day = cal.NextOpen(first).In(loc)
		if day.Month() != first.Month() { // a month without an open day
			day = first
		}
	}
	at = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).Add(sendAt)
	prev := first.AddDate(0, -1, 0)
	return prev.Year(), prev.Month(), at, !now.Before(at)
}

// monthReportKey is the desk_state key of a month's mailed report.
func monthReportKey(year int, month time.Month) string {
	return fmt.Sprintf("report_mail:%04d-%02d", year, int(month))
}

// SendDue queues the report due now unless it was queued already.
func (m *MonthReportMailer) SendDue(ctx context.Context) (sent bool, err error) {
	if len(m.Heads) == 0 || m.Render == nil {
		return false, nil
	}
	now := m.now()
	year, month, _, ok := MonthReportDue(now, m.location(), m.Calendar, m.SendAt)
	if !ok {
		return false, nil
	}
	key := monthReportKey(year, month)
	if m.Recorded != nil {
		if done, err := m.Recorded(ctx, key); err != nil || done {
			return false, err
		}
	}
	docs, err := m.Render(ctx, year, month, now)
	if err != nil {
		return false, fmt.Errorf("month report %04d-%02d: %w", year, int(month), err)
	}
	err = m.Store.Intake(ctx, func(tx IntakeTx) error {
		sent = false
		// The mark and the mail commit together: once, whatever restarts.
		first, err := tx.SetDeskStateOnce(key, "", now)
		if err != nil || !first {
			return err
		}
		out, err := m.compose(docs, year, month, now)
		if err != nil {
			return err
		}
		sent = true
		return tx.EnqueueMail(out)
	})
	if sent {
		m.logger().Info("month report queued for the heads", "month", fmt.Sprintf("%04d-%02d", year, int(month)), "heads", len(m.Heads))
	}
	return sent, err
}

// compose writes the mail; the CSV is archived as a raw mail of its own
// (the exact report the heads got, kept as evidence) and attached from it.
func (m *MonthReportMailer) compose(d MonthReportDocs, year int, month time.Month, now time.Time) (*OutgoingMail, error) {
	name := fmt.Sprintf("laporan-%04d-%02d.csv", year, int(month))
	w, err := m.Archive.Create()
	if err != nil {
		return nil, err
	}
	const boundary = "mailproc-laporan-bulanan"
	fmt.Fprintf(w, "From: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%q\r\n\r\n"+
		"--%s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"+
		"--%s\r\nContent-Type: text/csv; charset=utf-8\r\nContent-Disposition: attachment; filename=%q\r\n\r\n%s\r\n--%s--\r\n",
		m.Desk.Address, SanitizeHeader(d.Title, 200), boundary, boundary, "Lampiran laporan bulanan "+d.Title,
		boundary, name, d.CSV, boundary)
	path, _, _, err := w.Commit()
	if err != nil {
		return nil, err
	}
	out := &OutgoingMail{
		// Heads are the audience: the escalation purpose is theirs (see
		// the integrator's note on a purpose of its own).
		Purpose:   PurposeEscalation,
		MessageID: NewMessageID(PurposeEscalation, "", m.Desk.Address),
		From:      Address{Name: m.Desk.Name, Addr: m.Desk.Address},
		To:        m.Heads,
		Subject:   SanitizeHeader("Laporan bulanan: "+d.Title, 250),
		Date:      now,
		Text:      d.Text,
		HTML:      d.HTML,
		Attachments: []OutgoingAttachment{{Filename: name, ContentType: "text/csv", Size: int64(len(d.CSV)),
			ArchivePath: path, Part: "2"}},
	}
	return out, nil
}

// Run sends each month's report when it is due, until ctx ends.
func (m *MonthReportMailer) Run(ctx context.Context) error {
	return runDaily(ctx, m.Poll, m.SendDue, m.OnCommit, m.logger(), "month report")
}

func (m *MonthReportMailer) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *MonthReportMailer) location() *time.Location {
	if m.Location != nil {
		return m.Location
	}
	return time.UTC
}

func (m *MonthReportMailer) logger() *slog.Logger {
	if m.Logger != nil {
		return m.Logger
	}
	return slog.New(slog.DiscardHandler)
}
