package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/oauth"
)

// errTimedOut marks a command the watchdog gave up on.
var errTimedOut = errors.New("no reply from server in time")

// session is one connection's worth of intake: from dial to logout.
type session struct {
	in   *Intake
	cfg  Config
	log  *slog.Logger
	c    *imapclient.Client
	caps goimap.CapSet

	// wake receives a token when the server reports EXISTS. The client's
	// reader goroutine fills it (never blocking); the loop drains it.
	wake chan struct{}

	state mailproc.MailboxState // the bookmark as last saved

	// queue is what the running sync has still to hand over (ascending,
	// the batch being staged first): Delivery.Behind is read from it.
	queue []goimap.UID

	// ahead is the metadata FETCH sent early for the next batch to be
	// staged (metaAhead); sync owns it.
	ahead *metaAhead

	// conn is the connection under c. Closing it (rather than calling
	// c.Close, which waits for the reader goroutine) never blocks, even
	// when the reader is waiting for a body literal to be consumed.
	conn net.Conn

	timedOut atomic.Bool // set when the watchdog closed the connection
}

// dial connects and waits for the greeting, per the TLS mode. It dials
// with DialContext and builds the client with imapclient.New/NewStartTLS
// (what imapclient.DialTLS/DialStartTLS/DialInsecure do inside) so that
// shutdown can interrupt a slow dial, and so the dialer sets TCP keepalive.
func dial(ctx context.Context, cfg Config, opts *imapclient.Options, wrap func(net.Conn) net.Conn) (*imapclient.Client, net.Conn, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, nil, fmt.Errorf("imap: address %q: %w", cfg.Addr, err)
	}
	d := &net.Dialer{
		Timeout: cfg.Timeout,
		KeepAliveConfig: net.KeepAliveConfig{
			Enable:   true,
			Idle:     keepAliveIdle,
			Interval: keepAliveInterval,
			Count:    keepAliveCount,
		},
	}
	tlsConfig := &tls.Config{}
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = host
	}
	if cfg.TLS == TLSImplicit && tlsConfig.NextProtos == nil {
		tlsConfig.NextProtos = []string{"imap"} // RFC 9051 section 2.1 ALPN id
	}
	o := *opts
	o.TLSConfig = tlsConfig

	var conn net.Conn
	switch cfg.TLS {
	case TLSImplicit:
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, "tcp", cfg.Addr)
	case TLSStart, TLSNone:
		conn, err = d.DialContext(ctx, "tcp", cfg.Addr)
	default:
		return nil, nil, fmt.Errorf("imap: unknown TLS mode %q", cfg.TLS)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("dial %s: %w%s", cfg.Addr, err, tlsHint(ctx, cfg, err))
	}
	if wrap != nil {
		conn = wrap(conn)
	}

	// The greeting and the STARTTLS exchange have their own 30 s read
	// timeouts in imapclient; this makes them end early on shutdown and
	// bounds them by cfg.Timeout too.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	timer := time.AfterFunc(cfg.Timeout, func() { conn.Close() })
	defer timer.Stop()

	var c *imapclient.Client
	if cfg.TLS == TLSStart {
		c, err = imapclient.NewStartTLS(conn, &o)
		if err != nil {
			return nil, nil, fmt.Errorf("starttls %s: %w%s", cfg.Addr, err, tlsHint(ctx, cfg, err))
		}
	} else {
		c = imapclient.New(conn, &o)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("greeting from %s: %w%s", cfg.Addr, err, tlsHint(ctx, cfg, err))
	}
	if ctx.Err() != nil {
		c.Close()
		return nil, nil, ctx.Err()
	}
	return c, conn, nil
}

// login authenticates: LOGIN, or AUTHENTICATE PLAIN where the server has
// switched LOGIN off; with an OAuth access token, AUTHENTICATE OAUTHBEARER
// or XOAUTH2. It returns the capabilities after login (they may differ from
// those before).
// LoginRefusedError is a login the server answered and refused (NO or
// BAD): a wrong password or token, or a locked account. Retrying it
// quickly only brings a lockout nearer.
type LoginRefusedError struct{ err error }

func (e *LoginRefusedError) Error() string { return e.err.Error() }
func (e *LoginRefusedError) Unwrap() error { return e.err }

func login(ctx context.Context, c *imapclient.Client, cfg Config) (goimap.CapSet, error) {
	pre := c.Caps()
	if pre == nil {
		return nil, errors.New("server did not send its capabilities")
	}
	var err error
	switch cfg.Auth {
	case AuthXOAUTH2, AuthOAuthBearer:
		err = loginOAuth(ctx, c, cfg, pre)
	default:
		if pre.Has(goimap.CapLoginDisabled) {
			err = c.Authenticate(sasl.NewPlainClient("", cfg.Username, cfg.Password))
		} else {
			err = c.Login(cfg.Username, cfg.Password).Wait()
		}
	}
	if err != nil {
		err = fmt.Errorf("login as %q: %w", cfg.Username, err)
		var refused *goimap.Error
		if errors.As(err, &refused) {
			err = &LoginRefusedError{err: err}
		}
		return nil, err
	}
	caps := c.Caps()
	if caps == nil {
		return nil, errors.New("server did not send its capabilities after login")
	}
	return caps, nil
}

// loginOAuth authenticates with the access token from cfg.Token. Asked for
// "oauthbearer", it uses OAUTHBEARER where the server advertises it and
// XOAUTH2 where only that is advertised (Microsoft 365). When the server
// refuses, cfg.InvalidateToken is called so the next attempt reads a fresh
// token.
func loginOAuth(ctx context.Context, c *imapclient.Client, cfg Config, caps goimap.CapSet) error {
	if cfg.Token == nil {
		return fmt.Errorf("auth %q: no token source", cfg.Auth)
	}
	token, err := cfg.Token(ctx)
	if err != nil {
		return fmt.Errorf("access token: %w", err)
	}
	mech := oauth.XOAUTH2Mechanism
	if cfg.Auth == AuthOAuthBearer && (caps.Has(goimap.Cap("AUTH="+sasl.OAuthBearer)) || !caps.Has(goimap.Cap("AUTH="+oauth.XOAUTH2Mechanism))) {
		mech = sasl.OAuthBearer
	}
	var client sasl.Client
	if mech == sasl.OAuthBearer {
		host, portStr, _ := net.SplitHostPort(cfg.Addr)
		port, _ := strconv.Atoi(portStr)
		client = oauth.OAuthBearer(cfg.Username, token, host, port)
	} else {
		client = oauth.XOAUTH2(cfg.Username, token)
	}
	err = c.Authenticate(client)
	if err == nil {
		return nil
	}
	refused := client.(oauth.Refused).Refused()
	var ierr *goimap.Error
	if refused != nil || errors.As(err, &ierr) {
		if cfg.InvalidateToken != nil {
			cfg.InvalidateToken()
		}
	}
	if refused != nil {
		return fmt.Errorf("AUTHENTICATE %s: %w (%w)", mech, err, refused)
	}
	return fmt.Errorf("AUTHENTICATE %s: %w", mech, err)
}

func capList(caps goimap.CapSet) []string {
	l := make([]string, 0, len(caps))
	for c := range caps {
		l = append(l, string(c))
	}
	slices.Sort(l)
	return l
}

// guard runs fn, closing the connection if fn has not returned within
// cfg.Timeout. imapclient sets no deadline on waiting for a reply to begin,
// so a peer that vanished silently would otherwise block fn forever;
// closing the connection makes every pending command fail at once.
func (s *session) guard(fn func() error) error {
	t := time.AfterFunc(s.cfg.Timeout, func() {
		s.timedOut.Store(true)
		s.abort()
	})
	err := fn()
	if !t.Stop() && s.timedOut.Load() {
		if err == nil {
			err = errTimedOut
		}
		return fmt.Errorf("%w after %v (%v)", errTimedOut, s.cfg.Timeout, err)
	}
	return err
}

// abort drops the connection at once: every pending and future command
// fails, and a body literal being read ends with an error.
func (s *session) abort() { s.conn.Close() }

// runSession is one connection: connect, prepare, then sync and wait in
// turn until ctx is done (nil) or the connection fails (the error).
// *attempt is reset once a sync succeeds, so backoff restarts small.
func (in *Intake) runSession(ctx context.Context, cfg Config, log *slog.Logger, attempt *int) error {
	s := &session{in: in, cfg: cfg, log: log, wake: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			// Runs on the client's reader goroutine: never block, never
			// send a command from here.
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages == nil {
					return
				}
				select {
				case s.wake <- struct{}{}:
				default:
				}
			},
		},
	}
	c, conn, err := dial(ctx, cfg, opts, in.wrapConn)
	if err != nil {
		return err
	}
	s.c, s.conn = c, conn
	defer c.Close()

	// Nothing is in hand while logging in: shutdown may cut it short.
	stop := context.AfterFunc(ctx, s.abort)
	err = s.open(ctx)
	stop()
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	in.setConnected(true)
	in.LeadLogin.opened()

	failures := 0 // handler failures in a row, for the retry backoff
	// expect: the next sync is the session's first, or the server reported
	// new mail (EXISTS) while it waited — its SEARCH most likely finds
	// some (see search). A sync on a timer usually finds none.
	expect := true
	for {
		// A retry after a handler failure fetches the failing mail alone
		// first, so a mail that fails again costs one download, not a
		// batch.
		first := s.cfg.FetchBatch
		if failures > 0 {
			first = 1
		}
		err := s.sync(ctx, first, expect)
		var herr *handlerError
		switch {
		case err == nil:
			failures = 0
			*attempt = 0
			in.setSynced()
		case errors.As(err, &herr):
			// The connection is fine; the handler (or its database) is
			// not. Keep the connection and retry after a backoff.
			failures++
			in.setError(err, false)
			level, msg := slog.LevelError, "mail not handled; will retry"
			switch {
			case mailproc.IsDiskFull(herr.err):
				// The operator must act; say what to do in the message.
				msg = "the data disk is full: mail stays in the inbox until space is freed; will retry"
			case mailproc.IsTemporary(herr.err):
				level = slog.LevelWarn
			}
			log.Log(ctx, level, msg, "uid", herr.uid, "op", herr.op, "retry", failures, "err", herr.err)
		default:
			return err
		}
		if ctx.Err() != nil {
			s.logout()
			return nil
		}

		wait, onMail := cfg.PollInterval, true
		if failures > 0 {
			// New mail must not cut the backoff short: it would only hit
			// the same failing mail first.
			wait, onMail = backoff(cfg.ReconnectMin, min(cfg.ReconnectMax, HandlerRetryMax), failures), false
		}
		if expect, err = s.wait(ctx, wait, onMail); err != nil {
			return err
		}
		if ctx.Err() != nil {
			s.logout()
			return nil
		}
	}
}

// open logs in, makes sure the folders exist, selects the inbox and
// reconciles the bookmark with the inbox's UIDVALIDITY.
func (s *session) open(ctx context.Context) error {
	var err error
	err = s.guard(func() error {
		s.caps, err = login(ctx, s.c, s.cfg)
		return err
	})
	if err != nil {
		return err
	}
	s.log.Debug("logged in", "caps", strings.Join(capList(s.caps), " "))

	folders := []string{s.cfg.ProcessedFolder, s.cfg.QuarantineFolder}
	if s.cfg.Watch {
		folders = []string{s.cfg.Inbox} // a watched Sent folder may not exist yet
	}
	for _, f := range folders {
		if err := s.ensureFolder(f); err != nil {
			return err
		}
	}

	var data *goimap.SelectData
	err = s.guard(func() error {
		data, err = s.c.Select(s.cfg.Inbox, nil).Wait()
		return err
	})
	if err != nil {
		return fmt.Errorf("select %q: %w", s.cfg.Inbox, err)
	}

	st, err := s.in.Bookmarks.MailboxState(context.WithoutCancel(ctx), s.cfg.Inbox)
	if err != nil {
		return fmt.Errorf("read bookmark of %q: %w", s.cfg.Inbox, err)
	}
	st.Mailbox = s.cfg.Inbox
	if st.UIDValidity != data.UIDValidity {
		// UIDs of the old UIDVALIDITY mean nothing now: rescan from the
		// start. Mails already handled come back as Duplicate (by
		// Message-ID) and are simply moved on.
		if st.UIDValidity == 0 {
			s.log.Info("no bookmark for mailbox; scanning it from the start", "uidvalidity", data.UIDValidity)
		} else {
			s.log.Warn("mailbox UIDVALIDITY changed; rescanning it from the start",
				"old_uidvalidity", st.UIDValidity, "uidvalidity", data.UIDValidity, "old_last_uid", st.LastUID)
		}
		first := st.UIDValidity == 0
		st = mailproc.MailboxState{Mailbox: s.cfg.Inbox, UIDValidity: data.UIDValidity}
		if s.cfg.Watch && data.UIDNext > 0 {
			// A watched folder (Sent) holds the shared mailbox's history:
			// only what arrives from now on is read.
			st.LastUID = uint32(data.UIDNext) - 1
		} else if first && (s.cfg.StartNow || !s.cfg.StartAt.IsZero()) {
			if st.LastUID, err = s.startBookmark(data); err != nil {
				return err
			}
		}
		if err := s.in.Bookmarks.SetMailboxState(context.WithoutCancel(ctx), st); err != nil {
			return fmt.Errorf("save bookmark of %q: %w", s.cfg.Inbox, err)
		}
	}
	s.state = st
	s.log.Info("connected", "uidvalidity", st.UIDValidity, "last_uid", st.LastUID, "messages", data.NumMessages,
		"idle", s.cfg.IDLE && s.caps.Has(goimap.CapIdle), "move", s.caps.Has(goimap.CapMove), "uidplus", s.caps.Has(goimap.CapUIDPlus))
	return nil
}

// startBookmark is the first bookmark under imap.start_at: below the
// first mail that arrived on or after StartAt, or (StartNow, or no such
// mail) below the next UID. The mails below it stay in the inbox.
func (s *session) startBookmark(data *goimap.SelectData) (uint32, error) {
	last := uint32(data.UIDNext) - 1
	if data.UIDNext == 0 {
		return 0, fmt.Errorf("imap.start_at: the server gives no UIDNEXT for %q", s.cfg.Inbox)
	}
	if !s.cfg.StartNow {
		arrived, err := s.arrivedSince(s.cfg.StartAt.AddDate(0, 0, -1))
		if err != nil {
			return 0, fmt.Errorf("imap.start_at: search since %s: %w", s.cfg.StartAt.Format(time.DateOnly), err)
		}
		if uid, ok := firstArrivedSince(arrived, s.cfg.StartAt); ok {
			last = uint32(uid) - 1
		}
	}
	s.log.Info("imap.start_at: first start; mail already in the inbox below the bookmark is left there, not taken",
		"last_uid", last, "messages", data.NumMessages)
	return last, nil
}

// arrivedSince returns the INTERNALDATE of every mail the server finds
// SINCE day. SEARCH SINCE compares dates alone, in whatever zone the server
// reads an INTERNALDATE in (Dovecot: its own, often UTC), so the caller
// asks from the day before the one it means and decides by the time itself.
func (s *session) arrivedSince(day time.Time) (map[goimap.UID]time.Time, error) {
	var found *goimap.SearchData
	err := s.guard(func() error {
		var err error
		found, err = s.c.UIDSearch(&goimap.SearchCriteria{Since: day}, nil).Wait()
		return err
	})
	if err != nil {
		return nil, err
	}
	uids := found.AllUIDs()
	if len(uids) == 0 {
		return nil, nil
	}
	var msgs []*imapclient.FetchMessageBuffer
	err = s.guard(func() error {
		var err error
		msgs, err = s.c.Fetch(goimap.UIDSetNum(uids...), &goimap.FetchOptions{UID: true, InternalDate: true}).Collect()
		return err
	})
	if err != nil {
		return nil, err
	}
	arrived := make(map[goimap.UID]time.Time, len(msgs))
	for _, m := range msgs {
		arrived[m.UID] = m.InternalDate
	}
	return arrived, nil
}

// firstArrivedSince is the lowest UID among the mails that arrived at or
// after since — the moment imap.start_at names, in the desk's zone, as
// `mailproc check` counts them.
func firstArrivedSince(arrived map[goimap.UID]time.Time, since time.Time) (goimap.UID, bool) {
	var first goimap.UID
	for uid, at := range arrived {
		if !at.Before(since) && (first == 0 || uid < first) {
			first = uid
		}
	}
	return first, first != 0
}

// folderExists asks the server whether mailbox name exists.
func (s *session) folderExists(name string) (bool, error) {
	var l []*goimap.ListData
	err := s.guard(func() error {
		var err error
		l, err = s.c.List("", name, nil).Collect()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("list %q: %w", name, err)
	}
	return listHas(l, name), nil
}

func listHas(l []*goimap.ListData, name string) bool {
	for _, d := range l {
		if d.Mailbox == name || (strings.EqualFold(name, "INBOX") && strings.EqualFold(d.Mailbox, "INBOX")) {
			if !slices.Contains(d.Attrs, goimap.MailboxAttrNonExistent) {
				return true
			}
		}
	}
	return false
}

// ensureFolder creates a destination folder if it is missing, and
// subscribes it so staff see it in their mail clients.
func (s *session) ensureFolder(name string) error {
	ok, err := s.folderExists(name)
	if err != nil || ok {
		return err
	}
	err = s.guard(func() error { return s.c.Create(name, nil).Wait() })
	if err != nil {
		var ierr *goimap.Error
		if errors.As(err, &ierr) && ierr.Code == goimap.ResponseCodeAlreadyExists {
			return nil // another client was quicker
		}
		// Not every server sends ALREADYEXISTS; ask again before failing.
		if ok, lerr := s.folderExists(name); lerr == nil && ok {
			return nil
		}
		return fmt.Errorf("create folder %q: %w", name, err)
	}
	s.log.Info("created folder", "folder", name)
	if err := s.guard(func() error { return s.c.Subscribe(name).Wait() }); err != nil {
		s.log.Warn("could not subscribe folder", "folder", name, "err", err)
	}
	return nil
}

// logout says goodbye politely; the connection is closed by the caller.
func (s *session) logout() {
	if err := s.guard(func() error { return s.c.Logout().Wait() }); err != nil {
		s.log.Debug("logout", "err", err)
	}
}

// tlsHint is mailproc.TLSModeHint for the [imap] section, as a suffix.
func tlsHint(ctx context.Context, cfg Config, err error) string {
	if ctx.Err() != nil {
		return "" // shutting down closed the connection
	}
	mode := cfg.TLS
	if mode == "" {
		mode = TLSImplicit
	}
	if h := mailproc.TLSModeHint("imap", mode, err); h != "" {
		return " (" + h + ")"
	}
	return ""
}
