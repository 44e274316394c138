package mailproc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Ingester turns one raw mail into a case, a part of a case, or a quarantine
// entry. It implements MailHandler. The order is what keeps mail safe: the
// raw bytes are archived and synced first, then one database transaction
// records the message, its case and the events; only after that does the
// IMAP adapter move the mail on the server.
type Ingester struct {
	Store   Store
	Archive Archive
	// Parse reads a raw mail to its end (the MIME adapter).
	Parse func(r io.Reader) (*Message, error)
	Clock ServiceClock
	// Location is the desk's time zone: the year in a registration number is
	// the year in WIB, not in UTC.
	Location     *time.Location
	ReopenWindow time.Duration
	// ClosingDelay is how long after the answer that closed a case its
	// closing mail (rating question) leaves (desk.closing_delay).
	ClosingDelay time.Duration
	// Composer writes acknowledgements and ops notices; nil: mailproc
	// sends nothing (intake only).
	Composer *Composer
	// Directory is staff and heads: their mail is a reply to verify, not a
	// citizen's case.
	Directory Directory
	// Escalator moves cases up the chain (#eskalasi); nil: no chain.
	Escalator *Escalator
	// Tokens verifies that a staff reply answers a mail mailproc sent.
	Tokens Tokens
	// Auth checks the desk server's Authentication-Results of staff
	// replies when RequireAuth says so (requiredAuthserv); shared by the
	// inbox and Sent ingesters.
	Auth        AuthVerifier
	RequireAuth *AuthRequirement
	// AckPolicy keeps acknowledgements away from robots, lists and loops.
	AckPolicy  AckPolicy
	AckEnabled bool
	// AckPerHour is the desk-wide budget of acknowledgements per clock
	// hour (ack.per_hour); 0: no budget.
	AckPerHour int
	// NotifyDigestOver is desk.notify_digest_over: staff notifications
	// beyond this many in NotifyDigestWindow wait for a burst digest
	// (enqueueNotify); 0: never.
	NotifyDigestOver int
	// QuarantineFolder is named in the ops notice.
	QuarantineFolder string
	// SentFolder makes this ingester read the desk's Sent folder: only
	// answers sent around mailproc are recorded (see placeSent).
	SentFolder bool
	// OnCommit runs after a transaction that queued mail has committed (it
	// wakes the postman). Optional.
	OnCommit func()
	Now      func() time.Time
	Logger   *slog.Logger
}

var _ MailHandler = (*Ingester)(nil)

// Seen implements MailHandler.
func (in *Ingester) Seen(ctx context.Context, d Delivery) (Disposition, bool, error) {
	return in.Store.DeliverySeen(ctx, d)
}

// SeenRange implements RangeSeer.
func (in *Ingester) SeenRange(ctx context.Context, mailbox string, uidValidity, lo, hi uint32) (map[uint32]Disposition, error) {
	return in.Store.DeliveriesSeen(ctx, mailbox, uidValidity, lo, hi)
}

// Ingest implements MailHandler: a batch of one mail (see Batch). A
// temporary error (disk full, database busy, connection lost) is returned
// so the mail stays where it is; any other failure quarantines the mail
// with its reason.
func (in *Ingester) Ingest(ctx context.Context, d Delivery, r io.Reader) (IngestResult, error) {
	b := in.Batch()
	if err := b.Add(ctx, d, r); err != nil {
		return IngestResult{}, err
	}
	res, err := b.Commit(ctx)
	if len(res) == 0 {
		return IngestResult{}, err
	}
	return res[0], nil
}

// Oversize implements MailHandler: a mail too large to download is
// quarantined by its UID with the reason, and ops is told. Nothing of it is
// archived; it stays whole on the server, in the quarantine folder.
func (in *Ingester) Oversize(ctx context.Context, d Delivery, size, max int64) (IngestResult, error) {
	log := in.logger().With("mailbox", d.Mailbox, "uid", d.UID, "size", size)
	reason := "terlalu besar: " + FormatUkuran(size) + ", batas imap.max_message_size " + FormatUkuran(max) + "; tidak diunduh"
	return in.quarantine(ctx, log, d, "", "", size, "", reason, "")
}

// parse runs the parser, turning a panic into an error: one hostile mail
// must never stop the desk.
func (in *Ingester) parse(r io.Reader) (m *Message, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("parser panic: %v", p)
		}
	}()
	m, err = in.Parse(r)
	if err == nil && m == nil {
		err = errors.New("parser returned no message")
	}
	return m, err
}

// place records msg inside the intake transaction: a copy of a stored mail
// or of our own mail is only remembered; a bounce goes to the case of the
// mail it reports on; anything else joins, reopens or opens a case, and a
// new or reopened case is acknowledged. queued reports outbox mail.
func (in *Ingester) place(tx IntakeTx, msg *Message) (res IngestResult, queued bool, err error) {
	d := msg.Delivery
	if own, err := in.ownMail(tx, msg); err != nil {
		return res, false, err
	} else if own != nil {
		// Our own mail came back (the desk in Cc, a forwarding loop).
		if err := tx.RecordDelivery(d, 0, Duplicate); err != nil {
			return res, false, err
		}
		return IngestResult{Disposition: Duplicate, CaseID: own.CaseID, Reason: "email kita sendiri"}, false, nil
	}
	old, caseID, err := tx.MessageByMessageID(msg.MessageID)
	if err != nil {
		return res, false, err
	}
	if old != nil && !sameMail(old, msg) {
		// Another mail already holds this id: a web form or mass mailer
		// that gives every mail the same one, a careless or hostile
		// sender. This mail is not a copy and must not be dropped as one:
		// it gets an id of its own, made from its content so that it too
		// is stored once however often it is fetched.
		taken := msg.MessageID
		msg.MessageID, msg.SyntheticID = collisionID(msg), true
		msg.Notes = append(msg.Notes, "Message-ID <"+SanitizeHeader(taken, 100)+"> belongs to another stored mail: given "+msg.MessageID)
		if old, caseID, err = tx.MessageByMessageID(msg.MessageID); err != nil {
			return res, false, err
		}
	}
	if old != nil {
		if err := tx.RecordDelivery(d, old.ID, Duplicate); err != nil {
			return res, false, err
		}
		res := IngestResult{Disposition: Duplicate, CaseID: caseID, Reason: "Message-ID sudah tersimpan"}
		if caseID != 0 {
			if c, err := tx.CaseByID(caseID); err != nil {
				return res, false, err
			} else if c != nil {
				res.CaseNumber = c.Number
			}
		}
		return res, false, nil
	}
	res, queued, done, err := in.placeTrusted(tx, msg)
	if err != nil || done {
		return res, queued, err
	}
	if r, ok, err := in.placeRating(tx, msg); err != nil || ok {
		return r, false, err
	}
	byRef, err := tx.CaseByMessageIDs(msg.ReferencedIDs())
	if err != nil {
		return res, false, err
	}
	var byNumber *Case
	if n := FindNumber(msg.Subject); n != "" {
		if byNumber, err = tx.CaseByNumber(n); err != nil {
			return res, false, err
		}
	}
	now := in.now()
	p := Place(msg, byRef, byNumber, now, in.ReopenWindow)

	var c *Case
	var events []*Event
	actor := msg.From.Addr
	if actor == "" {
		actor = ActorSystem
	}
	automatic := AutomaticReason(msg)
	reopened := false
	switch p.Action {
	case ActionJoin, ActionReopen:
		c = p.Case
		switch {
		case p.Action == ActionReopen:
			c.State, c.ClosedAt = StateBaru, time.Time{}
			c.DueAt = in.Clock.Due(c.Kind, arrival(msg, now))
			c.EscalationLevel, c.EscalateAt = 0, c.DueAt // a new question: the chain starts again
			in.Escalator.ScheduleReminder(c, arrival(msg, now))
			events = append(events, &Event{Type: EventReopened, Actor: actor, Detail: p.Reason})
			reopened = true
			if n, err := tx.WithdrawClosing(c.ID, now); err != nil {
				return res, false, err
			} else if n > 0 {
				events = append(events, &Event{Type: EventState, Actor: ActorSystem,
					Detail: "email penutupan (pertanyaan penilaian) yang belum terkirim dibatalkan: kasus dibuka kembali"})
			}
		case c.State == StateDijawab && automatic == "":
			// The citizen answered the answer: the desk owes them again.
			c.State = StateDiakui
			c.DueAt = in.Clock.Due(c.Kind, arrival(msg, now))
			c.EscalationLevel, c.EscalateAt = 0, c.DueAt
			in.Escalator.ScheduleReminder(c, arrival(msg, now))
			events = append(events, &Event{Type: EventReopened, Actor: actor,
				Detail: "warga membalas jawaban; kasus dibuka kembali, batas waktu " + FormatWaktu(c.DueAt, in.location())})
			reopened = true
		}
		events = append(events, &Event{Type: EventMessage, Actor: actor, Detail: p.Reason})
		c.UpdatedAt = now
		if err := tx.UpdateCase(c); err != nil {
			return res, false, err
		}
	default:
		if c, events, err = in.newCase(tx, msg, p, now); err != nil {
			return res, false, err
		}
	}
	if err := tx.InsertMessage(msg, c.ID); err != nil {
		return res, false, err
	}
	if p.Action != ActionJoin {
		ev, q, err := in.acknowledge(tx, msg, c, now)
		if err != nil {
			return res, false, err
		}
		events, queued = append(events, ev), q
	}
	// Staff hear of every new case, and of every follow-up a person wrote.
	if in.Composer != nil && len(in.Composer.Staff) > 0 && (p.Action == ActionNewCase || p.Action == ActionNewLink || automatic == "") {
		followUp := p.Action == ActionJoin || p.Action == ActionReopen
		if err := in.notifyStaff(tx, msg, c, followUp, reopened, now); err != nil {
			return res, false, err
		}
		queued = true
	}
	for _, e := range events {
		e.CaseID, e.At, e.MessageID = c.ID, now, msg.ID
		if err := tx.AddEvent(e); err != nil {
			return res, false, err
		}
	}
	if err := tx.RecordDelivery(d, msg.ID, Stored); err != nil {
		return res, false, err
	}
	return IngestResult{Disposition: Stored, CaseID: c.ID, CaseNumber: c.Number, Action: p.Action, Reason: p.Reason}, queued, nil
}

// ownMail is the outbox mail msg is, when our own mail came back; an id
// that cannot be one of ours is not looked up.
func (in *Ingester) ownMail(tx IntakeTx, msg *Message) (*OutgoingMail, error) {
	if !mayBeOwnMessageID(msg.MessageID) {
		return nil, nil
	}
	return tx.OutgoingByMessageID(msg.MessageID)
}

// placeTrusted places the mail that goes through the verification gate —
// the desk's Sent folder, mail from staff or heads, and replies to a mail
// meant for them from anyone else but the case's citizen — and then revokes
// the tokens msg exposes (for all mail but bounces, whose robot sender
// quotes our mail to say it was not delivered). done is false for a mail
// that is none of these: a citizen's.
func (in *Ingester) placeTrusted(tx IntakeTx, msg *Message) (res IngestResult, queued, done bool, err error) {
	if !in.SentFolder && IsBounce(msg) {
		res, queued, err = in.placeBounce(tx, msg)
		return res, queued, true, err
	}
	defer func() {
		if err == nil {
			err = in.revokeExposed(tx, msg)
		}
	}()
	if in.SentFolder {
		res, queued, err = in.placeSent(tx, msg)
		return res, queued, true, err
	}
	// Robots (auto-replies, read receipts, spam reports, lists) open no
	// case and act on none, even when the robot answers for staff: an
	// out-of-office reply to a notification must never reach the citizen.
	if robot := RobotOf(msg); robot != RobotNone {
		res, queued, err = in.placeRobot(tx, msg, robot)
		return res, queued, true, err
	}
	if in.Composer == nil {
		return res, false, false, nil
	}
	if who, ok := in.Directory.Find(msg.From.Addr); ok {
		res, queued, err = in.placeStaff(tx, msg, who, true)
		return res, queued, true, err
	}
	// A reply to a mail meant for staff, from someone who is not staff:
	// a forwarded notification answered by an outsider, or a forgery. The
	// case's own citizen replying to a thread that holds a token (the
	// staff's direct answer) is a citizen's reply.
	if out, err := in.sentToken(tx, msg); err != nil || out != nil {
		if err != nil {
			return res, false, true, err
		}
		c, err := tx.CaseByID(out.CaseID)
		if err != nil {
			return res, false, true, err
		}
		if c == nil || !SameAddr(msg.From.Addr, c.CitizenAddr) {
			res, queued, err = in.placeStaff(tx, msg, Person{Addr: msg.From.Addr, Name: msg.From.Name}, false)
			return res, queued, true, err
		}
	}
	return res, false, false, nil
}

// acknowledge queues the tanda terima for a new or reopened case, or says
// in the returned event why none is sent.
func (in *Ingester) acknowledge(tx IntakeTx, msg *Message, c *Case, now time.Time) (*Event, bool, error) {
	if in.Composer == nil || !in.AckEnabled {
		return &Event{Type: EventAck, Actor: ActorSystem, Detail: "tanda terima tidak dikirim: dinonaktifkan"}, false, nil
	}
	to := AckAddress(msg).Addr
	sent, err := tx.CountSent(PurposeAck, to, now.Add(-24*time.Hour))
	if err != nil {
		return nil, false, err
	}
	why := in.AckPolicy.Refuse(msg, sent)
	if why == "" {
		if sup, err := tx.Suppressed(to); err != nil {
			return nil, false, err
		} else if sup {
			why = to + " ada di daftar penolakan (pernah melaporkan email kami sebagai spam)"
		}
	}
	if why != "" {
		return &Event{Type: EventAck, Actor: ActorSystem, Detail: "tanda terima tidak dikirim: " + why}, false, nil
	}
	if in.AckPerHour > 0 {
		hour := now.Truncate(time.Hour)
		n, err := tx.CountQueued(PurposeAck, hour)
		if err != nil {
			return nil, false, err
		}
		if n >= in.AckPerHour {
			queued, err := in.ackBudgetSpent(tx, hour)
			ev := &Event{Type: EventAck, Actor: ActorSystem, Detail: fmt.Sprintf(
				"tanda terima tidak dikirim: batas %d tanda terima per jam untuk seluruh desk tercapai (dikirim lagi mulai %s)",
				in.AckPerHour, FormatWaktu(hour.Add(time.Hour), in.location()))}
			return ev, queued, err
		}
	}
	ack, err := in.Composer.Ack(msg, c)
	if err != nil {
		return nil, false, err
	}
	if err := tx.EnqueueMail(ack); err != nil {
		return nil, false, err
	}
	return &Event{Type: EventAck, Actor: ActorSystem, Detail: "tanda terima dijadwalkan ke " + to}, true, nil
}

// ackBudgetSpent is the first refusal of an hour over ack.per_hour: it is
// logged and ops is told, once per hour (the hour's key in desk_state).
func (in *Ingester) ackBudgetSpent(tx IntakeTx, hour time.Time) (queued bool, err error) {
	first, err := tx.SetDeskStateOnce("ack_budget:"+hour.UTC().Format("2006-01-02T15"), strconv.Itoa(in.AckPerHour), in.now())
	if err != nil || !first {
		return false, err
	}
	in.logger().Warn("acknowledgement budget of the hour spent: new cases get no acknowledgement until the hour rolls",
		"ack_per_hour", in.AckPerHour, "resume_at", hour.Add(time.Hour))
	if in.Composer == nil || len(in.Composer.Ops) == 0 {
		return false, nil
	}
	notice, err := in.Composer.OpsAckBudget(in.AckPerHour, hour.Add(time.Hour))
	if err != nil {
		return false, err
	}
	return true, tx.EnqueueMail(notice)
}

// requiredAuthserv is the authserv-id whose Authentication-Results a staff
// or head reply must pass now, or "" when desk.require_auth is off (or
// "auto" has not seen the desk's server stamp yet).
func (in *Ingester) requiredAuthserv() string { return in.RequireAuth.Required() }

// learnAuthStamp switches desk.require_auth = "auto" on when msg — from
// staff or a head, and already proven by a valid token of ours (the
// caller, placeStaff, knows) — bears the desk server's
// Authentication-Results (see AuthRequirement); it is recorded in the
// transaction, and takes effect in memory after the commit.
func (in *Ingester) learnAuthStamp(tx IntakeTx, msg *Message) error {
	if in.SentFolder || !in.RequireAuth.Teaches(msg) {
		return nil
	}
	_, err := tx.SetDeskStateOnce(DeskStateAuthStamp, "<"+msg.MessageID+"> "+msg.From.Addr, in.now())
	msg.taughtAuth = err == nil
	return err
}

// placeBounce attaches a delivery report to the case of the mail it is
// about and tells ops. A report about nothing of ours is kept on no case.
func (in *Ingester) placeBounce(tx IntakeTx, msg *Message) (IngestResult, bool, error) {
	diag := "tidak ada keterangan"
	if r := msg.Report; r != nil {
		if r.Diagnostic != "" {
			diag = r.Diagnostic
		} else if r.Status != "" {
			diag = "status " + r.Status
		}
	}
	out, err := ourMail(tx, robotRefs(msg))
	if err != nil {
		return IngestResult{}, false, err
	}
	if out == nil {
		// About nothing we sent (a forged sender, backscatter, a report on
		// a mail sent around mailproc): kept on no case, listed for ops.
		return in.placeRobot(tx, msg, RobotBounce)
	}
	var c *Case
	if out.CaseID != 0 {
		if c, err = tx.CaseByID(out.CaseID); err != nil {
			return IngestResult{}, false, err
		}
	}
	caseID, err := in.storeOn(tx, msg, c, EventDelivery,
		"laporan gagal kirim untuk email "+string(out.Purpose)+" ke "+strings.Join(out.Recipients(), ", ")+": "+SanitizeHeader(diag, 300))
	if err != nil {
		return IngestResult{}, false, err
	}
	queued := false
	if in.Composer != nil && len(in.Composer.Ops) > 0 && out.Purpose != PurposeOps {
		notice, err := in.Composer.OpsDeliveryFailed(out, c, diag, true)
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
	res := IngestResult{Disposition: Stored, CaseID: caseID, Reason: "laporan gagal kirim"}
	if c != nil {
		res.CaseNumber = c.Number
	}
	return res, queued, nil
}

// newCase opens a case for msg with a fresh registration number.
func (in *Ingester) newCase(tx IntakeTx, msg *Message, p Placement, now time.Time) (*Case, []*Event, error) {
	cl := msg.classification()
	year := now.In(in.location()).Year()
	seq, err := tx.NextSequence(cl.Kind, year)
	if err != nil {
		return nil, nil, err
	}
	opened := arrival(msg, now)
	c := &Case{
		Number:      FormatNumber(cl.Kind, year, seq),
		Kind:        cl.Kind,
		State:       StateBaru,
		CitizenAddr: msg.From.Addr,
		CitizenName: msg.From.Name,
		ReplyAddr:   replyAddr(msg),
		Subject:     msg.Subject,
		OpenedAt:    opened,
		DueAt:       in.Clock.Due(cl.Kind, opened),
		UpdatedAt:   now,
	}
	auto := AutomaticReason(msg)
	if auto == "" {
		c.EscalateAt = c.DueAt
		in.Escalator.ScheduleReminder(c, opened)
	}
	// else: a newsletter, an auto-reply or a list opened the case. Staff
	// see it and close it; waking the heads for it would only teach them
	// to ignore escalations.
	if p.Action == ActionNewLink {
		c.LinkedCaseID = p.Case.ID
	}
	if err := tx.CreateCase(c); err != nil {
		return nil, nil, err
	}
	actor := msg.From.Addr
	if actor == "" {
		actor = ActorSystem
	}
	events := []*Event{
		{Type: EventCreated, Actor: actor, Detail: "kasus dibuat dari email; " + p.Reason},
		{Type: EventKind, Actor: ActorSystem, Detail: string(cl.Kind) + ": " + cl.Reason},
	}
	if p.Action == ActionNewLink {
		events = append(events, &Event{Type: EventLinked, Actor: ActorSystem, Detail: "melanjutkan kasus " + p.Case.Number})
	}
	if auto != "" {
		events[0].Detail += "; " + auto + ": tanpa pengingat dan tanpa eskalasi ke pimpinan"
	}
	return c, events, nil
}

// quarantine records a mail that cannot become a case in a transaction of
// its own. The IMAP adapter then moves it to the quarantine folder; nothing
// is deleted.
func (in *Ingester) quarantine(ctx context.Context, log *slog.Logger, d Delivery, msgID, sum string, size int64, path, reason, from string) (IngestResult, error) {
	var res IngestResult
	queued := false
	err := in.Store.Intake(ctx, func(tx IntakeTx) (err error) {
		res, queued, err = in.quarantineTx(tx, log, d, msgID, sum, size, path, reason, from)
		return err
	})
	if err != nil {
		return IngestResult{}, TemporaryError(err)
	}
	if queued && in.OnCommit != nil {
		in.OnCommit()
	}
	log.Warn("mail quarantined", "reason", reason)
	return res, nil
}

// quarantineTx records a quarantined mail and queues the ops notice inside
// tx, in a savepoint of its own. Any failure is temporary: the mail stays
// in the inbox.
func (in *Ingester) quarantineTx(tx IntakeTx, log *slog.Logger, d Delivery, msgID, sum string, size int64, path, reason, from string) (IngestResult, bool, error) {
	q := &QuarantineEntry{Delivery: d, MessageID: msgID, SHA256: sum, Size: size, ArchivePath: path, Reason: reason, At: in.now()}
	queued := false
	err := tx.Savepoint(func() error {
		queued = false
		if err := tx.InsertQuarantine(q); err != nil {
			return err
		}
		if in.Composer != nil && len(in.Composer.Ops) > 0 {
			notice, err := in.Composer.OpsQuarantine(q, from, in.QuarantineFolder)
			if err != nil {
				// A broken template must not hold the mail in the inbox:
				// quarantine it anyway; the log says what ops missed.
				log.Error("ops notice for quarantine could not be written", "err", err)
				return tx.RecordDelivery(d, 0, Quarantined)
			}
			if err := tx.EnqueueMail(notice); err != nil {
				return err
			}
			queued = true
		}
		return tx.RecordDelivery(d, 0, Quarantined)
	})
	if err != nil {
		return IngestResult{}, false, TemporaryError(fmt.Errorf("record quarantine: %w", err))
	}
	return IngestResult{Disposition: Quarantined, Reason: reason}, queued, nil
}

// sameMail reports whether m, whose Message-ID stored already holds, is the
// same mail: the same bytes, or the same sender, date, subject and text
// (the same mail fetched again through another route, its trace headers
// different).
func sameMail(stored, m *Message) bool {
	if stored.SHA256 != "" && stored.SHA256 == m.SHA256 {
		return true
	}
	return strings.EqualFold(stored.From.Addr, m.From.Addr) && stored.Date.Equal(m.Date) &&
		stored.Subject == m.Subject && stored.Text == m.Text
}

// collisionID is the id of a mail whose Message-ID another mail holds:
// derived from that id and what sameMail compares, so that the same mail
// fetched again gets the same id and is then a duplicate of itself.
func collisionID(m *Message) string {
	h := sha256.New()
	for _, s := range []string{m.MessageID, strings.ToLower(m.From.Addr), m.Date.UTC().Format(time.RFC3339Nano), m.Subject, m.Text} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return SyntheticMessageID(hex.EncodeToString(h.Sum(nil)))
}

func (in *Ingester) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

func (in *Ingester) location() *time.Location {
	if in.Location != nil {
		return in.Location
	}
	return time.UTC
}

func (in *Ingester) logger() *slog.Logger {
	if in.Logger != nil {
		return in.Logger
	}
	return slog.Default()
}

// arrival is when the citizen's mail reached the desk: the server's arrival
// time when known (mailproc may have been down), never in the future.
func arrival(m *Message, now time.Time) time.Time {
	if a := m.Delivery.Arrived; !a.IsZero() && a.Before(now) {
		return a
	}
	return now
}

func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

// replyAddr is the Case.ReplyAddr of a case msg opens: its Reply-To when
// that is another address and not a robot's.
func replyAddr(m *Message) string {
	to := AckAddress(m).Addr
	if SameAddr(to, m.From.Addr) || robotSender(to) != "" {
		return ""
	}
	return to
}
