package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Staff notifications held for a burst digest (mailproc/digest_burst.go):
// outbox.burst is 1 while one is held, 2 once a digest listed it (or it
// was released without one). Either way it sorts in mailproc.LaneBurst.

var _ mailproc.BurstStore = (*DB)(nil)

// The queries, each reading only what its index finds (TestBurstQueryPlans):
// the count stops at its limit in outbox_purpose_created, and the held
// rows are found in the partial index outbox_burst_held.
const (
	countQueuedUpToQuery = `SELECT count(*) FROM
		(SELECT 1 FROM outbox WHERE purpose = ? AND created_at >= ? LIMIT ?)`
	heldSpanQuery = `SELECT min(created_at), max(created_at), count(*), count(DISTINCT case_id)
		FROM outbox WHERE burst = 1`
	heldCasesQuery = "SELECT " + caseColumns + ` FROM cases
		WHERE id IN (SELECT case_id FROM outbox WHERE burst = 1)
		ORDER BY due_at IS NULL, due_at, id LIMIT ?`
	releaseHeldQuery = `UPDATE outbox SET burst = 2,
		next_attempt = CASE WHEN state = 'pending' AND next_attempt > ? THEN ? ELSE next_attempt END
		WHERE burst = 1`
)

// CountQueuedUpTo implements mailproc.IntakeTx: CountQueued, but it reads
// at most limit index entries.
func (t *intakeTx) CountQueuedUpTo(purpose mailproc.Purpose, since time.Time, limit int) (int, error) {
	var n int
	err := t.tx.QueryRowContext(t.ctx, countQueuedUpToQuery, string(purpose), ceilMilli(since), limit).Scan(&n)
	return n, t.wrap("count "+string(purpose)+" mail", err)
}

// FlushBurstDigest implements mailproc.BurstStore.
func (db *DB) FlushBurstDigest(ctx context.Context, now time.Time, due func(oldest, newest time.Time) bool, limit int,
	compose func(cases []*mailproc.Case, total int) (*mailproc.OutgoingMail, error)) (int, error) {
	released := 0
	err := db.write(ctx, "flush burst digest", func(t *intakeTx) error {
		released = 0
		var oldest, newest sql.NullInt64
		var held, total int
		err := t.tx.QueryRowContext(t.ctx, heldSpanQuery).Scan(&oldest, &newest, &held, &total)
		if err != nil {
			return t.wrap("read held notifications", err)
		}
		if held == 0 || !due(time.UnixMilli(oldest.Int64).UTC(), time.UnixMilli(newest.Int64).UTC()) {
			return nil
		}
		rows, err := t.tx.QueryContext(t.ctx, heldCasesQuery, limit)
		if err != nil {
			return t.wrap("read held notifications' cases", err)
		}
		var cases []*mailproc.Case
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				rows.Close()
				return t.wrap("read held notifications' cases", err)
			}
			cases = append(cases, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return t.wrap("read held notifications' cases", err)
		}
		digest, err := compose(cases, total)
		if err != nil {
			return fmt.Errorf("compose burst digest: %w", err)
		}
		if digest != nil {
			if err := t.EnqueueMail(digest); err != nil {
				return err
			}
		}
		at := timeArg(now)
		if _, err := t.tx.ExecContext(t.ctx, releaseHeldQuery, at, at); err != nil {
			return t.wrap("release held notifications", err)
		}
		released = held
		return nil
	})
	return released, err
}
