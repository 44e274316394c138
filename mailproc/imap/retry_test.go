package imap

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
)

// TestRetryCap: an unreachable server is retried every few seconds for
// QuickRetryWindow, then after a quarter of the time it has been gone, up
// to reconnect_max (a maintenance window costs a few attempts an hour); a
// refused login, or a session that broke off, backs off to reconnect_max.
func TestRetryCap(t *testing.T) {
	dial := fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Err: errors.New("connection refused")})
	refused := &LoginRefusedError{err: fmt.Errorf("login: %w", &goimap.Error{Type: goimap.StatusResponseTypeNo})}
	max := 5 * time.Minute
	tests := []struct {
		err  error
		down time.Duration
		want time.Duration
	}{
		{dial, 0, UnreachableRetryMax},
		{dial, 30 * time.Second, UnreachableRetryMax}, // the fault suite's Dovecot outage
		{dial, QuickRetryWindow, UnreachableRetryMax},
		{dial, 6 * time.Minute, 90 * time.Second},
		{dial, 30 * time.Minute, max},
		{refused, 0, max},
		{errors.New("connection reset"), time.Second, max},
	}
	for _, tt := range tests {
		if got := retryCap(max, tt.err, tt.down); got != tt.want {
			t.Errorf("retryCap(%v, down %v) = %v, want %v", tt.err, tt.down, got, tt.want)
		}
	}
	// A reconnect_max below the quick cap is the cap.
	if got := retryCap(2*time.Second, dial, 0); got != 2*time.Second {
		t.Errorf("retryCap(reconnect_max 2s, dial) = %v, want 2s", got)
	}
	// The wait really grows to the cap: attempt 20 with reconnect_min 1s,
	// after half an hour away.
	if d := backoff(time.Second, retryCap(max, dial, 30*time.Minute), 20); d < max*8/10 {
		t.Errorf("backoff at attempt 20 = %v, want about %v", d, max)
	}
}
