// Package imap is the desk's intake: it watches the desk mailbox over IMAP,
// hands every new mail to a mailproc.MailHandler and, only once the handler
// has committed it, moves it on the server to the processed folder
// (Diproses) or the quarantine folder (Karantina).
//
// The rules it keeps, because a helpdesk must neither lose nor double a mail:
//
//   - A mail leaves the inbox only after Ingest (or Seen) has said what
//     became of it. It is never deleted any other way.
//   - The bookmark (mailproc.MailboxState.LastUID) advances only past a
//     contiguous run of mails that were handled and moved, so a crash at any
//     point leaves at worst a mail that is seen again, and the handler's
//     Seen/Message-ID checks make that harmless.
//   - Message bodies stream from the socket to the handler; a 50 MB mail is
//     never held in memory.
//
// It wraps github.com/emersion/go-imap/v2/imapclient and imports only the
// domain package besides, and mailproc/oauth for the SASL mechanisms that
// log in with an OAuth access token.
package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TLS modes for Config.TLS.
const (
	TLSImplicit = "tls"      // TLS from the first byte (port 993)
	TLSStart    = "starttls" // plain connect, then STARTTLS (port 143)
	TLSNone     = "none"     // no encryption: tests and localhost only
)

// Login mechanisms for Config.Auth.
const (
	AuthPassword    = "password"    // LOGIN, or AUTHENTICATE PLAIN where LOGIN is disabled
	AuthXOAUTH2     = "xoauth2"     // AUTHENTICATE XOAUTH2 with an OAuth 2.0 access token
	AuthOAuthBearer = "oauthbearer" // AUTHENTICATE OAUTHBEARER (RFC 7628), else XOAUTH2
)

// Defaults for the zero values of Config.
const (
	DefaultInbox            = "INBOX"
	DefaultProcessedFolder  = "Diproses"
	DefaultQuarantineFolder = "Karantina"
	DefaultPollInterval     = time.Minute
	DefaultReconnectMin     = time.Second
	DefaultReconnectMax     = 5 * time.Minute
	DefaultFetchBatch       = 25
	DefaultFetchBytes       = 8 << 20
	DefaultTimeout          = time.Minute
)

// maxIdle is how long one IDLE may last before it is renewed. RFC 2177 lets
// a server drop an idle client after 30 minutes; renewing earlier keeps
// NAT boxes and the server from doing so.
const maxIdle = 25 * time.Minute

// TCP keepalive settings: a peer that vanished without a FIN/RST (a NAT
// timeout, a cable pulled) is noticed within about Idle + Interval*Count,
// even while the connection sits in IDLE with nothing to say.
const (
	keepAliveIdle     = 30 * time.Second
	keepAliveInterval = 10 * time.Second
	keepAliveCount    = 3
)

// Config says where the desk mailbox is and how to watch it.
type Config struct {
	Addr      string      // host:port
	TLS       string      // "tls" | "starttls" | "none"; "" means "tls"
	TLSConfig *tls.Config // optional (tests, a private CA, skip-verify)

	Username, Password string

	// Auth is how to log in: "password" (the default), or with an OAuth 2.0
	// access token for Google Workspace and Microsoft 365, which refuse
	// passwords: "xoauth2", or "oauthbearer", which uses OAUTHBEARER where
	// the server offers it and XOAUTH2 where it does not (Microsoft 365).
	Auth string
	// Token returns the access token for "xoauth2" and "oauthbearer"
	// (oauth.TokenSource.Token). It is asked on every login; caching is
	// its business.
	Token func(ctx context.Context) (string, error)
	// InvalidateToken, if set, is called when the server refuses the
	// token, so that the next Token reads a fresh one
	// (oauth.TokenSource.Invalidate).
	InvalidateToken func()

	Inbox            string // "" means "INBOX"
	ProcessedFolder  string // "" means "Diproses"
	QuarantineFolder string // "" means "Karantina"

	// PollInterval is the safety-net sync even while IDLE is in use, and the
	// only trigger on servers without IDLE. 0 means one minute.
	PollInterval time.Duration
	// IDLE uses IMAP IDLE when the server advertises it, so new mail is
	// picked up within a second instead of within PollInterval.
	IDLE bool

	// ReconnectMin and ReconnectMax bound the backoff between connection
	// attempts (and between retries of a mail the handler could not take):
	// it starts at ReconnectMin, doubles up to ReconnectMax, and is spread
	// ±20% so several daemons do not hammer a recovering server together.
	// 0 means one second and five minutes. While the server cannot be
	// reached at all, the backoff stops at UnreachableRetryMax instead.
	ReconnectMin, ReconnectMax time.Duration

	// Watch reads the folder without moving anything out of it: for the
	// desk's Sent folder, where staff answering from the shared mailbox
	// leave their answers. Only the bookmark records what was read.
	Watch bool
	// SkipOwn, in Watch mode, recognises the desk's own sent mail by its
	// Message-ID (from ENVELOPE, fetched with the metadata); such mail is
	// passed over without being downloaded or handed to the handler. The
	// postman appends every mail it sends to the Sent folder: downloading
	// and archiving each again would double the work of sending.
	SkipOwn func(messageID string) bool

	// MaxMessageSize: a mail whose RFC822.SIZE is larger is not downloaded
	// but handed to Handler.Oversize (which quarantines it) by UID, so one
	// mail larger than the disk or the memory cannot hold up the queue
	// behind it. 0: no limit.
	MaxMessageSize int64

	// StartNow and StartAt apply only when the inbox has no bookmark yet
	// (the first start): StartNow takes only mail that arrives from now
	// on, StartAt only mail whose INTERNALDATE is on or after that day.
	// The mail passed over stays in the inbox, untouched.
	StartNow bool
	StartAt  time.Time

	// FetchBatch is how many mails one FETCH asks for; a BatchHandler
	// commits them together. 0 means 25.
	FetchBatch int
	// FetchBytes bounds a batch by the sizes the server reports: a batch
	// takes mails while their sizes add up to no more than this (at least
	// one mail), and the rest wait for the next batch. A batch is held
	// in memory, parsed, until it is committed: its text is its raw
	// mails' decoded, so bounding these bounds it (each mail's text is
	// also cut at the parser's own bound). 0 means 8 MiB.
	FetchBytes int64

	// Timeout bounds dialing and the wait for any reply from the server.
	// imapclient waits forever for a reply to begin, so without this a
	// silently dead connection would hang intake. 0 means one minute.
	Timeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.TLS == "" {
		c.TLS = TLSImplicit
	}
	if c.Auth == "" {
		c.Auth = AuthPassword
	}
	if c.Inbox == "" {
		c.Inbox = DefaultInbox
	}
	if c.ProcessedFolder == "" {
		c.ProcessedFolder = DefaultProcessedFolder
	}
	if c.QuarantineFolder == "" {
		c.QuarantineFolder = DefaultQuarantineFolder
	}
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.ReconnectMin <= 0 {
		c.ReconnectMin = DefaultReconnectMin
	}
	if c.ReconnectMax <= 0 {
		c.ReconnectMax = DefaultReconnectMax
	}
	if c.ReconnectMax < c.ReconnectMin {
		c.ReconnectMax = c.ReconnectMin
	}
	if c.FetchBatch <= 0 {
		c.FetchBatch = DefaultFetchBatch
	}
	if c.FetchBytes <= 0 {
		c.FetchBytes = DefaultFetchBytes
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

// Validate reports the first field that cannot work, by name. Zero values
// that have a default are fine.
func (c Config) Validate() error {
	c = c.withDefaults()
	if c.Addr == "" {
		return errors.New("imap: Addr is empty")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("imap: Addr %q: %w", c.Addr, err)
	}
	switch c.TLS {
	case TLSImplicit, TLSStart, TLSNone:
	default:
		return fmt.Errorf("imap: TLS %q: want %q, %q or %q", c.TLS, TLSImplicit, TLSStart, TLSNone)
	}
	if c.Username == "" {
		return errors.New("imap: Username is empty")
	}
	switch c.Auth {
	case AuthPassword:
	case AuthXOAUTH2, AuthOAuthBearer:
		if c.Token == nil {
			return fmt.Errorf("imap: Auth %q needs Token", c.Auth)
		}
	default:
		return fmt.Errorf("imap: Auth %q: want %q, %q or %q", c.Auth, AuthPassword, AuthXOAUTH2, AuthOAuthBearer)
	}
	if c.Watch {
		return nil // nothing is moved, so the folders do not matter
	}
	// Moving a mail into the folder it came from would loop forever.
	if c.ProcessedFolder == c.Inbox || c.QuarantineFolder == c.Inbox {
		return fmt.Errorf("imap: ProcessedFolder %q and QuarantineFolder %q must differ from Inbox %q",
			c.ProcessedFolder, c.QuarantineFolder, c.Inbox)
	}
	if c.ProcessedFolder == c.QuarantineFolder {
		return fmt.Errorf("imap: ProcessedFolder and QuarantineFolder are both %q", c.ProcessedFolder)
	}
	return nil
}

// Status is the intake's health as the health endpoint reports it.
type Status struct {
	Connected   bool      // logged in with the inbox selected
	LastSync    time.Time // end of the last sync that reached the end of the inbox
	Reconnects  int       // connections lost or failed since Run started
	LastError   string    // the most recent error (no secrets, no mail content)
	LastErrorAt time.Time // when LastError happened; compare with LastSync
}

// Intake watches the desk mailbox and feeds the handler. Set the exported
// fields, then call Run once; Status and SyncNow may be called from any
// goroutine.
type Intake struct {
	Config
	Handler   mailproc.MailHandler
	Bookmarks mailproc.Bookmarks
	Logger    *slog.Logger     // nil: discard
	Now       func() time.Time // nil: time.Now
	// LeadLogin, on the inbox's intake, is opened by each login the server
	// accepts and closed by each it refuses; FollowLogin, on the Sent
	// watcher's, is waited on before each connection. So while the
	// password is wrong only the inbox session tries it, once per backoff
	// step, and a lockout policy counts one failure per step, not two.
	LeadLogin, FollowLogin *LoginGate

	mu     sync.Mutex
	status Status
	nudge  chan struct{}

	// wrapConn, when set, wraps each new connection (after TLS). Tests use
	// it to watch the bytes on the wire.
	wrapConn func(net.Conn) net.Conn
}

// LoginGate is shut until the leading session logs in; see
// Intake.LeadLogin. A nil *LoginGate is always open.
type LoginGate struct {
	mu   sync.Mutex
	ch   chan struct{} // closed while the gate is open
	open bool
}

// NewLoginGate returns a shut gate.
func NewLoginGate() *LoginGate { return &LoginGate{ch: make(chan struct{})} }

func (g *LoginGate) opened() {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.open {
		close(g.ch)
		g.open = true
	}
}

func (g *LoginGate) close() {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open {
		g.ch = make(chan struct{})
		g.open = false
	}
}

// wait returns nil once the gate is open, ctx.Err() if ctx ends first.
func (g *LoginGate) wait(ctx context.Context) error {
	if g == nil {
		return nil
	}
	g.mu.Lock()
	ch := g.ch
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Status returns a snapshot of the intake's health.
func (in *Intake) Status() Status {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.status
}

// SyncNow asks a running intake to look for new mail at once instead of
// waiting for IDLE or the next poll. It never blocks; nudges that arrive
// while a sync is pending are folded into it.
func (in *Intake) SyncNow() {
	select {
	case in.nudgeChan() <- struct{}{}:
	default:
	}
}

func (in *Intake) nudgeChan() chan struct{} {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.nudge == nil {
		in.nudge = make(chan struct{}, 1)
	}
	return in.nudge
}

func (in *Intake) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

func (in *Intake) logger() *slog.Logger {
	l := in.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return l
}

func (in *Intake) setConnected(ok bool) {
	in.mu.Lock()
	in.status.Connected = ok
	in.mu.Unlock()
}

func (in *Intake) setSynced() {
	t := in.now()
	in.mu.Lock()
	in.status.LastSync = t
	in.mu.Unlock()
}

func (in *Intake) setError(err error, reconnect bool) {
	t := in.now()
	in.mu.Lock()
	in.status.LastError = err.Error()
	in.status.LastErrorAt = t
	if reconnect {
		in.status.Reconnects++
	}
	in.mu.Unlock()
}

// Run watches the mailbox until ctx is done, then finishes the mail in hand,
// logs out and returns nil. Connection trouble of any kind (refused, reset,
// BYE, timeout, a failed login) is retried forever with backoff; Run returns
// an error only for a configuration that can never work.
func (in *Intake) Run(ctx context.Context) error {
	if err := in.Config.Validate(); err != nil {
		return err
	}
	if in.Handler == nil || in.Bookmarks == nil {
		return errors.New("imap: Intake needs a Handler and Bookmarks")
	}
	cfg := in.Config.withDefaults()
	log := in.logger().With("mailbox", cfg.Inbox)

	attempt := 0       // failures since the last good sync
	var lost time.Time // when the first of them happened
	slowed := false    // the ERROR that retries slow down was logged
	for {
		if err := in.FollowLogin.wait(ctx); err != nil {
			log.Info("intake stopped")
			return nil
		}
		err := in.runSession(ctx, cfg, log, &attempt)
		in.setConnected(false)
		if ctx.Err() != nil {
			log.Info("intake stopped")
			return nil
		}
		if err == nil { // cannot happen: a session ends only on error or ctx
			err = errors.New("session ended")
		}
		attempt++
		if attempt == 1 {
			lost, slowed = time.Now(), false
		}
		down := time.Since(lost)
		in.setError(err, true)
		limit := retryCap(cfg.ReconnectMax, err, down)
		delay := backoff(cfg.ReconnectMin, limit, attempt)
		var refused *LoginRefusedError
		switch {
		case errors.As(err, &refused):
			in.LeadLogin.close()
			log.Error("imap login refused: check imap.password (or the OAuth token) and that the account is not locked; retrying after the delay",
				"attempt", attempt, "delay", delay, "err", err)
		case unreachable(err) && limit > UnreachableRetryMax && !slowed:
			slowed = true
			log.Error("imap server unreachable for "+QuickRetryWindow.String()+"; retrying less often, up to imap.reconnect_max",
				"attempt", attempt, "delay", delay, "err", err)
		case attempt <= quietAfter || delay >= cfg.ReconnectMax*8/10:
			// The first retries, then only those at the longest delay: a
			// maintenance window logs a few lines, not thousands.
			log.Warn("imap connection lost; reconnecting", "attempt", attempt, "delay", delay, "err", err)
		case limit <= UnreachableRetryMax:
			// The quick retries past the first: some hundred in the window.
			log.Debug("imap connection lost; reconnecting", "attempt", attempt, "delay", delay, "err", err)
		default:
			log.Info("imap connection lost; reconnecting", "attempt", attempt, "delay", delay, "err", err)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			log.Info("intake stopped")
			return nil
		case <-t.C:
		}
	}
}

// QuickRetryWindow is how long an unreachable server is retried at
// UnreachableRetryMax: a restarted or rebooted server is picked up within
// seconds of its return for as long as the desk's five minutes last. After
// it the wait grows with the outage — a quarter of it, up to ReconnectMax —
// so a maintenance window of hours costs a few attempts an hour, and a
// server back after an outage of T is picked up within about T/4.
//
// It was ten quick attempts (about 27 s) until the fault suite's 30 s
// Dovecot outage showed what that cost: the 11th attempt waited 4 minutes,
// and the server, back 3 s later, was not read for those 4 minutes.
const QuickRetryWindow = 5 * time.Minute

// quietAfter is how many retries in a row are logged as warnings; the
// quick ones after them only at debug level, the slower ones at info, and
// those at the longest delay as warnings again.
const quietAfter = 10

// UnreachableRetryMax caps the backoff while the server cannot be reached
// at all (the TCP connection is refused or times out). Such an attempt costs
// the server nothing and cannot lock the account, unlike a refused login;
// a short cap means mail is picked up within a few seconds of a restarted
// server coming back instead of minutes later — the desk promises answers
// within 5 minutes.
const UnreachableRetryMax = 3 * time.Second

// HandlerRetryMax caps the backoff between retries of a mail the handler
// could not take (the data disk full, the database locked). The connection
// is fine, so a retry costs one download; waiting longer would only delay
// every citizen behind that mail once the operator has fixed the cause.
const HandlerRetryMax = 30 * time.Second

// retryCap is the longest wait before the next reconnect attempt after
// err, the connection having been lost for down: for a server that cannot
// be reached, UnreachableRetryMax within QuickRetryWindow, then a quarter
// of down; else (a refused login, a broken session) reconnectMax. Never
// more than reconnectMax.
func retryCap(reconnectMax time.Duration, err error, down time.Duration) time.Duration {
	if !unreachable(err) {
		return reconnectMax
	}
	if down <= QuickRetryWindow {
		return min(reconnectMax, UnreachableRetryMax)
	}
	return min(reconnectMax, max(UnreachableRetryMax, down/4))
}

// unreachable reports whether err is a failure to open the TCP connection,
// as opposed to a server that answered and refused or broke off.
func unreachable(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// backoff is the wait before retry number attempt (1, 2, 3 …): min doubled
// attempt-1 times, capped at max, with ±20% jitter.
func backoff(min, max time.Duration, attempt int) time.Duration {
	d := min
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}
