package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// The suppression list: addresses whose owner reported the desk's mail as
// spam. Intake reads and extends it; `mailproc suppressions` lists it and
// takes an address off.

// Suppressed implements mailproc.IntakeTx.
func (t *intakeTx) Suppressed(addr string) (bool, error) {
	var n int
	err := t.tx.QueryRowContext(t.ctx, "SELECT count(*) FROM suppressions WHERE addr = ?", addr).Scan(&n)
	if err != nil {
		return false, t.wrap("read suppression of "+addr, err)
	}
	return n > 0, nil
}

// Suppress implements mailproc.IntakeTx.
func (t *intakeTx) Suppress(s *mailproc.Suppression) (bool, error) {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO suppressions (addr, reason, message_row_id, at)
		VALUES (?, ?, ?, ?) ON CONFLICT (addr) DO NOTHING`, s.Addr, s.Reason, idArg(s.MessageID), timeArg(s.At))
	if err != nil {
		return false, t.wrap("suppress "+s.Addr, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, t.wrap("suppress "+s.Addr, err)
	}
	return n > 0, nil
}

// Suppressions lists the suppression list, newest first.
func (db *DB) Suppressions(ctx context.Context) ([]mailproc.Suppression, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT addr, reason, message_row_id, at FROM suppressions ORDER BY at DESC, addr")
	if err != nil {
		return nil, wrapErr(ctx, "list suppressions", err)
	}
	defer rows.Close()
	var out []mailproc.Suppression
	for rows.Next() {
		var s mailproc.Suppression
		var msg sql.NullInt64
		if err := rows.Scan(&s.Addr, &s.Reason, &msg, timeCol{&s.At}); err != nil {
			return nil, wrapErr(ctx, "list suppressions", err)
		}
		s.MessageID = msg.Int64
		out = append(out, s)
	}
	return out, wrapErr(ctx, "list suppressions", rows.Err())
}

// Unsuppress takes addr off the suppression list; mailproc.ErrNotFound if
// it was not on it.
func (db *DB) Unsuppress(ctx context.Context, addr string) error {
	res, err := db.db.ExecContext(ctx, "DELETE FROM suppressions WHERE addr = ?", addr)
	if err != nil {
		return wrapErr(ctx, "unsuppress "+addr, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrapErr(ctx, "unsuppress "+addr, err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: %s is not on the suppression list: %w", addr, mailproc.ErrNotFound)
	}
	return nil
}

// UnlinkedMessages returns incoming mail stored on no case (robots, lists,
// reports and bounces about nothing of ours) received at or after since,
// oldest first.
func (db *DB) UnlinkedMessages(ctx context.Context, since time.Time) ([]*mailproc.Message, error) {
	msgs, _, err := queryMessages(ctx, db.db, unlinkedWhere+" AND received_at >= ?", since.UnixMilli())
	return msgs, err
}

// unlinkedWhere selects incoming mail on no case.
const unlinkedWhere = "WHERE case_id IS NULL AND direction = 'in'"

// UnlinkedMessages implements mailproc.IntakeTx.
func (t *intakeTx) UnlinkedMessages(since, until time.Time) ([]*mailproc.Message, error) {
	msgs, _, err := queryMessages(t.ctx, t.tx, unlinkedWhere+" AND received_at >= ? AND received_at < ?", since.UnixMilli(), until.UnixMilli())
	if err != nil {
		return nil, t.wrap("unlinked mail", err)
	}
	return msgs, nil
}
