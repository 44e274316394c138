package smtp

// Harness: a real go-smtp server on 127.0.0.1:0, in process, that records
// what it receives on the wire and can be told to refuse, stall or hang up.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// gotMail is one transaction the server saw through to DATA.
type gotMail struct {
	From string
	Opts gosmtp.MailOptions
	To   []string
	Data []byte
}

type testServer struct {
	t    *testing.T
	Addr string
	srv  *gosmtp.Server

	mu         sync.Mutex
	mails      []gotMail
	transcript bytes.Buffer                            // everything on the wire, both ways
	rcptReply  map[string]error                        // lower-case recipient → refusal
	dataReply  error                                   // reply to the end of data
	onData     func(c *gosmtp.Conn, r io.Reader) error // replaces reading the data
	users      map[string]string                       // non-nil: AUTH PLAIN/LOGIN required
	tokens     map[string]string                       // non-nil: AUTH XOAUTH2 only, address → access token
	xoauth2    []xoauth2Exchange                       // every AUTH XOAUTH2 as the server saw it
}

type serverOption func(*testServer, *gosmtp.Server)

// withTLS offers STARTTLS with cert.
func withTLS(cert tls.Certificate) serverOption {
	return func(_ *testServer, s *gosmtp.Server) {
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
}

// withUsers requires AUTH, PLAIN or LOGIN, against users (address →
// password), and allows it without TLS (loopback).
func withUsers(users map[string]string) serverOption {
	return func(ts *testServer, s *gosmtp.Server) {
		ts.users = users
		s.AllowInsecureAuth = true
	}
}

// withXOAUTH2 requires AUTH XOAUTH2, like Gmail and Microsoft 365, with
// tokens (address → access token), and offers no other mechanism.
func withXOAUTH2(tokens map[string]string) serverOption {
	return func(ts *testServer, s *gosmtp.Server) {
		ts.users = map[string]string{}
		ts.tokens = tokens
		s.AllowInsecureAuth = true
	}
}

// startServer serves on ln (nil: a new 127.0.0.1:0 listener) until the test
// ends. The server offers SMTPUTF8 and 8BITMIME like a modern MTA, so a
// client that would send SMTPUTF8 is caught.
func startServer(t *testing.T, ln net.Listener, opts ...serverOption) *testServer {
	t.Helper()
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
	}
	ts := &testServer{t: t, Addr: ln.Addr().String(), rcptReply: make(map[string]error)}
	s := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		return &testSession{ts: ts, conn: c}, nil
	}))
	s.Domain = "mx.test"
	s.EnableSMTPUTF8 = true
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.Debug = transcriptWriter{ts}
	s.ErrorLog = testLogf{t}
	for _, o := range opts {
		o(ts, s)
	}
	ts.srv = s
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ts
}

func (ts *testServer) Mails() []gotMail {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]gotMail(nil), ts.mails...)
}

// Transcript is the session as it went over the wire.
func (ts *testServer) Transcript() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.transcript.String()
}

// Commands lists the client's command lines that start with prefix.
func (ts *testServer) Commands(prefix string) []string {
	var out []string
	for _, line := range strings.Split(ts.Transcript(), "\r\n") {
		if strings.HasPrefix(strings.ToUpper(line), prefix) {
			out = append(out, line)
		}
	}
	return out
}

func (ts *testServer) refuse(rcpt string, code int, enh gosmtp.EnhancedCode, text string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.rcptReply[strings.ToLower(rcpt)] = &gosmtp.SMTPError{Code: code, EnhancedCode: enh, Message: text}
}

// refuseCodes refuses each address with its code: 450 "Mailbox busy", or
// 550 "User unknown", as a mail server says them.
func (ts *testServer) refuseCodes(codes map[string]int) {
	for rcpt, code := range codes {
		if code == 450 {
			ts.refuse(rcpt, 450, gosmtp.EnhancedCode{4, 2, 0}, "Mailbox busy")
		} else {
			ts.refuse(rcpt, 550, gosmtp.EnhancedCode{5, 1, 1}, "<"+rcpt+">: User unknown")
		}
	}
}

type transcriptWriter struct{ ts *testServer }

func (w transcriptWriter) Write(p []byte) (int, error) {
	w.ts.mu.Lock()
	defer w.ts.mu.Unlock()
	return w.ts.transcript.Write(p)
}

type testSession struct {
	ts     *testServer
	conn   *gosmtp.Conn
	authed bool
	cur    gotMail
}

func (s *testSession) AuthMechanisms() []string {
	if s.ts.tokens != nil {
		return []string{"XOAUTH2"}
	}
	if s.ts.users == nil {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if want, ok := s.ts.users[user]; !ok || want != pass {
			return gosmtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}
	if s.ts.tokens != nil {
		if mech != "XOAUTH2" {
			return nil, gosmtp.ErrAuthUnknownMechanism
		}
		return &xoauth2Server{s: s}, nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, gosmtp.ErrAuthUnknownMechanism
}

func (s *testSession) Mail(from string, opts *gosmtp.MailOptions) error {
	if s.ts.users != nil && !s.authed {
		// RFC 4954's reply; go-smtp's own ErrAuthRequired is a 502.
		return &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	s.cur = gotMail{From: from}
	if opts != nil {
		s.cur.Opts = *opts
	}
	return nil
}

func (s *testSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.ts.mu.Lock()
	err := s.ts.rcptReply[strings.ToLower(to)]
	s.ts.mu.Unlock()
	if err != nil {
		return err
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	s.ts.mu.Lock()
	onData, reply := s.ts.onData, s.ts.dataReply
	s.ts.mu.Unlock()
	if onData != nil {
		return onData(s.conn, r)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if reply != nil {
		return reply
	}
	s.cur.Data = data
	s.ts.mu.Lock()
	s.ts.mails = append(s.ts.mails, s.cur)
	s.ts.mu.Unlock()
	return nil
}

func (s *testSession) Reset()        { s.cur = gotMail{} }
func (s *testSession) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl no longer has.
type loginServer struct {
	check      func(user, pass string) error
	step       int
	user, pass string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if resp != nil { // initial response: the user name
			l.user = string(resp)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.user = string(resp)
		l.step++
		return []byte("Password:"), false, nil
	default:
		l.pass = string(resp)
		return nil, true, l.check(l.user, l.pass)
	}
}

// testLogf sends go-smtp's error log to the test log.
type testLogf struct{ t *testing.T }

func (l testLogf) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l testLogf) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }

// recordingHandler is a slog.Handler that writes through t.Logf and keeps
// the records, so tests can check what was logged at which level.
type recordingHandler struct {
	t     *testing.T
	mu    *sync.Mutex
	recs  *[]slog.Record
	attrs []slog.Attr
}

func newTestLogger(t *testing.T) (*slog.Logger, func() []slog.Record) {
	h := &recordingHandler{t: t, mu: new(sync.Mutex), recs: new([]slog.Record)}
	return slog.New(h), func() []slog.Record {
		h.mu.Lock()
		defer h.mu.Unlock()
		return append([]slog.Record(nil), *h.recs...)
	}
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	for _, a := range h.attrs {
		b.WriteString(" " + a.String())
	}
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	h.t.Log(b.String())
	h.mu.Lock()
	*h.recs = append(*h.recs, r)
	h.mu.Unlock()
	return nil
}
func (h *recordingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}
func (h *recordingHandler) WithGroup(string) slog.Handler { return h }

// hasLevel reports whether a record at level says something containing msg.
func hasLevel(recs []slog.Record, level slog.Level, msg string) bool {
	for _, r := range recs {
		if r.Level == level && strings.Contains(r.Message, msg) {
			return true
		}
	}
	return false
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a pool
// that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mx.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

var errHangUp = errors.New("test server hung up")
