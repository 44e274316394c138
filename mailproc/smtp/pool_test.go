package smtp

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// sendN sends n copies of testMail, each with its own Message-ID, and fails
// the test on any error.
func sendN(t *testing.T, s *Sender, n int, tag string) {
	t.Helper()
	for i := 0; i < n; i++ {
		m := testMail()
		m.MessageID = fmt.Sprintf("%s.%d@pustakaarsip.kamparkab.go.id", tag, i)
		if _, err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("send %s %d: %v", tag, i, err)
		}
	}
}

// TestSessionReuse: with PerSession 3, five mails go over two sessions (one
// login each), RSET before every mail on a kept session, QUIT when the cap
// is reached and on Close; every mail arrives once.
func TestSessionReuse(t *testing.T) {
	ts := startServer(t, nil)
	s, _ := newSender(t, ts.Addr)
	s.PerSession = 3
	sendN(t, s, 5, "reuse")
	s.Close()
	if got := len(ts.Mails()); got != 5 {
		t.Errorf("server got %d mails, want 5", got)
	}
	for _, tt := range []struct {
		cmd  string
		want int
	}{
		{"EHLO", 2}, // sessions
		{"RSET", 3}, // mails 2, 3 and 5 on a kept session
		{"QUIT", 2}, // the cap after mail 3, Close after mail 5
		{"DATA", 5},
	} {
		if got := len(ts.Commands(tt.cmd)); got != tt.want {
			t.Errorf("%d %s commands, want %d:\n%s", got, tt.cmd, tt.want, ts.Transcript())
		}
	}
}

// TestSessionDroppedByServer: the server hangs up on an idle kept session
// (its read timeout); the next mail finds out at RSET, opens a new session
// and is sent once.
func TestSessionDroppedByServer(t *testing.T) {
	ts := startServer(t, nil, func(_ *testServer, s *gosmtp.Server) { s.ReadTimeout = 200 * time.Millisecond })
	s, _ := newSender(t, ts.Addr)
	s.PerSession = 100
	sendN(t, s, 1, "before")
	time.Sleep(600 * time.Millisecond) // the server times the session out
	sendN(t, s, 1, "after")
	s.Close()
	if got := len(ts.Mails()); got != 2 {
		t.Errorf("server got %d mails, want 2", got)
	}
	if got := len(ts.Commands("EHLO")); got != 2 {
		t.Errorf("%d sessions, want 2 (a new one after the server hung up)", got)
	}
}

// TestSessionIdleLimit: a session kept longer than Idle is closed, not
// reused.
func TestSessionIdleLimit(t *testing.T) {
	ts := startServer(t, nil)
	s, _ := newSender(t, ts.Addr)
	s.PerSession, s.Idle = 100, time.Millisecond
	sendN(t, s, 1, "first")
	time.Sleep(20 * time.Millisecond)
	sendN(t, s, 1, "second")
	s.Close()
	if got := len(ts.Commands("EHLO")); got != 2 {
		t.Errorf("%d sessions, want 2", got)
	}
	if got := len(ts.Commands("RSET")); got != 0 {
		t.Errorf("%d RSET, want 0 (the idle session was not reused)", got)
	}
}

// TestSessionsParallel: goroutines sending at once each get a session of
// their own; every mail arrives exactly once.
func TestSessionsParallel(t *testing.T) {
	ts := startServer(t, nil)
	s, _ := newSender(t, ts.Addr)
	s.PerSession = 50
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Go(func() { sendN(t, s, 10, fmt.Sprintf("par%d", g)) })
	}
	wg.Wait()
	s.Close()
	seen := map[string]int{}
	for _, m := range ts.Mails() {
		h, _ := header(t, m.Data)
		seen[h.Get("Message-Id")]++
	}
	if len(seen) != 30 {
		t.Errorf("%d distinct mails, want 30", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", id, n)
		}
	}
	if got := len(ts.Commands("EHLO")); got > 3 {
		t.Errorf("%d sessions for 3 senders, want at most 3", got)
	}
}
