package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// holdOpsNotice coalesces an ops notice (mailproc.OpsNoticeNow): when the
// last notice of its kind went out less than OpsNoticeInterval ago, m is
// held for the digest instead of queued (held reports that; m.ID stays 0).
// Otherwise the kind is marked sent now and the caller queues m.
func (t *intakeTx) holdOpsNotice(m *mailproc.OutgoingMail) (held bool, err error) {
	op := "ops notice " + m.OpsKind
	now := t.db.now()
	last, err := t.opsNoticeSentAt(m.OpsKind)
	if err != nil {
		return false, t.wrap(op, err)
	}
	if mailproc.OpsNoticeNow(last, now, t.db.opsNoticeInterval()) {
		return false, t.markOpsNoticeSent(m.OpsKind, now)
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO ops_notice_held (kind, at, subject, text) VALUES (?, ?, ?, ?)`,
		m.OpsKind, timeArg(now), m.Subject, m.Text)
	return err == nil, t.wrap(op+": hold", err)
}

func (t *intakeTx) opsNoticeSentAt(kind string) (time.Time, error) {
	var at int64
	err := t.tx.QueryRowContext(t.ctx, `SELECT at FROM ops_notice_sent WHERE kind = ?`, kind).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(at).UTC(), nil
}

func (t *intakeTx) markOpsNoticeSent(kind string, at time.Time) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO ops_notice_sent (kind, at) VALUES (?, ?)
		ON CONFLICT (kind) DO UPDATE SET at = excluded.at`, kind, timeArg(at))
	return t.wrap("ops notice "+kind+": mark sent", err)
}

// FlushOpsDigests implements mailproc.OpsDigestStore.
func (db *DB) FlushOpsDigests(ctx context.Context, now time.Time, interval time.Duration,
	compose func(kind string, held []mailproc.HeldOpsNotice) (*mailproc.OutgoingMail, error)) (int, error) {
	n := 0
	err := db.write(ctx, "flush ops digests", func(t *intakeTx) error {
		n = 0
		rows, err := t.tx.QueryContext(t.ctx, `SELECT id, kind, at, subject, text FROM ops_notice_held ORDER BY kind, id`)
		if err != nil {
			return t.wrap("read held ops notices", err)
		}
		byKind := map[string][]mailproc.HeldOpsNotice{}
		var kinds []string
		maxID := map[string]int64{}
		for rows.Next() {
			var h mailproc.HeldOpsNotice
			var id, at int64
			if err := rows.Scan(&id, &h.Kind, &at, &h.Subject, &h.Text); err != nil {
				rows.Close()
				return t.wrap("read held ops notices", err)
			}
			h.At = time.UnixMilli(at).UTC()
			if _, ok := byKind[h.Kind]; !ok {
				kinds = append(kinds, h.Kind)
			}
			byKind[h.Kind] = append(byKind[h.Kind], h)
			maxID[h.Kind] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return t.wrap("read held ops notices", err)
		}
		for _, kind := range kinds {
			last, err := t.opsNoticeSentAt(kind)
			if err != nil {
				return t.wrap("ops notice "+kind, err)
			}
			if !mailproc.OpsNoticeNow(last, now, interval) {
				continue
			}
			digest, err := compose(kind, byKind[kind])
			if err != nil {
				return fmt.Errorf("compose ops digest %s: %w", kind, err)
			}
			digest.OpsKind = "" // the digest is this interval's notice: never held itself
			if err := t.EnqueueMail(digest); err != nil {
				return err
			}
			if err := t.markOpsNoticeSent(kind, now); err != nil {
				return err
			}
			if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM ops_notice_held WHERE kind = ? AND id <= ?`, kind, maxID[kind]); err != nil {
				return t.wrap("forget held ops notices", err)
			}
			n++
		}
		return nil
	})
	return n, err
}

// SetDeskStateOnce implements mailproc.IntakeTx: it records key the first
// time and reports whether this was the first.
func (t *intakeTx) SetDeskStateOnce(key, value string, at time.Time) (bool, error) {
	res, err := t.tx.ExecContext(t.ctx, `INSERT INTO desk_state (key, value, at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
		key, value, timeArg(at))
	if err != nil {
		return false, t.wrap("desk state "+key, err)
	}
	n, err := res.RowsAffected()
	return n == 1, t.wrap("desk state "+key, err)
}

// DeskState returns the value of a desk-state key and when it was set; ok
// is false when it never was.
func (db *DB) DeskState(ctx context.Context, key string) (value string, at time.Time, ok bool, err error) {
	var ms int64
	err = db.db.QueryRowContext(ctx, `SELECT value, at FROM desk_state WHERE key = ?`, key).Scan(&value, &ms)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, wrapErr(ctx, "desk state "+key, err)
	}
	return value, time.UnixMilli(ms).UTC(), true, nil
}

// CountQueued implements mailproc.IntakeTx.
func (t *intakeTx) CountQueued(purpose mailproc.Purpose, since time.Time) (int, error) {
	var n int
	err := t.tx.QueryRowContext(t.ctx, `SELECT count(*) FROM outbox WHERE purpose = ? AND created_at >= ?`,
		string(purpose), ceilMilli(since)).Scan(&n)
	return n, t.wrap("count "+string(purpose)+" mail", err)
}

func (db *DB) opsNoticeInterval() time.Duration {
	if db.OpsNoticeInterval > 0 {
		return db.OpsNoticeInterval
	}
	return mailproc.DefaultOpsNoticeInterval
}
