package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Retention and personal-data requests (issue 16): personal content is
// blanked in place and stamped redacted_at, in one transaction with an event
// on every case it touches and a row in redactions. Counts, times, states,
// kinds, escalation events and scores stay, so the month report of a past
// month prints the same figures after as before. The archived raw files are
// removed by the caller after the commit (RedactedFiles), so a crash in
// between leaves a file to remove, never a row naming a missing file that
// is not marked redacted.

// Redaction is what a retention or forget run changes (or, on a dry run,
// would change).
type Redaction struct {
	Cases    []string // registration numbers
	caseIDs  []int64
	Messages int // stored mails whose content goes
	Outbox   int // sent mails whose text goes
}

// RetentionPlan lists the closed cases whose retention period has passed at
// now and whose content is still there. The query narrows the cases down
// by the cutoff; mailproc.Retention.Due decides.
func (db *DB) RetentionPlan(ctx context.Context, r mailproc.Retention, now time.Time) (*Redaction, error) {
	plan := new(Redaction)
	due := func(c *mailproc.Case) bool { return r.Due(c, now) }
	for _, kind := range []mailproc.Kind{mailproc.KindInformasi, mailproc.KindAduan} {
		cutoff, ok := r.Cutoff(kind, now)
		if !ok {
			continue
		}
		if err := db.addToPlan(ctx, plan, due, `WHERE kind = ? AND state = 'selesai' AND closed_at IS NOT NULL
			AND closed_at <= ? AND redacted_at IS NULL`, string(kind), timeArg(cutoff)); err != nil {
			return nil, err
		}
	}
	return plan, nil
}

// ForgetPlan lists the cases opened by addr and counts every stored or sent
// mail that names it.
func (db *DB) ForgetPlan(ctx context.Context, addr string) (*Redaction, error) {
	plan := new(Redaction)
	if err := db.addToPlan(ctx, plan, nil, "WHERE lower(citizen_addr) = lower(?)", addr); err != nil {
		return nil, err
	}
	ids, err := json.Marshal(nonNilIDs(plan.caseIDs))
	if err != nil {
		return nil, fmt.Errorf("sqlite: forget plan: %w", err)
	}
	err = db.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM messages WHERE `+forgetMessages+`),
		(SELECT count(*) FROM outbox WHERE `+forgetOutbox+`)`,
		string(ids), addr, addr, likeContains(addr), string(ids), addr).Scan(&plan.Messages, &plan.Outbox)
	if err != nil {
		return nil, wrapErr(ctx, "forget plan", err)
	}
	return plan, nil
}

// The mails a forget run changes: those of the citizen's cases, and any
// other that names the address (a mail without a case, a copy to them).
// Parameters: case ids as a JSON array, addr, addr, %addr%.
const forgetMessages = `(case_id IN (SELECT value FROM json_each(?)) OR lower(from_addr) = lower(?)
	OR lower(sender_addr) = lower(?) OR (reply_to || to_addrs || cc_addrs) LIKE ? ESCAPE '\')`

// likeContains is the LIKE pattern (with ESCAPE '\') matching any text
// that contains s: an address may hold _ or %, which LIKE would otherwise
// take as wildcards and so match other people's addresses.
func likeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// Parameters: case ids as a JSON array, addr.
const forgetOutbox = `(case_id IN (SELECT value FROM json_each(?))
	OR id IN (SELECT outbox_id FROM outbox_rcpts WHERE addr = lower(?)))`

// addToPlan adds the cases matching where (and keep, if not nil) to plan.
func (db *DB) addToPlan(ctx context.Context, plan *Redaction, keep func(*mailproc.Case) bool, where string, args ...any) error {
	rows, err := db.db.QueryContext(ctx, `SELECT id, number, kind, state, closed_at,
		(SELECT count(*) FROM messages m WHERE m.case_id = c.id AND m.redacted_at IS NULL),
		(SELECT count(*) FROM outbox o WHERE o.case_id = c.id AND (o.text <> '' OR o.html <> ''))
		FROM cases c `+where+` ORDER BY id`, args...)
	if err != nil {
		return wrapErr(ctx, "plan redaction", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c mailproc.Case
		var msgs, out int
		if err := rows.Scan(&c.ID, &c.Number, &c.Kind, &c.State, timeCol{&c.ClosedAt}, &msgs, &out); err != nil {
			return wrapErr(ctx, "plan redaction", err)
		}
		if keep != nil && !keep(&c) {
			continue
		}
		plan.caseIDs = append(plan.caseIDs, c.ID)
		plan.Cases = append(plan.Cases, c.Number)
		plan.Messages += msgs
		plan.Outbox += out
	}
	return wrapErr(ctx, "plan redaction", rows.Err())
}

func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// ApplyRetention removes the mail content of the planned cases: the text of
// their stored mails (archive_path and sha256 stay as the record of what was
// there), the text of the mail sent about them, rating comments. The case,
// its addresses, its log and every figure stay. actor is who ran it.
func (db *DB) ApplyRetention(ctx context.Context, plan *Redaction, actor string, now time.Time) error {
	if len(plan.caseIDs) == 0 {
		return nil
	}
	now = now.UTC().Truncate(time.Millisecond)
	return db.write(ctx, "retention", func(t *intakeTx) error {
		for i, id := range plan.caseIDs {
			n, err := t.redactCaseContent(id, now)
			if err != nil {
				return err
			}
			if _, err := t.tx.ExecContext(t.ctx, "UPDATE cases SET redacted_at = ?, updated_at = ? WHERE id = ?",
				timeArg(now), timeArg(now), id); err != nil {
				return t.wrap("retention of "+plan.Cases[i], err)
			}
			if err := t.AddEvent(&mailproc.Event{CaseID: id, At: now, Actor: actor, Type: mailproc.EventRetention,
				Detail: fmt.Sprintf("masa retensi berakhir: isi %d email, lampiran dan berkas aslinya dihapus; kasus, riwayat dan angka laporan tetap", n)}); err != nil {
				return err
			}
		}
		return t.recordRedaction(now, actor, string(mailproc.EventRetention), len(plan.caseIDs), plan.Messages)
	})
}

// redactCaseContent blanks the bodies of a case's stored and sent mail and
// its rating comments, and returns how many stored mails it changed.
func (t *intakeTx) redactCaseContent(caseID int64, now time.Time) (int, error) {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE messages SET text = '', text_truncated = 0, redacted_at = ?
		WHERE case_id = ? AND redacted_at IS NULL`, timeArg(now), caseID)
	if err != nil {
		return 0, t.wrap(fmt.Sprintf("redact mail of case %d", caseID), err)
	}
	n, _ := res.RowsAffected()
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE outbox SET text = '', html = '', raw = NULL
		WHERE case_id = ? AND state <> 'pending'`, caseID); err != nil {
		return 0, t.wrap(fmt.Sprintf("redact sent mail of case %d", caseID), err)
	}
	if _, err := t.tx.ExecContext(t.ctx, "UPDATE ratings SET comment = '' WHERE case_id = ?", caseID); err != nil {
		return 0, t.wrap(fmt.Sprintf("redact ratings of case %d", caseID), err)
	}
	return int(n), nil
}

func (t *intakeTx) recordRedaction(now time.Time, actor, reason string, cases, messages int) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO redactions (at, actor, reason, cases, messages)
		VALUES (?, ?, ?, ?, ?)`, timeArg(now), actor, reason, cases, messages)
	return t.wrap("record redaction", err)
}

// ApplyForget anonymises addr everywhere: on the citizen's cases (address,
// name, subject), in every stored mail of those cases or naming addr (text,
// names, the address in every header column, attachment names), in the
// mail sent to them, in event actors and details, in the acknowledgement
// counter's index. pseudonym replaces the address, so the citizen's cases
// still count as one citizen's. actor is who ran it.
func (db *DB) ApplyForget(ctx context.Context, plan *Redaction, addr, pseudonym, actor string, now time.Time) error {
	now = now.UTC().Truncate(time.Millisecond)
	ids, err := json.Marshal(nonNilIDs(plan.caseIDs))
	if err != nil {
		return fmt.Errorf("sqlite: forget: %w", err)
	}
	return db.write(ctx, "forget", func(t *intakeTx) error {
		f := forgetter{t: t, addr: addr, pseudonym: pseudonym, now: now}
		msgs, err := f.messages(string(ids))
		if err != nil {
			return err
		}
		if err := f.outbox(string(ids)); err != nil {
			return err
		}
		if err := f.events(); err != nil {
			return err
		}
		for i, id := range plan.caseIDs {
			if _, err := t.redactCaseContent(id, now); err != nil {
				return err
			}
			if _, err := t.tx.ExecContext(t.ctx, `UPDATE cases SET citizen_addr = ?, citizen_name = '',
				subject = '', redacted_at = ?, updated_at = ? WHERE id = ?`,
				pseudonym, timeArg(now), timeArg(now), id); err != nil {
				return t.wrap("forget on "+plan.Cases[i], err)
			}
			if err := t.AddEvent(&mailproc.Event{CaseID: id, At: now, Actor: actor, Type: mailproc.EventForget,
				Detail: "permintaan data pribadi (UU 27/2022): nama, alamat email, subjek, isi email, lampiran dan berkas asli warga dihapus; jumlah dan angka laporan tetap"}); err != nil {
				return err
			}
		}
		return t.recordRedaction(now, actor, string(mailproc.EventForget), len(plan.caseIDs), msgs)
	})
}

type forgetter struct {
	t               *intakeTx
	addr, pseudonym string
	now             time.Time
}

// messages anonymises the stored mails and returns how many it changed.
func (f forgetter) messages(caseIDs string) (int, error) {
	t := f.t
	rows, err := t.tx.QueryContext(t.ctx, `SELECT id, from_addr, from_name, sender_addr, sender_name,
		reply_to, to_addrs, cc_addrs FROM messages WHERE `+forgetMessages,
		caseIDs, f.addr, f.addr, likeContains(f.addr))
	if err != nil {
		return 0, t.wrap("forget: read mail", err)
	}
	type row struct {
		id                               int64
		from, fromName, sender, sendName string
		lists                            [3]string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.from, &r.fromName, &r.sender, &r.sendName, &r.lists[0], &r.lists[1], &r.lists[2]); err != nil {
			rows.Close()
			return 0, t.wrap("forget: read mail", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, t.wrap("forget: read mail", err)
	}
	for _, r := range all {
		if strings.EqualFold(r.from, f.addr) {
			r.from, r.fromName = f.pseudonym, ""
		}
		if strings.EqualFold(r.sender, f.addr) {
			r.sender, r.sendName = f.pseudonym, ""
		}
		for i := range r.lists {
			r.lists[i] = f.addrList(r.lists[i])
		}
		if _, err := t.tx.ExecContext(t.ctx, `UPDATE messages SET from_addr = ?, from_name = ?,
			sender_addr = ?, sender_name = ?, reply_to = ?, to_addrs = ?, cc_addrs = ?, subject = '',
			text = '', text_truncated = 0, redacted_at = ? WHERE id = ?`,
			r.from, r.fromName, r.sender, r.sendName, r.lists[0], r.lists[1], r.lists[2], timeArg(f.now), r.id); err != nil {
			return 0, t.wrap("forget: mail", err)
		}
		if _, err := t.tx.ExecContext(t.ctx, "UPDATE attachments SET filename = '' WHERE message_row_id = ?", r.id); err != nil {
			return 0, t.wrap("forget: attachments", err)
		}
	}
	return len(all), nil
}

// addrList replaces the address (and drops its name) in a JSON address list.
func (f forgetter) addrList(col string) string {
	var list []jsonAddress
	if json.Unmarshal([]byte(col), &list) != nil {
		return mailproc.ReplaceAddr(col, f.addr, f.pseudonym)
	}
	for i := range list {
		if strings.EqualFold(list[i].Addr, f.addr) {
			list[i] = jsonAddress{Addr: f.pseudonym}
		}
	}
	b, err := json.Marshal(toNonNilJSON(list))
	if err != nil {
		return "[]"
	}
	return string(b)
}

func toNonNilJSON(l []jsonAddress) []jsonAddress {
	if l == nil {
		return []jsonAddress{}
	}
	return l
}

// outbox blanks the mail sent to the citizen or about their cases and
// renames them in its address columns and in outbox_rcpts.
func (f forgetter) outbox(caseIDs string) error {
	t := f.t
	rows, err := t.tx.QueryContext(t.ctx, "SELECT id, to_addrs, cc_addrs FROM outbox WHERE "+forgetOutbox, caseIDs, f.addr)
	if err != nil {
		return t.wrap("forget: read outbox", err)
	}
	type row struct {
		id     int64
		to, cc string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.to, &r.cc); err != nil {
			rows.Close()
			return t.wrap("forget: read outbox", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t.wrap("forget: read outbox", err)
	}
	for _, r := range all {
		// A mail still pending is not sent any more: it would go to the
		// pseudonym, or carry the forgotten text.
		if _, err := t.tx.ExecContext(t.ctx, `UPDATE outbox SET to_addrs = ?, cc_addrs = ?, text = '', html = '',
			raw = NULL, last_error = CASE WHEN state = 'pending' THEN ? ELSE last_error END,
			next_attempt = NULL, state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END WHERE id = ?`,
			f.addrList(r.to), f.addrList(r.cc), "tidak dikirim: data pribadi penerima dihapus atas permintaan (UU 27/2022)", r.id); err != nil {
			return t.wrap("forget: outbox", err)
		}
	}
	_, err = t.tx.ExecContext(t.ctx, "UPDATE outbox_rcpts SET addr = ? WHERE addr = lower(?)", strings.ToLower(f.pseudonym), f.addr)
	return t.wrap("forget: outbox recipients", err)
}

// events replaces the address where an event names it.
func (f forgetter) events() error {
	t := f.t
	rows, err := t.tx.QueryContext(t.ctx, `SELECT id, actor, detail FROM events
		WHERE actor LIKE ? ESCAPE '\' OR detail LIKE ? ESCAPE '\'`, likeContains(f.addr), likeContains(f.addr))
	if err != nil {
		return t.wrap("forget: read events", err)
	}
	type row struct {
		id            int64
		actor, detail string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.actor, &r.detail); err != nil {
			rows.Close()
			return t.wrap("forget: read events", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t.wrap("forget: read events", err)
	}
	for _, r := range all {
		if _, err := t.tx.ExecContext(t.ctx, "UPDATE events SET actor = ?, detail = ?, redacted_at = ? WHERE id = ?",
			mailproc.ReplaceAddr(r.actor, f.addr, f.pseudonym), mailproc.ReplaceAddr(r.detail, f.addr, f.pseudonym),
			timeArg(f.now), r.id); err != nil {
			return t.wrap("forget: event", err)
		}
	}
	return nil
}

// RedactedFiles returns the archive paths of redacted mails that no whole
// mail still names: the files to delete from the
// archive (and its mirror). Deleting them again is harmless.
func (db *DB) RedactedFiles(ctx context.Context) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT DISTINCT archive_path FROM messages r
		WHERE r.redacted_at IS NOT NULL AND r.archive_path <> ''
		AND NOT EXISTS (SELECT 1 FROM messages w WHERE w.archive_path = r.archive_path AND w.redacted_at IS NULL)
		ORDER BY archive_path`)
	if err != nil {
		return nil, wrapErr(ctx, "redacted files", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, wrapErr(ctx, "redacted files", err)
		}
		out = append(out, p)
	}
	return out, wrapErr(ctx, "redacted files", rows.Err())
}

// HasMessageID reports whether a stored mail has that Message-ID.
func (db *DB) HasMessageID(ctx context.Context, messageID string) (bool, error) {
	var n int
	err := db.db.QueryRowContext(ctx, "SELECT count(*) FROM messages WHERE message_id = ?", messageID).Scan(&n)
	return n > 0, wrapErr(ctx, "find message id", err)
}

// LatestArrival is the newest INTERNALDATE (or, without one, storing time)
// of any stored mail; zero when there is none.
func (db *DB) LatestArrival(ctx context.Context) (time.Time, error) {
	var at time.Time
	err := db.db.QueryRowContext(ctx, "SELECT max(coalesce(arrived_at, received_at)) FROM messages").Scan(timeCol{&at})
	return at, wrapErr(ctx, "latest arrival", err)
}

// RaiseCounter makes sure the next number of kind in year is above seq: a
// number already given out (seen in the Sent folder after a restore) is
// never given again.
func (db *DB) RaiseCounter(ctx context.Context, kind mailproc.Kind, year, seq int) error {
	_, err := db.db.ExecContext(ctx, `INSERT INTO case_counters (kind, year, last) VALUES (?, ?, ?)
		ON CONFLICT (kind, year) DO UPDATE SET last = max(last, excluded.last)`, string(kind), year, seq)
	return wrapErr(ctx, "raise counter", err)
}

// SkipNumbers moves the counter of every kind in year on by n: after a
// restore, the cases the backup lacked used at most one number each, and
// each came from a mail recover takes again, so skipping as many numbers as
// mails taken again never gives a number twice (it leaves gaps instead).
func (db *DB) SkipNumbers(ctx context.Context, year, n int) error {
	if n <= 0 {
		return nil
	}
	for _, kind := range []mailproc.Kind{mailproc.KindInformasi, mailproc.KindAduan} {
		if _, err := db.db.ExecContext(ctx, `INSERT INTO case_counters (kind, year, last) VALUES (?, ?, ?)
			ON CONFLICT (kind, year) DO UPDATE SET last = last + excluded.last`, string(kind), year, n); err != nil {
			return wrapErr(ctx, "skip numbers", err)
		}
	}
	return nil
}

// Compact rewrites the database file and empties the WAL, so the bytes of
// blanked content leave the free pages of the file and the log too (a
// personal-data request means the content is gone from this disk, not
// merely unreachable). It locks the database for as long as the rewrite
// takes; intake waits and retries.
func (db *DB) Compact(ctx context.Context) error {
	if _, err := db.db.ExecContext(ctx, "VACUUM"); err != nil {
		return wrapErr(ctx, "vacuum", err)
	}
	_, err := db.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return wrapErr(ctx, "checkpoint", err)
}
