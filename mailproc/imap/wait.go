package imap

import (
	"context"
	"errors"
	"fmt"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

var errClosedByServer = errors.New("server closed the connection")

// wait returns when it is time to sync again: after d, on SyncNow, when ctx
// is done, or — if onMail — when the server reports new mail (EXISTS),
// which mail says. It returns an error only when the connection failed.
//
// With IDLE the connection idles meanwhile; IDLE is ended after at most
// maxIdle so the server never drops it for inactivity, and ending it is a
// round trip that proves the connection alive. Without IDLE nothing is
// sent while waiting: the SEARCH of the next sync is the poll.
func (s *session) wait(ctx context.Context, d time.Duration, onMail bool) (mail bool, err error) {
	nudge := s.in.nudgeChan()
	var wake chan struct{}
	if onMail {
		wake = s.wake
		// Mail that arrived during the last sync: go again at once.
		select {
		case <-wake:
			return true, nil
		default:
		}
	}

	if !s.cfg.IDLE || !s.caps.Has(goimap.CapIdle) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-nudge:
		case <-wake:
			mail = true
		case <-s.c.Closed():
			return false, errClosedByServer
		}
		return mail, nil
	}

	var idle *imapclient.IdleCommand
	err = s.guard(func() error {
		var err error
		idle, err = s.c.Idle()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("idle: %w", err)
	}
	t := time.NewTimer(min(d, maxIdle))
	defer t.Stop()
	closed := false
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-nudge:
	case <-wake:
		mail = true
		s.log.Debug("new mail reported while idling")
	case <-s.c.Closed():
		closed = true
	}
	err = s.guard(func() error {
		if err := idle.Close(); err != nil {
			return err
		}
		return idle.Wait()
	})
	if closed {
		return false, errClosedByServer
	}
	if err != nil {
		return false, fmt.Errorf("end idle: %w", err)
	}
	return mail, nil
}
