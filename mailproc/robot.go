package mailproc

import (
	"strings"
	"time"
)

// Non-human mail (auto-replies, lists, read receipts, spam reports, notices
// from systems) is kept — archived, in the database, moved on like any other
// mail — but opens no case and pages nobody. When it refers to a case (by
// In-Reply-To, References or the returned copy of our mail) it goes on that
// case's log as what it is; otherwise it is listed for ops
// (`mailproc cases list --unlinked`).

// robotEvent is the log entry a robot's mail leaves on the case it refers to.
func robotEvent(r Robot) EventType {
	switch r {
	case RobotReadReceipt:
		return EventRead
	case RobotAutoReply:
		return EventAutoReply
	case RobotSpamReport:
		return EventSpam
	case RobotBounce:
		return EventDelivery
	}
	return EventRobot
}

// robotRefs lists the ids a robot's mail may point at: its own references,
// then the Message-IDs of our mail it returns.
func robotRefs(msg *Message) []string {
	ids := msg.ReferencedIDs()
	if r := msg.Report; r != nil {
		ids = append(ids, r.OriginalIDs...)
	}
	return ids
}

// placeRobot stores a robot's mail on the case it refers to with the event
// for its kind, or on no case. A spam report about our mail puts its
// recipients on the suppression list and tells ops once per address.
// Nothing changes the case's state, and staff hear nothing.
func (in *Ingester) placeRobot(tx IntakeTx, msg *Message, robot Robot) (IngestResult, bool, error) {
	c, err := tx.CaseByMessageIDs(robotRefs(msg))
	if err != nil {
		return IngestResult{}, false, err
	}
	why := AutomaticReason(msg)
	caseID, err := in.storeOn(tx, msg, c, robotEvent(robot), SanitizeHeader(why+" dari "+msg.From.Addr, 300))
	if err != nil {
		return IngestResult{}, false, err
	}
	now := in.now()
	queued := false
	if robot == RobotSpamReport {
		if queued, err = in.suppress(tx, msg, c, now); err != nil {
			return IngestResult{}, false, err
		}
	}
	if err := tx.RecordDelivery(msg.Delivery, msg.ID, Stored); err != nil {
		return IngestResult{}, false, err
	}
	res := IngestResult{Disposition: Stored, CaseID: caseID, Reason: why}
	if c != nil {
		res.CaseNumber = c.Number
	}
	return res, queued, nil
}

// storeOn stores msg on case c (nil: on no case) with an event of typ on
// the case's log, and returns the case's row id (0 for none).
func (in *Ingester) storeOn(tx IntakeTx, msg *Message, c *Case, typ EventType, detail string) (int64, error) {
	var caseID int64
	if c != nil {
		caseID = c.ID
	}
	if err := tx.InsertMessage(msg, caseID); err != nil {
		return 0, err
	}
	if c == nil {
		return 0, nil
	}
	return caseID, tx.AddEvent(&Event{CaseID: c.ID, At: in.now(), Actor: ActorSystem, Type: typ, MessageID: msg.ID, Detail: detail})
}

// ourMail returns the first of ids that is a mail we sent, or nil.
func ourMail(tx IntakeTx, ids []string) (*OutgoingMail, error) {
	for _, id := range ids {
		o, err := tx.OutgoingByMessageID(id)
		if err != nil || o != nil {
			return o, err
		}
	}
	return nil, nil
}

// spamComplainers are the addresses a spam report is about: the
// recipients it names (Original-Rcpt-To), else the recipients of the mail
// of ours it returns.
func spamComplainers(tx IntakeTx, msg *Message) ([]string, *OutgoingMail, error) {
	var out *OutgoingMail
	if r := msg.Report; r != nil {
		var err error
		if out, err = ourMail(tx, r.OriginalIDs); err != nil {
			return nil, nil, err
		}
		if len(r.Recipients) > 0 {
			return r.Recipients, out, nil
		}
	}
	if out != nil {
		return out.Recipients(), out, nil
	}
	return nil, nil, nil
}

// suppress puts the complainers of a spam report about our mail on the
// suppression list. A report about mail we never sent suppresses nobody:
// anyone can write a feedback report.
func (in *Ingester) suppress(tx IntakeTx, msg *Message, c *Case, now time.Time) (bool, error) {
	addrs, out, err := spamComplainers(tx, msg)
	if err != nil || out == nil {
		return false, err
	}
	var added []string
	for _, a := range addrs {
		ok, err := tx.Suppress(&Suppression{Addr: a, Reason: AutomaticReason(msg), MessageID: msg.ID, At: now})
		if err != nil {
			return false, err
		}
		if ok {
			added = append(added, a)
		}
	}
	if len(added) == 0 {
		return false, nil
	}
	if c != nil {
		ev := &Event{CaseID: c.ID, At: now, Actor: ActorSystem, Type: EventSpam, MessageID: msg.ID,
			Detail: "tidak ada lagi tanda terima untuk " + strings.Join(added, ", ") + " (daftar penolakan; mailproc suppressions)"}
		if err := tx.AddEvent(ev); err != nil {
			return false, err
		}
	}
	if in.Composer == nil || len(in.Composer.Ops) == 0 {
		return false, nil
	}
	notice, err := in.Composer.OpsSpamReport(out, c, added, AutomaticReason(msg))
	if err != nil {
		return false, err
	}
	return true, tx.EnqueueMail(notice)
}
