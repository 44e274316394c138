package mailproc

import (
	"fmt"
	"strings"
	"time"
)

// Composer writes the mails mailproc sends: it renders the template, picks
// the recipients, and gives each mail our own Message-ID and the threading
// headers. It does not send: the result goes into the outbox in the same
// transaction as the decision to send it.
type Composer struct {
	Desk     Desk
	Renderer Renderer
	Ops      []Address
	// Promise is what the desk promises per kind, in service time: 5 minutes
	// for informasi and 1 hour for aduan in the service standard.
	Promise FixedClock
	// Tokens signs the Message-IDs of mail to staff and heads, so their
	// replies can be verified.
	Tokens Tokens
	// Staff receive the notification of every case.
	Staff []Address
	// NotifyAttachMax is the most bytes of a citizen's attachments attached
	// to a staff notification; larger ones are only listed.
	NotifyAttachMax int64
	Now             func() time.Time
}

// maxReferences bounds the References header: the first (thread root) and
// the newest ids are what clients use to thread.
const maxReferences = 10

// Ack composes the acknowledgement (tanda terima) of a case for the mail m
// that opened (or reopened) it, threaded under that mail.
func (c *Composer) Ack(m *Message, cs *Case) (*OutgoingMail, error) {
	loc := c.Desk.Location
	promise := c.Promise.For(cs.Kind)
	data := AckData{
		Desk:            c.Desk,
		Number:          cs.Number,
		Kind:            cs.Kind,
		KindLabel:       cs.Kind.Label(),
		CitizenName:     EchoName(m.From.Name),
		CitizenAddr:     m.From.Addr,
		OriginalSubject: EchoSubject(stripNumberTag(m.Subject, cs.Number)),
		ReceivedAt:      FormatWaktu(cs.OpenedAt, loc),
		Promise:         FormatDurasi(promise),
		DueAt:           FormatWaktu(cs.DueAt, loc),
		// Office hours or a holiday pushed the deadline beyond the promise.
		AfterHours: cs.DueAt.Sub(cs.OpenedAt) > promise+time.Minute,
	}
	to := AckAddress(m)
	to.Name = SanitizeHeader(to.Name, 80)
	out, err := c.compose(PurposeAck, AckTemplate(cs.Kind), data, cs, []Address{to})
	if err != nil {
		return nil, err
	}
	threadUnder(out, m)
	return out, nil
}

// OpsQuarantine tells ops a mail went to quarantine.
func (c *Composer) OpsQuarantine(q *QuarantineEntry, from, folder string) (*OutgoingMail, error) {
	data := OpsQuarantineData{
		Desk: c.Desk, Mailbox: q.Delivery.Mailbox, UID: q.Delivery.UID, MessageID: q.MessageID,
		From: SanitizeHeader(from, 200), SHA256: q.SHA256, Size: q.Size, ArchivePath: q.ArchivePath,
		Reason: q.Reason, At: FormatWaktu(q.At, c.Desk.Location), Folder: folder,
	}
	return c.compose(PurposeOps, TemplateOpsQuarantine, data, nil, c.Ops)
}

// OpsDeliveryFailed tells ops that a mail we sent could not be delivered:
// the SMTP server refused it for good, or a bounce came back for it.
func (c *Composer) OpsDeliveryFailed(failed *OutgoingMail, cs *Case, reason string, bounce bool) (*OutgoingMail, error) {
	data := OpsDeliveryData{
		Desk: c.Desk, Purpose: failed.Purpose, Recipients: failed.Recipients(), Subject: failed.Subject,
		MessageID: failed.MessageID, Error: SanitizeHeader(reason, 500), Attempts: failed.Attempts,
		At: FormatWaktu(c.now(), c.Desk.Location), Bounce: bounce,
	}
	if cs != nil {
		data.Number = cs.Number
	}
	name := TemplateOpsDeliveryFailed
	if bounce {
		name = TemplateOpsBounce
	}
	return c.compose(PurposeOps, name, data, cs, c.Ops)
}

// OpsSpamReport tells ops, once per address, that a recipient reported
// our mail as spam and gets no more acknowledgements.
func (c *Composer) OpsSpamReport(reported *OutgoingMail, cs *Case, addrs []string, reason string) (*OutgoingMail, error) {
	data := OpsSpamData{
		Desk: c.Desk, Purpose: reported.Purpose, Addrs: addrs, Subject: reported.Subject,
		MessageID: reported.MessageID, Reason: SanitizeHeader(reason, 300), At: FormatWaktu(c.now(), c.Desk.Location),
	}
	if cs != nil {
		data.Number = cs.Number
	}
	return c.compose(PurposeOps, TemplateOpsSpam, data, cs, c.Ops)
}

// OpsUnlinked lists for ops the mail stored on no case in [since, until).
func (c *Composer) OpsUnlinked(msgs []*Message, since, until time.Time) (*OutgoingMail, error) {
	loc := c.Desk.Location
	data := OpsUnlinkedData{Desk: c.Desk, Since: FormatWaktu(since, loc), Until: FormatWaktu(until, loc)}
	for _, m := range msgs {
		data.Mails = append(data.Mails, UnlinkedLine{Received: FormatWaktu(m.Received, loc), From: SanitizeHeader(m.From.Addr, 200),
			Subject: SanitizeHeader(m.Subject, 120), Why: AutomaticReason(m), MessageID: SanitizeHeader(m.MessageID, 200)})
	}
	return c.compose(PurposeOps, TemplateOpsUnlinked, data, nil, c.Ops)
}

// compose renders a template into an outbox mail from the desk.
func (c *Composer) compose(p Purpose, tmpl string, data any, cs *Case, to []Address) (*OutgoingMail, error) {
	if len(to) == 0 {
		return nil, fmt.Errorf("compose %s: no recipients", tmpl)
	}
	r, err := c.Renderer.Render(tmpl, data)
	if err != nil {
		return nil, fmt.Errorf("compose %s: %w", tmpl, err)
	}
	out := &OutgoingMail{
		Purpose: p,
		From:    Address{Name: c.Desk.Name, Addr: c.Desk.Address},
		To:      to,
		Subject: SanitizeHeader(r.Subject, 250),
		Date:    c.now(),
		Text:    r.Text,
		HTML:    r.HTML,
	}
	if p == PurposeOps {
		out.OpsKind = tmpl
	}
	number := ""
	if cs != nil {
		out.CaseID, number = cs.ID, cs.Number
	}
	out.MessageID = c.messageID(p, number, to, out.Date)
	addReplyMarker(out)
	return out, nil
}

// messageID is the Message-ID of a mail of ours: signed (a token) for
// mail to staff and heads about a case, so their replies can be verified.
func (c *Composer) messageID(p Purpose, number string, to []Address, date time.Time) string {
	if signedPurposes[p] && number != "" && len(c.Tokens.Secret) > 0 {
		return c.Tokens.MessageID(p, number, TokenRecipient(p, to), c.Desk.Address, date)
	}
	return NewMessageID(p, number, c.Desk.Address)
}

// threadUnder makes out a reply to m: In-Reply-To m, References m's
// references plus m.
func threadUnder(out *OutgoingMail, m *Message) {
	if m.SyntheticID {
		return // an id we made up means nothing to the citizen's client
	}
	out.InReplyTo = m.MessageID
	refs := append(append([]string(nil), m.References...), m.MessageID)
	if len(refs) > maxReferences {
		refs = append(refs[:1:1], refs[len(refs)-maxReferences+1:]...)
	}
	out.References = refs
}

// NewMessageID makes a Message-ID of ours that carries no token: the
// compact form (token_compact.go) with the purpose and 112 random bits, at
// the desk's domain, short enough for one header line. number is not in it
// (the outbox row names the case).
func NewMessageID(p Purpose, number, deskAddr string) string {
	return unsignedCompactID(p) + "@" + domainOf(deskAddr)
}

// IsOwnMessageID reports whether id has the form of the Message-IDs
// mailproc gives the mail it sends (NewMessageID, Tokens.MessageID) for the
// desk deskAddr. It says nothing about a signature: only use it where a
// mistaken match costs nothing, such as not re-reading the desk's own Sent
// folder.
func IsOwnMessageID(id, deskAddr string) bool {
	_, domain, _ := strings.Cut(NormalizeMessageID(id), "@")
	return mayBeOwnMessageID(id) && strings.EqualFold(domain, domainOf(deskAddr))
}

// mayBeOwnMessageID reports whether id has the form of a Message-ID
// mailproc gives the mail it sends, whatever the desk's address was when
// it did (NewMessageID and every format of Tokens.MessageID). An id
// without that form is nowhere in the outbox: intake need not look.
func mayBeOwnMessageID(id string) bool {
	local, _, ok := strings.Cut(NormalizeMessageID(id), "@")
	return ok && (strings.HasPrefix(local, "mailproc.") || isCompactLocal(local))
}

// stripNumberTag removes "[NUMBER]" from a subject, so a reply's
// acknowledgement does not read "[INF-…] Tanda terima: Re: [INF-…] …".
func stripNumberTag(subject, number string) string {
	if number == "" {
		return subject
	}
	s := strings.ReplaceAll(subject, "["+number+"]", "")
	return strings.Join(strings.Fields(s), " ")
}

func (c *Composer) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// maxDigestTexts bounds how many held notices a digest repeats in full; the
// rest are listed by subject.
const maxDigestTexts = 20

// OpsDigest composes the one mail that tells ops about the notices of one
// kind held since the last one.
func (c *Composer) OpsDigest(kind string, held []HeldOpsNotice) (*OutgoingMail, error) {
	data := OpsDigestData{Desk: c.Desk, Kind: kind, Count: len(held)}
	for i, h := range held {
		line := OpsDigestLine{N: i + 1, At: FormatWaktu(h.At, c.Desk.Location), Subject: h.Subject}
		if i < maxDigestTexts {
			line.Text = h.Text
		}
		data.Notices = append(data.Notices, line)
	}
	out, err := c.compose(PurposeOps, TemplateOpsDigest, data, nil, c.Ops)
	if err != nil {
		return nil, err
	}
	out.OpsKind = kind
	return out, nil
}

// OpsAckBudget tells ops that the desk's acknowledgements for this hour are
// used up; until is when they resume.
func (c *Composer) OpsAckBudget(perHour int, until time.Time) (*OutgoingMail, error) {
	data := OpsAckBudgetData{Desk: c.Desk, PerHour: perHour, Until: FormatWaktu(until, c.Desk.Location),
		At: FormatWaktu(c.now(), c.Desk.Location)}
	return c.compose(PurposeOps, TemplateOpsAckBudget, data, nil, c.Ops)
}
