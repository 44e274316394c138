// Package oauth logs the desk in to Google Workspace and Microsoft 365,
// which no longer accept passwords over IMAP and SMTP: it reads an OAuth 2.0
// access token that a separate token helper keeps fresh (from a file, or
// from the helper's output), and speaks the two SASL mechanisms that carry
// it, XOAUTH2 and OAUTHBEARER (RFC 7628).
//
// mailproc never talks to an authorisation server itself: obtaining and
// refreshing tokens is the helper's business, so the daemon needs no
// internet access beyond the mail servers. The token is a secret and is
// never logged nor put in an error.
package oauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Defaults for the zero values of TokenSource.
const (
	// DefaultMaxAge is how long a token read is reused. Access tokens of
	// Google and Microsoft live about an hour; re-reading every few minutes
	// picks up the helper's refresh long before the old one expires.
	DefaultMaxAge = 5 * time.Minute
	// DefaultCommandTimeout bounds one run of the token command.
	DefaultCommandTimeout = 30 * time.Second
)

// maxTokenSize bounds what is read as a token. A Microsoft access token (a
// JWT) is a few kilobytes.
const maxTokenSize = 64 << 10

// TokenSource hands out the current access token, read from File or from
// the output of Command (exactly one of them set). It keeps the token for
// MaxAge, or until Invalidate says the server refused it. A TokenSource may
// be used by several goroutines at once; its Token method is what
// imap.Config.Token and smtp.Config.Token want.
type TokenSource struct {
	// File holds the token (surrounding white space is ignored).
	File string
	// Command is run without a shell (Command[0] is the program); its
	// standard output, trimmed, is the token. Its standard error is kept
	// for the error message when it fails.
	Command []string

	MaxAge  time.Duration    // 0: DefaultMaxAge
	Timeout time.Duration    // for Command; 0: DefaultCommandTimeout
	Logger  *slog.Logger     // nil: discard
	Now     func() time.Time // nil: time.Now

	mu      sync.Mutex
	token   string
	readAt  time.Time
	invalid bool // the server refused token: never hand it out again
}

// Token returns the access token, reading it again when the one in hand is
// older than MaxAge or was invalidated. If reading fails while a token read
// earlier has not been refused, that one is returned (it is most likely
// still valid for most of an hour) and the failure is logged; the next call
// tries again.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.token != "" && !s.invalid && now.Sub(s.readAt) < s.maxAge() {
		return s.token, nil
	}
	tok, err := s.read(ctx)
	if err != nil {
		if s.token != "" && !s.invalid && ctx.Err() == nil {
			s.logger().Warn("oauth: could not read a fresh access token; using the previous one",
				"source", s.source(), "age", now.Sub(s.readAt).Round(time.Second), "err", err)
			return s.token, nil
		}
		return "", err
	}
	if tok == s.token && s.invalid {
		s.logger().Warn("oauth: the token source still gives the token the server refused; is the token helper running?",
			"source", s.source())
	}
	s.token, s.readAt, s.invalid = tok, now, false
	s.logger().Debug("oauth: read access token", "source", s.source(), "bytes", len(tok))
	return tok, nil
}

// Invalidate forgets the token: the server refused it. The next Token
// reads it again, whatever its age.
func (s *TokenSource) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && !s.invalid {
		s.logger().Info("oauth: server refused the access token; it will be read again", "source", s.source())
	}
	s.invalid = true
}

// Validate reports a TokenSource that cannot work.
func (s *TokenSource) Validate() error {
	switch {
	case s.File == "" && len(s.Command) == 0:
		return errors.New("oauth: neither a token file nor a token command is set")
	case s.File != "" && len(s.Command) > 0:
		return errors.New("oauth: both a token file and a token command are set; use one")
	case len(s.Command) > 0 && s.Command[0] == "":
		return errors.New("oauth: token command has an empty program name")
	}
	return nil
}

func (s *TokenSource) read(ctx context.Context) (string, error) {
	if err := s.Validate(); err != nil {
		return "", err
	}
	if s.File != "" {
		return s.readFile()
	}
	return s.runCommand(ctx)
}

func (s *TokenSource) readFile() (string, error) {
	f, err := os.Open(s.File)
	if err != nil {
		return "", fmt.Errorf("oauth: token file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenSize+1))
	if err != nil {
		return "", fmt.Errorf("oauth: token file %s: %w", s.File, err)
	}
	return check(b, "token file "+s.File)
}

func (s *TokenSource) runCommand(ctx context.Context) (string, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.Command[0], s.Command[1:]...)
	var stdout, stderr capBuffer
	stdout.max, stderr.max = maxTokenSize+1, 4<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A helper that leaves a child holding the pipes open must not hang us.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	what := "token command " + s.Command[0]
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("timed out after %v: %w", timeout, err)
		}
		// stdout may hold a token (or part of one): never quote it. A
		// helper that echoes it on stderr too has it blanked there.
		msg := strings.TrimSpace(stderr.String())
		if tok := strings.TrimSpace(stdout.String()); tok != "" {
			msg = strings.ReplaceAll(msg, tok, "[redacted]")
		}
		if msg != "" {
			msg = strings.Join(strings.Fields(msg), " ")
			if len(msg) > 300 {
				msg = msg[:300] + "…"
			}
			return "", fmt.Errorf("oauth: %s: %w: %s", what, err, msg)
		}
		return "", fmt.Errorf("oauth: %s: %w", what, err)
	}
	return check(stdout.Bytes(), what)
}

// check trims the token and refuses what cannot be one; the message never
// quotes it.
func check(b []byte, what string) (string, error) {
	if len(b) > maxTokenSize {
		return "", fmt.Errorf("oauth: %s: more than %d bytes; not an access token", what, maxTokenSize)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("oauth: %s: empty", what)
	}
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c <= ' ' || c >= 0x7f {
			return "", fmt.Errorf("oauth: %s: token has a space, control or non-ASCII character at byte %d; want a single line with the bare token", what, i)
		}
	}
	return tok, nil
}

func (s *TokenSource) source() string {
	if s.File != "" {
		return "file " + s.File
	}
	if len(s.Command) > 0 {
		return "command " + s.Command[0]
	}
	return "none"
}

func (s *TokenSource) maxAge() time.Duration {
	if s.MaxAge > 0 {
		return s.MaxAge
	}
	return DefaultMaxAge
}

func (s *TokenSource) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *TokenSource) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// capBuffer keeps the first max bytes written and discards the rest, so a
// runaway helper cannot fill memory.
type capBuffer struct {
	bytes.Buffer
	max int
}

func (b *capBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
