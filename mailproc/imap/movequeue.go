package imap

import (
	"fmt"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// queuedMove is a committed batch's handled prefix on its way out of the
// inbox. sync does not wait for its UID MOVE where the batch is committed:
// the command goes out right behind the next batch's body FETCH, on the
// same connection, and is waited for once that batch is read. The server
// then moves one batch while mailproc parses the next, where the session
// used to sit idle through every MOVE. The order stays what sync promises:
// a batch is moved only after it was committed, and its bookmark is saved
// only after the move succeeded.
type queuedMove struct {
	uids []goimap.UID
	done map[goimap.UID]mailproc.Disposition
	sent []sentMove
}

type sentMove struct {
	dest string
	uids []goimap.UID
	cmd  *imapclient.MoveCommand
	at   time.Time
}

// queuesMoves says whether committed batches may be moved behind the next
// FETCH: only with MOVE, one command per folder that can simply be waited
// for later. The fallbacks (COPY, STORE, EXPUNGE) stay in step.
func (s *session) queuesMoves() bool {
	return s.caps.Has(goimap.CapMove) && !s.cfg.Watch
}

// send sends the batch's UID MOVE commands without waiting for their
// replies; a second call does nothing.
func (q *queuedMove) send(s *session) error {
	if q == nil || q.sent != nil {
		return nil
	}
	byDest, order := byDestination(s.cfg, q.uids, q.done)
	q.sent = []sentMove{}
	for _, dest := range order {
		m := sentMove{dest: dest, uids: byDest[dest], at: time.Now()}
		err := s.guard(func() error {
			m.cmd = s.c.Move(goimap.UIDSetNum(m.uids...), dest)
			return nil
		})
		if err != nil {
			return err
		}
		q.sent = append(q.sent, m)
	}
	return nil
}

// wait sends the commands if the next FETCH never went out, waits for
// every reply and returns the batch's last UID: the bookmark may pass it.
// On any failure it returns 0: the mails stay in the inbox, committed, and
// the next sync finds them by Seen and moves them without fetching them.
func (q *queuedMove) wait(s *session) (goimap.UID, error) {
	if err := q.send(s); err != nil {
		return 0, err
	}
	var failed error
	for _, m := range q.sent {
		err := s.guard(func() error {
			_, err := m.cmd.Wait()
			return err
		})
		if err != nil {
			if failed == nil {
				failed = fmt.Errorf("uid move %v to %q: %w", goimap.UIDSetNum(m.uids...), m.dest, err)
			}
			continue
		}
		s.logMoved(m.dest, m.uids, m.at)
	}
	if failed != nil {
		return 0, failed
	}
	if len(q.uids) == 0 {
		return 0, nil
	}
	return q.uids[len(q.uids)-1], nil
}

// logMoved says that uids went to dest, in a MOVE begun at start. The
// spine bench reads these lines (runTimeline, batchTimes).
func (s *session) logMoved(dest string, uids []goimap.UID, start time.Time) {
	s.log.Info("moved mails", "folder", dest, "count", len(uids), "uids", goimap.UIDSetNum(uids...).String(),
		"took", time.Since(start).Round(10*time.Microsecond))
}

// byDestination groups the handled mails by the folder their disposition
// sends them to, in the order the folders first appear. UIDs without a
// disposition (vanished) are left out.
func byDestination(cfg Config, uids []goimap.UID, done map[goimap.UID]mailproc.Disposition) (map[string][]goimap.UID, []string) {
	byDest := map[string][]goimap.UID{}
	var order []string
	for _, uid := range uids {
		disp, ok := done[uid]
		if !ok {
			continue // gone
		}
		dest, _ := destination(cfg, disp)
		if _, ok := byDest[dest]; !ok {
			order = append(order, dest)
		}
		byDest[dest] = append(byDest[dest], uid)
	}
	return byDest, order
}
