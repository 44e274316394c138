package mailproc

import (
	"strconv"
	"time"
)

// Lane is the outbox's priority class of a mail: the postman sends every
// due mail of a lower lane before any of a higher one, so a backlog of
// staff notifications never delays a citizen's acknowledgement.
type Lane int

const (
	LaneCitizen Lane = iota // acknowledgement, answer and closing: a person waits for them
	LaneStaff               // notifications, reminders, escalations, confirmations, help, reports
	LaneOps                 // ops notices: nobody outside the desk waits for them
	// LaneBurst: staff notifications a burst digest listed (digest_burst.go).
	// Staff have the list already; the mails they reply to follow it, after
	// the few ops notices rather than before, so a backlog of thousands
	// never holds back a quarantine or delivery-failure notice.
	LaneBurst
)

// String is the lane's name in the log.
func (l Lane) String() string {
	switch l {
	case LaneCitizen:
		return "citizen"
	case LaneStaff:
		return "staff"
	case LaneOps:
		return "ops"
	case LaneBurst:
		return "burst"
	}
	return "lane" + strconv.Itoa(int(l))
}

// Lane is the purpose's lane. A purpose not named here (one added later,
// such as a report to the heads) goes with staff and heads: only mail to
// the citizen goes first, and only ops mail goes last.
//
// The citizen lane goes newest case first, but within one case in the
// order the mails were queued (CaseOrdered): the closing mail never
// overtakes the answer it closes, nor the answer the acknowledgement.
func (p Purpose) Lane() Lane {
	switch p {
	case PurposeAck, PurposeAnswer, PurposeClosing:
		return LaneCitizen
	case PurposeOps:
		return LaneOps
	}
	return LaneStaff
}

// Lane is the mail's lane: its purpose's, or LaneBurst for a notification
// held for a burst digest.
func (m *OutgoingMail) Lane() Lane {
	if m.Burst {
		return LaneBurst
	}
	return m.Purpose.Lane()
}

// CaseOrdered reports whether the purpose's mails of one case go out in
// the order they were queued, one after the other: a later one waits
// while an earlier one is pending (retried after an outage, say). Only the
// citizen lane is ordered so; staff mail of a case goes to different
// people, and one refused address must not hold the others.
func (p Purpose) CaseOrdered() bool { return p.Lane() == LaneCitizen }

// LanePurposes are the purposes whose lane is not LaneStaff, the default:
// the store orders its queue with them.
var LanePurposes = []Purpose{PurposeAck, PurposeAnswer, PurposeClosing, PurposeOps}

// BurstPace is the least time between two mails of LaneBurst the postman
// hands the server (20 a second: the 10,000 of a start-up backlog in about
// eight minutes). Staff have the digest already and nobody waits on these
// by the second, while a flood of them fills the mail server's queue: in
// the load run, unpaced, Postfix's active queue rose to 5,700 and its
// deliveries to Dovecot took the CPU intake and the live acknowledgements
// needed (issue 14). Staff and ops mail outside a burst is a few a
// minute, and is not paced.
const BurstPace = 50 * time.Millisecond

// CitizenBacklogPace is the least time between two citizen mails while the
// citizen lane has a backlog (a whole batch of them due: the
// acknowledgements of a start-up backlog; 40 a second). Unpaced, the
// 10,000 acknowledgements went to Postfix at 80 a second while it
// delivered fewer under the load: its queue rose to 1,300 as the live
// citizens began writing, and their mail waited up to 13 s in it before
// it reached the desk's inbox (issue 14). A live acknowledgement is the
// newest, so it heads the batch and waits for one slot at most.
const CitizenBacklogPace = 25 * time.Millisecond

// Pace is the least time between two mails of the lane, backlog telling
// whether a whole batch of the lane is due; 0: none.
func (l Lane) Pace(backlog bool) time.Duration {
	switch {
	case l == LaneBurst:
		return BurstPace
	case l == LaneCitizen && backlog:
		return CitizenBacklogPace
	}
	return 0
}

// PaceSlot is when the next mail of a paced lane may go, asked at now when
// the lane's next free slot is next: at once if that slot has passed, else
// at it; after, the free slot after this one.
func PaceSlot(next, now time.Time, pace time.Duration) (at, after time.Time) {
	at = next
	if at.Before(now) {
		at = now
	}
	return at, at.Add(pace)
}
