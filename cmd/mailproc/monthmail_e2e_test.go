package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
	"github.com/emersion/go-message"
)

// TestE2EMonthReportMailedOnce: on a fast clock that crosses report.send_at
// on the first working day of the month, every head of the chain gets the
// previous month's report once — HTML body, CSV attached, auto-generated
// — and a restart later that day sends nothing again.
func TestE2EMonthReportMailedOnce(t *testing.T) {
	d := newTestDesk(t)
	d.Config.Report.SendAt = "08.00" // the default; the demo desk mails none
	clock, err := serviceClock(d.Config)
	if err != nil {
		t.Fatal(err)
	}
	loc := d.Config.Location()
	_, month, at, _ := mailproc.MonthReportDue(time.Date(2026, 12, 1, 0, 0, 0, 0, loc), loc, clock.Calendar, d.Config.ReportSendAt())
	run := func(start time.Time) *Main {
		fast := newDemoClock(start, time.Now)
		fast.SetSpeed(60) // a minute a second
		m := NewMain()
		m.Config, m.Logger, m.Now, m.MonthReportPoll = d.Config, testLogger(t), fast.Now, 50*time.Millisecond
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := run(at.Add(-2 * time.Minute))
	heads := []string{d.Kasi, d.Kabag, d.Kadis}
	waitFor(t, 60*time.Second, "the report in every head's mailbox", func() bool {
		for _, h := range heads {
			if d.inboxCount(h) < 1 {
				return false
			}
		}
		return true
	})
	for _, h := range heads {
		box := d.mails(h, "INBOX")
		if len(box) != 1 {
			t.Fatalf("%s got %d mails, want the one report", h, len(box))
		}
		r := box[0]
		raw := string(r.Raw)
		if !strings.Contains(r.Subject, "Laporan bulanan") || !strings.Contains(r.Subject, month.String()[:3]) && !strings.Contains(r.Subject, "November") {
			t.Errorf("subject %q", r.Subject)
		}
		date, err := r.Header.Date()
		if err != nil || date.Before(at) {
			t.Errorf("mailed at %v (%v), before send_at %v", date, err, at)
		}
		for _, want := range []string{"text/html", "text/csv", `filename="laporan-2026-11.csv"`, "Auto-Submitted: auto-generated"} {
			if !strings.Contains(raw, want) {
				t.Errorf("the report mail to %s lacks %q", h, want)
			}
		}
		if csv := csvAttachment(t, r.Raw); !strings.HasPrefix(csv, "bagian,butir,jenis,nilai") || !strings.Contains(csv, "kanal,jumlah_kasus,telepon,0") {
			t.Errorf("the CSV attached for %s:\n%s", h, csv)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// Restarted the same day, two hours later: the report is not sent again.
	m = run(at.Add(2 * time.Hour))
	defer m.Close()
	time.Sleep(3 * time.Second) // sixty looks and more: time to do what it wrongly would
	for _, h := range heads {
		if n := d.inboxCount(h); n != 1 {
			t.Errorf("%s has %d mails after a restart, want 1", h, n)
		}
	}
}

// csvAttachment is the decoded text/csv part of a raw mail.
func csvAttachment(t *testing.T, raw []byte) string {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var out string
	err = e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil {
			return err
		}
		if ct, _, _ := part.Header.ContentType(); ct == "text/csv" {
			b, err := io.ReadAll(part.Body)
			out = string(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestE2EStaffDigestOnce: on a fast clock crossing the desk's opening on a
// working day, staff get one digest with the open case, overdue; a restart
// later that day sends nothing more; with desk.daily_digest = false
// nothing is sent.
func TestE2EStaffDigestOnce(t *testing.T) {
	d := newTestDesk(t)
	d.Config.Desk.DailyDigest = true
	clock, err := serviceClock(d.Config)
	if err != nil {
		t.Fatal(err)
	}
	loc := d.Config.Location()
	// The first opening on or after Tuesday 1 December 2026.
	opens := clock.Calendar.NextOpen(time.Date(2026, 12, 1, 0, 0, 0, 0, loc))
	run := func(start time.Time) *Main {
		fast := newDemoClock(start, time.Now)
		fast.SetSpeed(60)
		m := NewMain()
		m.Config, m.Logger, m.Now, m.MonthReportPoll = d.Config, testLogger(t), fast.Now, 50*time.Millisecond
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return m
	}
	// A case opened the evening before, past its deadline at opening.
	if err := os.MkdirAll(d.Config.Desk.DataDir, 0o750); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(d.Config.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
		return tx.CreateCase(&mailproc.Case{Number: "ADU-2026-00001", Kind: mailproc.KindAduan, State: mailproc.StateBaru,
			Subject: "Toilet kotor", OpenedAt: opens.Add(-14 * time.Hour), DueAt: opens.Add(-13 * time.Hour)})
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// The clock starts at opening (the demo desk is open 24/7, so a start
	// the evening before would rightly send that day's digest first).
	m := run(opens)
	waitFor(t, 60*time.Second, "the digest in the staff mailbox", func() bool { return d.inboxCount(d.Staff) >= 1 })
	box := d.mails(d.Staff, "INBOX")
	if len(box) != 1 || !strings.Contains(box[0].Subject, "Ringkasan harian") ||
		!strings.Contains(box[0].Text, "Melewati batas waktu: 1") || !strings.Contains(box[0].Text, "ADU-2026-00001") {
		t.Fatalf("staff got %d mails; first %q:\n%s", len(box), box[0].Subject, box[0].Text)
	}
	if date, err := box[0].Header.Date(); err != nil || date.Before(opens) {
		t.Errorf("digest dated %v (%v), before the desk opened at %v", date, err, opens)
	}
	m.Close()
	m = run(opens.Add(3 * time.Hour))
	time.Sleep(3 * time.Second)
	m.Close()
	if n := d.inboxCount(d.Staff); n != 1 {
		t.Errorf("staff have %d mails after a restart, want the one digest", n)
	}

	off := newTestDesk(t) // desk.daily_digest = false: the demo desk's
	fast := newDemoClock(opens.Add(time.Hour), time.Now)
	m = NewMain()
	m.Config, m.Logger, m.Now, m.MonthReportPoll = off.Config, testLogger(t), fast.Now, 50*time.Millisecond
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	m.Close()
	if n := off.inboxCount(off.Staff); n != 0 {
		t.Errorf("with daily_digest = false staff got %d mails", n)
	}
}
