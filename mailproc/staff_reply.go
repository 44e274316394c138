package mailproc

import "strings"

// staffReply is what a verified reply from staff or a head says, read with
// what the desk knows of the mail it answers.
type staffReply struct {
	Commands []Command
	Unknown  []string
	Answer   string   // for the citizen, unless a command keeps it internal
	Internal bool     // a #catatan: the answer is a note, never relayed
	Leaks    []string // what the answer still holds of internal mail (LeakFindings)
	Text     string   // the whole text of a #kanal registration
}

// maxOriginals bounds the referenced mails looked up in the outbox.
const maxOriginals = 10

// readStaffReply reads a verified reply with the texts of the desk's own
// mails it references (see readStaffMail).
func (in *Ingester) readStaffReply(tx IntakeTx, msg *Message) (staffReply, error) {
	originals, err := knownOriginals(tx, msg)
	if err != nil {
		return staffReply{}, err
	}
	return readStaffMail(msg, originals), nil
}

// readStaffMail is what a reply says, given the desk's mails it answers:
// ReplyText, the commands in it, and the leak guard on the answer when it
// would reach the citizen (not for an internal note).
func readStaffMail(msg *Message, originals []string) staffReply {
	var r staffReply
	r.Commands, r.Unknown, r.Answer = ParseCommands(ReplyText(msg, originals))
	for _, c := range r.Commands {
		if c.Name == CmdCatatan {
			r.Internal = true
			return r
		}
	}
	if r.Answer != "" {
		r.Leaks = LeakFindings(r.Answer, originals)
	}
	return r
}

// knownOriginals returns the texts of the mails to staff and heads that msg
// references, as the outbox keeps them.
func knownOriginals(tx IntakeTx, msg *Message) ([]string, error) {
	var texts []string
	for i, id := range msg.ReferencedIDs() {
		if i == maxOriginals {
			break
		}
		out, err := tx.OutgoingByMessageID(id)
		if err != nil {
			return nil, err
		}
		if out != nil && signedPurposes[out.Purpose] {
			texts = append(texts, out.Text)
		}
	}
	return texts, nil
}

// holdAnswer keeps back an answer that still quotes internal mail: nothing
// reaches the citizen, nothing changes on the case (its clock runs on), the
// case's log says what was found, and the staff member is asked to answer
// again above the marker line.
func (in *Ingester) holdAnswer(tx IntakeTx, msg *Message, c *Case, res IngestResult, leaks []string) (IngestResult, bool, error) {
	found := strings.Join(leaks, "; ")
	if err := tx.AddEvent(&Event{CaseID: c.ID, At: in.now(), Actor: msg.From.Addr, Type: EventHeld, MessageID: msg.ID,
		Detail: "jawaban tidak dikirim ke warga: kutipan email internal masih ada (" + found + ")"}); err != nil {
		return IngestResult{}, false, err
	}
	in.logger().Warn("staff answer held back: it still quotes internal mail", "from", msg.From.Addr,
		"message_id", msg.MessageID, "case", c.Number, "findings", len(leaks))
	help, err := in.Composer.Help(c, msg, nil, HeldProblem+": "+found+
		". Tulis jawaban di atas baris \""+ReplyMarker+"\" lalu kirim ulang.")
	if err != nil {
		return IngestResult{}, false, err
	}
	res.Reason = HeldProblem
	return res, true, tx.EnqueueMail(help)
}

// HeldProblem is the help mail's problem line for a held answer.
const HeldProblem = "jawaban belum terkirim: kutipan email internal masih ada"
