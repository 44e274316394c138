// Package smtp sends the desk's mail through its SMTP submission server. It
// wraps github.com/wneessen/go-mail and imports only the domain package and
// mailproc/mime, whose OpenPart finds an attachment again in an archived
// mail by the part number mime.Parse gave it (the numbering must be the
// parser's own, so it is not re-implemented here).
//
// Build turns an outgoing mail into a message with every header the desk's
// rules require (Message-ID, threading, Auto-Submitted, …); the Sender
// adds its attachments, streamed from the raw archive (stream.go), and
// the copy appended to the Sent folder is the same bytes the server
// accepted.
//
// go-mail's own Client.Send is not used for the transaction, only for the
// connection (dial, EHLO, STARTTLS, AUTH): Send writes the message again
// while sending it (go-mail writes preformatted headers in map order, so two
// writes need not be equal), and its SendError keeps only the last
// recipient's reply code and calls every network error permanent.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/wneessen/go-mail"
	gomailsmtp "github.com/wneessen/go-mail/smtp"
)

// TLS modes of Config.TLS.
const (
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, which must be offered (587)
	TLSNone     = "none"     // no encryption at all
)

// Authentication mechanisms of Config.Auth.
const (
	AuthPlain = "plain"
	AuthLogin = "login"
	AuthNone  = "none"
	// AuthXOAUTH2 logs in with an OAuth 2.0 access token from Config.Token
	// (Google Workspace, Microsoft 365), sent as go-mail's XOAUTH2.
	AuthXOAUTH2 = "xoauth2"
)

// dataChunk is how much of the message is written under one deadline.
const dataChunk = 64 << 10

// DefaultTimeout bounds each step of a session (connect, each command, the
// message data) when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config is how to reach the submission server.
type Config struct {
	Addr      string      // host:port
	TLS       string      // "tls", "starttls" or "none"
	TLSConfig *tls.Config // nil: system roots, server name from Addr
	Username  string
	Password  string
	Auth      string // "plain", "login", "xoauth2" or "none"
	// Token returns the access token for Auth "xoauth2"
	// (oauth.TokenSource.Token); it is asked at every connection.
	Token func(ctx context.Context) (string, error)
	// InvalidateToken, if set, is called when the server refuses the token
	// (535), so the next connection reads a fresh one
	// (oauth.TokenSource.Invalidate).
	InvalidateToken func()
	// Insecure allows sending the password without TLS to a host that is not
	// loopback (config smtp.insecure). Without it go-mail refuses PLAIN and
	// LOGIN on an unencrypted connection except to localhost, 127.0.0.1 and
	// ::1, and the refusal is reported as a login failure.
	Insecure bool
	HELO     string        // EHLO name; "" = this machine's host name
	Timeout  time.Duration // per step; 0 = DefaultTimeout
}

// Validate checks the settings a session needs; errors name the field.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := splitAddr(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("smtp addr %q: %w", c.Addr, err))
	}
	switch c.TLS {
	case TLSImplicit, TLSStartTLS, TLSNone:
	default:
		errs = append(errs, fmt.Errorf("smtp tls %q: want %q, %q or %q", c.TLS, TLSImplicit, TLSStartTLS, TLSNone))
	}
	switch c.Auth {
	case AuthPlain, AuthLogin:
		if c.Username == "" {
			errs = append(errs, fmt.Errorf("smtp username: required for auth %q", c.Auth))
		}
	case AuthXOAUTH2:
		if c.Username == "" {
			errs = append(errs, fmt.Errorf("smtp username: required for auth %q", c.Auth))
		}
		if c.Token == nil {
			errs = append(errs, fmt.Errorf("smtp token: required for auth %q", c.Auth))
		}
	case AuthNone:
	default:
		errs = append(errs, fmt.Errorf("smtp auth %q: want %q, %q, %q or %q", c.Auth, AuthPlain, AuthLogin, AuthXOAUTH2, AuthNone))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("smtp timeout %v: must not be negative", c.Timeout))
	}
	return errors.Join(errs...)
}

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

// Sender delivers the outbox's mail; it implements mailproc.Sender, and
// may be used by several goroutines at once (each Send has a session of
// its own). With PerSession above 1 a session is kept after a mail and
// reused for the next (RSET first), up to PerSession mails and while idle
// no longer than Idle: a backlog then costs one login, not one per mail.
// A kept session the server has dropped fails its RSET and is replaced
// before anything of the mail is sent.
type Sender struct {
	Config
	// DataDir is the data directory the raw archive is in (config
	// desk.data_dir): attachments are read from <DataDir>/<ArchivePath>.
	// Only mail with attachments needs it; without it such mail fails.
	DataDir string
	Logger  *slog.Logger // nil: no logging
	// PerSession caps the mails sent over one session; 0 or 1: a new
	// session for every mail.
	PerSession int
	Idle       time.Duration // a kept session unused this long is closed; 0: DefaultIdle

	mu           sync.Mutex
	idleSessions []*kept
	closed       bool
}

var _ mailproc.Sender = (*Sender)(nil)

// Send is SendMail with the message it sent in memory, for tests and
// callers that want the bytes.
func (s *Sender) Send(ctx context.Context, m *mailproc.OutgoingMail) ([]byte, error) {
	sent, err := s.SendMail(ctx, m)
	if err != nil {
		return nil, err
	}
	return sent.Bytes()
}

// SendMail builds m, sends it to all of m.Recipients() with m.From.Addr as
// the envelope sender, and returns the exact message the server accepted.
//
// Errors that IsTemporary (retry later): every failure to connect, greet,
// STARTTLS, TLS or log in, whatever the reply code (they say nothing about
// this mail; a wrong password must not fail citizens' mail — it is logged at
// error level instead); 4xx replies; network errors and timeouts at any
// step; ctx ending. Permanent: a 5xx reply to MAIL FROM, RCPT TO, DATA or
// the message (the server's reply is kept in the error, and *textproto.Error
// is in its chain), and a mail that cannot be built (invalid address or
// Message-ID; an attachment whose archived mail or part is missing, or
// cannot be read, or is not the size listed) — all found before connecting.
//
// A mail without attachments is written once into memory and those bytes
// are sent and returned. A mail with attachments is streamed (stream.go):
// its attachments are read from the archive and base64-encoded on the fly
// into the DATA stream, and the SentMail returned writes the same bytes
// again for the Sent copy, so memory stays flat whatever their size
// (TestSendAttachmentMemory, BenchmarkEscalate30MBPeakRSS).
//
// Delivery is all or nothing: if any recipient is refused the transaction
// is reset, nobody gets the mail, and the error is permanent if any refusal
// was 5xx. A connection lost after the message was sent but before the
// server's reply is temporary, so the mail may arrive twice; never is worse.
func (s *Sender) SendMail(ctx context.Context, m *mailproc.OutgoingMail) (mailproc.SentMail, error) {
	log := s.logger().With("outbox_id", m.ID, "case_id", m.CaseID, "message_id", m.MessageID, "purpose", string(m.Purpose))
	msg, err := newMessage(m, s.DataDir)
	if err != nil {
		if ae, ok := errors.AsType[*attachmentError](err); ok {
			err = fmt.Errorf("write message: %w", ae) // go-mail's "failed to write due to previous error: bodyWriter function: " says nothing
		}
		log.Error("smtp: mail cannot be built", "err", err)
		return mailproc.SentMail{}, fmt.Errorf("smtp: outbox mail %d: %w", m.ID, err)
	}

	reply, n, err := s.deliver(ctx, m.From.Addr, uniqueAddrs(m.Recipients()), msg)
	if err != nil {
		s.logFailure(log, err)
		return mailproc.SentMail{}, fmt.Errorf("smtp: outbox mail %d: %w", m.ID, err)
	}
	log.Info("smtp: mail sent", "rcpts", len(m.Recipients()), "attachments", len(m.Attachments), "bytes", n, "reply", reply)
	if msg.atts == nil {
		return mailproc.SentMail{Raw: msg.head}, nil
	}
	return mailproc.SentMail{Size: n, Rewrite: msg.write}, nil
}

// deliver runs one transaction on a session from take, writing msg as the
// message data; after the 250 the session is kept for the next mail (or
// QUIT), after any failure it is closed. It returns the server's reply to
// the message (e.g. "2.0.0 Ok: queued as …") and the message's length.
func (s *Sender) deliver(ctx context.Context, from string, rcpts []string, msg *message) (string, int64, error) {
	sess, sent, err := s.take(ctx)
	if err != nil {
		return "", 0, err
	}
	accepted := false
	defer func() {
		if accepted {
			s.keep(sess, sent+1)
		} else {
			sess.close()
		}
	}()
	c, timeout := sess.client, s.timeout()

	refusals, err := sess.envelope(timeout, from, rcpts)
	if err != nil {
		return "", 0, err
	}
	if len(refusals) > 0 {
		if c.Reset() == nil { // best effort; the session ends anyway
			sess.quit(timeout)
		}
		var refused []error
		permanent := false
		for _, r := range refusals {
			permanent = permanent || r.Reply.Permanent()
			refused = append(refused, r.Reply)
		}
		err := errors.Join(refused...)
		if !permanent {
			err = mailproc.TemporaryError(err)
		}
		return "", 0, err
	}

	if err := c.UpdateDeadline(timeout); err != nil {
		return "", 0, sess.fail("DATA", err)
	}
	w, err := c.Data()
	if err != nil {
		return "", 0, sess.fail("DATA", err)
	}
	// In chunks, each with a fresh deadline: Timeout bounds a stall, not
	// the time a large mail takes on a slow line. A failure halfway
	// closes the connection without the final dot, so the server
	// discards what it got.
	n, err := msg.WriteTo(&deadlineWriter{w: w, c: c, timeout: timeout})
	if err != nil {
		if ae, ok := errors.AsType[*attachmentError](err); ok {
			return "", 0, fmt.Errorf("write message: %w", ae) // the archive changed since newMessage read it
		}
		return "", 0, sess.fail("message data", err)
	}
	if err := c.UpdateDeadline(timeout); err != nil {
		return "", 0, sess.fail("end of data", err)
	}
	if err := w.Close(); err != nil {
		return "", 0, sess.fail("end of data", err)
	}
	var reply string
	if dc, ok := w.(*gomailsmtp.DataCloser); ok {
		reply = dc.ServerResponse()
	}
	accepted = true // kept or QUIT; a failing QUIT changes nothing
	return reply, n, nil
}

// deadlineWriter gives each write of the message data (at most dataChunk
// bytes) a fresh deadline.
type deadlineWriter struct {
	w       io.Writer
	c       *gomailsmtp.Client
	timeout time.Duration
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(len(p), dataChunk)
		if err := d.c.UpdateDeadline(d.timeout); err != nil {
			return n, err
		}
		m, err := d.w.Write(p[:k])
		n += m
		if err != nil {
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}

func (s *Sender) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// logFailure logs why a mail was not sent. A server that is down or busy
// heals itself, and a refused recipient is the mail's own problem
// (warning); a refused login, a bad certificate, a server without the TLS
// or AUTH we need, or one that says we are not logged in, does not heal,
// and every mail waits until a person fixes it (error).
func (s *Sender) logFailure(log *slog.Logger, err error) {
	var le *loginError
	var re *ReplyError
	switch {
	case errors.As(err, &le) && needsPerson(le.err),
		errors.As(err, &re) && re.Code == codeAuthRequired:
		log.Error("smtp: cannot log in to the submission server; mail waits in the outbox", "addr", s.Addr, "err", err)
	case errors.As(err, &le):
		log.Warn("smtp: submission server unreachable; will retry", "addr", s.Addr, "err", err)
	default:
		log.Warn("smtp: mail not sent", "temporary", mailproc.IsTemporary(err), "err", err)
	}
}

// CheckLogin connects to the server as Send would — TLS or STARTTLS, EHLO,
// AUTH — and says QUIT without sending anything. `mailproc check` uses it
// to prove the settings before the daemon needs them.
func CheckLogin(ctx context.Context, cfg Config) error {
	sess, err := dial(ctx, cfg)
	if err != nil {
		return err
	}
	defer sess.close()
	if err := sess.client.UpdateDeadline(cfg.timeout()); err != nil {
		return sess.fail("QUIT", err)
	}
	if err := sess.client.Quit(); err != nil {
		return sess.fail("QUIT", err)
	}
	return nil
}

// Refusal is a recipient the server refused at RCPT TO, with its reply.
type Refusal struct {
	Addr  string
	Reply *ReplyError
}

// envelope opens a transaction: MAIL FROM, then RCPT TO for each of rcpts.
// It returns the refused recipients in order; err is for the transaction as
// a whole (MAIL FROM refused, the connection lost, a timeout), as fail
// words it.
func (s *session) envelope(timeout time.Duration, from string, rcpts []string) ([]Refusal, error) {
	c := s.client
	if err := c.UpdateDeadline(timeout); err != nil {
		return nil, s.fail("MAIL FROM", err)
	}
	if err := c.Mail("<" + from + ">"); err != nil {
		return nil, s.fail("MAIL FROM <"+from+">", err)
	}
	var refused []Refusal
	for _, r := range rcpts {
		if err := c.UpdateDeadline(timeout); err != nil {
			return nil, s.fail("RCPT TO", err)
		}
		err := c.Rcpt("<" + r + ">")
		if err == nil {
			continue
		}
		var reply *textproto.Error
		if !errors.As(err, &reply) {
			return nil, s.fail("RCPT TO <"+r+">", err) // the connection is gone
		}
		refused = append(refused, Refusal{Addr: r, Reply: newReplyError("RCPT TO <"+r+">", reply)})
	}
	return refused, nil
}

// session is one connection, logged in and ready for MAIL FROM.
type session struct {
	ctx    context.Context
	client *gomailsmtp.Client
	conn   net.Conn
	stop   func() bool // stops closing conn when ctx ends
}

// dial connects and logs in. go-mail does the EHLO, STARTTLS and AUTH; the
// dialer is ours so the connection can be closed when ctx ends (go-mail
// watches ctx only while dialing) and closed on every failure (go-mail
// leaves it open when EHLO or STARTTLS fail). Every error is temporary.
func dial(ctx context.Context, cfg Config) (*session, error) {
	if err := cfg.Validate(); err != nil {
		return nil, mailproc.TemporaryError(&loginError{addr: cfg.Addr, err: fmt.Errorf("config: %w", err)})
	}
	host, port, _ := splitAddr(cfg.Addr)
	tlsConfig := cfg.TLSConfig.Clone()
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = host
	}

	sess := &session{ctx: ctx}
	dialer := func(dctx context.Context, _, _ string) (net.Conn, error) {
		// dctx ends when go-mail's dial step returns; the session must
		// follow the caller's ctx instead.
		nd := &net.Dialer{}
		var conn net.Conn
		var err error
		if cfg.TLS == TLSImplicit {
			conn, err = (&tls.Dialer{NetDialer: nd, Config: tlsConfig}).DialContext(dctx, "tcp", cfg.Addr)
		} else {
			conn, err = nd.DialContext(dctx, "tcp", cfg.Addr)
		}
		if err != nil {
			return nil, err
		}
		sess.conn = conn
		sess.stop = context.AfterFunc(ctx, func() { conn.Close() })
		return conn, nil
	}

	opts := []mail.Option{
		mail.WithPort(port),
		mail.WithTimeout(cfg.timeout()),
		mail.WithDialContextFunc(dialer),
		mail.WithTLSConfig(tlsConfig),
		// Dovecot 2.3's LMTP bounces mail submitted with SMTPUTF8, and the
		// message is 7-bit ASCII anyway; go-mail would add SMTPUTF8 to MAIL
		// FROM whenever the server offers it.
		mail.WithoutSMTPUTF8(),
	}
	switch cfg.TLS {
	case TLSImplicit:
		// Our dialer does the TLS; WithSSL keeps go-mail from trying STARTTLS.
		opts = append(opts, mail.WithSSL())
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	switch cfg.Auth {
	case AuthPlain, AuthLogin:
		authType := mail.SMTPAuthPlain
		switch {
		case cfg.Auth == AuthPlain && cfg.Insecure:
			authType = mail.SMTPAuthPlainNoEnc
		case cfg.Auth == AuthLogin && cfg.Insecure:
			authType = mail.SMTPAuthLoginNoEnc
		case cfg.Auth == AuthLogin:
			authType = mail.SMTPAuthLogin
		}
		opts = append(opts, mail.WithSMTPAuth(authType), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	case AuthXOAUTH2:
		// go-mail sends "user=" username ^A "auth=Bearer " password ^A ^A,
		// and answers an error challenge with an empty line.
		token, err := cfg.Token(ctx)
		if err != nil {
			return nil, mailproc.TemporaryError(&loginError{addr: cfg.Addr, err: fmt.Errorf("access token: %w", err)})
		}
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthXOAUTH2), mail.WithUsername(cfg.Username), mail.WithPassword(token))
	}
	if cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(cfg.HELO))
	}

	mc, err := mail.NewClient(host, opts...)
	if err != nil {
		return nil, mailproc.TemporaryError(&loginError{addr: cfg.Addr, err: err})
	}
	client, err := mc.DialToSMTPClientWithContext(ctx)
	if err != nil {
		sess.close()
		if cfg.Auth == AuthXOAUTH2 && cfg.InvalidateToken != nil && tokenRefused(err) {
			cfg.InvalidateToken()
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		} else if h := mailproc.TLSModeHint("smtp", cfg.TLS, err); h != "" {
			err = fmt.Errorf("%w (%s)", err, h)
		}
		return nil, mailproc.TemporaryError(&loginError{addr: cfg.Addr, err: err})
	}
	sess.client = client
	return sess, nil
}

// tokenRefused reports whether err is the server refusing the credentials
// of AUTH: 535 (RFC 4954; Gmail's 5.7.8, Microsoft's 5.7.3). A 454 is a
// temporary failure of the server, not a verdict on the token.
func tokenRefused(err error) bool {
	var reply *textproto.Error
	return errors.As(err, &reply) && reply.Code == 535
}

// fail wraps an error met during the transaction at step and says whether
// it is worth retrying: a 5xx reply is permanent, everything else (4xx, a
// broken connection, a timeout, ctx ending) is temporary.
func (s *session) fail(step string, err error) error {
	if s.ctx.Err() != nil {
		return mailproc.TemporaryError(fmt.Errorf("%s: %w (%w)", step, s.ctx.Err(), err))
	}
	var reply *textproto.Error
	if errors.As(err, &reply) {
		re := newReplyError(step, reply)
		if re.Permanent() {
			return re
		}
		return mailproc.TemporaryError(re)
	}
	return mailproc.TemporaryError(fmt.Errorf("%s: %w", step, err))
}

// loginError is a failure to connect, greet, secure the connection or log
// in: it concerns the session, never the mail.
type loginError struct {
	addr string
	err  error
}

func (e *loginError) Error() string {
	return "smtp: connect and log in to " + e.addr + ": " + e.err.Error()
}
func (e *loginError) Unwrap() error { return e.err }

// codeAuthRequired (RFC 4954; Postfix also sends it for "Must issue a
// STARTTLS command first") refuses our session, not the mail.
const codeAuthRequired = 530

// ReplyError is the server refusing a step of the mail transaction. Its
// message is the reply as the server wrote it — "RCPT TO <x@y>: 550 5.1.1
// <x@y>: Recipient address rejected: User unknown" — so ops read the
// server's own words; the *textproto.Error is in its chain.
type ReplyError struct {
	Step string // "MAIL FROM <…>", "RCPT TO <…>", "DATA", "end of data"
	Code int    // 450, 550, …
	Text string // the reply text after the code, lines joined
	err  *textproto.Error
}

func newReplyError(step string, e *textproto.Error) *ReplyError {
	// The text is the server's, on one line, without control characters:
	// it ends up in logs and in the outbox's last_error.
	return &ReplyError{Step: step, Code: e.Code, Text: mailproc.SanitizeHeader(e.Msg, 0), err: e}
}

func (e *ReplyError) Error() string { return e.Step + ": " + strconv.Itoa(e.Code) + " " + e.Text }
func (e *ReplyError) Unwrap() error { return e.err }

// Permanent reports whether the refusal is final for this mail: any 5xx
// but 530, which says the session is not logged in (a config problem).
func (e *ReplyError) Permanent() bool { return e.Code >= 500 && e.Code != codeAuthRequired }

// quit ends the session politely.
func (s *session) quit(timeout time.Duration) {
	if s.client.UpdateDeadline(timeout) == nil {
		_ = s.client.Quit()
	}
}

// close drops the connection; harmless after QUIT.
func (s *session) close() {
	if s.stop != nil {
		s.stop()
	}
	if s.conn != nil {
		s.conn.Close()
	}
}

// needsPerson reports whether a failure to connect or log in will last until
// someone changes the configuration or the server: anything but a network
// error, a timeout or a 4xx reply.
func needsPerson(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return reply.Code >= 500
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return false
	}
	return true
}

func splitAddr(addr string) (host string, port int, err error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	if h == "" {
		return "", 0, errors.New("no host")
	}
	port, err = strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("port %q: not a number from 1 to 65535", p)
	}
	return h, port, nil
}

// uniqueAddrs drops repeated envelope recipients (the same address in To
// and Cc), comparing case-insensitively.
func uniqueAddrs(addrs []string) []string {
	seen := make(map[string]bool, len(addrs))
	out := addrs[:0:0]
	for _, a := range addrs {
		k := strings.ToLower(a)
		if !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	return out
}
