package main

import (
	"bytes"
	"context"
	"io"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/report"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// staffDigest wires the daily staff digest: the desk's calendar for its
// opening time, the open cases from the database.
func staffDigest(m *Main, cfg *config.Config, clock mailproc.CalendarClock) *mailproc.StaffDigest {
	return &mailproc.StaffDigest{
		Store: m.DB, Composer: m.Composer, Calendar: clock.Calendar, Location: cfg.Location(),
		OpenCases: func(ctx context.Context) ([]*mailproc.Case, error) {
			return m.DB.ListCases(ctx, sqlite.CaseFilter{OpenOnly: true})
		},
		Recorded: m.deskStateSet,
		Poll:     m.MonthReportPoll,
		OnCommit: m.Postman.Wake,
		Now:      m.Now,
		Logger:   m.Logger.With("component", "staff-digest"),
	}
}

// deskStateSet reports whether a desk-state key is recorded.
func (m *Main) deskStateSet(ctx context.Context, key string) (bool, error) {
	_, _, ok, err := m.DB.DeskState(ctx, key)
	return ok, err
}

// monthReportMailer wires the monthly report mail to the heads: every
// address of every level of the chain, the desk's calendar for the first
// working day, report.send_at, and the report package to render it.
func monthReportMailer(m *Main, cfg *config.Config, clock mailproc.CalendarClock) *mailproc.MonthReportMailer {
	var heads []mailproc.Address
	seen := map[string]bool{}
	for _, l := range cfg.Chain {
		for _, a := range l.Addresses {
			if !seen[a] {
				seen[a] = true
				heads = append(heads, mailproc.Address{Addr: a})
			}
		}
	}
	return &mailproc.MonthReportMailer{
		Store: m.DB, Archive: m.Archive, Calendar: clock.Calendar, Location: cfg.Location(),
		SendAt: cfg.ReportSendAt(), Desk: deskInfo(cfg), Heads: heads,
		Render: func(ctx context.Context, year int, month time.Month, now time.Time) (mailproc.MonthReportDocs, error) {
			var docs mailproc.MonthReportDocs
			for _, f := range []struct {
				out    *string
				render func(io.Writer, mailproc.MonthReport) error
			}{{&docs.Text, report.Text}, {&docs.HTML, report.HTML}, {&docs.CSV, report.CSV},
				{&docs.Title, func(w io.Writer, r mailproc.MonthReport) error {
					_, err := io.WriteString(w, report.Title(r))
					return err
				}}} {
				var b bytes.Buffer
				if err := writeReport(ctx, &b, m.DB, cfg, year, month, now, f.render); err != nil {
					return docs, err
				}
				*f.out = b.String()
			}
			return docs, nil
		},
		Recorded: m.deskStateSet,
		Poll:     m.MonthReportPoll,
		OnCommit: m.Postman.Wake,
		Now:      m.Now,
		Logger:   m.Logger.With("component", "month-report"),
	}
}
