package mailproc

import (
	"bytes"
	"context"
	"io"
	"time"
)

// Purpose says why mailproc sends a mail. It decides the Auto-Submitted
// value and which template renders it.
type Purpose string

const (
	PurposeAck        Purpose = "ack"        // tanda terima to the citizen
	PurposeAnswer     Purpose = "answer"     // staff answer relayed to the citizen
	PurposeNotify     Purpose = "notify"     // new case or follow-up, to staff
	PurposeConfirm    Purpose = "confirm"    // "your answer was sent", to staff
	PurposeHelp       Purpose = "help"       // command help, to staff
	PurposeEscalation Purpose = "escalation" // overdue case, to a head
	PurposeClosing    Purpose = "closing"    // case closed, satisfaction question
	PurposeOps        Purpose = "ops"        // quarantine, delivery failure, forgery, to ops
)

// AutoSubmitted is the Auto-Submitted value (RFC 3834) for the purpose: a
// reply to a citizen's mail is auto-replied, everything else mailproc
// starts itself is auto-generated. Either keeps well-behaved responders
// from answering back.
func (p Purpose) AutoSubmitted() string {
	switch p {
	case PurposeAck, PurposeAnswer, PurposeConfirm, PurposeHelp:
		return "auto-replied"
	}
	return "auto-generated"
}

// OutboxState is where an outgoing mail stands.
type OutboxState string

const (
	OutboxPending OutboxState = "pending" // waiting for its next attempt
	OutboxSent    OutboxState = "sent"    // the server accepted it (250)
	OutboxFailed  OutboxState = "failed"  // permanent failure, or given up
)

// OutgoingMail is one row of the outbox: everything needed to send the mail
// again exactly the same way, chosen when it is queued (the Message-ID and
// Date included), so a retry after a crash is the same mail, not a new one.
type OutgoingMail struct {
	ID      int64
	CaseID  int64 // 0 for mail about no case (some ops notices)
	Purpose Purpose
	// Burst: a staff notification held for a burst digest; it goes in
	// LaneBurst, after the digest that lists it (digest_burst.go).
	Burst bool
	// Held, on a held staff notification, is what rendering it needs: it
	// is queued unrendered (no subject, bodies or attachments) and the
	// postman renders it when it picks it up (Postman.renderHeld). nil
	// for every mail queued rendered, and once rendered.
	Held *HeldNotify
	// OpsKind, on an ops notice, is what it is about (its template):
	// notices of one kind are coalesced (OpsNoticeNow). Not stored.
	OpsKind    string
	MessageID  string // ours, without brackets: <token>@<desk domain>
	From       Address
	To         []Address
	Cc         []Address
	Subject    string
	InReplyTo  string   // without brackets; "" if none
	References []string // without brackets, oldest first
	Date       time.Time
	Text       string // text/plain body
	HTML       string // optional text/html alternative
	// Attachments are passed through from a mail in the raw archive (a
	// staff member's answer, a citizen's mail for staff): the sender reads
	// each part from the archive when it builds the mail.
	Attachments []OutgoingAttachment

	State       OutboxState
	Attempts    int
	NextAttempt time.Time
	LastError   string
	CreatedAt   time.Time
	SentAt      time.Time
	CopiedAt    time.Time // appended to the desk's Sent folder; zero if not (yet)
}

// HeldNotify is what an unrendered staff notification is rendered from
// (Composer.RenderHeld): the stored mail it is about, and how that mail
// came to the case (Composer.Notify's followUp and reopened). The case is
// the mail's CaseID.
type HeldNotify struct {
	MessageRowID       int64
	FollowUp, Reopened bool
}

// HeldNotifyStore renders the held staff notifications the postman picked
// up (the SQLite adapter).
type HeldNotifyStore interface {
	// RenderHeld, in one transaction, reads the stored mail and the case
	// of each of held as they are now, has render fill the mail in from
	// them, and stores the subject, bodies and attachments it gets, so a
	// retry sends the same mail; each of held is updated in place once
	// the transaction commits. errs[i], when not nil, is why held[i] was
	// not rendered (its mail or case is gone, or render failed; it is
	// left as it was); err is the transaction failing, and then none is.
	RenderHeld(ctx context.Context, held []*OutgoingMail,
		render func(out *OutgoingMail, m *Message, cs *Case) error) (errs []error, err error)
}

// OutgoingAttachment is a part of an archived mail to attach.
type OutgoingAttachment struct {
	Filename    string
	ContentType string
	Size        int64
	ArchivePath string // the raw mail, relative to the data dir
	Part        string // the part in it (Attachment.Part)
}

// Recipients lists every envelope recipient (To and Cc).
func (m *OutgoingMail) Recipients() []string {
	out := make([]string, 0, len(m.To)+len(m.Cc))
	for _, a := range m.To {
		out = append(out, a.Addr)
	}
	for _, a := range m.Cc {
		out = append(out, a.Addr)
	}
	return out
}

// Sender delivers one outgoing mail to the SMTP server and returns the exact
// message it sent (for the Sent folder copy). An error that IsTemporary is
// retried later; any other error is permanent (a 5xx reply) and fails the
// mail.
type Sender interface {
	SendMail(ctx context.Context, m *OutgoingMail) (SentMail, error)
}

// SentMail is the message the server accepted, for its copy in the Sent
// folder: its bytes (Raw), or — for a mail with attachments, which are
// streamed from the archive and never held whole in memory — its length
// and a Rewrite that writes the same bytes again, reading the archive once
// more.
type SentMail struct {
	Raw     []byte
	Size    int64                   // with Rewrite
	Rewrite func(w io.Writer) error // nil: the message is Raw
}

// Len is the message's length in bytes.
func (s SentMail) Len() int64 {
	if s.Rewrite != nil {
		return s.Size
	}
	return int64(len(s.Raw))
}

// Empty reports whether there is no message (nothing to copy).
func (s SentMail) Empty() bool { return s.Rewrite == nil && s.Raw == nil }

// WriteTo writes the message to w.
func (s SentMail) WriteTo(w io.Writer) (int64, error) {
	if s.Rewrite == nil {
		n, err := w.Write(s.Raw)
		return int64(n), err
	}
	cw := &CountingWriter{W: w}
	err := s.Rewrite(cw)
	return cw.N, err
}

// Bytes is the whole message in memory, for keeping a copy whose append
// failed until it can be tried again.
func (s SentMail) Bytes() ([]byte, error) {
	if s.Rewrite == nil {
		return s.Raw, nil
	}
	var b bytes.Buffer
	b.Grow(int(s.Size))
	if _, err := s.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// CountingWriter counts the bytes written through it to W.
type CountingWriter struct {
	W io.Writer
	N int64
}

func (c *CountingWriter) Write(p []byte) (int, error) {
	n, err := c.W.Write(p)
	c.N += int64(n)
	return n, err
}

// SentCopier appends a sent mail to the desk's Sent folder, so staff using
// the shared mailbox see the whole conversation. It writes the message
// into the append as it goes (SentMail.WriteTo), so a large one is not
// held in memory.
type SentCopier interface {
	AppendSent(ctx context.Context, m SentMail, at time.Time) error
}

// Renderer turns a template and its data into a mail's subject and bodies.
// The template adapter implements it; names are the files in templates/
// without extension ("ack-informasi", "ops-quarantine", …).
type Renderer interface {
	Render(name string, data any) (Rendered, error)
}

// Rendered is a template's output.
type Rendered struct {
	Subject string
	Text    string
	HTML    string // "" when the template has no HTML alternative
}

// OutboxStore is the durable outbox. Mail is queued inside the transaction
// that decides to send it (IntakeTx.EnqueueMail) and leaves only through
// these calls, so nothing is lost across restarts and a mail marked sent is
// never sent again.
type OutboxStore interface {
	// DueMail returns up to n pending mails whose next attempt is at or
	// before now, by Lane; a case's citizen mail one at a time, in the
	// order it was queued (Purpose.CaseOrdered).
	DueMail(ctx context.Context, now time.Time, n int) ([]*OutgoingMail, error)
	// NextAttempt returns the earliest next attempt of any pending mail;
	// ok is false when nothing is pending.
	NextAttempt(ctx context.Context) (at time.Time, ok bool, err error)
	// MarkSentMany records, in one transaction (one fsync), that the
	// server accepted each of sent, keeping its Raw bytes, if any, as
	// SetCopyPending does. errs[i], when not nil, is why sent[i]
	// was not recorded (it was not pending; it is left as it is); err is
	// the transaction failing, and then none of them is recorded.
	MarkSentMany(ctx context.Context, sent []SentMark) (errs []error, err error)
	// MarkRetry records a temporary failure and when to try again.
	MarkRetry(ctx context.Context, id int64, attempts int, next time.Time, lastErr string) error
	// MarkFailed records a permanent failure. In the same transaction it
	// queues notice (the mail telling ops; may be nil) and appends ev to the
	// mail's case (may be nil).
	MarkFailed(ctx context.Context, id int64, attempts int, lastErr string, notice *OutgoingMail, ev *Event) error
	// SetCopyPending keeps the raw bytes of a sent mail whose copy to the
	// Sent folder failed, so the copy can be retried.
	SetCopyPending(ctx context.Context, id int64, raw []byte) error
	// CopyPending returns up to n sent mails still waiting for their copy,
	// with their raw bytes.
	CopyPending(ctx context.Context, n int) ([]PendingCopy, error)
	// MarkCopied records that the mail is in the Sent folder and drops any
	// kept raw bytes.
	MarkCopied(ctx context.Context, id int64, at time.Time) error
	// MarkCopiedMany does MarkCopied for each of ids in one transaction;
	// errs and err as for MarkSentMany.
	MarkCopiedMany(ctx context.Context, ids []int64, at time.Time) (errs []error, err error)
}

// SentMark is one mail the server accepted: its outbox id and when, and
// the bytes to keep for its Sent copy when the copy is made later from
// the store (CopyPending) rather than from the postman's queue; nil: none.
type SentMark struct {
	ID  int64
	At  time.Time
	Raw []byte
}

// PendingCopy is a sent mail whose Sent-folder copy is still to be made.
type PendingCopy struct {
	ID     int64
	Raw    []byte
	SentAt time.Time
}
