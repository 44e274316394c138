package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/imap"
	"github.com/dpk-kampar/mailproc/mailproc/smtp"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
	"github.com/dpk-kampar/mailproc/mailproc/template"
)

// runCheck is `mailproc check`: it prints one line per problem and exits 1
// if there is any, so an operator can run it before starting the daemon.
func runCheck(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc check", flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var problems []string
	ok := func(format string, a ...any) { fmt.Fprintf(stdout, "ok      "+format+"\n", a...) }
	bad := func(format string, a ...any) {
		line := fmt.Sprintf(format, a...)
		problems = append(problems, line)
		fmt.Fprintln(stdout, "MASALAH "+line)
	}

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		for _, e := range splitErrors(err) {
			bad("config: %s", e)
		}
		return &exitError{1}
	}
	ok("config %s", *cfgPath)
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(stdout, "warning "+w)
	}

	if err := checkDataDir(cfg.Desk.DataDir); err != nil {
		bad("desk.data_dir: %v", err)
	} else {
		ok("data dir %s is writable", cfg.Desk.DataDir)
		if db, err := sqlite.Open(cfg.DatabasePath()); err != nil {
			bad("desk.database: %v", err)
		} else {
			db.Close()
			ok("database %s (schema version %d)", cfg.DatabasePath(), sqlite.SchemaVersion())
		}
	}

	if set, err := template.Load(cfg.Desk.TemplateDir, slog.New(slog.DiscardHandler)); err != nil {
		for _, e := range splitErrors(err) {
			bad("templates: %s", e)
		}
	} else if errs := set.Check(); len(errs) > 0 {
		for _, e := range errs {
			bad("templates: %v", e)
		}
	} else {
		ok("templates (%d)", len(template.Names()))
	}

	if clock, err := serviceClock(cfg); err != nil {
		bad("%v", err)
	} else {
		ok("service calendar (%s, %s); a complaint arriving now is due %s", cfg.Calendar.Mode, cfg.Desk.Timezone,
			mailproc.FormatWaktu(clock.Due(mailproc.KindAduan, time.Now()), cfg.Location()))
	}

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	caps, imapProblems, imapNotes, err := imap.CheckLogin(ctx, imapConfig(cfg))
	if err != nil {
		bad("imap %s: %v", cfg.IMAPAddr(), err)
	} else {
		ok("imap login %s@%s (%s)", cfg.IMAP.Username, cfg.IMAPAddr(), strings.Join(caps, " "))
		for _, p := range imapProblems {
			bad("imap: %s", p)
		}
		for _, n := range imapNotes {
			fmt.Fprintln(stdout, "catatan imap: "+n)
		}
	}
	if err := smtp.CheckLogin(ctx, smtpConfig(cfg)); err != nil {
		bad("smtp %s: %v", cfg.SMTPAddr(), err)
	} else {
		ok("smtp %s (%s)", cfg.SMTPAddr(), cfg.SMTP.TLS)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "%d masalah\n", len(problems))
		return &exitError{1}
	}
	fmt.Fprintln(stdout, "semua baik")
	return nil
}

// checkDataDir makes sure the data dir exists and a file can be written,
// synced and removed in it.
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".check-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString("mailproc check\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// splitErrors unpacks an errors.Join into its lines.
func splitErrors(err error) []string {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, splitErrors(e)...)
		}
		return out
	}
	return strings.Split(err.Error(), "\n")
}
