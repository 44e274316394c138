package oauth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func mustToken(t *testing.T, s *TokenSource, want string) {
	t.Helper()
	got, err := s.Token(context.Background())
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if got != want {
		t.Fatalf("Token = %q, want %q", got, want)
	}
}

func TestFileReadAgainAfterMaxAge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	write(t, path, "ya29.first\n")
	clk := &clock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	s := &TokenSource{File: path, MaxAge: 5 * time.Minute, Now: clk.Now}

	mustToken(t, s, "ya29.first")
	write(t, path, "  ya29.second \r\n")
	clk.add(4 * time.Minute)
	mustToken(t, s, "ya29.first") // still fresh: not read again
	clk.add(time.Minute)
	mustToken(t, s, "ya29.second")
}

func TestFileDefaultMaxAge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	write(t, path, "a")
	clk := &clock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	s := &TokenSource{File: path, Now: clk.Now}
	mustToken(t, s, "a")
	write(t, path, "b")
	clk.add(DefaultMaxAge - time.Second)
	mustToken(t, s, "a")
	clk.add(time.Second)
	mustToken(t, s, "b")
}

func TestFileReadAgainAfterInvalidate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	write(t, path, "old")
	s := &TokenSource{File: path, MaxAge: time.Hour}
	mustToken(t, s, "old")
	write(t, path, "new")
	mustToken(t, s, "old")
	s.Invalidate()
	mustToken(t, s, "new")
	write(t, path, "newer")
	mustToken(t, s, "new") // fresh again until MaxAge or the next Invalidate
}

// A refused token is never handed out again, even when re-reading fails;
// a token merely older than MaxAge is, while the helper is down.
func TestFallbackToPreviousToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	write(t, path, "good")
	clk := &clock{t: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)}
	s := &TokenSource{File: path, MaxAge: time.Minute, Now: clk.Now}
	mustToken(t, s, "good")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * time.Minute)
	mustToken(t, s, "good")
	s.Invalidate()
	if tok, err := s.Token(context.Background()); err == nil {
		t.Fatalf("Token after Invalidate with the file gone = %q, want an error", tok)
	}
}

func TestFileProblems(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, content, want string }{
		{"empty", " \n", "empty"},
		{"two words", "Bearer ya29.secret", "space"},
		{"two lines", "ya29.secret\nya29.other", "space"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			write(t, path, tc.content)
			_, err := (&TokenSource{File: path}).Token(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "ya29") {
				t.Errorf("error quotes the token: %v", err)
			}
		})
	}
	_, err := (&TokenSource{File: filepath.Join(dir, "missing")}).Token(context.Background())
	if !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing file: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// script writes an executable shell script and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "oauth2-token")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCommand(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "runs")
	cmd := script(t, `echo x >> "$2"; printf '  eyJ0eXAi.%s.sig\n' "$1"`)
	s := &TokenSource{Command: []string{cmd, "layanan", counter}, MaxAge: time.Hour}
	mustToken(t, s, "eyJ0eXAi.layanan.sig")
	mustToken(t, s, "eyJ0eXAi.layanan.sig")
	s.Invalidate()
	mustToken(t, s, "eyJ0eXAi.layanan.sig")
	b, err := os.ReadFile(counter)
	if err != nil {
		t.Fatal(err)
	}
	if runs := strings.Count(string(b), "x"); runs != 2 {
		t.Errorf("command ran %d times, want 2 (first use, after Invalidate)", runs)
	}
}

func TestCommandFailure(t *testing.T) {
	cmd := script(t, `echo ya29.leaked; echo "refresh failed: invalid_grant for ya29.leaked" >&2; exit 3`)
	s := &TokenSource{Command: []string{cmd}}
	_, err := s.Token(context.Background())
	if err == nil {
		t.Fatal("no error from a failing command")
	}
	msg := err.Error()
	if strings.Contains(msg, "ya29.leaked") {
		t.Errorf("error quotes the token: %s", msg)
	}
	for _, want := range []string{"exit status 3", "invalid_grant", cmd} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
}

func TestCommandTimeout(t *testing.T) {
	cmd := script(t, `exec sleep 10`)
	s := &TokenSource{Command: []string{cmd}, Timeout: 100 * time.Millisecond}
	start := time.Now()
	_, err := s.Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestCommandEmptyOutput(t *testing.T) {
	s := &TokenSource{Command: []string{script(t, `true`)}}
	if _, err := s.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("err = %v, want empty", err)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		s    *TokenSource
		want string
	}{
		{&TokenSource{}, "neither"},
		{&TokenSource{File: "f", Command: []string{"c"}}, "both"},
		{&TokenSource{Command: []string{""}}, "empty program"},
		{&TokenSource{File: "f"}, ""},
	} {
		err := tc.s.Validate()
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("file %q command %q: err = %v, want %q", tc.s.File, tc.s.Command, err, tc.want)
		}
	}
}
