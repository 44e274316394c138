package mailproc

import (
	"strconv"
	"strings"
	"time"
)

// placeStaff handles a mail from a member of staff or a head. It is acted
// on only when it is verified: the sender is on the list (that is how we
// got here), it replies to a notification, escalation, confirmation or
// help mail mailproc sent for the case (a valid signed token in its
// references), and — when the desk's server is trusted to say so — DKIM
// or SPF passed for the sender's domain. Anything else is logged on the
// case, reported to ops and never relayed.
//
// A staff member who replies straight to the citizen with the desk in Cc is
// recognised first: that answer has reached the citizen already, so it is
// recorded and nothing is sent.
func (in *Ingester) placeStaff(tx IntakeTx, msg *Message, who Person) (IngestResult, bool, error) {
	now := in.now()
	refs := msg.ReferencedIDs()
	related, err := caseReferenced(tx, msg)
	if err != nil {
		return IngestResult{}, false, err
	}
	if related != nil && addressedTo(msg, related.CitizenAddr) {
		return in.recordDirectAnswer(tx, msg, related, who, "balasan langsung ke warga dengan salinan (Cc) ke layanan")
	}

	number := in.Tokens.VerifyAny(refs, in.deskAddr())
	var c *Case
	if number != "" {
		if c, err = tx.CaseByNumber(number); err != nil {
			return IngestResult{}, false, err
		}
	}
	var reason string
	switch {
	case number == "":
		reason = "tidak membalas notifikasi, eskalasi atau konfirmasi yang sah dari sistem (token tidak ada atau tidak cocok)"
	case c == nil:
		reason = "token merujuk kasus " + number + " yang tidak ada"
	case otherNumber(msg.Subject, number) != "":
		// A reply acts on the case its token names. A subject naming
		// another case means the mail was pieced together from two
		// threads: acting on either could send one citizen's answer
		// to another, so a person must look at it.
		reason = "token untuk kasus " + number + ", tetapi subjek menyebut kasus " + otherNumber(msg.Subject, number)
	case in.AuthservID != "" && in.Auth != nil:
		if ok, why := in.Auth.Verify(msg, in.AuthservID); !ok {
			reason = "pengirim tidak terverifikasi (DKIM/SPF): " + why
		}
	}
	if reason != "" {
		if c == nil {
			c = related
		}
		return in.rejectStaff(tx, msg, c, reason)
	}

	// Verified. What did they write?
	cmds, unknown, answer := ParseCommands(StripQuote(msg.Text))
	if err := tx.InsertMessage(msg, c.ID); err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.RecordDelivery(msg.Delivery, msg.ID, Stored); err != nil {
		return IngestResult{}, false, err
	}
	res := IngestResult{Disposition: Stored, CaseID: c.ID, CaseNumber: c.Number, Action: ActionJoin, Reason: "balasan " + string(who.Role)}
	event := func(t EventType, detail string) error {
		return tx.AddEvent(&Event{CaseID: c.ID, At: now, Actor: msg.From.Addr, Type: t, Detail: detail, MessageID: msg.ID})
	}
	if len(unknown) > 0 {
		// Intent unclear: nothing is done and nothing reaches the citizen.
		if err := event(EventCommand, "perintah tidak dikenal: "+strings.Join(unknown, ", ")+"; tidak ada yang dikirim ke warga"); err != nil {
			return IngestResult{}, false, err
		}
		help, err := in.Composer.Help(c, msg, unknown, "")
		if err != nil {
			return IngestResult{}, false, err
		}
		return res, true, tx.EnqueueMail(help)
	}

	var actions []string
	internal, closeCase := false, false
	for _, cmd := range cmds {
		switch cmd.Name {
		case CmdCatatan:
			internal = true
			note := strings.TrimSpace(strings.TrimSpace(cmd.Arg) + "\n" + answer)
			if err := event(EventNote, note); err != nil {
				return IngestResult{}, false, err
			}
			actions = append(actions, "catatan internal disimpan (tidak dikirim ke warga)")
		case CmdAduan, CmdInformasi:
			k := KindAduan
			if cmd.Name == CmdInformasi {
				k = KindInformasi
			}
			if c.Kind != k {
				c.Kind = k
				if c.State.Open() && c.FirstAnswerAt.IsZero() {
					c.DueAt = in.Clock.Due(k, c.OpenedAt)
					if c.EscalationLevel == 0 {
						c.EscalateAt = c.DueAt
						in.Escalator.ScheduleReminder(c, c.OpenedAt)
					}
				}
				if err := event(EventKind, "jenis diubah menjadi "+string(k)+" oleh "+who.Addr+"; batas waktu "+FormatWaktu(c.DueAt, in.location())); err != nil {
					return IngestResult{}, false, err
				}
			}
			actions = append(actions, "jenis kasus: "+k.Label())
		case CmdTindaklanjut:
			c.NeedsFollowUp = true
			c.DueAt = in.Clock.Due(KindAduan, now)
			if err := event(EventCommand, "perlu tindak lanjut; batas waktu "+FormatWaktu(c.DueAt, in.location())); err != nil {
				return IngestResult{}, false, err
			}
			actions = append(actions, "ditandai perlu tindak lanjut (batas waktu "+FormatWaktu(c.DueAt, in.location())+")")
		case CmdEskalasi:
			if in.Escalator == nil {
				actions = append(actions, "eskalasi tidak tersedia")
				break
			}
			before := c.EscalationLevel
			if err := in.Escalator.Escalate(tx, c, who.Addr, strings.TrimSpace(cmd.Arg)); err != nil {
				return IngestResult{}, false, err
			}
			if c.EscalationLevel == before {
				actions = append(actions, "tidak ada tingkat pimpinan berikutnya; tidak dieskalasi")
			} else {
				actions = append(actions, "diteruskan ke pimpinan tingkat "+strconv.Itoa(c.EscalationLevel))
			}
		case CmdSelesai:
			closeCase = true
		}
	}

	sent := ""
	if answer != "" && !internal {
		citizenMail, err := tx.LatestMessageFrom(c.ID, c.CitizenAddr)
		if err != nil {
			return IngestResult{}, false, err
		}
		closes := closeCase || (c.Kind == KindInformasi && !c.NeedsFollowUp)
		out, err := in.Composer.Answer(c, citizenMail, msg, answer, who, closes)
		if err != nil {
			return IngestResult{}, false, err
		}
		if err := tx.EnqueueMail(out); err != nil {
			return IngestResult{}, false, err
		}
		sent = answer
		in.markAnswered(c, now)
		if closes {
			closeCase = true
		}
		if err := event(EventAnswer, "jawaban dari "+who.Addr+" dikirim ke "+c.CitizenAddr); err != nil {
			return IngestResult{}, false, err
		}
		actions = append([]string{"jawaban dikirim ke " + c.CitizenAddr}, actions...)
	}
	if closeCase && c.State != StateSelesai {
		c.State, c.ClosedAt, c.EscalateAt, c.RemindAt = StateSelesai, now, time.Time{}, time.Time{}
		if err := event(EventState, "selesai (ditutup oleh "+who.Addr+")"); err != nil {
			return IngestResult{}, false, err
		}
		if err := in.sendClosing(tx, c); err != nil {
			return IngestResult{}, false, err
		}
		actions = append(actions, "kasus ditutup (selesai); warga diminta menilai layanan")
	}
	if len(actions) == 0 {
		actions = append(actions, "tidak ada jawaban atau perintah; tidak ada yang dikirim ke warga")
	}
	c.UpdatedAt = now
	if err := tx.UpdateCase(c); err != nil {
		return IngestResult{}, false, err
	}
	confirm, err := in.Composer.Confirm(c, msg, sent, actions)
	if err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.EnqueueMail(confirm); err != nil {
		return IngestResult{}, false, err
	}
	return res, true, nil // the confirmation is always queued
}

// markAnswered records the first answer and moves the case to dijawab.
// The escalation chain stops — unless the case needs follow-up (tindak
// lanjut), whose own deadline the heads still watch.
func (in *Ingester) markAnswered(c *Case, now time.Time) {
	if c.FirstAnswerAt.IsZero() {
		c.FirstAnswerAt = now
	}
	JudgeAnswer(c, in.Clock, now)
	if c.State != StateSelesai {
		c.State = StateDijawab
	}
	c.EscalateAt, c.RemindAt = time.Time{}, time.Time{}
	if c.NeedsFollowUp && c.DueAt.After(now) {
		c.EscalateAt = c.DueAt
	}
}

// recordDirectAnswer records an answer that reached the citizen without
// mailproc (a reply with the desk in Cc, or one sent from the shared
// mailbox): the case is answered, nothing is sent.
func (in *Ingester) recordDirectAnswer(tx IntakeTx, msg *Message, c *Case, who Person, how string) (IngestResult, bool, error) {
	now := in.now()
	if err := tx.InsertMessage(msg, c.ID); err != nil {
		return IngestResult{}, false, err
	}
	in.markAnswered(c, now)
	closed := false
	if c.Kind == KindInformasi && !c.NeedsFollowUp && c.State != StateSelesai {
		c.State, c.ClosedAt, c.EscalateAt = StateSelesai, now, time.Time{}
		if err := in.sendClosing(tx, c); err != nil {
			return IngestResult{}, false, err
		}
		closed = true
	}
	c.UpdatedAt = now
	if err := tx.UpdateCase(c); err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.AddEvent(&Event{CaseID: c.ID, At: now, Actor: msg.From.Addr, Type: EventAnswer, MessageID: msg.ID,
		Detail: "dijawab langsung oleh " + msg.From.Addr + " (" + how + "); tidak ada yang dikirim ulang"}); err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.RecordDelivery(msg.Delivery, msg.ID, Stored); err != nil {
		return IngestResult{}, false, err
	}
	return IngestResult{Disposition: Stored, CaseID: c.ID, CaseNumber: c.Number, Action: ActionJoin, Reason: how}, closed, nil
}

// sendClosing queues the closing mail with the satisfaction question.
func (in *Ingester) sendClosing(tx IntakeTx, c *Case) error {
	if in.Composer == nil {
		return nil
	}
	citizenMail, err := tx.LatestMessageFrom(c.ID, c.CitizenAddr)
	if err != nil {
		return err
	}
	if citizenMail != nil && AutomaticReason(citizenMail) != "" {
		// A case opened by a robot, a list or a no-reply sender (closed by
		// staff as spam, say): asking it for a rating could start a loop
		// and tells nobody anything.
		return nil
	}
	mail, err := in.Composer.Closing(c, citizenMail, in.ReopenWindow)
	if err != nil {
		return err
	}
	return tx.EnqueueMail(mail)
}

// placeRating records a citizen's reply to the closing mail that starts
// with a score 1–4: a rating, not a new case or a reopening, and no
// acknowledgement. ok is false for any other mail.
func (in *Ingester) placeRating(tx IntakeTx, msg *Message) (res IngestResult, ok bool, err error) {
	for _, id := range msg.ReferencedIDs() {
		out, err := tx.OutgoingByMessageID(id)
		if err != nil {
			return res, false, err
		}
		if out == nil || out.Purpose != PurposeClosing || out.CaseID == 0 {
			continue
		}
		c, err := tx.CaseByID(out.CaseID)
		if err != nil || c == nil || !SameAddr(msg.From.Addr, c.CitizenAddr) {
			return res, false, err
		}
		score, comment, isRating := ParseRating(msg.Text)
		if !isRating {
			return res, false, nil
		}
		if err := tx.InsertMessage(msg, c.ID); err != nil {
			return res, false, err
		}
		now := in.now()
		if err := tx.InsertRating(&Rating{CaseID: c.ID, Score: score, Comment: comment, At: now, MessageID: msg.ID}); err != nil {
			return res, false, err
		}
		detail := "penilaian warga: " + strconv.Itoa(score) + " (" + RatingLabels[score] + ")"
		if comment != "" {
			detail += "; komentar: " + firstLine(comment)
		}
		if err := tx.AddEvent(&Event{CaseID: c.ID, At: now, Actor: msg.From.Addr, Type: EventRating, Detail: detail, MessageID: msg.ID}); err != nil {
			return res, false, err
		}
		if err := tx.RecordDelivery(msg.Delivery, msg.ID, Stored); err != nil {
			return res, false, err
		}
		return IngestResult{Disposition: Stored, CaseID: c.ID, CaseNumber: c.Number, Action: ActionJoin, Reason: "penilaian kepuasan"}, true, nil
	}
	return res, false, nil
}

// rejectStaff keeps a reply that failed verification on its case (if one
// can be told), logs why, and tells ops. Nothing reaches the citizen.
func (in *Ingester) rejectStaff(tx IntakeTx, msg *Message, c *Case, reason string) (IngestResult, bool, error) {
	now := in.now()
	var caseID int64
	if c != nil {
		caseID = c.ID
	}
	if err := tx.InsertMessage(msg, caseID); err != nil {
		return IngestResult{}, false, err
	}
	if c != nil {
		if err := tx.AddEvent(&Event{CaseID: c.ID, At: now, Actor: msg.From.Addr, Type: EventRejected, MessageID: msg.ID,
			Detail: "balasan tidak diteruskan ke warga: " + reason}); err != nil {
			return IngestResult{}, false, err
		}
	}
	in.logger().Warn("reply claiming to be staff was not relayed", "from", msg.From.Addr, "message_id", msg.MessageID, "reason", reason)
	queued := false
	if len(in.Composer.Ops) > 0 {
		notice, err := in.Composer.OpsForgery(c, msg, reason)
		if err != nil {
			return IngestResult{}, false, err
		}
		if err := tx.EnqueueMail(notice); err != nil {
			return IngestResult{}, false, err
		}
		queued = true
	}
	if err := tx.RecordDelivery(msg.Delivery, msg.ID, Stored); err != nil {
		return IngestResult{}, false, err
	}
	res := IngestResult{Disposition: Stored, CaseID: caseID, Reason: "balasan petugas ditolak: " + reason}
	if c != nil {
		res.CaseNumber = c.Number
	}
	return res, queued, nil
}

// addressedTo reports whether addr is among m's To and Cc recipients.
func addressedTo(m *Message, addr string) bool {
	for _, a := range append(append([]Address(nil), m.To...), m.Cc...) {
		if SameAddr(a.Addr, addr) {
			return true
		}
	}
	return false
}

func (in *Ingester) deskAddr() string {
	if in.Composer != nil {
		return in.Composer.Desk.Address
	}
	return ""
}

// placeSent handles a mail found in the desk's Sent folder. mailproc's own
// copies are skipped. Anything else was written by a person using the
// shared desk mailbox in their own client: if it answers a case (number in
// the subject, or a reply to one of its mails) and goes to the citizen, the
// case is recorded as answered — mailproc sends nothing. Other mail there
// is kept without a case.
func (in *Ingester) placeSent(tx IntakeTx, msg *Message) (IngestResult, bool, error) {
	c, err := caseReferenced(tx, msg)
	if err != nil {
		return IngestResult{}, false, err
	}
	if c != nil && addressedTo(msg, c.CitizenAddr) {
		who := Person{Addr: msg.From.Addr, Name: msg.From.Name}
		return in.recordDirectAnswer(tx, msg, c, who, "dikirim dari kotak surat bersama (folder Terkirim)")
	}
	if err := tx.InsertMessage(msg, 0); err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.RecordDelivery(msg.Delivery, msg.ID, Stored); err != nil {
		return IngestResult{}, false, err
	}
	return IngestResult{Disposition: Stored, Reason: "email terkirim tanpa kaitan dengan kasus"}, false, nil
}

// caseReferenced is the case a mail points at: through its references, or
// else the number in its subject (nil if neither).
func caseReferenced(tx IntakeTx, msg *Message) (*Case, error) {
	c, err := tx.CaseByMessageIDs(msg.ReferencedIDs())
	if err != nil || c != nil {
		return c, err
	}
	if n := FindNumber(msg.Subject); n != "" {
		return tx.CaseByNumber(n)
	}
	return nil, nil
}

// otherNumber returns the registration number in subject when it differs
// from number, or "" when the subject names none or the same case.
func otherNumber(subject, number string) string {
	if n := FindNumber(subject); n != "" && !strings.EqualFold(n, number) {
		return n
	}
	return ""
}
