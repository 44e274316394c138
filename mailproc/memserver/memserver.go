// Package memserver runs an IMAP server (go-imap's in-memory backend) and an
// SMTP sink (go-smtp) on loopback, in process. `mailproc demo` uses it so a
// newcomer sees the whole desk without any mail server; fast tests use it
// where the real Dovecot and Postfix are not needed.
//
// Mail sent to the SMTP sink is recorded, and delivered into the INBOX of
// any recipient that has an IMAP account here, so the demo can show what a
// citizen would find in their mailbox.
package memserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"
)

// Server is the pair of in-process servers.
type Server struct {
	IMAPAddr string // 127.0.0.1:port
	SMTPAddr string // 127.0.0.1:port

	mem   *imapmemserver.Server
	imap  *imapserver.Server
	smtp  *smtp.Server
	mu    sync.Mutex
	users map[string]*imapmemserver.User
	sent  []Mail
}

// Mail is one message the SMTP sink accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
	At   time.Time
}

// Start listens on two loopback ports and serves until Close.
func Start(logger *slog.Logger) (*Server, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{mem: imapmemserver.New(), users: make(map[string]*imapmemserver.User)}

	iln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("memserver: imap listen: %w", err)
	}
	s.IMAPAddr = iln.Addr().String()
	s.imap = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return s.mem.NewSession(), nil, nil
		},
		// IMAP4rev2 brings MOVE, UIDPLUS and IDLE: what Dovecot offers.
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	})
	go s.imap.Serve(iln)

	sln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.imap.Close()
		return nil, fmt.Errorf("memserver: smtp listen: %w", err)
	}
	s.SMTPAddr = sln.Addr().String()
	s.smtp = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	s.smtp.Domain = "localhost"
	s.smtp.AllowInsecureAuth = true
	s.smtp.MaxMessageBytes = 64 << 20
	s.smtp.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelDebug)
	go s.smtp.Serve(sln)
	return s, nil
}

// AddUser creates an IMAP account with an INBOX. The login name is the
// e-mail address.
func (s *Server) AddUser(addr, password string) error {
	addr = strings.ToLower(addr)
	u := imapmemserver.NewUser(addr, password)
	if err := u.Create("INBOX", nil); err != nil {
		return fmt.Errorf("memserver: %w", err)
	}
	s.mu.Lock()
	s.users[addr] = u
	s.mu.Unlock()
	s.mem.AddUser(u)
	return nil
}

// Sent returns a copy of every mail the SMTP sink accepted, oldest first.
func (s *Server) Sent() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.sent...)
}

// Close stops both servers.
func (s *Server) Close() error {
	return errors.Join(s.imap.Close(), s.smtp.Close())
}

// deliver records a mail and appends it to each local recipient's INBOX.
func (s *Server) deliver(m Mail) error {
	s.mu.Lock()
	s.sent = append(s.sent, m)
	var boxes []*imapmemserver.User
	for _, rcpt := range m.To {
		if u := s.users[strings.ToLower(rcpt)]; u != nil {
			boxes = append(boxes, u)
		}
	}
	s.mu.Unlock()
	for _, u := range boxes {
		sess := imapmemserver.NewUserSession(u)
		_, err := sess.Append("INBOX", bytesLiteral(m.Data), &imap.AppendOptions{Time: m.At})
		sess.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error { se.from = from; return nil }
func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error   { se.to = append(se.to, to); return nil }
func (se *session) Reset()                                      { se.from, se.to = "", nil }
func (se *session) Logout() error                               { return nil }

func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return se.s.deliver(Mail{From: se.from, To: se.to, Data: data, At: time.Now()})
}

// literal adapts bytes to imap.LiteralReader.
type literal struct {
	*bytes.Reader
}

func (l literal) Size() int64 { return l.Reader.Size() }

func bytesLiteral(b []byte) imap.LiteralReader { return literal{bytes.NewReader(b)} }
