package mailproc

// Lane is the outbox's priority class of a mail: the postman sends every
// due mail of a lower lane before any of a higher one, so a backlog of
// staff notifications never delays a citizen's acknowledgement.
type Lane int

const (
	LaneCitizen Lane = iota // acknowledgement and answer: a person waits for it
	LaneStaff               // notifications, reminders, escalations, confirmations, help, reports, closing
	LaneOps                 // ops notices: nobody outside the desk waits for them
	// LaneBurst: staff notifications a burst digest listed (digest_burst.go).
	// Staff have the list already; the mails they reply to follow it, after
	// the few ops notices rather than before, so a backlog of thousands
	// never holds back a quarantine or delivery-failure notice.
	LaneBurst
)

// Lane is the purpose's lane. A purpose not named here (one added later,
// such as a report to the heads) goes with staff and heads: only mail to
// the citizen goes first, and only ops mail goes last.
func (p Purpose) Lane() Lane {
	switch p {
	case PurposeAck, PurposeAnswer:
		return LaneCitizen
	case PurposeClosing:
		// The closing mail (selesai, and the rating question) follows
		// the answer it closes: in the citizen lane, which sends newest
		// first over parallel sessions, it could overtake it. A lane
		// is sent whole before the next starts, so here it cannot.
		return LaneStaff
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

// LanePurposes are the purposes whose lane is not LaneStaff, the default:
// the store orders its queue with them.
var LanePurposes = []Purpose{PurposeAck, PurposeAnswer, PurposeOps}
