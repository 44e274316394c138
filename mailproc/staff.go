package mailproc

import (
	"strconv"
	"strings"
	"time"
)

// placeStaff handles a mail from a member of staff or a head (or a reply
// to a mail meant for them from anyone else): it passes the gate —
// gatherStaff reads the evidence, VerifyStaff judges it, DecideStaff plans —
// and only then is anything applied. A refused mail is kept, logged on its
// case and reported to ops; nothing reaches the citizen.
func (in *Ingester) placeStaff(tx IntakeTx, msg *Message, who Person, known bool) (IngestResult, bool, error) {
	ev, err := in.gatherStaff(tx, msg, who, known)
	if err != nil {
		return IngestResult{}, false, err
	}
	v := VerifyStaff(ev)
	if known && v.Proof == ProofToken {
		// A reply proven by its token teaches require_auth = "auto"
		// whether the desk's server stamps Authentication-Results.
		if err := in.learnAuthStamp(tx, msg); err != nil {
			return IngestResult{}, false, err
		}
	}
	// What did they write? Read only for a mail that may act: the reply
	// cut where the desk's own text begins, and the leak guard on it.
	var reply staffReply
	switch {
	case v.Register:
		reply.Text = msg.Text
	case v.Trusted() && !v.Direct:
		if reply, err = in.readStaffReply(tx, msg); err != nil {
			return IngestResult{}, false, err
		}
	}
	plan := DecideStaff(v, reply)
	in.logger().Info("staff mail judged", "from", msg.From.Addr, "message_id", msg.MessageID,
		"case", caseNumber(v.Case), "proof", string(v.Proof), "direct", v.Direct, "reason", v.Reason)
	switch plan.Action {
	case StaffRecord:
		return in.recordDirectAnswer(tx, msg, v)
	case StaffClaim:
		return in.rejectStaff(tx, msg, v.Case, v.Reason, EventClaim)
	case StaffRenew:
		res, _, err := in.rejectStaff(tx, msg, v.Case, v.Reason, EventRejected)
		if err != nil || v.Case == nil {
			return res, true, err
		}
		help, err := in.Composer.Help(v.Case, msg, nil, strings.ToUpper(v.Reason[:1])+v.Reason[1:]+"; tidak ada yang dijalankan. "+
			"Balas email ini (tokennya baru) untuk mengulang jawaban atau perintah Anda. Bila Anda tidak mengirim balasan itu, beri tahu operator.")
		if err != nil {
			return IngestResult{}, false, err
		}
		return res, true, tx.EnqueueMail(help)
	case StaffRefuse:
		res, queued, err := in.rejectStaff(tx, msg, v.Case, v.Reason, EventRejected)
		if err != nil || !known {
			return res, queued, err
		}
		told, err := in.tellStaffNotRelayed(tx, msg, v)
		return res, queued || told, err
	case StaffRegister:
		return in.registerContact(tx, msg, v, plan.Registration)
	case StaffRegisterHelp:
		return in.registrationHelp(tx, msg, plan.Problem)
	}
	return in.applyStaff(tx, msg, v, plan)
}

// gatherStaff reads what the gate judges: the case the mail points at,
// every signed id of ours among its references (checked for its sender,
// revoked or not), and what the desk's server says of its sender.
func (in *Ingester) gatherStaff(tx IntakeTx, msg *Message, who Person, known bool) (StaffEvidence, error) {
	ev := StaffEvidence{From: msg.From.Addr, Who: who, Known: known, SentFolder: in.SentFolder, Subject: msg.Subject}
	related, err := caseReferenced(tx, msg)
	if err != nil {
		return ev, err
	}
	ev.Related = related
	ev.Register = known && related == nil && len(msg.ReferencedIDs()) == 0 && IsRegistration(msg.Text)
	ev.ToCitizen = related != nil && addressedTo(msg, related.CitizenAddr)
	if in.SentFolder {
		return ev, nil
	}
	now := in.now()
	groups := in.Directory.tokenGroups(msg.From.Addr)
	for _, id := range msg.ReferencedIDs() {
		tok, ok := ParseToken(id, in.deskAddr())
		if !ok {
			continue
		}
		var sent time.Time
		sentTo := ""
		if tok.Legacy || tok.Compact {
			out, err := tx.OutgoingByMessageID(tok.ID)
			if err != nil {
				return ev, err
			}
			if out != nil {
				sent, sentTo = out.Date, TokenRecipient(out.Purpose, out.To)
				if sent.IsZero() {
					sent = out.CreatedAt
				}
			}
			if tok.Compact {
				tok.Issued = sent // for the log: a compact id holds no day
			}
		}
		te := TokenEvidence{Token: tok, Status: in.Tokens.Check(tok, msg.From.Addr, groups, now, sent, sentTo)}
		if te.Revoked, err = tx.TokenRevoked(tok.ID); err != nil {
			return ev, err
		}
		if te.Status != TokenBadMAC && te.Status != TokenUnknownKey {
			if te.Case, err = tx.CaseByNumber(tok.Number); err != nil {
				return ev, err
			}
		}
		ev.Tokens = append(ev.Tokens, te)
	}
	if id := in.requiredAuthserv(); id != "" && in.Auth != nil {
		ev.AuthRequired = true
		ev.AuthOK, ev.AuthWhy = in.Auth.Verify(msg, id)
	}
	return ev, nil
}

// applyStaff carries out the plan of a verified reply: commands, then the
// answer to the citizen, then the confirmation to the sender.
func (in *Ingester) applyStaff(tx IntakeTx, msg *Message, v StaffVerdict, plan StaffPlan) (IngestResult, bool, error) {
	now := in.now()
	c, who, answer := v.Case, v.Who, plan.Answer
	if err := tx.InsertMessage(msg, c.ID); err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.RecordDelivery(msg.Delivery, msg.ID, Stored); err != nil {
		return IngestResult{}, false, err
	}
	res := IngestResult{Disposition: Stored, CaseID: c.ID, CaseNumber: c.Number, Action: ActionJoin, Reason: "balasan " + string(who.Role) + " (bukti: " + string(v.Proof) + ")"}
	event := func(t EventType, detail string) error {
		if t != EventNote { // a note is the staff member's own text
			detail += " (bukti: " + string(v.Proof) + ")"
		}
		return tx.AddEvent(&Event{CaseID: c.ID, At: now, Actor: msg.From.Addr, Type: t, Detail: detail, MessageID: msg.ID})
	}
	if plan.Action == StaffHelp {
		if err := event(EventCommand, "perintah tidak dikenal: "+strings.Join(plan.Unknown, ", ")+"; tidak ada yang dikirim ke warga"); err != nil {
			return IngestResult{}, false, err
		}
		help, err := in.Composer.Help(c, msg, plan.Unknown, "")
		if err != nil {
			return IngestResult{}, false, err
		}
		return res, true, tx.EnqueueMail(help)
	}
	if plan.Action == StaffHold {
		return in.holdAnswer(tx, msg, c, res, plan.Leaks)
	}

	var actions []string
	internal, closeCase := plan.Internal, false
	for _, cmd := range plan.Commands {
		switch cmd.Name {
		case CmdCatatan:
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
		out, err := in.Composer.Answer(c, citizenMail, msg, answer, who, closes, in.ReopenWindow)
		if err != nil {
			return IngestResult{}, false, err
		}
		if err := tx.EnqueueMail(out); err != nil {
			return IngestResult{}, false, err
		}
		sent = answer
		// One closing mail, after the last answer: a closing mail still
		// waiting from an earlier answer waits for this one too.
		if n, err := tx.DeferClosing(c.ID, now, now.Add(in.ClosingDelay)); err != nil {
			return IngestResult{}, false, err
		} else if n > 0 {
			actions = append(actions, "email penutupan ditunda sampai "+FormatWaktu(now.Add(in.ClosingDelay), in.location()))
		}
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

// recordDirectAnswer records a verified answer that reached the citizen
// without mailproc (a reply with the desk in Cc, or one sent from the
// shared mailbox): the case is answered, nothing is sent to the citizen
// again. A staff member who answered from their own address gets a
// confirmation, which carries a fresh token: the one their answer
// referenced is now in the citizen's hands and is revoked.
func (in *Ingester) recordDirectAnswer(tx IntakeTx, msg *Message, v StaffVerdict) (IngestResult, bool, error) {
	now := in.now()
	c := v.Case
	how := "balasan langsung ke warga dengan salinan (Cc) ke layanan"
	if v.Proof == ProofSentFolder {
		how = "dikirim dari kotak surat bersama (folder Terkirim)"
	}
	if err := tx.InsertMessage(msg, c.ID); err != nil {
		return IngestResult{}, false, err
	}
	in.markAnswered(c, now)
	queued := false
	if c.Kind == KindInformasi && !c.NeedsFollowUp && c.State != StateSelesai {
		c.State, c.ClosedAt, c.EscalateAt = StateSelesai, now, time.Time{}
		if err := in.sendClosing(tx, c); err != nil {
			return IngestResult{}, false, err
		}
		queued = true
	}
	c.UpdatedAt = now
	if err := tx.UpdateCase(c); err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.AddEvent(&Event{CaseID: c.ID, At: now, Actor: msg.From.Addr, Type: EventAnswer, MessageID: msg.ID,
		Detail: "dijawab langsung oleh " + msg.From.Addr + " (" + how + "; bukti: " + string(v.Proof) + "); tidak ada yang dikirim ulang"}); err != nil {
		return IngestResult{}, false, err
	}
	if err := tx.RecordDelivery(msg.Delivery, msg.ID, Stored); err != nil {
		return IngestResult{}, false, err
	}
	if v.Proof != ProofSentFolder && in.Composer != nil {
		actions := []string{"jawaban langsung Anda kepada " + c.CitizenAddr + " dicatat; sistem tidak mengirim ulang"}
		if v.Token != "" {
			actions = append(actions, "token pada email yang Anda balas kini dipegang warga dan dicabut; balas email ini untuk perintah berikutnya")
		}
		confirm, err := in.Composer.Confirm(c, msg, "", actions)
		if err != nil {
			return IngestResult{}, false, err
		}
		if err := tx.EnqueueMail(confirm); err != nil {
			return IngestResult{}, false, err
		}
		queued = true
	}
	return IngestResult{Disposition: Stored, CaseID: c.ID, CaseNumber: c.Number, Action: ActionJoin, Reason: how}, queued, nil
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
	// Not in the same second as the answer: the citizen reads the answer
	// first (desk.closing_delay); the postman wakes for it by itself.
	mail.Date = mail.Date.Add(in.ClosingDelay)
	mail.NextAttempt = mail.Date
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

// rejectStaff keeps a mail that failed verification on its case (if one
// can be told) as an event of type t (EventRejected, or EventClaim for an
// unverified direct answer), logs why, and tells ops. Nothing reaches the
// citizen and the case itself — state, deadline, escalation clock — is not
// touched.
func (in *Ingester) rejectStaff(tx IntakeTx, msg *Message, c *Case, reason string, t EventType) (IngestResult, bool, error) {
	now := in.now()
	var caseID int64
	if c != nil {
		caseID = c.ID
	}
	if err := tx.InsertMessage(msg, caseID); err != nil {
		return IngestResult{}, false, err
	}
	if c != nil {
		detail := "balasan tidak diteruskan ke warga: " + reason
		if t == EventClaim {
			detail = reason + "; kasus tetap terbuka, tenggat dan eskalasi berjalan"
		}
		if err := tx.AddEvent(&Event{CaseID: c.ID, At: now, Actor: msg.From.Addr, Type: t, MessageID: msg.ID, Detail: detail}); err != nil {
			return IngestResult{}, false, err
		}
	}
	in.logger().Warn("mail claiming to be from staff was not acted on", "from", msg.From.Addr, "message_id", msg.MessageID,
		"case", caseNumber(c), "reason", reason)
	queued := false
	if in.Composer != nil && len(in.Composer.Ops) > 0 {
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

// revokeExposed revokes every token of ours (a Message-ID we sent to staff
// or heads) that msg carries in In-Reply-To or References when msg is from
// or to anyone outside the desk: that person now holds it, so it must not
// authorise anything any more. It runs after msg was placed, in the same
// transaction, so a genuine direct answer is still verified by the token it
// exposes.
func (in *Ingester) revokeExposed(tx IntakeTx, msg *Message) error {
	outsider := ""
	for _, a := range append(append([]Address{msg.From}, msg.To...), msg.Cc...) {
		if a.Addr != "" && !in.insider(a.Addr) {
			outsider = a.Addr
			break
		}
	}
	if outsider == "" {
		return nil
	}
	for _, id := range msg.ReferencedIDs() {
		tok, out, err := in.sentTokenOf(tx, id)
		if err != nil {
			return err
		}
		if out == nil {
			continue // not a token, or not in a mail we sent: nothing to revoke
		}
		now := in.now()
		added, err := tx.RevokeToken(tok.ID, out.CaseID, now, "terlihat oleh "+outsider)
		if err != nil {
			return err
		}
		if !added {
			continue
		}
		if err := tx.AddEvent(&Event{CaseID: out.CaseID, At: now, Actor: ActorSystem, Type: EventRevoked, MessageID: msg.ID,
			Detail: "token " + string(tok.Purpose) + " dicabut: email " + SanitizeHeader(msg.MessageID, 100) + " merujuknya dan melibatkan " + outsider +
				" (bukan petugas atau pimpinan); token itu tidak lagi berlaku untuk perintah atau jawaban"}); err != nil {
			return err
		}
		in.logger().Warn("token exposed outside the desk revoked", "case_id", out.CaseID, "message_id", msg.MessageID, "outsider", outsider)
	}
	return nil
}

// sentToken returns the first mail we sent with a token (to staff or
// heads, about a case) that msg refers to; nil if none. The outbox is the
// proof that the id is ours: anyone can write an id of the same shape.
func (in *Ingester) sentToken(tx IntakeTx, msg *Message) (*OutgoingMail, error) {
	for _, id := range msg.ReferencedIDs() {
		if _, out, err := in.sentTokenOf(tx, id); err != nil || out != nil {
			return out, err
		}
	}
	return nil, nil
}

// sentTokenOf reads id as a token and finds the case mail we sent with it.
func (in *Ingester) sentTokenOf(tx IntakeTx, id string) (Token, *OutgoingMail, error) {
	tok, ok := ParseToken(id, in.deskAddr())
	if !ok {
		return tok, nil, nil
	}
	out, err := tx.OutgoingByMessageID(tok.ID)
	if err != nil || out == nil || out.CaseID == 0 {
		return tok, nil, err
	}
	return tok, out, nil
}

func caseNumber(c *Case) string {
	if c == nil {
		return ""
	}
	return c.Number
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
// gate trusts it (only the desk account writes that folder) and the case is
// recorded as answered — mailproc sends nothing. Other mail there is kept
// without a case.
func (in *Ingester) placeSent(tx IntakeTx, msg *Message) (IngestResult, bool, error) {
	ev, err := in.gatherStaff(tx, msg, Person{Addr: msg.From.Addr, Name: msg.From.Name}, false)
	if err != nil {
		return IngestResult{}, false, err
	}
	if v := VerifyStaff(ev); DecideStaff(v, staffReply{}).Action == StaffRecord {
		return in.recordDirectAnswer(tx, msg, v)
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

// tellStaffNotRelayed tells the registered staff member or head whose
// address a refused mail came from that it was not relayed, why, and what
// to do — at most once an hour per address, so a flood of forgeries in
// their name costs them one mail. The help mail goes to the registered
// address, never to a Reply-To, and carries a fresh token of the case
// (issued to that address) to answer with.
func (in *Ingester) tellStaffNotRelayed(tx IntakeTx, msg *Message, v StaffVerdict) (bool, error) {
	if in.Composer == nil {
		return false, nil
	}
	now := in.now()
	key := "staff_told:" + strings.ToLower(msg.From.Addr) + ":" + now.UTC().Truncate(time.Hour).Format("2006-01-02T15")
	first, err := tx.SetDeskStateOnce(key, "<"+msg.MessageID+">", now)
	if err != nil || !first {
		return false, err
	}
	help, err := in.Composer.Help(v.Case, msg, nil, StaffNotRelayedHelp(v.Reason))
	if err != nil {
		return false, err
	}
	return true, tx.EnqueueMail(help)
}

// StaffNotRelayedHelp is what a staff member reads when their mail was not
// relayed: the reason and what to do.
func StaffNotRelayedHelp(reason string) string {
	return "Email Anda tidak diteruskan ke warga dan tidak menjalankan apa pun: " + reason + ". " +
		"Untuk menjawab, balas email notifikasi kasus dari sistem (atau email ini), tanpa menulis email baru. " +
		"Bila Anda tidak mengirim email itu, beri tahu operator."
}
