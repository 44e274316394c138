package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/report"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// runReport is `mailproc report --month YYYY-MM [--format text|csv|html]
// [--public]`: did the desk keep its published promise that month?
func runReport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc report", flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	monthFlag := fs.String("month", "", "the month, YYYY-MM (default: this month)")
	format := fs.String("format", "text", "text, csv or html")
	public := fs.Bool("public", false, "the public edition for the agency's website (text or html): no names, addresses, subjects or case numbers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New("usage: mailproc report [-config FILE] --month YYYY-MM [--format text|csv|html] [--public]")
	}
	renderers := map[string]func(io.Writer, mailproc.MonthReport) error{
		"text": report.Text, "csv": report.CSV, "html": report.HTML,
	}
	if *public {
		renderers = map[string]func(io.Writer, mailproc.MonthReport) error{
			"text": report.PublicText, "html": report.PublicHTML,
		}
	}
	render := renderers[*format]
	if render == nil {
		if *public {
			return fmt.Errorf("--format %q with --public: want text or html", *format)
		}
		return fmt.Errorf("--format %q: want text, csv or html", *format)
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	loc := cfg.Location()
	now := time.Now()
	year, month := now.In(loc).Year(), now.In(loc).Month()
	if *monthFlag != "" {
		m, err := time.ParseInLocation("2006-01", *monthFlag, loc)
		if err != nil {
			return fmt.Errorf("--month %q: want YYYY-MM, e.g. 2026-03", *monthFlag)
		}
		year, month = m.Year(), m.Month()
	}
	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		return err
	}
	defer db.Close()
	return writeReport(ctx, stdout, db, cfg, year, month, now, render)
}

// writeReport builds one month's report from the database and renders it.
// Cases answered before verdicts were stored are judged first (once), on
// the configuration in force now.
func writeReport(ctx context.Context, w io.Writer, db *sqlite.DB, cfg *config.Config, year int, month time.Month, now time.Time,
	render func(io.Writer, mailproc.MonthReport) error) error {
	clock, err := serviceClock(cfg)
	if err != nil {
		return err
	}
	if err := backfillVerdicts(ctx, db, clock, nil); err != nil {
		return err
	}
	loc := cfg.Location()
	from := time.Date(year, month, 1, 0, 0, 0, 0, loc)
	cases, err := db.CasesOpenedBetween(ctx, from, from.AddDate(0, 1, 0))
	if err != nil {
		return err
	}
	ids := make([]int64, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	esc, err := db.EscalationEvents(ctx, ids)
	if err != nil {
		return err
	}
	promise := mailproc.FixedClock{Info: clock.Info, Complaint: clock.Complaint}
	r := mailproc.BuildMonthReport(year, month, loc, cases, esc, promise, clock.Calendar, now)
	ratings, err := db.Ratings(ctx, ids)
	if err != nil {
		return err
	}
	r.AddRatings(cases, ratings)
	head, err := db.ChainHead(ctx)
	if err != nil {
		return err
	}
	r.ChainHead = head.String()
	r.Agency, r.DeskName = cfg.Desk.Agency, cfg.Desk.Name
	return render(w, r)
}

// backfillVerdicts judges the cases answered before this version stored
// verdicts, on the configuration in force now (see JudgeAtUpgrade).
func backfillVerdicts(ctx context.Context, db *sqlite.DB, clock mailproc.CalendarClock, log *slog.Logger) error {
	n, err := db.BackfillVerdicts(ctx, clock)
	if err != nil {
		return err
	}
	if n > 0 && log != nil {
		log.Info("verdicts of cases answered before the upgrade", "cases", n, "calendar", "migrasi:"+clock.Version())
	}
	return nil
}
