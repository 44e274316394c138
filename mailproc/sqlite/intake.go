package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Intake runs fn in one write transaction (BEGIN IMMEDIATE, see
// beginWrite; its savepoint journal in memory, see forIntake) and
// commits what it wrote; if fn fails, nothing it
// wrote is kept and its error is returned, wrapped. When another connection
// holds the write lock past the busy timeout, the whole transaction is tried
// again, fn included, a few times with a growing pause; after that the error
// is temporary (mailproc.IsTemporary), so the mail stays in the inbox for
// the next round.
func (db *DB) Intake(ctx context.Context, fn func(tx mailproc.IntakeTx) error) error {
	return db.writeTx(ctx, "intake", forIntake, func(t *intakeTx) error { return fn(t) })
}

// write runs fn in one write transaction and commits it, retrying the whole
// transaction while the database is busy, as Intake describes. Intake and
// the outbox's writes share it, so they share the intake transaction's
// methods too. op names the work in errors.
func (db *DB) write(ctx context.Context, op string, fn func(t *intakeTx) error) error {
	return db.writeTx(ctx, op, false, fn)
}

// writeTx is write; intake: see forIntake.
func (db *DB) writeTx(ctx context.Context, op string, intake bool, fn func(t *intakeTx) error) error {
	backoff := db.busyBackoff
	for attempt := 0; ; attempt++ {
		err := db.writeOnce(ctx, op, intake, fn)
		if err == nil || !isBusy(err) || attempt >= db.busyRetries {
			return err
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return wrapErr(ctx, op, err)
		case <-t.C:
		}
		backoff *= 2
	}
}

func (db *DB) writeOnce(ctx context.Context, op string, intake bool, fn func(t *intakeTx) error) error {
	tc, err := db.beginWrite(ctx, intake)
	if err != nil {
		return wrapErr(ctx, op+": begin", err)
	}
	// Rolls back if fn fails or panics; after a commit, only gives the
	// connection back.
	defer tc.end()
	if err := fn(&intakeTx{ctx: quiet(ctx), tx: tc, db: db}); err != nil {
		// The methods of intakeTx already marked their errors temporary or
		// not; an error fn made itself keeps whatever it is.
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	if err := tc.commit(); err != nil {
		return wrapErr(ctx, op+": commit", err)
	}
	if intake {
		db.ckpt.ring.Ring()
	}
	return nil
}

// intakeTx is the one write transaction of an intake. Its methods have no
// context of their own (mailproc.IntakeTx is storage-neutral); they use the
// one Intake was called with, made uncancellable for the statements (tx
// checks the cancellable one before each, see txConn).
type intakeTx struct {
	ctx context.Context
	tx  *txConn
	db  *DB
	// tips are the last event and message of the chains as this
	// transaction knows them (see chainTip); zero until its first insert
	// into the table looks its last row up.
	tips struct{ events, messages chainTip }
}

var _ mailproc.IntakeTx = (*intakeTx)(nil)

func (t *intakeTx) wrap(op string, err error) error { return wrapErr(t.ctx, op, err) }

// Savepoint implements mailproc.IntakeTx. A failed ROLLBACK TO (SQLite
// may have rolled back the whole transaction after an I/O error) is
// temporary: the caller commits nothing more, and the commit then fails.
func (t *intakeTx) Savepoint(fn func() error) error {
	if _, err := t.tx.ExecContext(t.ctx, "SAVEPOINT mail"); err != nil {
		return mailproc.TemporaryError(t.wrap("savepoint", err))
	}
	tips := t.tips
	ferr := fn()
	if ferr != nil {
		// The rows the savepoint linked are gone, and so are their hashes.
		t.tips = tips
		if _, err := t.tx.ExecContext(t.ctx, "ROLLBACK TO mail"); err != nil {
			return mailproc.TemporaryError(t.wrap("rollback to savepoint", errors.Join(err, ferr)))
		}
	}
	if _, err := t.tx.ExecContext(t.ctx, "RELEASE mail"); err != nil {
		return mailproc.TemporaryError(t.wrap("release savepoint", errors.Join(err, ferr)))
	}
	return ferr
}

// MessageByMessageID returns the stored message with that Message-ID and
// its case id (0 if it is on no case), or (nil, 0, nil).
func (t *intakeTx) MessageByMessageID(messageID string) (*mailproc.Message, int64, error) {
	msgs, caseIDs, err := queryMessages(t.ctx, t.tx, "WHERE message_id = ?", messageID)
	if err != nil {
		return nil, 0, err
	}
	if len(msgs) == 0 {
		return nil, 0, nil
	}
	return msgs[0], caseIDs[0], nil
}

// Events returns a case's log, oldest first.
func (t *intakeTx) Events(caseID int64) ([]*mailproc.Event, error) {
	return timeline(t.ctx, t.tx, caseID)
}

// DueEscalations returns up to limit cases whose escalate_at is at or
// before now, earliest first.
func (t *intakeTx) DueEscalations(now time.Time, limit int) ([]*mailproc.Case, error) {
	return t.casesDue("escalate_at", now, limit)
}

// DueReminders returns up to limit cases whose remind_at is at or before
// now, earliest first.
func (t *intakeTx) DueReminders(now time.Time, limit int) ([]*mailproc.Case, error) {
	return t.casesDue("remind_at", now, limit)
}

// casesDue reads the cases whose time column col has come (col is one of
// two constants, never input).
func (t *intakeTx) casesDue(col string, now time.Time, limit int) ([]*mailproc.Case, error) {
	rows, err := t.tx.QueryContext(t.ctx, "SELECT "+caseColumns+" FROM cases WHERE "+col+" IS NOT NULL AND "+col+
		" <= ? ORDER BY "+col+", id LIMIT ?", timeArg(now), limit)
	if err != nil {
		return nil, t.wrap("due escalations", err)
	}
	defer rows.Close()
	var out []*mailproc.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, t.wrap("due escalations", err)
		}
		out = append(out, c)
	}
	return out, t.wrap("due escalations", rows.Err())
}

// LatestMessageFrom returns the newest message of a case from addr
// (compared without regard to case), or nil.
func (t *intakeTx) LatestMessageFrom(caseID int64, addr string) (*mailproc.Message, error) {
	msgs, _, err := queryMessages(t.ctx, t.tx,
		"WHERE id = (SELECT max(id) FROM messages WHERE case_id = ? AND lower(from_addr) = lower(?))", caseID, addr)
	if err != nil || len(msgs) == 0 {
		return nil, err
	}
	return msgs[0], nil
}

// CaseByMessageIDs returns the case of the first id, in the order given,
// that is either a stored mail on a case or a mail mailproc sent
// (outgoing_ids). A reply's In-Reply-To comes first in
// Message.ReferencedIDs, so the mail it answers directly wins over older
// ones in References.
func (t *intakeTx) CaseByMessageIDs(ids []string) (*mailproc.Case, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	stmt, err := t.tx.PrepareContext(t.ctx, `
		SELECT case_id FROM messages WHERE message_id = ?1 AND case_id IS NOT NULL
		UNION ALL
		SELECT case_id FROM outgoing_ids WHERE message_id = ?1
		LIMIT 1`)
	if err != nil {
		return nil, t.wrap("find case by message id", err)
	}
	defer stmt.Close()
	for _, id := range ids {
		if id == "" {
			continue
		}
		var caseID int64
		err := stmt.QueryRowContext(t.ctx, id).Scan(&caseID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, t.wrap("find case by message id", err)
		}
		c, err := getCase(t.ctx, t.tx, "WHERE id = ?", caseID)
		if err != nil || c != nil {
			return c, err
		}
	}
	return nil, nil
}

// CaseByNumber returns the case with that registration number, or (nil, nil).
func (t *intakeTx) CaseByNumber(number string) (*mailproc.Case, error) {
	return getCase(t.ctx, t.tx, "WHERE number = ?", number)
}

// CaseByID returns the case with that row id, or (nil, nil).
func (t *intakeTx) CaseByID(id int64) (*mailproc.Case, error) {
	return getCase(t.ctx, t.tx, "WHERE id = ?", id)
}

// NextSequence hands out the next registration sequence of kind in year.
// The counter row is bumped in place inside the write transaction, so two
// intakes never get the same number, and a number stays used even if the
// case is removed later.
func (t *intakeTx) NextSequence(kind mailproc.Kind, year int) (int, error) {
	var seq int
	err := t.tx.QueryRowContext(t.ctx, `
		INSERT INTO case_counters (kind, year, last) VALUES (?, ?, 1)
		ON CONFLICT (kind, year) DO UPDATE SET last = last + 1
		RETURNING last`, string(kind), year).Scan(&seq)
	if err != nil {
		return 0, t.wrap(fmt.Sprintf("next sequence %s %d", kind, year), err)
	}
	return seq, nil
}

// CreateCase inserts c, sets c.ID and stamps c.UpdatedAt with the store's
// clock. The schema refuses an unknown kind or state, a missing number or
// opening time.
func (t *intakeTx) CreateCase(c *mailproc.Case) error {
	if c == nil {
		return errors.New("sqlite: create case: nil case")
	}
	updated := t.db.now()
	c.Channel = c.Channel.OrEmail()
	res, err := t.tx.ExecContext(t.ctx, `
		INSERT INTO cases (number, kind, state, escalation_level, citizen_addr,
			citizen_name, subject, opened_at, due_at, first_answer_at, closed_at,
			linked_case_id, needs_followup, escalate_at, remind_at, updated_at, reply_addr, channel, contact,
			verdict, verdict_kind, verdict_promise_ms, verdict_service_ms, verdict_calendar, verdict_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{c.Number, string(c.Kind), string(c.State), c.EscalationLevel, c.CitizenAddr,
			c.CitizenName, c.Subject, timeArg(c.OpenedAt), timeArg(c.DueAt),
			timeArg(c.FirstAnswerAt), timeArg(c.ClosedAt), idArg(c.LinkedCaseID),
			c.NeedsFollowUp, timeArg(c.EscalateAt), timeArg(c.RemindAt), timeArg(updated), c.ReplyAddr, string(c.Channel.OrEmail()), c.Contact}, verdictArgs(c.Verdict)...)...)
	if err != nil {
		return t.wrap("create case "+c.Number, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return t.wrap("create case "+c.Number, err)
	}
	c.ID, c.UpdatedAt = id, updated
	return nil
}

// UpdateCase writes every field of c and stamps c.UpdatedAt. A case that
// does not exist is mailproc.ErrNotFound.
func (t *intakeTx) UpdateCase(c *mailproc.Case) error {
	if c == nil {
		return errors.New("sqlite: update case: nil case")
	}
	updated := t.db.now()
	judged, err := t.verdictChanged(c)
	if err != nil {
		return err
	}
	res, err := t.tx.ExecContext(t.ctx, `
		UPDATE cases SET number = ?, kind = ?, state = ?, escalation_level = ?,
			citizen_addr = ?, citizen_name = ?, subject = ?, opened_at = ?,
			due_at = ?, first_answer_at = ?, closed_at = ?, linked_case_id = ?,
			needs_followup = ?, escalate_at = ?, remind_at = ?, updated_at = ?, reply_addr = ?, channel = ?, contact = ?,
			verdict = ?, verdict_kind = ?, verdict_promise_ms = ?, verdict_service_ms = ?,
			verdict_calendar = ?, verdict_at = ?
		WHERE id = ?`,
		append(append([]any{c.Number, string(c.Kind), string(c.State), c.EscalationLevel,
			c.CitizenAddr, c.CitizenName, c.Subject, timeArg(c.OpenedAt),
			timeArg(c.DueAt), timeArg(c.FirstAnswerAt), timeArg(c.ClosedAt),
			idArg(c.LinkedCaseID), c.NeedsFollowUp, timeArg(c.EscalateAt), timeArg(c.RemindAt), timeArg(updated), c.ReplyAddr, string(c.Channel.OrEmail()), c.Contact},
			verdictArgs(c.Verdict)...), c.ID)...)
	if err != nil {
		return t.wrap("update case "+c.Number, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.wrap("update case "+c.Number, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: update case %d (%s): %w", c.ID, c.Number, mailproc.ErrNotFound)
	}
	c.UpdatedAt = updated
	if judged {
		// The verdict enters the hash chain as an event, so changing the
		// case's verdict columns afterwards is found by verify.
		return t.AddEvent(&mailproc.Event{CaseID: c.ID, Actor: mailproc.ActorSystem,
			Type: mailproc.EventVerdict, Detail: storedVerdict(c.Verdict).Detail()})
	}
	return nil
}

// verdictChanged reports whether writing c changes its stored verdict
// (made, or given its service time): one primary-key lookup.
func (t *intakeTx) verdictChanged(c *mailproc.Case) (bool, error) {
	if !c.Verdict.Decided() {
		return false, nil
	}
	var outcome string
	var service sql.NullInt64
	err := t.tx.QueryRowContext(t.ctx, "SELECT verdict, verdict_service_ms FROM cases WHERE id = ?", c.ID).Scan(&outcome, &service)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // UpdateCase reports the missing case
	}
	if err != nil {
		return false, t.wrap("update case "+c.Number, err)
	}
	return outcome != string(c.Verdict.Outcome) || service.Valid != c.Verdict.HasServiceTime, nil
}

// storedVerdict is v as it reads back from the database: durations and
// time to the millisecond.
func storedVerdict(v mailproc.Verdict) mailproc.Verdict {
	v.Promise = v.Promise.Truncate(time.Millisecond)
	v.ServiceTime = v.ServiceTime.Truncate(time.Millisecond)
	v.At = v.At.Truncate(time.Millisecond).UTC()
	return v
}

// InsertMessage stores m with its attachments on case caseID (0: none) and
// sets m.ID; a zero m.Received is set to the store's clock. Every string
// must be valid UTF-8 — the MIME parser guarantees it, so anything else is
// a bug upstream that must not reach the archive's index silently.
func (t *intakeTx) InsertMessage(m *mailproc.Message, caseID int64) error {
	if m == nil {
		return errors.New("sqlite: insert message: nil message")
	}
	if err := checkMessageUTF8(m); err != nil {
		return fmt.Errorf("sqlite: insert message %q: %w", m.MessageID, err)
	}
	received := m.Received
	if received.IsZero() {
		received = t.db.now()
	}
	refs, err := encodeMessageJSON(m)
	if err != nil {
		return fmt.Errorf("sqlite: insert message %q: %w", m.MessageID, err)
	}
	// The values of messageChain's columns, in its order.
	id, err := messageChain.insert(t.ctx, t.tx, insertMessageSQL, &t.tips.messages,
		[]any{idArg(caseID), "in", m.SyntheticID, timeArg(m.Date), refs.auto, m.TextTruncated,
			m.FromHTML, m.Size, m.SHA256, m.ArchivePath, m.Delivery.Mailbox,
			int64(m.Delivery.UIDValidity), int64(m.Delivery.UID), timeArg(m.Delivery.Arrived), timeArg(received)},
		[]any{m.MessageID, m.From.Addr, m.From.Name, m.Sender.Addr, m.Sender.Name, refs.replyTo,
			refs.to, refs.cc, m.Subject, refs.inReplyTo, refs.references, refs.authResults, m.Text, refs.notes})
	if err != nil {
		return t.wrap(fmt.Sprintf("insert message %q", m.MessageID), err)
	}
	for i, a := range m.Attachments {
		_, err := t.tx.ExecContext(t.ctx, `
			INSERT INTO attachments (message_row_id, idx, filename, content_type, size, part)
			VALUES (?, ?, ?, ?, ?, ?)`, id, i, a.Filename, a.ContentType, a.Size, a.Part)
		if err != nil {
			return t.wrap(fmt.Sprintf("insert attachment %d of message %q", i, m.MessageID), err)
		}
	}
	m.ID, m.Received = id, received
	return nil
}

// AddEvent appends e to its case's log and sets e.ID; a zero e.At is set to
// the store's clock.
func (t *intakeTx) AddEvent(e *mailproc.Event) error {
	if e == nil {
		return errors.New("sqlite: add event: nil event")
	}
	at := e.At
	if at.IsZero() {
		at = t.db.now()
	}
	// The values of eventChain's columns, in its order.
	id, err := eventChain.insert(t.ctx, t.tx, insertEventSQL, &t.tips.events,
		[]any{e.CaseID, timeArg(at), string(e.Type), idArg(e.MessageID)},
		[]any{e.Actor, e.Detail})
	if err != nil {
		return t.wrap(fmt.Sprintf("add event %s to case %d", e.Type, e.CaseID), err)
	}
	e.ID, e.At = id, at
	return nil
}

// RecordDelivery remembers that the mail at d was handled. A delivery
// recorded twice is an error (a primary key violation): intake must ask
// DeliverySeen first.
func (t *intakeTx) RecordDelivery(d mailproc.Delivery, messageID int64, disp mailproc.Disposition) error {
	_, err := t.tx.ExecContext(t.ctx, `
		INSERT INTO deliveries (mailbox, uidvalidity, uid, message_row_id, disposition, at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		d.Mailbox, int64(d.UIDValidity), int64(d.UID), idArg(messageID), string(disp),
		timeArg(t.db.now()))
	if err != nil {
		return t.wrap(fmt.Sprintf("record delivery %s/%d/%d", d.Mailbox, d.UIDValidity, d.UID), err)
	}
	return nil
}

// InsertQuarantine records a quarantined mail and sets q.ID; a zero q.At is
// set to the store's clock.
func (t *intakeTx) InsertQuarantine(q *mailproc.QuarantineEntry) error {
	if q == nil {
		return errors.New("sqlite: insert quarantine: nil entry")
	}
	at := q.At
	if at.IsZero() {
		at = t.db.now()
	}
	res, err := t.tx.ExecContext(t.ctx, `
		INSERT INTO quarantine (mailbox, uidvalidity, uid, arrived_at, message_id,
			sha256, size, archive_path, reason, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		q.Delivery.Mailbox, int64(q.Delivery.UIDValidity), int64(q.Delivery.UID),
		timeArg(q.Delivery.Arrived), q.MessageID, q.SHA256, q.Size, q.ArchivePath,
		q.Reason, timeArg(at))
	if err != nil {
		return t.wrap("insert quarantine", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return t.wrap("insert quarantine", err)
	}
	q.ID, q.At = id, at
	return nil
}

// DeliverySeen reports whether the mail at d was handled before, and how.
func (db *DB) DeliverySeen(ctx context.Context, d mailproc.Delivery) (mailproc.Disposition, bool, error) {
	var disp string
	err := db.db.QueryRowContext(ctx, `
		SELECT disposition FROM deliveries
		WHERE mailbox = ? AND uidvalidity = ? AND uid = ?`,
		d.Mailbox, int64(d.UIDValidity), int64(d.UID)).Scan(&disp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, wrapErr(ctx, fmt.Sprintf("delivery seen %s/%d/%d", d.Mailbox, d.UIDValidity, d.UID), err)
	}
	return mailproc.Disposition(disp), true, nil
}

// DeliveriesSeen reports how each mail among the UIDs lo to hi of mailbox
// was handled before; one range scan of the primary key.
func (db *DB) DeliveriesSeen(ctx context.Context, mailbox string, uidValidity, lo, hi uint32) (map[uint32]mailproc.Disposition, error) {
	op := fmt.Sprintf("deliveries seen %s/%d/%d:%d", mailbox, uidValidity, lo, hi)
	rows, err := db.db.QueryContext(ctx, `
		SELECT uid, disposition FROM deliveries
		WHERE mailbox = ? AND uidvalidity = ? AND uid BETWEEN ? AND ?`,
		mailbox, int64(uidValidity), int64(lo), int64(hi))
	if err != nil {
		return nil, wrapErr(ctx, op, err)
	}
	defer rows.Close()
	seen := map[uint32]mailproc.Disposition{}
	for rows.Next() {
		var uid int64
		var disp string
		if err := rows.Scan(&uid, &disp); err != nil {
			return nil, wrapErr(ctx, op, err)
		}
		seen[uint32(uid)] = mailproc.Disposition(disp)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, op, err)
	}
	return seen, nil
}

// MailboxState returns the intake's bookmark in mailbox; zero values (with
// Mailbox set) if there is none yet.
func (db *DB) MailboxState(ctx context.Context, mailbox string) (mailproc.MailboxState, error) {
	st := mailproc.MailboxState{Mailbox: mailbox}
	err := db.db.QueryRowContext(ctx, `
		SELECT uidvalidity, last_uid FROM mailbox_state WHERE mailbox = ?`,
		mailbox).Scan(&st.UIDValidity, &st.LastUID)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return mailproc.MailboxState{}, wrapErr(ctx, "mailbox state "+mailbox, err)
	}
	return st, nil
}

// SetMailboxState stores the bookmark, replacing the previous one. The
// write is not synced on its own (synchronous = NORMAL for it, see
// unsynced): the intake saves a bookmark after every batch's MOVE, on the
// session's path, and a sync of the log for each cost the session a disk
// flush per batch. Nothing needs it sooner: the log is written in order, so
// the bookmark is durable with the next synced commit (the next batch's),
// and one lost with the machine only makes the next search start lower —
// the mails below it were moved out of the inbox, or are recognised as
// handled by their deliveries. A crash of the process alone loses nothing
// written.
func (db *DB) SetMailboxState(ctx context.Context, st mailproc.MailboxState) error {
	err := db.unsynced(ctx, `
		INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid) VALUES (?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity,
			last_uid = excluded.last_uid`,
		st.Mailbox, int64(st.UIDValidity), int64(st.LastUID))
	if err != nil {
		return wrapErr(ctx, "set mailbox state "+st.Mailbox, err)
	}
	return nil
}

// InsertRating records a citizen's satisfaction score and sets r.ID.
func (t *intakeTx) InsertRating(r *mailproc.Rating) error {
	if r.At.IsZero() {
		r.At = t.db.now()
	}
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO ratings (case_id, score, comment, at, message_row_id) VALUES (?, ?, ?, ?, ?)`,
		r.CaseID, r.Score, validUTF8(r.Comment), timeArg(r.At), idArg(r.MessageID))
	if err != nil {
		return t.wrap("insert rating", err)
	}
	r.ID, err = res.LastInsertId()
	return t.wrap("insert rating", err)
}

// RevokeToken stores that the token messageID authorises nothing any more;
// added is false when it was revoked before.
func (t *intakeTx) RevokeToken(messageID string, caseID int64, at time.Time, reason string) (bool, error) {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO revoked_tokens (message_id, case_id, revoked_at, reason) VALUES (?, ?, ?, ?)
		ON CONFLICT (message_id) DO NOTHING`, mailproc.NormalizeMessageID(messageID), idArg(caseID), timeArg(at), validUTF8(reason))
	if err != nil {
		return false, t.wrap("revoke token", err)
	}
	n, err := res.RowsAffected()
	return n == 1, t.wrap("revoke token", err)
}

// TokenRevoked reports whether the token messageID was revoked.
func (t *intakeTx) TokenRevoked(messageID string) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM revoked_tokens WHERE message_id = ?`,
		mailproc.NormalizeMessageID(messageID)).Scan(&n)
	return n > 0, t.wrap("read revoked token", err)
}

// verdictArgs are the column values of a case's verdict, in the order of
// the verdict_* columns; an undecided verdict is all NULL and ”.
func verdictArgs(v mailproc.Verdict) []any {
	if !v.Decided() {
		return []any{"", "", nil, nil, "", nil}
	}
	var service any
	if v.HasServiceTime {
		service = v.ServiceTime.Milliseconds()
	}
	return []any{string(v.Outcome), string(v.Kind), v.Promise.Milliseconds(), service, v.Calendar, timeArg(v.At)}
}
