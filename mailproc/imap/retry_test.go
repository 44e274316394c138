package imap

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
)

// TestRetryCap: an unreachable server is retried quickly ten times, then
// the wait grows to reconnect_max (a maintenance window costs a few
// attempts an hour); a refused login always backs off to reconnect_max.
func TestRetryCap(t *testing.T) {
	dial := fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Err: errors.New("connection refused")})
	refused := &LoginRefusedError{err: fmt.Errorf("login: %w", &goimap.Error{Type: goimap.StatusResponseTypeNo})}
	max := 5 * time.Minute
	tests := []struct {
		err     error
		attempt int
		want    time.Duration
	}{
		{dial, 1, UnreachableRetryMax},
		{dial, QuickRetries, UnreachableRetryMax},
		{dial, QuickRetries + 1, max},
		{refused, 1, max},
		{errors.New("connection reset"), 2, max},
	}
	for _, tt := range tests {
		if got := retryCap(max, tt.err, tt.attempt); got != tt.want {
			t.Errorf("retryCap(%v, attempt %d) = %v, want %v", tt.err, tt.attempt, got, tt.want)
		}
	}
	// The wait really grows to the cap: attempt 20 with reconnect_min 1s.
	if d := backoff(time.Second, retryCap(max, dial, 20), 20); d < max*8/10 {
		t.Errorf("backoff at attempt 20 = %v, want about %v", d, max)
	}
}
