package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc/config"
)

// TestE2ELoginRefused: with a wrong password the real Dovecot refuses the
// login; the daemon logs an ERROR that says to check the password, and
// only the inbox session tries it: the Sent watcher waits for the inbox's
// login and never sends one of its own, so a lockout policy counts one
// failed login per backoff step.
func TestE2ELoginRefused(t *testing.T) {
	d := newTestDesk(t)
	d.Config.IMAP.Password = config.Secret("salah-" + d.ID)
	if d.Config.IMAP.SentFolder == "" {
		t.Fatal("the test desk watches no Sent folder")
	}
	buf := &proc{out: new(bytes.Buffer)} // only its locked output buffer
	d.startWith(slog.New(slog.NewTextHandler(lockedWriter{buf}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	waitFor(t, 30*time.Second, "three refused logins", func() bool {
		return strings.Count(buf.output(), "imap login refused") >= 3
	})
	log := buf.output()
	var refused []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "imap login refused") {
			refused = append(refused, line)
		}
	}
	for _, line := range refused {
		if !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "check imap.password") ||
			!strings.Contains(line, "component=imap ") {
			t.Errorf("refused login logged as %q; want an ERROR of the inbox session saying to check imap.password", line)
		}
	}
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "component=imap-sent") && strings.Contains(line, "login as") {
			t.Errorf("the Sent watcher tried to log in itself: %s", line)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", log)
	}
}
