package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/imap"
)

// runRecover is `mailproc recover [--since TIME]`, the last step of a
// restore (README, Backups): the mail committed after the restored
// database's last replicated transaction sits in the processed folder
// unknown to it; recover moves it back to the inbox, where the daemon
// takes it again, and moves the case counters past every number the lost
// part may have given out: past those the Sent folder shows, and on by as
// many numbers as mails it moves back (each lost case came from one of
// them). Run it before starting the daemon.
func runRecover(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc recover", flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	sinceFlag := fs.String("since", "", "look at mail that arrived since this time (RFC 3339); default: an hour before the newest mail the database holds")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New("usage: mailproc recover [-config FILE] [--since TIME]")
	}
	cfg, db, err := openDatabase(*cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	var since time.Time
	if *sinceFlag != "" {
		if since, err = time.Parse(time.RFC3339, *sinceFlag); err != nil {
			return fmt.Errorf("--since %q: want RFC 3339, e.g. 2026-12-05T08:00:00+07:00", *sinceFlag)
		}
	} else {
		latest, err := db.LatestArrival(ctx)
		if err != nil {
			return err
		}
		// An hour of margin for the server's and this machine's clocks;
		// mail the database knows is recognised and left where it is.
		since = latest.Add(-time.Hour)
	}
	res, err := imap.Recover(ctx, imapConfig(cfg), cfg.IMAP.SentFolder, since, func(id string) (bool, error) {
		if id == "" {
			return false, nil
		}
		return db.HasMessageID(ctx, id)
	})
	if err != nil {
		return err
	}
	years := map[int]bool{since.In(cfg.Location()).Year(): true, time.Now().In(cfg.Location()).Year(): true}
	for y := range years {
		if err := db.SkipNumbers(ctx, y, len(res.Moved)); err != nil {
			return err
		}
	}
	raised := map[string]bool{}
	for _, n := range res.Numbers {
		kind, year, seq, err := mailproc.ParseNumber(n)
		if err != nil {
			continue
		}
		if err := db.RaiseCounter(ctx, kind, year, seq); err != nil {
			return err
		}
		raised[n] = true
	}
	fmt.Fprintf(stdout, "Sejak %s: %d email di %s sudah tercatat; %d dikembalikan ke %s untuk diproses lagi; %d nomor kasus di %s dan %d nomor berikutnya per jenis dilewati, agar tidak ada nomor yang dipakai dua kali.\n",
		since.In(cfg.Location()).Format(time.RFC3339), res.Known, cfg.IMAP.ProcessedFolder, len(res.Moved), cfg.IMAP.Inbox, len(raised), cfg.IMAP.SentFolder, len(res.Moved))
	return nil
}
