package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/archive"
	"github.com/dpk-kampar/mailproc/mailproc/casefile"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// runExport is `mailproc export NUMBER [--eml DIR] [-o FILE]`: one case as
// a printable HTML file, and with --eml its raw mails, each checked against
// its SHA-256.
func runExport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc export", flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	emlDir := fs.String("eml", "", "also copy the case's raw mails (.eml) into this directory")
	out := fs.String("o", "", "write the HTML here instead of standard output")
	number, err := parseAnywhere(fs, args)
	if err != nil {
		return err
	}
	if len(number) != 1 {
		return errors.New("usage: mailproc export [-config FILE] NUMBER [--eml DIR] [-o FILE]")
	}
	cfg, db, err := openDatabase(*cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	num, err := mailproc.NormalizeNumber(number[0])
	if err != nil {
		return err
	}
	f, err := loadCaseFile(ctx, db, cfg, num)
	if err != nil {
		return err
	}
	if *emlDir != "" {
		if err := exportEML(cfg, f.Received, *emlDir); err != nil {
			return err
		}
	}
	if *out == "" {
		return casefile.HTML(stdout, f)
	}
	file, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := casefile.HTML(file, f); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}

// loadCaseFile reads everything the case file shows.
func loadCaseFile(ctx context.Context, db *sqlite.DB, cfg *config.Config, number string) (casefile.File, error) {
	f := casefile.File{Agency: cfg.Desk.Agency, Desk: cfg.Desk.Name, Location: cfg.Location(),
		Made: time.Now(), MadeBy: defaultOperator()}
	var err error
	if f.Case, err = db.CaseByNumber(ctx, number); err != nil {
		return f, err
	}
	if f.Events, err = db.Timeline(ctx, f.Case.ID); err != nil {
		return f, err
	}
	if f.Received, err = db.CaseMessages(ctx, f.Case.ID); err != nil {
		return f, err
	}
	if f.Sent, err = db.Outbox(ctx, sqlite.OutboxFilter{CaseID: f.Case.ID}); err != nil {
		return f, err
	}
	f.Ratings, err = db.Ratings(ctx, []int64{f.Case.ID})
	return f, err
}

// exportEML copies each mail's raw file from the archive to dir as
// NN-<sha256>.eml, verifying the digest on the way. A mail whose content
// was removed (retention, forget) has no file and is skipped; any other
// missing or altered file is an error.
func exportEML(cfg *config.Config, msgs []*mailproc.Message, dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	for i, m := range msgs {
		if m.ArchivePath == "" {
			continue
		}
		src := filepath.Join(cfg.Desk.DataDir, filepath.FromSlash(m.ArchivePath))
		dst := filepath.Join(dir, fmt.Sprintf("%02d-%s.eml", i+1, m.SHA256))
		err := archive.CopyVerified(src, dst, m.SHA256)
		if errors.Is(err, os.ErrNotExist) && !m.RedactedAt.IsZero() {
			continue // redacted
		}
		if err != nil {
			return fmt.Errorf("export %s: %w", m.MessageID, err)
		}
	}
	return nil
}

// parseAnywhere parses fs from args with the positional arguments allowed
// before, between or after the flags (`cases show ADU-2026-7 --json`), and
// returns them in order.
func parseAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}
