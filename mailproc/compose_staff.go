package mailproc

import (
	"fmt"
	"strings"
	"time"
)

// maxNotifyText bounds the citizen's text copied into a notification.
const maxNotifyText = 20000

// Notify composes the notification of a case to all staff: a new case, or
// a citizen's follow-up on one. Replying to it answers the citizen.
func (c *Composer) Notify(m *Message, cs *Case, followUp, reopened bool) (*OutgoingMail, error) {
	text := m.Text
	if followUp {
		text = StripQuote(text)
	}
	truncated := m.TextTruncated
	if r := []rune(text); len(r) > maxNotifyText {
		text, truncated = string(r[:maxNotifyText]), true
	}
	data := NotifyData{
		Desk:        c.Desk,
		Number:      cs.Number,
		Kind:        cs.Kind,
		KindLabel:   cs.Kind.Label(),
		CitizenName: SanitizeHeader(m.From.Name, 80),
		CitizenAddr: m.From.Addr,
		Subject:     SanitizeHeader(stripNumberTag(m.Subject, cs.Number), 150),
		ReceivedAt:  FormatWaktu(arrival(m, c.now()), c.Desk.Location),
		DueAt:       FormatWaktu(cs.DueAt, c.Desk.Location),
		Promise:     FormatDurasi(c.Promise.For(cs.Kind)),
		FollowUp:    followUp,
		Reopened:    reopened,
		Text:        text,
		Truncated:   truncated,
		Commands:    Commands,
	}
	atts, lines := c.citizenAttachments(m)
	data.Attachments = lines
	out, err := c.compose(PurposeNotify, TemplateNotify, data, cs, c.Staff)
	if err != nil {
		return nil, err
	}
	out.Attachments = atts
	return out, nil
}

// HeldNotify is the notification Notify would compose, queued unrendered
// for a burst digest: its recipients, Date and Message-ID (the token a
// staff reply is verified by) are those Notify gives it now; its subject,
// bodies and attachments are left to RenderHeld. m must be stored (m.ID).
func (c *Composer) HeldNotify(m *Message, cs *Case, followUp, reopened bool) *OutgoingMail {
	out := &OutgoingMail{
		Purpose: PurposeNotify,
		CaseID:  cs.ID,
		From:    Address{Name: c.Desk.Name, Addr: c.Desk.Address},
		To:      c.Staff,
		Date:    c.now(),
		Held:    &HeldNotify{MessageRowID: m.ID, FollowUp: followUp, Reopened: reopened},
	}
	out.MessageID = c.messageID(PurposeNotify, cs.Number, out.To, out.Date)
	return out
}

// RenderHeld fills in a notification HeldNotify queued: the notification
// Notify composes from the stored mail m and its case cs, at the mail's
// Date, so it reads as it would have read when it was held — the same
// template, arrival time and Message-ID. The case is as it is now: answered
// or closed meanwhile, it is still sent (staff asked to hear of every
// case, and the digest listed it), with the deadline the case has now.
// A mail redacted meanwhile is rendered as what is left of it.
func (c *Composer) RenderHeld(out *OutgoingMail, m *Message, cs *Case) error {
	if out.Held == nil {
		return fmt.Errorf("render held notification %d: not held", out.ID)
	}
	at := *c
	at.Now = func() time.Time { return out.Date }
	r, err := at.Notify(m, cs, out.Held.FollowUp, out.Held.Reopened)
	if err != nil {
		return fmt.Errorf("render held notification %d: %w", out.ID, err)
	}
	out.Subject, out.Text, out.HTML, out.Attachments, out.Held = r.Subject, r.Text, r.HTML, r.Attachments, nil
	return nil
}

// Answer composes the answer to the citizen: the staff member's new text in
// the answer template, From the desk, threaded under the citizen's latest
// mail, with the staff member's attachments passed through.
func (c *Composer) Answer(cs *Case, citizenMail, staffMail *Message, answer string, who Person, closed bool, reopenWindow time.Duration) (*OutgoingMail, error) {
	name, title := who.Signature()
	data := AnswerData{
		Desk:         c.Desk,
		Number:       cs.Number,
		Kind:         cs.Kind,
		KindLabel:    cs.Kind.Label(),
		CitizenName:  EchoName(cs.CitizenName),
		Answer:       answer,
		StaffName:    name,
		StaffTitle:   title,
		Closed:       closed,
		Greeted:      StartsWithGreeting(answer),
		ReopenWindow: FormatDurasi(reopenWindow),
	}
	// The subject the citizen opened the case with, not the "Re: Re: …" of
	// their latest mail.
	data.OriginalSubject = EchoSubject(stripNumberTag(cs.Subject, cs.Number))
	atts := passThrough(staffMail)
	for _, a := range staffMail.Attachments {
		data.Attachments = append(data.Attachments, attachmentLine(a, a.Part != ""))
	}
	out, err := c.compose(PurposeAnswer, TemplateAnswer, data, cs, citizenRecipient(cs, data.CitizenName))
	if err != nil {
		return nil, err
	}
	out.Attachments = atts
	if citizenMail != nil {
		threadUnder(out, citizenMail)
	}
	return out, nil
}

// Confirm composes the confirmation to a staff member or head of what their
// reply did, threaded under their reply.
func (c *Composer) Confirm(cs *Case, staffMail *Message, answer string, actions []string) (*OutgoingMail, error) {
	data := ConfirmData{Desk: c.Desk, Number: cs.Number, CitizenAddr: cs.CitizenAddr, Answer: answer, Actions: actions}
	if answer != "" {
		for _, a := range staffMail.Attachments {
			data.Attachments = append(data.Attachments, attachmentLine(a, a.Part != ""))
		}
	}
	out, err := c.compose(PurposeConfirm, TemplateConfirm, data, cs, []Address{staffMail.From})
	if err != nil {
		return nil, err
	}
	threadUnder(out, staffMail)
	return out, nil
}

// Help composes the command help for a staff member whose reply had a
// command mailproc did not understand. It goes to them only.
func (c *Composer) Help(cs *Case, staffMail *Message, unknown []string, problem string) (*OutgoingMail, error) {
	data := HelpData{Desk: c.Desk, Unknown: unknown, Problem: problem, Commands: Commands}
	if cs != nil {
		data.Number = cs.Number
	}
	out, err := c.compose(PurposeHelp, TemplateHelp, data, cs, []Address{staffMail.From})
	if err != nil {
		return nil, err
	}
	threadUnder(out, staffMail)
	return out, nil
}

// OpsForgery tells ops about a reply that claimed to come from staff but
// could not be verified; it was not relayed.
func (c *Composer) OpsForgery(cs *Case, m *Message, reason string) (*OutgoingMail, error) {
	data := OpsForgeryData{Desk: c.Desk, From: m.From.Addr, Subject: SanitizeHeader(m.Subject, 150),
		MessageID: m.MessageID, Reason: reason, At: FormatWaktu(c.now(), c.Desk.Location)}
	if cs != nil {
		data.Number = cs.Number
	}
	return c.compose(PurposeOps, TemplateOpsForgery, data, cs, c.Ops)
}

// citizenAttachments is what of a citizen's attachments goes along to staff
// or heads: in order, as long as the total stays within NotifyAttachMax;
// the rest are only listed (the mail is in the archive and the Diproses
// folder). Notifications and escalations share it so neither sends more.
func (c *Composer) citizenAttachments(m *Message) ([]OutgoingAttachment, []AttachmentLine) {
	var atts []OutgoingAttachment
	var lines []AttachmentLine
	budget := c.NotifyAttachMax
	for _, a := range m.Attachments {
		attach := a.Part != "" && a.Size <= budget
		if attach {
			budget -= a.Size
			atts = append(atts, OutgoingAttachment{Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
				ArchivePath: m.ArchivePath, Part: a.Part})
		}
		lines = append(lines, attachmentLine(a, attach))
	}
	return atts, lines
}

// passThrough lists a mail's attachments for sending on.
func passThrough(m *Message) []OutgoingAttachment {
	var out []OutgoingAttachment
	for _, a := range m.Attachments {
		if a.Part == "" {
			continue
		}
		out = append(out, OutgoingAttachment{Filename: a.Filename, ContentType: a.ContentType, Size: a.Size,
			ArchivePath: m.ArchivePath, Part: a.Part})
	}
	return out
}

func attachmentLine(a Attachment, attached bool) AttachmentLine {
	return AttachmentLine{Filename: SanitizeHeader(a.Filename, 120), ContentType: a.ContentType,
		Size: FormatUkuran(a.Size), Attached: attached}
}

// FormatUkuran writes a size the Indonesian way: "850 byte", "12 KB",
// "1,2 MB" (decimal comma).
func FormatUkuran(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d byte", n)
	case n < 1000*1000:
		return fmt.Sprintf("%d KB", (n+500)/1000)
	default:
		s := fmt.Sprintf("%.1f MB", float64(n)/1e6)
		return strings.Replace(s, ".", ",", 1)
	}
}

// Escalation composes the mail that tells a head (one level of the chain)
// about a case, with the heads told before in Cc. Replying to it acts on
// the case like a staff reply.
func (c *Composer) Escalation(cs *Case, level int, heads, told []Person, citizenMail *Message, requestedBy, reason string, history []string) (*OutgoingMail, error) {
	var atts []OutgoingAttachment
	if len(heads) == 0 {
		return nil, fmt.Errorf("compose escalation of %s: no head at level %d", cs.Number, level)
	}
	now := c.now()
	data := EscalationData{
		Desk: c.Desk, Number: cs.Number, KindLabel: cs.Kind.Label(),
		CitizenName: SanitizeHeader(cs.CitizenName, 80), CitizenAddr: cs.CitizenAddr,
		Subject:    SanitizeHeader(stripNumberTag(cs.Subject, cs.Number), 150),
		ReceivedAt: FormatWaktu(cs.OpenedAt, c.Desk.Location), DueAt: FormatWaktu(cs.DueAt, c.Desk.Location),
		Level: level, Title: heads[0].Title, HeadName: heads[0].Name,
		RequestedBy: requestedBy, Reason: reason, Commands: Commands, History: history,
	}
	data.Late = FormatTerlambat(cs.DueAt, now)
	if citizenMail != nil {
		text := StripQuote(citizenMail.Text)
		if r := []rune(text); len(r) > maxNotifyText {
			text = string(r[:maxNotifyText])
		}
		data.Text = text
		atts, data.Attachments = c.citizenAttachments(citizenMail)
	}
	var to, cc []Address
	for _, h := range heads {
		to = append(to, Address{Name: h.Name, Addr: h.Addr})
	}
	for _, h := range told {
		data.Told = append(data.Told, h.Title+" ("+h.Addr+")")
		cc = append(cc, Address{Name: h.Name, Addr: h.Addr})
	}
	out, err := c.compose(PurposeEscalation, TemplateEscalation, data, cs, to)
	if err != nil {
		return nil, err
	}
	out.Cc = cc
	if citizenMail != nil {
		out.Attachments = atts
	}
	return out, nil
}

// EscalationDigest composes one mail to a level's heads about many cases
// that fell due at once.
func (c *Composer) EscalationDigest(level int, heads, told []Person, lines []DigestLine) (*OutgoingMail, error) {
	data := EscalationDigestData{Desk: c.Desk, Level: level, Title: heads[0].Title, HeadName: heads[0].Name, Cases: lines}
	var to, cc []Address
	for _, h := range heads {
		to = append(to, Address{Name: h.Name, Addr: h.Addr})
	}
	for _, h := range told {
		data.Told = append(data.Told, h.Title+" ("+h.Addr+")")
		cc = append(cc, Address{Name: h.Name, Addr: h.Addr})
	}
	out, err := c.compose(PurposeEscalation, TemplateEscalationDigest, data, nil, to)
	if err != nil {
		return nil, err
	}
	out.Cc = cc
	return out, nil
}

// Reminder composes the one reminder to staff of a case still unanswered as
// its deadline nears. Replying to it answers the citizen, like the
// notification.
func (c *Composer) Reminder(cs *Case) (*OutgoingMail, error) {
	data := ReminderData{Desk: c.Desk, Number: cs.Number, KindLabel: cs.Kind.Label(), CitizenAddr: cs.CitizenAddr,
		Subject: SanitizeHeader(stripNumberTag(cs.Subject, cs.Number), 150), DueAt: FormatWaktu(cs.DueAt, c.Desk.Location),
		Left: FormatDurasi(max(cs.DueAt.Sub(c.now()), 0)), Commands: Commands}
	return c.compose(PurposeNotify, TemplateReminder, data, cs, c.Staff)
}

// Closing composes the closing mail to the citizen with the satisfaction
// question, threaded under their latest mail.
func (c *Composer) Closing(cs *Case, citizenMail *Message, reopenWindow time.Duration) (*OutgoingMail, error) {
	data := ClosingData{Desk: c.Desk, Number: cs.Number, KindLabel: cs.Kind.Label(),
		CitizenName:     EchoName(cs.CitizenName),
		OriginalSubject: EchoSubject(stripNumberTag(cs.Subject, cs.Number)),
		ReopenWindow:    FormatDurasi(reopenWindow)}
	for i := 1; i <= 4; i++ {
		data.Labels = append(data.Labels, fmt.Sprintf("%d = %s", i, RatingLabels[i]))
	}
	out, err := c.compose(PurposeClosing, TemplateClosing, data, cs, citizenRecipient(cs, data.CitizenName))
	if err != nil {
		return nil, err
	}
	if citizenMail != nil {
		threadUnder(out, citizenMail)
	}
	return out, nil
}

// citizenRecipient is the To of mail for the citizen of cs: the Reply-To
// the case was opened with (named by that address alone), else the citizen.
func citizenRecipient(cs *Case, name string) []Address {
	if cs.ReplyAddr != "" {
		return []Address{{Addr: cs.ReplyAddr}}
	}
	return []Address{{Name: name, Addr: cs.CitizenAddr}}
}
