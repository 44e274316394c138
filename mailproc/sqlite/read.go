package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// The read side: what `mailproc cases` and `mailproc report` show. Each call
// is a single statement or reads rows committed together with the ones
// before it (a message and its attachments), so no read transaction is
// needed and none holds up intake.

// CaseFilter narrows ListCases.
type CaseFilter struct {
	OpenOnly bool // only cases not yet selesai
	Limit    int  // at most this many; 0 or less: all
}

// ListCases returns cases newest first (by opening time, then row id).
func (db *DB) ListCases(ctx context.Context, f CaseFilter) ([]*mailproc.Case, error) {
	where := ""
	if f.OpenOnly {
		where = "WHERE state <> '" + string(mailproc.StateSelesai) + "'"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := db.db.QueryContext(ctx, "SELECT "+caseColumns+" FROM cases "+where+
		" ORDER BY opened_at DESC, id DESC LIMIT ?", limit)
	if err != nil {
		return nil, wrapErr(ctx, "list cases", err)
	}
	defer rows.Close()
	var out []*mailproc.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, wrapErr(ctx, "list cases", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, "list cases", err)
	}
	return out, nil
}

// CaseByNumber returns the case with that registration number, or an error
// wrapping mailproc.ErrNotFound.
func (db *DB) CaseByNumber(ctx context.Context, number string) (*mailproc.Case, error) {
	c, err := getCase(ctx, db.db, "WHERE number = ?", number)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("sqlite: case %s: %w", number, mailproc.ErrNotFound)
	}
	return c, nil
}

// CaseByID returns the case with that row id, or an error wrapping
// mailproc.ErrNotFound.
func (db *DB) CaseByID(ctx context.Context, id int64) (*mailproc.Case, error) {
	c, err := getCase(ctx, db.db, "WHERE id = ?", id)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("sqlite: case %d: %w", id, mailproc.ErrNotFound)
	}
	return c, nil
}

// Timeline returns a case's log, oldest first.
func (db *DB) Timeline(ctx context.Context, caseID int64) ([]*mailproc.Event, error) {
	return timeline(ctx, db.db, caseID)
}

func timeline(ctx context.Context, q querier, caseID int64) ([]*mailproc.Event, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id, case_id, at, actor, type, detail, message_row_id
		FROM events WHERE case_id = ? ORDER BY at, id`, caseID)
	if err != nil {
		return nil, wrapErr(ctx, fmt.Sprintf("timeline of case %d", caseID), err)
	}
	defer rows.Close()
	var out []*mailproc.Event
	for rows.Next() {
		e := new(mailproc.Event)
		var msg sql.NullInt64
		if err := rows.Scan(&e.ID, &e.CaseID, timeCol{&e.At}, &e.Actor, &e.Type, &e.Detail, &msg); err != nil {
			return nil, wrapErr(ctx, fmt.Sprintf("timeline of case %d", caseID), err)
		}
		e.MessageID = msg.Int64
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, fmt.Sprintf("timeline of case %d", caseID), err)
	}
	return out, nil
}

// NextEscalation returns the earliest escalate_at or remind_at of any case;
// ok is false when nothing is pending. The partial indexes cases_escalate
// and cases_remind make it two index probes however many cases are open.
func (db *DB) NextEscalation(ctx context.Context) (at time.Time, ok bool, err error) {
	var ms sql.NullInt64
	if err := db.db.QueryRowContext(ctx, `SELECT min(t) FROM (
		SELECT min(escalate_at) AS t FROM cases WHERE escalate_at IS NOT NULL
		UNION ALL SELECT min(remind_at) FROM cases WHERE remind_at IS NOT NULL)`).Scan(&ms); err != nil {
		return time.Time{}, false, wrapErr(ctx, "next escalation", err)
	}
	if !ms.Valid {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(ms.Int64).UTC(), true, nil
}

// CaseMessages returns the mails of a case with their attachments, in the
// order they were stored.
func (db *DB) CaseMessages(ctx context.Context, caseID int64) ([]*mailproc.Message, error) {
	msgs, _, err := queryMessages(ctx, db.db, "WHERE case_id = ?", caseID)
	return msgs, err
}

// QuarantineList returns every quarantined mail, newest first.
func (db *DB) QuarantineList(ctx context.Context) ([]*mailproc.QuarantineEntry, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, mailbox, uidvalidity, uid, arrived_at, message_id, sha256, size,
			archive_path, reason, at
		FROM quarantine ORDER BY at DESC, id DESC`)
	if err != nil {
		return nil, wrapErr(ctx, "list quarantine", err)
	}
	defer rows.Close()
	var out []*mailproc.QuarantineEntry
	for rows.Next() {
		q := new(mailproc.QuarantineEntry)
		if err := rows.Scan(&q.ID, &q.Delivery.Mailbox, &q.Delivery.UIDValidity, &q.Delivery.UID,
			timeCol{&q.Delivery.Arrived}, &q.MessageID, &q.SHA256, &q.Size, &q.ArchivePath,
			&q.Reason, timeCol{&q.At}); err != nil {
			return nil, wrapErr(ctx, "list quarantine", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, "list quarantine", err)
	}
	return out, nil
}

// Counts returns how many cases, stored messages and quarantined mails the
// database holds, from one snapshot.
func (db *DB) Counts(ctx context.Context) (cases, messages, quarantined int, err error) {
	err = db.db.QueryRowContext(ctx, `
		SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM messages),
			(SELECT count(*) FROM quarantine)`).Scan(&cases, &messages, &quarantined)
	if err != nil {
		return 0, 0, 0, wrapErr(ctx, "counts", err)
	}
	return cases, messages, quarantined, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

const caseColumns = `id, number, kind, state, escalation_level, citizen_addr,
	citizen_name, subject, opened_at, due_at, first_answer_at, closed_at,
	linked_case_id, needs_followup, escalate_at, remind_at, updated_at, reply_addr, channel, contact,
	verdict, verdict_kind, verdict_promise_ms, verdict_service_ms, verdict_calendar, verdict_at`

func scanCase(s scanner) (*mailproc.Case, error) {
	c := new(mailproc.Case)
	var linked, promise, service sql.NullInt64
	v := &c.Verdict
	err := s.Scan(&c.ID, &c.Number, &c.Kind, &c.State, &c.EscalationLevel, &c.CitizenAddr,
		&c.CitizenName, &c.Subject, timeCol{&c.OpenedAt}, timeCol{&c.DueAt},
		timeCol{&c.FirstAnswerAt}, timeCol{&c.ClosedAt}, &linked, &c.NeedsFollowUp, timeCol{&c.EscalateAt}, timeCol{&c.RemindAt}, timeCol{&c.UpdatedAt}, &c.ReplyAddr, &c.Channel, &c.Contact,
		&v.Outcome, &v.Kind, &promise, &service, &v.Calendar, timeCol{&v.At})
	if err != nil {
		return nil, err
	}
	c.LinkedCaseID = linked.Int64
	v.Promise = time.Duration(promise.Int64) * time.Millisecond
	v.ServiceTime, v.HasServiceTime = time.Duration(service.Int64)*time.Millisecond, service.Valid
	return c, nil
}

// getCase returns the one case matching where, or (nil, nil).
func getCase(ctx context.Context, q querier, where string, args ...any) (*mailproc.Case, error) {
	c, err := scanCase(q.QueryRowContext(ctx, "SELECT "+caseColumns+" FROM cases "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrapErr(ctx, "find case", err)
	}
	return c, nil
}

const messageColumns = `id, message_id, synthetic_id, case_id, from_addr, from_name,
	sender_addr, sender_name, reply_to, to_addrs, cc_addrs, subject, date,
	in_reply_to, refs, auto, auth_results, text, text_truncated, from_html, notes,
	size, sha256, archive_path, mailbox, uidvalidity, uid, arrived_at, received_at, redacted_at`

// queryMessages returns the messages matching where, in row order, with
// their attachments, and the case id of each (0 for none).
func queryMessages(ctx context.Context, q querier, where string, args ...any) ([]*mailproc.Message, []int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+messageColumns+" FROM messages "+where+" ORDER BY id", args...)
	if err != nil {
		return nil, nil, wrapErr(ctx, "read messages", err)
	}
	defer rows.Close()
	var (
		msgs    []*mailproc.Message
		caseIDs []int64
		byID    = make(map[int64]*mailproc.Message)
		ids     []int64
	)
	for rows.Next() {
		m := new(mailproc.Message)
		var (
			caseID             sql.NullInt64
			replyTo, to, cc    []jsonAddress
			inReplyTo, refs    []string
			authResults, notes []string
			auto               jsonAuto
		)
		err := rows.Scan(&m.ID, &m.MessageID, &m.SyntheticID, &caseID, &m.From.Addr, &m.From.Name,
			&m.Sender.Addr, &m.Sender.Name, jsonCol{&replyTo}, jsonCol{&to}, jsonCol{&cc},
			&m.Subject, timeCol{&m.Date}, jsonCol{&inReplyTo}, jsonCol{&refs}, jsonCol{&auto},
			jsonCol{&authResults}, &m.Text, &m.TextTruncated, &m.FromHTML, jsonCol{&notes},
			&m.Size, &m.SHA256, &m.ArchivePath, &m.Delivery.Mailbox, &m.Delivery.UIDValidity,
			&m.Delivery.UID, timeCol{&m.Delivery.Arrived}, timeCol{&m.Received}, timeCol{&m.RedactedAt})
		if err != nil {
			return nil, nil, wrapErr(ctx, "read messages", err)
		}
		m.ReplyTo, m.To, m.Cc = fromJSONAddrs(replyTo), fromJSONAddrs(to), fromJSONAddrs(cc)
		m.InReplyTo, m.References = emptyToNil(inReplyTo), emptyToNil(refs)
		m.AuthResults, m.Notes = emptyToNil(authResults), emptyToNil(notes)
		m.Auto = mailproc.AutoHeaders(auto)
		msgs = append(msgs, m)
		caseIDs = append(caseIDs, caseID.Int64)
		byID[m.ID] = m
		ids = append(ids, m.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, wrapErr(ctx, "read messages", err)
	}
	rows.Close()
	if len(ids) == 0 {
		return nil, nil, nil
	}

	// One query for the attachments of all the messages, whatever their
	// number: the ids go in as one JSON array.
	idList, err := json.Marshal(ids)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: read attachments: %w", err)
	}
	arows, err := q.QueryContext(ctx, `
		SELECT message_row_id, filename, content_type, size, part FROM attachments
		WHERE message_row_id IN (SELECT value FROM json_each(?))
		ORDER BY message_row_id, idx`, string(idList))
	if err != nil {
		return nil, nil, wrapErr(ctx, "read attachments", err)
	}
	defer arows.Close()
	for arows.Next() {
		var id int64
		var a mailproc.Attachment
		if err := arows.Scan(&id, &a.Filename, &a.ContentType, &a.Size, &a.Part); err != nil {
			return nil, nil, wrapErr(ctx, "read attachments", err)
		}
		if m := byID[id]; m != nil {
			m.Attachments = append(m.Attachments, a)
		}
	}
	if err := arows.Err(); err != nil {
		return nil, nil, wrapErr(ctx, "read attachments", err)
	}
	return msgs, caseIDs, nil
}
