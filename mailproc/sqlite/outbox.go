package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// The outbox (table outbox, with outbox_rcpts beside it). Mail goes in
// through the intake transaction (EnqueueMail), in the same commit as the
// decision to send it, and leaves only through the OutboxStore methods
// below, each one write transaction retried while the database is busy.
// A row's state only moves forward — pending to sent, or pending to failed —
// and every state change checks the state it starts from inside its
// transaction, so a mail marked sent is never handed out or marked again.

var _ mailproc.OutboxStore = (*DB)(nil)

const outboxColumns = `id, case_id, purpose, message_id, from_addr, from_name,
	to_addrs, cc_addrs, subject, in_reply_to, refs, date, text, html, attachments,
	state, attempts, next_attempt, last_error, created_at, sent_at, copied_at, burst,
	render_message, render_flags`

// EnqueueMail puts m in the outbox and sets m.ID. Whatever m says about its
// delivery, it starts pending with no attempts; its next attempt is
// m.NextAttempt, or the store's clock when that is zero, and it is created
// at the store's clock. A zero m.Date is set to the same moment, so every
// attempt sends the same Date header. The fields of m are then what reads
// back (times in UTC, to the millisecond).
//
// A mail on a case (CaseID != 0) is also remembered in outgoing_ids, so
// CaseByMessageIDs finds the case from a reply that references only our
// Message-ID. Its To addresses go, lower-cased, into outbox_rcpts for
// CountSent.
func (t *intakeTx) EnqueueMail(m *mailproc.OutgoingMail) error {
	if m == nil {
		return errors.New("sqlite: enqueue mail: nil mail")
	}
	op := fmt.Sprintf("enqueue mail %q", m.MessageID)
	if err := checkOutgoingUTF8(m); err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	if m.Purpose == mailproc.PurposeOps && m.OpsKind != "" {
		if held, err := t.holdOpsNotice(m); err != nil || held {
			return err
		}
	}
	to, cc, refs, atts, err := encodeOutgoingJSON(m)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	now := t.db.now()
	next := msUTC(m.NextAttempt)
	if next.IsZero() {
		next = now
	}
	date := msUTC(m.Date)
	if date.IsZero() {
		date = now
	}
	// A staff notification queued with Burst is held for the burst digest
	// (burst = 1) until FlushBurstDigest releases it.
	burst := 0
	if m.Burst && m.Purpose == mailproc.PurposeNotify {
		burst = 1
	}
	renderMessage, renderFlags, err := heldArgs(m)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	res, err := t.tx.ExecContext(t.ctx, `
		INSERT INTO outbox (case_id, purpose, message_id, from_addr, from_name,
			to_addrs, cc_addrs, subject, in_reply_to, refs, date, text, html,
			attachments, state, attempts, next_attempt, last_error, created_at, burst,
			render_message, render_flags)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, '', ?, ?, ?, ?)`,
		idArg(m.CaseID), string(m.Purpose), m.MessageID, m.From.Addr, m.From.Name,
		to, cc, m.Subject, m.InReplyTo, refs, timeArg(date), m.Text, m.HTML,
		atts, timeArg(next), timeArg(now), burst, renderMessage, renderFlags)
	if err != nil {
		return t.wrap(op, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return t.wrap(op, err)
	}
	for _, addr := range rcptKeys(m.To) {
		if _, err := t.tx.ExecContext(t.ctx,
			`INSERT INTO outbox_rcpts (addr, outbox_id) VALUES (?, ?)`, addr, id); err != nil {
			return t.wrap(op+": recipient", err)
		}
	}
	if m.CaseID != 0 {
		if _, err := t.tx.ExecContext(t.ctx,
			`INSERT INTO outgoing_ids (message_id, case_id) VALUES (?, ?)`,
			m.MessageID, m.CaseID); err != nil {
			return t.wrap(op+": outgoing id", err)
		}
	}
	m.ID, m.State, m.Attempts, m.LastError = id, mailproc.OutboxPending, 0, ""
	m.NextAttempt, m.CreatedAt, m.Date = next, now, date
	m.SentAt, m.CopiedAt = time.Time{}, time.Time{}
	return nil
}

// OutgoingByMessageID returns the outbox mail with that Message-ID, or
// (nil, nil).
func (t *intakeTx) OutgoingByMessageID(messageID string) (*mailproc.OutgoingMail, error) {
	ms, err := queryOutgoing(t.ctx, t.tx, "WHERE message_id = ?", messageID)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	return ms[0], nil
}

// countSentQuery drives the count from the recipient key: CROSS JOIN makes
// SQLite keep outbox_rcpts as the outer loop (a search of its primary key
// by addr) and look each outbox row up by id, instead of walking every mail
// of the purpose since `since` through outbox_purpose_created.
const countSentQuery = `
	SELECT count(*) FROM outbox_rcpts AS r CROSS JOIN outbox AS o ON o.id = r.outbox_id
	WHERE r.addr = ? AND o.purpose = ? AND o.created_at >= ?`

// CountSent counts the outbox mails of purpose with addr among their To
// addresses (without regard to case) created at or after since, in any
// state. A zero since counts them all.
func (t *intakeTx) CountSent(purpose mailproc.Purpose, addr string, since time.Time) (int, error) {
	var n int
	err := t.tx.QueryRowContext(t.ctx, countSentQuery,
		rcptKey(addr), string(purpose), ceilMilli(since)).Scan(&n)
	if err != nil {
		return 0, t.wrap(fmt.Sprintf("count %s mail to %s", purpose, addr), err)
	}
	return n, nil
}

// DueMail returns up to n pending mails whose next attempt is at or before
// now, by lane (citizen mail, then staff and heads, then ops, then the
// notifications a burst digest listed). Citizen mail goes newest first: a
// citizen writing now is acknowledged at once, ahead of a backlog of
// acknowledgements (a start-up backlog, a burst) whose senders have waited
// already; the other lanes go oldest first.
//
// Within one case, citizen mail (mailproc.Purpose.CaseOrdered) goes in the
// order it was queued: a mail is not due while an earlier one of its case
// is still pending, due or not (an acknowledgement waiting to be retried
// after an outage holds the answer behind it). So a case has at most one
// citizen mail in a batch, and parallel sessions cannot reorder it either.
//
// One query a lane, each walking the index outbox_pending_lane in the
// lane's order and stopping at n: the postman reads the queue again each
// time mail is queued, so the read must cost the batch, not the backlog.
// Sorting every due row (20,000 under the load test's backlog) took 0.2–
// 0.4 s a read at load 9, and with 10 citizens a second the postman did
// little else (issue 14).
func (db *DB) DueMail(ctx context.Context, now time.Time, n int) ([]*mailproc.OutgoingMail, error) {
	var out []*mailproc.OutgoingMail
	for _, q := range dueMailLanes {
		if len(out) >= n {
			break
		}
		ms, err := queryOutgoing(ctx, db.db, q, now.UnixMilli(), n-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

// The queries of the sender loops. Each spells out the WHERE of its partial
// index (state = 'pending' as a literal, not a parameter), or SQLite would
// not use the index; TestOutboxQueryPlans checks they do.
const (
	nextAttemptQuery = `SELECT next_attempt FROM outbox WHERE state = 'pending'
		ORDER BY next_attempt LIMIT 1`

	copyPendingQuery = `SELECT id, raw, sent_at FROM outbox
		WHERE state = 'sent' AND copied_at IS NULL AND raw IS NOT NULL
		ORDER BY sent_at, id LIMIT ?`
)

// dueMailLanes are DueMail's queries, one a lane in lane order (the rest of
// a SELECT of outboxColumns FROM outbox; ?1 is now, ?2 the limit). Each
// reads the lane's pending rows from outbox_pending_lane in id order,
// newest first for the citizen lane, and skips those not due yet from the
// index alone (next_attempt is in it).
//
// In the citizen lane the NOT EXISTS keeps a case's mail in queue order
// (DueMail); it looks up the case's few rows by outbox_case. An earlier
// mail holds a later one only once it is due or has been tried: a mail
// queued to leave later on purpose (the closing mail, which waits
// desk.closing_delay after the answer) never holds back an answer queued
// after it; the closing mail is moved after that answer (DeferClosing).
var dueMailLanes = func() []string {
	var qs []string
	for l := mailproc.LaneCitizen; l <= mailproc.LaneBurst; l++ {
		q := `WHERE state = 'pending' AND ` + laneOrder + ` = ` + strconv.Itoa(int(l)) + ` AND next_attempt <= ?1`
		order := "id"
		if l == mailproc.LaneCitizen {
			q += ` AND (case_id IS NULL OR NOT EXISTS (
			SELECT 1 FROM outbox AS e WHERE e.case_id = outbox.case_id AND e.state = 'pending'
				AND e.id < outbox.id AND e.purpose IN (` + caseOrderedPurposes + `)
				AND (e.attempts > 0 OR e.next_attempt <= ?1)))`
			order = "id DESC"
		}
		qs = append(qs, q+` ORDER BY `+order+` LIMIT ?2`)
	}
	return qs
}()

// caseOrderedPurposes is the SQL list of the purposes whose mails of one
// case go in queue order.
var caseOrderedPurposes = func() string {
	var ps []string
	for _, p := range mailproc.LanePurposes {
		if p.CaseOrdered() {
			ps = append(ps, "'"+string(p)+"'")
		}
	}
	return strings.Join(ps, ", ")
}()

// laneOrder is the SQL for a row's mailproc.Lane, from its purpose (and
// LaneBurst for a notification held for a burst digest).
var laneOrder = func() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CASE WHEN burst <> 0 THEN %d ELSE CASE purpose", mailproc.LaneBurst)
	for _, p := range mailproc.LanePurposes {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", p, p.Lane())
	}
	fmt.Fprintf(&b, " ELSE %d END END", mailproc.LaneStaff)
	return b.String()
}()

// NextAttempt returns the earliest next attempt of any pending mail; ok is
// false when nothing is pending.
func (db *DB) NextAttempt(ctx context.Context) (time.Time, bool, error) {
	var at time.Time
	err := db.db.QueryRowContext(ctx, nextAttemptQuery).Scan(timeCol{&at})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, wrapErr(ctx, "next outbox attempt", err)
	}
	return at, true, nil
}

// MarkSent records that the server accepted pending mail id at at (zero:
// the store's clock), counting the attempt. A mail that is not pending —
// already sent, failed, or missing (mailproc.ErrNotFound) — is an error and
// is left as it is.
func (db *DB) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return db.write(ctx, fmt.Sprintf("mark mail %d sent", id), func(t *intakeTx) error {
		return t.markSent(id, at, nil)
	})
}

// MarkSentMany does MarkSent for each of sent in one transaction: the
// postman records a group of accepted mails with one commit (one fsync)
// instead of one each. A mark with Raw bytes keeps them for the mail's
// Sent copy (as SetCopyPending), in the same commit. A mail that is not pending is reported in errs and
// left as it is, without undoing the others; any other failure rolls the
// whole group back (err).
func (db *DB) MarkSentMany(ctx context.Context, sent []mailproc.SentMark) ([]error, error) {
	return db.writeEach(ctx, fmt.Sprintf("mark %d mails sent", len(sent)), len(sent), func(t *intakeTx, i int) error {
		return t.markSent(sent[i].ID, sent[i].At, sent[i].Raw)
	})
}

// writeEach runs one write transaction calling fn for i = 0 … n-1. An
// error of fn that only says row i is not in the state it needs
// (outboxRowError) is kept in errs[i] and the rest go on; any other (the
// database failing) ends the transaction, rolled back, as err.
func (db *DB) writeEach(ctx context.Context, op string, n int, fn func(t *intakeTx, i int) error) ([]error, error) {
	var errs []error
	err := db.write(ctx, op, func(t *intakeTx) error {
		errs = make([]error, n) // a busy retry starts again
		for i := range n {
			err := fn(t, i)
			if _, ok := errors.AsType[*outboxRowError](err); err != nil && !ok {
				return err
			}
			errs[i] = err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return errs, nil
}

// markSent is MarkSent inside t.
func (t *intakeTx) markSent(id int64, at time.Time, raw []byte) error {
	if at.IsZero() {
		at = t.db.now()
	}
	if len(raw) == 0 {
		raw = nil // NULL: no copy kept
	}
	res, err := t.tx.ExecContext(t.ctx, `
		UPDATE outbox SET state = 'sent', sent_at = ?, attempts = attempts + 1,
			next_attempt = NULL, raw = ?
		WHERE id = ? AND state = 'pending'`, timeArg(at), raw, id)
	if err := t.checkOutboxUpdate(id, mailproc.OutboxPending, res, err); err != nil {
		return err
	}
	return t.acknowledged(id, at)
}

// acknowledged applies the desk's rule for state diakui: a new case is
// acknowledged when its tanda terima has been accepted by the mail server
// (not when it was queued: a refused one leaves the case baru), in the same
// transaction as MarkSent, with an event.
func (t *intakeTx) acknowledged(outboxID int64, at time.Time) error {
	var caseID sql.NullInt64
	err := t.tx.QueryRowContext(t.ctx, `
		SELECT o.case_id FROM outbox o JOIN cases c ON c.id = o.case_id
		WHERE o.id = ? AND o.purpose = 'ack' AND c.state = 'baru'`, outboxID).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return t.wrap("acknowledge case", err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE cases SET state = 'diakui', updated_at = ? WHERE id = ?`,
		timeArg(at), caseID.Int64); err != nil {
		return t.wrap("acknowledge case", err)
	}
	return t.AddEvent(&mailproc.Event{CaseID: caseID.Int64, At: at, Actor: mailproc.ActorSystem,
		Type: mailproc.EventState, Detail: "diakui: tanda terima diterima server email"})
}

// MarkRetry records a temporary failure of pending mail id: attempts so
// far, when to try again (zero: at once) and the error.
func (db *DB) MarkRetry(ctx context.Context, id int64, attempts int, next time.Time, lastErr string) error {
	op := fmt.Sprintf("mark mail %d for retry", id)
	return db.write(ctx, op, func(t *intakeTx) error {
		if next.IsZero() {
			next = db.now()
		}
		res, err := t.tx.ExecContext(t.ctx, `
			UPDATE outbox SET attempts = ?, next_attempt = ?, last_error = ?
			WHERE id = ? AND state = 'pending'`,
			attempts, timeArg(next), validUTF8(lastErr), id)
		return t.checkOutboxUpdate(id, mailproc.OutboxPending, res, err)
	})
}

// MarkFailed records a permanent failure of pending mail id and, in the same
// transaction, queues notice (may be nil) as EnqueueMail does and appends ev
// (may be nil) as AddEvent does. An ev without a CaseID goes on the failed
// mail's case; if that mail is on no case either, there is no log to append
// to and ev is left out (ev.ID stays 0). If any of it fails, none of it is
// written and the mail stays pending.
func (db *DB) MarkFailed(ctx context.Context, id int64, attempts int, lastErr string, notice *mailproc.OutgoingMail, ev *mailproc.Event) error {
	op := fmt.Sprintf("mark mail %d failed", id)
	return db.write(ctx, op, func(t *intakeTx) error {
		var caseID sql.NullInt64
		err := t.tx.QueryRowContext(t.ctx, `
			UPDATE outbox SET state = 'failed', attempts = ?, last_error = ?,
				next_attempt = NULL
			WHERE id = ? AND state = 'pending'
			RETURNING case_id`, attempts, validUTF8(lastErr), id).Scan(&caseID)
		if errors.Is(err, sql.ErrNoRows) {
			return t.outboxStateError(id, mailproc.OutboxPending)
		}
		if err != nil {
			return t.wrap(op, err)
		}
		if notice != nil {
			if err := t.EnqueueMail(notice); err != nil {
				return err
			}
		}
		if ev != nil {
			if ev.CaseID == 0 {
				ev.CaseID = caseID.Int64
			}
			if ev.CaseID != 0 {
				if err := t.AddEvent(ev); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// SetCopyPending keeps raw, the bytes sent for mail id, until its copy to
// the Sent folder is made. The mail must be sent and not yet copied.
func (db *DB) SetCopyPending(ctx context.Context, id int64, raw []byte) error {
	if len(raw) == 0 {
		return fmt.Errorf("sqlite: keep Sent copy of mail %d: no bytes", id)
	}
	op := fmt.Sprintf("keep Sent copy of mail %d", id)
	return db.write(ctx, op, func(t *intakeTx) error {
		res, err := t.tx.ExecContext(t.ctx, `
			UPDATE outbox SET raw = ? WHERE id = ? AND state = 'sent' AND copied_at IS NULL`,
			raw, id)
		return t.checkOutboxUpdate(id, mailproc.OutboxSent, res, err)
	})
}

// CopyPending returns up to n sent mails whose raw bytes wait for their
// Sent-folder copy, in the order they were sent.
func (db *DB) CopyPending(ctx context.Context, n int) ([]mailproc.PendingCopy, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := db.db.QueryContext(ctx, copyPendingQuery, n)
	if err != nil {
		return nil, wrapErr(ctx, "pending Sent copies", err)
	}
	defer rows.Close()
	var out []mailproc.PendingCopy
	for rows.Next() {
		var p mailproc.PendingCopy
		if err := rows.Scan(&p.ID, &p.Raw, timeCol{&p.SentAt}); err != nil {
			return nil, wrapErr(ctx, "pending Sent copies", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, "pending Sent copies", err)
	}
	return out, nil
}

// MarkCopied records that sent mail id is in the Sent folder since at
// (zero: the store's clock) and drops its kept bytes. A mail that is not
// sent, or already copied, is an error.
func (db *DB) MarkCopied(ctx context.Context, id int64, at time.Time) error {
	return db.write(ctx, fmt.Sprintf("mark mail %d copied", id), func(t *intakeTx) error {
		return t.markCopied(id, at)
	})
}

// MarkCopiedMany does MarkCopied for each of ids in one transaction, as
// MarkSentMany does for MarkSent.
func (db *DB) MarkCopiedMany(ctx context.Context, ids []int64, at time.Time) ([]error, error) {
	return db.writeEach(ctx, fmt.Sprintf("mark %d mails copied", len(ids)), len(ids), func(t *intakeTx, i int) error {
		return t.markCopied(ids[i], at)
	})
}

// markCopied is MarkCopied inside t.
func (t *intakeTx) markCopied(id int64, at time.Time) error {
	if at.IsZero() {
		at = t.db.now()
	}
	res, err := t.tx.ExecContext(t.ctx, `
		UPDATE outbox SET copied_at = ?, raw = NULL
		WHERE id = ? AND state = 'sent' AND copied_at IS NULL`, timeArg(at), id)
	return t.checkOutboxUpdate(id, mailproc.OutboxSent, res, err)
}

// checkOutboxUpdate turns the result of an UPDATE of outbox row id that
// required state want into an error: the statement's own, or why no row
// matched.
func (t *intakeTx) checkOutboxUpdate(id int64, want mailproc.OutboxState, res sql.Result, err error) error {
	op := fmt.Sprintf("update outbox mail %d", id)
	if err != nil {
		return t.wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.wrap(op, err)
	}
	if n == 0 {
		return t.outboxStateError(id, want)
	}
	return nil
}

// outboxStateError says why outbox row id was not in state want (or, for
// sent, was already copied). The error is permanent: trying again would
// find the same row.
func (t *intakeTx) outboxStateError(id int64, want mailproc.OutboxState) error {
	var state mailproc.OutboxState
	var copied time.Time
	err := t.tx.QueryRowContext(t.ctx, `SELECT state, copied_at FROM outbox WHERE id = ?`, id).
		Scan(&state, timeCol{&copied})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &outboxRowError{fmt.Errorf("outbox mail %d: %w", id, mailproc.ErrNotFound)}
	case err != nil:
		return t.wrap(fmt.Sprintf("read outbox mail %d", id), err)
	case state == want && !copied.IsZero():
		return &outboxRowError{fmt.Errorf("outbox mail %d was already copied to the Sent folder", id)}
	default:
		return &outboxRowError{fmt.Errorf("outbox mail %d is %s, not %s", id, state, want)}
	}
}

// outboxRowError is an outbox row not in the state a change needs: the
// row's own matter, which leaves the rest of a transaction (writeEach)
// sound.
type outboxRowError struct{ err error }

func (e *outboxRowError) Error() string { return e.err.Error() }
func (e *outboxRowError) Unwrap() error { return e.err }

// OutboxFilter narrows Outbox. Zero fields do not filter.
type OutboxFilter struct {
	CaseID  int64
	State   mailproc.OutboxState
	Purpose mailproc.Purpose
	Limit   int // at most this many; 0 or less: all
}

// Outbox lists outbox mail, oldest first (by queueing time, then row id),
// without the kept raw bytes.
func (db *DB) Outbox(ctx context.Context, f OutboxFilter) ([]*mailproc.OutgoingMail, error) {
	var conds []string
	var args []any
	if f.CaseID != 0 {
		conds, args = append(conds, "case_id = ?"), append(args, f.CaseID)
	}
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, string(f.State))
	}
	if f.Purpose != "" {
		conds, args = append(conds, "purpose = ?"), append(args, string(f.Purpose))
	}
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	return queryOutgoing(ctx, db.db, where+" ORDER BY created_at, id LIMIT ?", append(args, limit)...)
}

// OutboxCounts returns how many outbox mails are pending, sent and failed,
// from one snapshot.
func (db *DB) OutboxCounts(ctx context.Context) (pending, sent, failed int, err error) {
	err = db.db.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE state = 'pending'),
			count(*) FILTER (WHERE state = 'sent'),
			count(*) FILTER (WHERE state = 'failed')
		FROM outbox`).Scan(&pending, &sent, &failed)
	if err != nil {
		return 0, 0, 0, wrapErr(ctx, "outbox counts", err)
	}
	return pending, sent, failed, nil
}

// OutboxTally is the number of outgoing mails of one purpose in one state.
type OutboxTally struct {
	Purpose mailproc.Purpose
	State   mailproc.OutboxState
	N       int
}

// OutboxTallies counts the outbox by purpose and state in the database, for
// /metrics and the status page: a scrape must not load every mail ever sent
// (with its text) into memory.
func (db *DB) OutboxTallies(ctx context.Context) ([]OutboxTally, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT purpose, state, count(*) FROM outbox GROUP BY purpose, state ORDER BY purpose, state`)
	if err != nil {
		return nil, wrapErr(ctx, "outbox tallies", err)
	}
	defer rows.Close()
	var out []OutboxTally
	for rows.Next() {
		var t OutboxTally
		if err := rows.Scan(&t.Purpose, &t.State, &t.N); err != nil {
			return nil, wrapErr(ctx, "outbox tallies", err)
		}
		out = append(out, t)
	}
	return out, wrapErr(ctx, "outbox tallies", rows.Err())
}

// queryOutgoing returns the outbox rows matching rest (a WHERE clause and/or
// ORDER BY and LIMIT), in the order rest gives.
func queryOutgoing(ctx context.Context, q querier, rest string, args ...any) ([]*mailproc.OutgoingMail, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+outboxColumns+" FROM outbox "+rest, args...)
	if err != nil {
		return nil, wrapErr(ctx, "read outbox", err)
	}
	defer rows.Close()
	var out []*mailproc.OutgoingMail
	for rows.Next() {
		m := new(mailproc.OutgoingMail)
		var (
			caseID  sql.NullInt64
			to, cc  []jsonAddress
			refs    []string
			atts    []jsonOutgoingAttachment
			purpose string
			state   string
			burst   int
			render  sql.NullInt64
			flags   int
		)
		err := rows.Scan(&m.ID, &caseID, &purpose, &m.MessageID, &m.From.Addr, &m.From.Name,
			jsonCol{&to}, jsonCol{&cc}, &m.Subject, &m.InReplyTo, jsonCol{&refs},
			timeCol{&m.Date}, &m.Text, &m.HTML, jsonCol{&atts}, &state, &m.Attempts, timeCol{&m.NextAttempt},
			&m.LastError, timeCol{&m.CreatedAt}, timeCol{&m.SentAt}, timeCol{&m.CopiedAt}, &burst,
			&render, &flags)
		if err != nil {
			return nil, wrapErr(ctx, "read outbox", err)
		}
		if render.Valid {
			m.Held = &mailproc.HeldNotify{MessageRowID: render.Int64,
				FollowUp: flags&renderFollowUp != 0, Reopened: flags&renderReopened != 0}
		}
		m.CaseID = caseID.Int64
		m.Purpose, m.State = mailproc.Purpose(purpose), mailproc.OutboxState(state)
		m.Burst = burst != 0
		m.To, m.Cc, m.References = fromJSONAddrs(to), fromJSONAddrs(cc), emptyToNil(refs)
		m.Attachments = fromJSONOutgoingAttachments(atts)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, "read outbox", err)
	}
	return out, nil
}

// encodeOutgoingJSON returns the JSON text of the to_addrs, cc_addrs, refs
// and attachments columns of m.
func encodeOutgoingJSON(m *mailproc.OutgoingMail) (to, cc, refs, atts string, err error) {
	enc := func(v any) string {
		if err != nil {
			return ""
		}
		var b []byte
		b, err = json.Marshal(v)
		return string(b)
	}
	to, cc, refs = enc(toJSONAddrs(m.To)), enc(toJSONAddrs(m.Cc)), enc(nonNil(m.References))
	atts = enc(toJSONOutgoingAttachments(m.Attachments))
	if err != nil {
		return "", "", "", "", fmt.Errorf("encode JSON column: %w", err)
	}
	return to, cc, refs, atts, nil
}

// jsonOutgoingAttachment is one element of the outbox's attachments column:
// mailproc.OutgoingAttachment under field names of its own, so renaming a
// Go field never changes what is on disk.
type jsonOutgoingAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	ArchivePath string `json:"archive_path"`
	Part        string `json:"part"`
}

// toJSONOutgoingAttachments never returns nil: no attachments are stored
// as [], not null.
func toJSONOutgoingAttachments(as []mailproc.OutgoingAttachment) []jsonOutgoingAttachment {
	out := make([]jsonOutgoingAttachment, len(as))
	for i, a := range as {
		out[i] = jsonOutgoingAttachment(a)
	}
	return out
}

// fromJSONOutgoingAttachments reads [] back as the nil a composer leaves.
func fromJSONOutgoingAttachments(as []jsonOutgoingAttachment) []mailproc.OutgoingAttachment {
	if len(as) == 0 {
		return nil
	}
	out := make([]mailproc.OutgoingAttachment, len(as))
	for i, a := range as {
		out[i] = mailproc.OutgoingAttachment(a)
	}
	return out
}

// checkOutgoingUTF8 names the first string of m that is not valid UTF-8,
// as checkMessageUTF8 does for incoming mail.
func checkOutgoingUTF8(m *mailproc.OutgoingMail) error {
	type field struct{ name, s string }
	fields := []field{
		{"Message-ID", m.MessageID}, {"Subject", m.Subject}, {"text", m.Text},
		{"HTML", m.HTML}, {"From name", m.From.Name}, {"From address", m.From.Addr},
		{"In-Reply-To", m.InReplyTo},
	}
	for _, l := range []struct {
		name  string
		addrs []mailproc.Address
	}{{"To", m.To}, {"Cc", m.Cc}} {
		for _, a := range l.addrs {
			fields = append(fields, field{l.name + " name", a.Name}, field{l.name + " address", a.Addr})
		}
	}
	for _, r := range m.References {
		fields = append(fields, field{"References", r})
	}
	for _, a := range m.Attachments {
		fields = append(fields, field{"attachment filename", a.Filename}, field{"attachment content type", a.ContentType},
			field{"attachment archive path", a.ArchivePath}, field{"attachment part", a.Part})
	}
	for _, f := range fields {
		if !utf8.ValidString(f.s) {
			return fmt.Errorf("%s is not valid UTF-8", f.name)
		}
	}
	return nil
}

// validUTF8 keeps an error text storable: an SMTP reply may carry any
// bytes, and a failure must be recorded rather than refused for them.
func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// rcptKey is how an address is kept in outbox_rcpts and looked up there.
func rcptKey(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }

// rcptKeys returns the distinct non-empty keys of the To addresses.
func rcptKeys(as []mailproc.Address) []string {
	var out []string
	seen := make(map[string]bool)
	for _, a := range as {
		if k := rcptKey(a.Addr); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// msUTC is t as it reads back from a time column: UTC, whole milliseconds.
// The zero time stays zero.
func msUTC(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// ceilMilli is the first whole millisecond at or after t, so a column
// compared with ">=" to it holds exactly the instants at or after t.
func ceilMilli(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.After(time.UnixMilli(ms)) {
		ms++
	}
	return ms
}
