package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/archive"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/imap"
	"github.com/dpk-kampar/mailproc/mailproc/mime"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// Main is the daemon: the one place where the adapters are wired to the
// domain. Tests build one with a config of their own, Run it and Close it.
type Main struct {
	ConfigPath string
	Config     *config.Config
	Logger     *slog.Logger
	Stderr     io.Writer
	// Now is the clock for the whole daemon; tests and the demo replace it.
	Now func() time.Time

	DB       *sqlite.DB
	Archive  *archive.Dir
	Ingester *mailproc.Ingester
	Intake   *imap.Intake

	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error
}

// NewMain returns a Main with defaults; ParseFlags or a test fills Config.
func NewMain() *Main {
	return &Main{Stderr: os.Stderr, Now: time.Now}
}

// ParseFlags reads -config and loads the file.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("mailproc run", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.StringVar(&m.ConfigPath, "config", "mailproc.toml", "config file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := config.Load(m.ConfigPath)
	if err != nil {
		return err
	}
	m.Config = cfg
	return nil
}

// Run opens the database and archive and starts the intake in the
// background. It returns once everything is started.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	if cfg == nil {
		return errors.New("no config")
	}
	if m.Logger == nil {
		m.Logger = newLogger(m.Stderr, cfg)
	}
	for _, w := range cfg.Warnings() {
		m.Logger.Warn("config", "warning", w)
	}
	if err := os.MkdirAll(cfg.Desk.DataDir, 0o750); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	var err error
	if m.Archive, err = archive.Open(cfg.Desk.DataDir); err != nil {
		return err
	}
	if m.DB, err = sqlite.Open(cfg.DatabasePath()); err != nil {
		return err
	}
	m.DB.Now = m.Now

	m.Ingester = &mailproc.Ingester{
		Store:   m.DB,
		Archive: m.Archive,
		Parse: func(r io.Reader) (*mailproc.Message, error) {
			return mime.Parse(r, mime.Options{Logger: m.Logger.With("component", "mime")})
		},
		Clock:        mailproc.FixedClock{Info: cfg.Desk.InfoDue.D(), Complaint: cfg.Desk.ComplaintDue.D()},
		Location:     cfg.Location(),
		ReopenWindow: cfg.Desk.ReopenWindow.D(),
		Now:          m.Now,
		Logger:       m.Logger.With("component", "intake"),
	}
	m.Intake = &imap.Intake{
		Config:    imapConfig(cfg),
		Handler:   m.Ingester,
		Bookmarks: m.DB,
		Logger:    m.Logger.With("component", "imap"),
		Now:       m.Now,
	}

	ctx, m.cancel = context.WithCancel(ctx)
	m.goRun(ctx, "imap", m.Intake.Run)
	m.Logger.Info("mailproc started", "version", version, "mailbox", cfg.IMAP.Username,
		"imap", cfg.IMAPAddr(), "data_dir", cfg.Desk.DataDir)
	return nil
}

// goRun runs a background loop on the WaitGroup; Close cancels and waits.
func (m *Main) goRun(ctx context.Context, name string, fn func(context.Context) error) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := fn(ctx); err != nil && ctx.Err() == nil {
			m.Logger.Error("background loop stopped", "loop", name, "err", err)
			m.mu.Lock()
			m.errs = append(m.errs, fmt.Errorf("%s: %w", name, err))
			m.mu.Unlock()
		}
	}()
}

// Close stops the loops (the intake finishes the mail in hand) and closes
// the database.
func (m *Main) Close() error {
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	var errs []error
	m.mu.Lock()
	errs = append(errs, m.errs...)
	m.mu.Unlock()
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
		m.DB = nil
	}
	return errors.Join(errs...)
}

// imapConfig maps the config file's [imap] section to the adapter's config.
func imapConfig(cfg *config.Config) imap.Config {
	c := imap.Config{
		Addr:             cfg.IMAPAddr(),
		TLS:              string(cfg.IMAP.TLS),
		Username:         cfg.IMAP.Username,
		Password:         cfg.IMAP.Password.Reveal(),
		Inbox:            cfg.IMAP.Inbox,
		ProcessedFolder:  cfg.IMAP.ProcessedFolder,
		QuarantineFolder: cfg.IMAP.QuarantineFolder,
		PollInterval:     cfg.IMAP.PollInterval.D(),
		IDLE:             cfg.IMAP.IDLE,
		ReconnectMin:     cfg.IMAP.ReconnectMin.D(),
		ReconnectMax:     cfg.IMAP.ReconnectMax.D(),
		FetchBatch:       cfg.IMAP.FetchBatch,
	}
	if cfg.IMAP.TLSSkipVerify {
		c.TLSConfig = insecureTLS()
	}
	return c
}

func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel()}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
