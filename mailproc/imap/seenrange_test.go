package imap

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// rangeHandler answers Seen for a whole batch in one call, as the Ingester
// does (a lone mail is still asked about alone); fail, while set, makes
// either look-up fail, as a locked database would.
type rangeHandler struct {
	*testHandler
	ranges  atomic.Int32 // range look-ups
	lookups atomic.Int32 // look-ups of either kind
	fail    atomic.Bool
}

func (h *rangeHandler) Seen(ctx context.Context, d mailproc.Delivery) (mailproc.Disposition, bool, error) {
	h.lookups.Add(1)
	if h.fail.Load() {
		return "", false, mailproc.TemporaryError(errors.New("database is locked"))
	}
	return h.testHandler.Seen(ctx, d)
}

func (h *rangeHandler) SeenRange(_ context.Context, mailbox string, uidValidity, lo, hi uint32) (map[uint32]mailproc.Disposition, error) {
	h.ranges.Add(1)
	h.lookups.Add(1)
	if h.fail.Load() {
		return nil, mailproc.TemporaryError(errors.New("database is locked"))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := map[uint32]mailproc.Disposition{}
	for d, disp := range h.deliveries {
		if d.Mailbox == mailbox && d.UIDValidity == uidValidity && d.UID >= lo && d.UID <= hi {
			seen[d.UID] = disp
		}
	}
	return seen, nil
}

// A failed range look-up holds the queue at the batch's first mail, like a
// failed Seen: nothing is fetched past it until the look-up works again.
func TestSeenRangeFailureHoldsTheQueue(t *testing.T) {
	e := newEnv(t, capsFull)
	e.srv.fillInbox(4, "Pertanyaan.")
	rh := &rangeHandler{testHandler: e.h}
	rh.fail.Store(true)
	r := e.run(func(in *Intake) { in.Handler = rh })
	waitFor(t, 10*time.Second, "the look-up retried", func() bool { return rh.lookups.Load() >= 3 })
	if n := len(e.h.records()); n != 0 {
		t.Errorf("%d mails ingested while the look-up fails", n)
	}
	if n := e.srv.count("INBOX"); n != 4 {
		t.Errorf("INBOX holds %d while the look-up fails, want 4", n)
	}
	rh.fail.Store(false)
	waitFor(t, 10*time.Second, "all mails processed", func() bool { return e.srv.count("Diproses") == 4 })
	r.syncs(t, 1)
	e.allStoredOnceAndMoved(t, 4)
}
