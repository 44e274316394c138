package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/archive"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	mhttp "github.com/dpk-kampar/mailproc/mailproc/http"
	"github.com/dpk-kampar/mailproc/mailproc/imap"
	"github.com/dpk-kampar/mailproc/mailproc/mime"
	"github.com/dpk-kampar/mailproc/mailproc/msgauth"
	"github.com/dpk-kampar/mailproc/mailproc/oauth"
	"github.com/dpk-kampar/mailproc/mailproc/smtp"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
	"github.com/dpk-kampar/mailproc/mailproc/template"
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
	// MonthReportPoll is how often the daemon looks whether the month
	// report or the staff digest is due (a minute when 0); a test's fast
	// clock shortens it.
	MonthReportPoll time.Duration

	DB        *sqlite.DB
	Archive   *archive.Dir
	Templates *template.Set
	Composer  *mailproc.Composer
	Ingester  *mailproc.Ingester
	Intake    *imap.Intake
	SentWatch *imap.Intake // reads the Sent folder for answers sent around mailproc; nil when disabled
	Postman   *mailproc.Postman
	Sender    *smtp.Sender // keeps SMTP sessions open between mails; Close ends them
	Escalator *mailproc.Escalator
	Digest    *mailproc.UnlinkedDigest // ops' daily list of mail stored on no case
	SentCopy  *imap.SentFolder         // nil when imap.sent_folder is empty
	HTTP      *mhttp.Server            // /healthz, /metrics, status page; listens only when http.listen is set

	started time.Time
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	errs    []error
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
	m.started = m.Now()
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
	m.Archive.Mirror = cfg.Records.ArchiveMirror
	if m.DB, err = sqlite.Open(cfg.DatabasePath()); err != nil {
		return err
	}
	m.DB.Now = m.Now
	m.DB.OpsNoticeInterval = cfg.Desk.OpsNoticeInterval.D()
	requireAuth, err := authRequirement(ctx, cfg, m.DB)
	if err != nil {
		return err
	}
	if m.Templates, err = template.Load(cfg.Desk.TemplateDir, m.Logger.With("component", "template")); err != nil {
		return err
	}
	promise := mailproc.FixedClock{Info: cfg.Desk.InfoDue.D(), Complaint: cfg.Desk.ComplaintDue.D()}
	clock, err := serviceClock(cfg)
	if err != nil {
		return err
	}
	if err := backfillVerdicts(ctx, m.DB, clock, m.Logger); err != nil {
		return err
	}
	dir := directory(cfg)
	tokens := mailproc.Tokens{Secret: []byte(cfg.Desk.HMACSecret.Reveal()), Previous: cfg.Desk.PreviousSecrets(),
		MaxAge: cfg.Desk.TokenMaxAge.D()}
	m.Composer = &mailproc.Composer{
		Desk:            deskInfo(cfg),
		Renderer:        m.Templates,
		Ops:             addressList(cfg.Desk.Ops),
		Promise:         promise,
		Tokens:          tokens,
		Staff:           dir.Staff(),
		NotifyAttachMax: cfg.Desk.NotifyAttachmentsMax,
		Now:             m.Now,
	}
	if cfg.IMAP.SentFolder != "" {
		m.SentCopy = &imap.SentFolder{Config: imapConfig(cfg), Folder: cfg.IMAP.SentFolder,
			Logger: m.Logger.With("component", "sent")}
	}
	m.Sender = &smtp.Sender{Config: smtpConfig(cfg), DataDir: cfg.Desk.DataDir, PerSession: smtpPerSession,
		Logger: m.Logger.With("component", "smtp")}
	m.Postman = mailproc.NewPostman(mailproc.Postman{
		Store:       m.DB,
		Sender:      m.Sender,
		Connections: cfg.SMTP.Connections,
		Composer:    m.Composer,
		Cases:       m.DB.CaseByID,
		Held:        m.DB,
		RetryMin:    cfg.SMTP.RetryMin.D(),
		RetryMax:    cfg.SMTP.RetryMax.D(),
		GiveUpAfter: cfg.SMTP.GiveUpAfter.D(),
		Now:         m.Now,
		Logger:      m.Logger.With("component", "outbox"),
	})
	if m.SentCopy != nil {
		m.Postman.Copier, m.Postman.SentCopy = m.SentCopy, mailproc.SentCopy(cfg.IMAP.SentCopy)
	}

	var after []time.Duration
	for _, l := range cfg.Chain {
		after = append(after, l.After.D())
	}
	m.Escalator = mailproc.NewEscalator(mailproc.Escalator{
		Store:     m.DB,
		Next:      m.DB.NextEscalation,
		Composer:  m.Composer,
		Directory: dir,
		After:     after,
		Timer:     clock,
		// Reminders are sent by the scheduler with the escalations.
		ReminderPercent: cfg.Desk.ReminderPercent,
		OnCommit:        m.Postman.Wake,
		Now:             m.Now,
		Logger:          m.Logger.With("component", "escalation"),
	})

	m.Digest = &mailproc.UnlinkedDigest{Store: m.DB, Composer: m.Composer, Hour: unlinkedDigestHour,
		Location: cfg.Location(), OnCommit: m.Postman.Wake, Now: m.Now, Logger: m.Logger.With("component", "digest")}

	m.Ingester = &mailproc.Ingester{
		Store:   m.DB,
		Archive: m.Archive,
		Parse: func(r io.Reader) (*mailproc.Message, error) {
			return mime.Parse(r, mime.Options{Logger: m.Logger.With("component", "mime")})
		},
		Clock:            clock,
		Location:         cfg.Location(),
		ReopenWindow:     cfg.Desk.ReopenWindow.D(),
		ClosingDelay:     cfg.Desk.ClosingDelay.D(),
		Composer:         m.Composer,
		Directory:        dir,
		Escalator:        m.Escalator,
		Tokens:           tokens,
		Auth:             msgauth.Verifier{},
		RequireAuth:      requireAuth,
		AckPolicy:        ackPolicy(cfg),
		AckEnabled:       cfg.Ack.Enabled,
		AckPerHour:       cfg.Ack.PerHour,
		NotifyDigestOver: cfg.Desk.NotifyDigestOver,
		QuarantineFolder: cfg.IMAP.QuarantineFolder,
		OnCommit:         func() { m.Postman.Wake(); m.Escalator.Wake() },
		Now:              m.Now,
		Logger:           m.Logger.With("component", "intake"),
	}
	m.HTTP = &mhttp.Server{
		Addr:     cfg.HTTP.Listen,
		Username: cfg.HTTP.Username,
		Password: cfg.HTTP.Password.Reveal(),
		Health:   m.health,
		Stats:    m.stats,
		Logger:   m.Logger.With("component", "http"),
		Agency:   cfg.Desk.Agency,
		DeskName: cfg.Desk.Name,

		StatusUsername: cfg.HTTP.StatusUsername,
		StatusPassword: cfg.HTTP.StatusPassword.Reveal(),
	}
	gate := imap.NewLoginGate() // the Sent watcher logs in after the inbox session did
	m.Intake = &imap.Intake{
		LeadLogin: gate,
		Config:    imapConfig(cfg),
		Handler:   timedHandler{Ingester: m.Ingester, observe: m.HTTP.ObserveIngest},
		Bookmarks: m.DB,
		Logger:    m.Logger.With("component", "imap"),
		Now:       m.Now,
	}

	if cfg.IMAP.SentFolder != "" {
		sent := *m.Ingester
		sent.SentFolder = true
		sent.Logger = m.Logger.With("component", "sent-intake")
		watch := imapConfig(cfg)
		watch.Inbox, watch.Watch = cfg.IMAP.SentFolder, true
		watch.SkipOwn = func(id string) bool { return mailproc.IsOwnMessageID(id, cfg.Desk.Address) }
		m.SentWatch = &imap.Intake{Config: watch, Handler: &sent, Bookmarks: m.DB, FollowLogin: gate,
			Logger: m.Logger.With("component", "imap-sent"), Now: m.Now}
	}

	if err := m.HTTP.Open(); err != nil {
		return err
	}
	ctx, m.cancel = context.WithCancel(ctx)
	m.goRun(ctx, "imap", m.Intake.Run)
	if m.SentWatch != nil {
		m.goRun(ctx, "imap-sent", m.SentWatch.Run)
	}
	m.goRun(ctx, "outbox", func(ctx context.Context) error {
		defer m.Sender.Close() // QUIT on the kept sessions once no mail is being sent
		return m.Postman.Run(ctx)
	})
	m.goRun(ctx, "escalation", m.Escalator.Run)
	digester := &mailproc.OpsDigester{Store: m.DB, Composer: m.Composer, Interval: cfg.Desk.OpsNoticeInterval.D(),
		OnCommit: m.Postman.Wake, Now: m.Now, Logger: m.Logger.With("component", "ops-digest")}
	m.goRun(ctx, "ops-digest", digester.Run)
	m.goRun(ctx, "digest", m.Digest.Run)
	// Always run, even with notify_digest_over = 0: it releases what a run
	// with it on held.
	burst := &mailproc.BurstDigester{Store: m.DB, Composer: m.Composer, OnCommit: m.Postman.Wake, Now: m.Now,
		Logger: m.Logger.With("component", "burst-digest")}
	m.goRun(ctx, "burst-digest", burst.Run)
	if cfg.Report.SendAt != "" {
		m.goRun(ctx, "month-report", monthReportMailer(m, cfg, clock).Run)
	}
	if cfg.Desk.DailyDigest {
		m.goRun(ctx, "staff-digest", staffDigest(m, cfg, clock).Run)
	}
	m.goRun(ctx, "retention", func(ctx context.Context) error {
		retentionLoop(ctx, m.DB, cfg, m.Logger.With("component", "retention"))
		return nil
	})
	m.Logger.Info("mailproc started", "version", version, "mailbox", cfg.IMAP.Username,
		"imap", cfg.IMAPAddr(), "data_dir", cfg.Desk.DataDir)
	return nil
}

// smtpPerSession caps the mails sent over one SMTP session: a backlog costs
// a login per hundred mails, and a server that limits mails per session
// (Postfix's smtpd_recipient_limit is per mail; some providers cap at 100)
// is never reached.
const smtpPerSession = 100

// unlinkedDigestHour is when ops get the day's list of mail stored on no
// case: 07.00 local, before the office opens.
const unlinkedDigestHour = 7

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
	var httpErr error
	if m.HTTP != nil {
		httpErr = m.HTTP.Close() // first: its Stats read the database
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	errs := []error{httpErr}
	m.mu.Lock()
	errs = append(errs, m.errs...)
	m.mu.Unlock()
	if m.SentCopy != nil {
		m.SentCopy.Close()
	}
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
		MaxMessageSize:   cfg.IMAP.MaxMessageSize,
		Auth:             cfg.IMAP.Auth,
	}
	c.StartNow, c.StartAt = cfg.StartAt()
	if config.IsOAuth(cfg.IMAP.Auth) {
		ts := tokenSource(cfg.IMAP.TokenFile, cfg.IMAP.TokenCommand)
		c.Token, c.InvalidateToken = ts.Token, ts.Invalidate
	}
	if cfg.IMAP.TLSSkipVerify {
		c.TLSConfig = insecureTLS()
	}
	return c
}

// tokenSource reads the OAuth2 access token that a token helper keeps fresh
// (Google Workspace, Microsoft 365): mailproc itself never talks to the
// identity provider.
func tokenSource(file string, command []string) *oauth.TokenSource {
	return &oauth.TokenSource{File: file, Command: command, Logger: slog.Default().With("component", "oauth")}
}

// smtpConfig maps the [smtp] section to the adapter's config.
func smtpConfig(cfg *config.Config) smtp.Config {
	c := smtp.Config{
		Addr:     cfg.SMTPAddr(),
		TLS:      string(cfg.SMTP.TLS),
		Username: cfg.SMTP.Username,
		Password: cfg.SMTP.Password.Reveal(),
		Auth:     cfg.SMTP.Auth,
		Insecure: cfg.SMTP.Insecure,
		HELO:     cfg.SMTP.HELO,
	}
	if cfg.SMTP.TLSSkipVerify {
		c.TLSConfig = insecureTLS()
	}
	if cfg.SMTP.Auth == config.AuthXOAUTH2 {
		ts := tokenSource(cfg.SMTP.TokenFile, cfg.SMTP.TokenCommand)
		c.Token, c.InvalidateToken = ts.Token, ts.Invalidate
	}
	return c
}

// authRequirement is desk.require_auth in effect, with what "auto" learnt
// before (the database's desk_state).
func authRequirement(ctx context.Context, cfg *config.Config, db *sqlite.DB) (*mailproc.AuthRequirement, error) {
	a := &mailproc.AuthRequirement{AuthservID: cfg.Desk.AuthservID, Mode: cfg.Desk.AuthMode()}
	_, _, seen, err := db.DeskState(ctx, mailproc.DeskStateAuthStamp)
	if err != nil {
		return nil, err
	}
	if seen {
		a.SetStamped()
	}
	return a, nil
}

// directory is staff and the chain of heads from the config.
func directory(cfg *config.Config) mailproc.Directory {
	var d mailproc.Directory
	for _, s := range cfg.Desk.Staff {
		d.People = append(d.People, mailproc.Person{Name: s.Name, Title: "Petugas Layanan Informasi dan Aduan", Addr: s.Address, Role: mailproc.RoleStaff})
	}
	for i, l := range cfg.Chain {
		for _, a := range l.Addresses {
			d.People = append(d.People, mailproc.Person{Name: l.Name, Title: l.Title, Addr: a, Role: mailproc.RoleHead, Level: i + 1})
		}
	}
	return d
}

// deskInfo is the desk as the templates print it.
func deskInfo(cfg *config.Config) mailproc.Desk {
	return mailproc.Desk{
		Name:          cfg.Desk.Name,
		Agency:        cfg.Desk.Agency,
		Address:       cfg.Desk.Address,
		PostalAddress: cfg.Desk.PostalAddress,
		Phone:         cfg.Desk.Phone,
		WhatsApp:      cfg.Desk.WhatsApp,
		Website:       cfg.Desk.Website,
		Channels:      cfg.Desk.Channels,
		Location:      cfg.Location(),
	}
}

// ackPolicy is the loop protection for acknowledgements: staff, heads and
// ops get notifications, never a tanda terima.
func ackPolicy(cfg *config.Config) mailproc.AckPolicy {
	internal := append([]string(nil), cfg.Desk.Ops...)
	for _, s := range cfg.Desk.Staff {
		internal = append(internal, s.Address)
	}
	for _, l := range cfg.Chain {
		internal = append(internal, l.Addresses...)
	}
	return mailproc.AckPolicy{DeskAddr: cfg.Desk.Address, Internal: internal, PerSenderPerDay: cfg.Ack.PerSenderPerDay}
}

func addressList(addrs []string) []mailproc.Address {
	out := make([]mailproc.Address, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, mailproc.Address{Addr: a})
	}
	return out
}

// newLogger writes the log at log.level in log.format, with times in the
// desk's zone (2026-12-05T11:33:19.135+07:00), as every mail, report and
// page of the desk states them.
func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	loc := cfg.Location()
	opts := &slog.HandlerOptions{Level: cfg.LogLevel(), ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
			a.Value = slog.TimeValue(a.Value.Time().In(loc))
		}
		return a
	}}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// health is /healthz: the IMAP session is up and its last full sync is no
// older than three poll intervals (the poll runs even while IDLE is used).
// Before the first sync the daemon's start counts as one.
func (m *Main) health() (bool, string) {
	st := m.Intake.Status()
	if !st.Connected {
		return false, fmt.Sprintf("imap: not connected (%d reconnects)", st.Reconnects)
	}
	poll := m.Config.IMAP.PollInterval.D()
	if poll <= 0 {
		poll = imap.DefaultPollInterval
	}
	limit := 3 * poll
	last := st.LastSync
	if last.IsZero() {
		last = m.started
	}
	if age := m.Now().Sub(last); age > limit {
		return false, fmt.Sprintf("imap: last sync %s ago (limit %s)", age.Round(time.Second), limit)
	}
	return true, ""
}

// stats reads the figures for /metrics and the status page.
func (m *Main) stats(ctx context.Context) (mhttp.Stats, error) {
	st := mhttp.Stats{Now: m.Now().In(m.Config.Location())}
	y, mo, _ := st.Now.Date()
	st.Month.Start = time.Date(y, mo, 1, 0, 0, 0, 0, st.Now.Location())
	f, err := m.DB.DeskFigures(ctx, st.Now, st.Month.Start)
	if err != nil {
		return st, err
	}
	tallies, err := m.DB.OutboxTallies(ctx)
	if err != nil {
		return st, err
	}
	addFigures(&st, f)
	for _, t := range tallies {
		st.Outbox = append(st.Outbox, mhttp.OutboxCount{Purpose: t.Purpose, State: t.State, N: t.N})
	}
	is := m.Intake.Status()
	st.IMAPConnected, st.IMAPReconnects, st.LastSync = is.Connected, is.Reconnects, is.LastSync
	return st, nil
}

// addFigures copies the database's aggregates into st.
func addFigures(st *mhttp.Stats, f *sqlite.DeskFigures) {
	for _, k := range f.ByKindState {
		st.Cases = append(st.Cases, mhttp.CaseCount{Kind: k.Kind, State: k.State, N: k.N})
	}
	for l := 1; len(st.Escalated) < len(f.Escalated); l++ {
		if n, ok := f.Escalated[l]; ok {
			st.Escalated = append(st.Escalated, mhttp.LevelCount{Level: l, N: n})
		}
	}
	st.Open, st.OverdueN = f.Open, f.OverdueN
	for _, c := range f.Overdue {
		st.Overdue = append(st.Overdue, mhttp.CaseLineOf(c))
	}
	for _, c := range f.OpenCases {
		st.OpenCases = append(st.OpenCases, mhttp.CaseLineOf(c))
	}
	st.Month.Informasi, st.Month.Aduan, st.Month.Escalated = f.Informasi, f.Aduan, f.Escalations
	st.Month.Answered, st.Month.AnsweredOnTime, st.Month.Closed = f.Answered, f.AnsweredOnTime, f.Closed
	for _, ch := range mailproc.Channels {
		st.Month.AddChannel(ch, f.Channels[ch])
	}
	for ch, n := range f.Channels {
		if !slices.Contains(mailproc.Channels, ch) {
			st.Month.AddChannel(ch, n)
		}
	}
}

// timedHandler times each ingested mail for the processing-time histogram,
// on the wall clock (m.Now may be the demo's fast clock). In a batch a
// mail's time runs from its first byte to the batch's commit.
type timedHandler struct {
	*mailproc.Ingester
	observe func(time.Duration)
}

var (
	_ mailproc.BatchHandler = timedHandler{}
	_ mailproc.SealingBatch = (*timedBatch)(nil)
)

func (h timedHandler) Batch() mailproc.MailBatch {
	return &timedBatch{MailBatch: h.Ingester.Batch(), observe: h.observe}
}

type timedBatch struct {
	mailproc.MailBatch
	observe func(time.Duration)
	starts  []time.Time
}

func (b *timedBatch) Add(ctx context.Context, d mailproc.Delivery, r io.Reader) error {
	start := time.Now()
	err := b.MailBatch.Add(ctx, d, r)
	if err == nil {
		b.starts = append(b.starts, start)
	}
	return err
}

// Seal passes the adapter's Seal on (mailproc.SealingBatch): without it
// the wrapper hid the Ingester's Seal, and the archive's sync of a batch
// waited for Commit, on the committing goroutine, instead of running on
// the goroutine that staged it.
func (b *timedBatch) Seal() {
	if sb, ok := b.MailBatch.(mailproc.SealingBatch); ok {
		sb.Seal()
	}
}

func (b *timedBatch) Abort() {
	b.MailBatch.Abort()
	b.starts = nil
}

func (b *timedBatch) Commit(ctx context.Context) ([]mailproc.IngestResult, error) {
	res, err := b.MailBatch.Commit(ctx)
	for i := range res {
		b.observe(time.Since(b.starts[i]))
	}
	b.starts = nil
	return res, err
}

func (h timedHandler) Ingest(ctx context.Context, d mailproc.Delivery, r io.Reader) (mailproc.IngestResult, error) {
	start := time.Now()
	res, err := h.Ingester.Ingest(ctx, d, r)
	if err == nil {
		h.observe(time.Since(start))
	}
	return res, err
}
