package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// runRetention is `mailproc retention [--dry-run]`: the retention schedule
// (records.retention_*) applied now.
func runRetention(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc retention", flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	dry := fs.Bool("dry-run", false, "list what would go, change nothing")
	by := fs.String("by", defaultOperator(), "who runs it, for the case log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New("usage: mailproc retention [-config FILE] [--dry-run]")
	}
	cfg, db, err := openDatabase(*cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	plan, err := applyRetention(ctx, db, cfg, *by, time.Now(), *dry)
	if err != nil {
		return err
	}
	verb := "dihapus"
	if *dry {
		verb = "akan dihapus (--dry-run: tidak ada yang diubah)"
	}
	if len(plan.Cases) == 0 {
		fmt.Fprintln(stdout, "Tidak ada kasus yang masa retensinya berakhir.")
		return nil
	}
	fmt.Fprintf(stdout, "Isi %d email masuk dan %d email keluar dari %d kasus %s:\n", plan.Messages, plan.Outbox, len(plan.Cases), verb)
	for _, n := range plan.Cases {
		fmt.Fprintln(stdout, " ", n)
	}
	return nil
}

// retentionOf is the config's retention schedule as the domain reads it.
func retentionOf(cfg *config.Config) mailproc.Retention {
	return mailproc.Retention{
		mailproc.KindInformasi: cfg.RetentionFor(string(mailproc.KindInformasi)),
		mailproc.KindAduan:     cfg.RetentionFor(string(mailproc.KindAduan)),
	}
}

// applyRetention plans retention at now and, unless dry, applies it and
// removes the raw files. The daemon calls it daily.
func applyRetention(ctx context.Context, db *sqlite.DB, cfg *config.Config, actor string, now time.Time, dry bool) (*sqlite.Redaction, error) {
	plan, err := db.RetentionPlan(ctx, retentionOf(cfg), now)
	if err != nil || dry {
		return plan, err
	}
	if err := db.ApplyRetention(ctx, plan, actor, now); err != nil {
		return nil, err
	}
	if err := removeRedactedFiles(ctx, db, cfg); err != nil {
		return plan, err
	}
	if len(plan.Cases) == 0 {
		return plan, nil
	}
	// Deleted means deleted: not left in the file's free pages.
	return plan, db.Compact(ctx)
}

// runForget is `mailproc forget ADDRESS [--dry-run]`: a citizen's
// personal-data request (UU No. 27/2022).
func runForget(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc forget", flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	dry := fs.Bool("dry-run", false, "list what would go, change nothing")
	by := fs.String("by", defaultOperator(), "who runs it, for the case log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	addr := strings.ToLower(strings.TrimSpace(fs.Arg(0)))
	if fs.NArg() != 1 || !strings.Contains(addr, "@") {
		return errors.New("usage: mailproc forget [-config FILE] [--dry-run] ADDRESS")
	}
	cfg, db, err := openDatabase(*cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if strings.EqualFold(addr, cfg.Desk.Address) {
		return fmt.Errorf("%s is the desk's own address", addr)
	}
	plan, err := db.ForgetPlan(ctx, addr)
	if err != nil {
		return err
	}
	verb := "dianonimkan"
	if *dry {
		verb = "akan dianonimkan (--dry-run: tidak ada yang diubah)"
	}
	fmt.Fprintf(stdout, "%s: %d kasus, %d email masuk, %d email keluar %s.\n", addr, len(plan.Cases), plan.Messages, plan.Outbox, verb)
	for _, n := range plan.Cases {
		fmt.Fprintln(stdout, " ", n)
	}
	if *dry {
		return nil
	}
	tag := make([]byte, 6)
	if _, err := rand.Read(tag); err != nil {
		return err
	}
	pseudonym := mailproc.Pseudonym(hex.EncodeToString(tag))
	if err := db.ApplyForget(ctx, plan, addr, pseudonym, *by, time.Now()); err != nil {
		return err
	}
	if err := removeRedactedFiles(ctx, db, cfg); err != nil {
		return err
	}
	if err := db.Compact(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Alamat diganti dengan %s. Salinan lama di replika Litestream hilang setelah masa simpan replika (README, Backups).\n", pseudonym)
	return nil
}

// removeRedactedFiles deletes the raw files of redacted mail from the
// archive and from its mirror. It runs after the commit that marked them,
// and again on every run, so a crash in between only delays a deletion.
func removeRedactedFiles(ctx context.Context, db *sqlite.DB, cfg *config.Config) error {
	paths, err := db.RedactedFiles(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, rel := range paths {
		for _, root := range []string{cfg.Desk.DataDir, mirrorRoot(cfg)} {
			if root == "" {
				continue
			}
			if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// mirrorRoot is records.archive_mirror, "" without one. It holds the same
// relative paths as the data dir (archive/ab/ab….eml), so a restore copies
// its archive/ directory into the data dir.
func mirrorRoot(cfg *config.Config) string { return cfg.Records.ArchiveMirror }

// defaultOperator names who runs a command: the login (the user behind sudo
// if any), for the case log.
func defaultOperator() string {
	name := os.Getenv("SUDO_USER")
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	if name == "" {
		name = "tidak-diketahui"
	}
	return "operator " + name
}

// retentionLoop runs retention once a day while the daemon runs, when a
// period is configured.
func retentionLoop(ctx context.Context, db *sqlite.DB, cfg *config.Config, log *slog.Logger) {
	if cfg.Records.RetentionInformasi <= 0 && cfg.Records.RetentionAduan <= 0 {
		return
	}
	for {
		plan, err := applyRetention(ctx, db, cfg, mailproc.ActorSystem, time.Now(), false)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("retention", "err", err)
		case err == nil && len(plan.Cases) > 0:
			log.Info("retention", "cases", len(plan.Cases), "messages", plan.Messages)
		}
		t := time.NewTimer(24 * time.Hour)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
