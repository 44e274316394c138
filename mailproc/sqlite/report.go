package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// The monthly report's reads: the cases opened in a month and the
// escalation events of those cases.

// CasesOpenedBetween returns the cases opened in [from, to), oldest first
// (by opening time, then row id). The index cases_opened makes it a range
// scan.
func (db *DB) CasesOpenedBetween(ctx context.Context, from, to time.Time) ([]*mailproc.Case, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT "+caseColumns+
		" FROM cases WHERE opened_at >= ? AND opened_at < ? ORDER BY opened_at, id",
		from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, wrapErr(ctx, "cases opened between", err)
	}
	defer rows.Close()
	var out []*mailproc.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, wrapErr(ctx, "cases opened between", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, "cases opened between", err)
	}
	return out, nil
}

// EscalationEvents returns the escalation events (mailproc.EventEscalated)
// of the given cases, per case id, each case's oldest first. Cases without
// any are not in the map. The ids go in as one JSON array, whatever their
// number.
func (db *DB) EscalationEvents(ctx context.Context, caseIDs []int64) (map[int64][]*mailproc.Event, error) {
	out := make(map[int64][]*mailproc.Event)
	if len(caseIDs) == 0 {
		return out, nil
	}
	ids, err := json.Marshal(caseIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: escalation events: %w", err)
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT id, case_id, at, actor, type, detail, message_row_id
		FROM events WHERE type = ? AND case_id IN (SELECT value FROM json_each(?))
		ORDER BY case_id, at, id`, string(mailproc.EventEscalated), string(ids))
	if err != nil {
		return nil, wrapErr(ctx, "escalation events", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEscalationEvent(rows)
		if err != nil {
			return nil, wrapErr(ctx, "escalation events", err)
		}
		out[e.CaseID] = append(out[e.CaseID], e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, "escalation events", err)
	}
	return out, nil
}

func scanEscalationEvent(s scanner) (*mailproc.Event, error) {
	e := new(mailproc.Event)
	var msg sql.NullInt64
	if err := s.Scan(&e.ID, &e.CaseID, timeCol{&e.At}, &e.Actor, &e.Type, &e.Detail, &msg); err != nil {
		return nil, err
	}
	e.MessageID = msg.Int64
	return e, nil
}

// Ratings returns the satisfaction scores given for the cases, oldest first.
func (db *DB) Ratings(ctx context.Context, caseIDs []int64) ([]mailproc.Rating, error) {
	ids, err := json.Marshal(caseIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: ratings: %w", err)
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id, case_id, score, comment, at, message_row_id FROM ratings
		WHERE case_id IN (SELECT value FROM json_each(?)) ORDER BY at, id`, string(ids))
	if err != nil {
		return nil, wrapErr(ctx, "ratings", err)
	}
	defer rows.Close()
	var out []mailproc.Rating
	for rows.Next() {
		var r mailproc.Rating
		var msg sql.NullInt64
		if err := rows.Scan(&r.ID, &r.CaseID, &r.Score, &r.Comment, timeCol{&r.At}, &msg); err != nil {
			return nil, wrapErr(ctx, "ratings", err)
		}
		r.MessageID = msg.Int64
		out = append(out, r)
	}
	return out, wrapErr(ctx, "ratings", rows.Err())
}

// BackfillVerdicts judges every answered case that has no verdict yet — the
// cases answered before the upgrade that added verdicts — with
// mailproc.JudgeAtUpgrade on clock, and returns how many it judged. After
// the first run it finds none (the daemon judges each answer as it
// happens), and the partial index cases_undecided keeps the search to the
// undecided cases.
func (db *DB) BackfillVerdicts(ctx context.Context, clock mailproc.VerdictClock) (int, error) {
	n := 0
	err := db.write(ctx, "backfill verdicts", func(t *intakeTx) error {
		n = 0
		rows, err := t.tx.QueryContext(ctx, "SELECT "+caseColumns+
			" FROM cases WHERE verdict = '' AND first_answer_at IS NOT NULL ORDER BY id")
		if err != nil {
			return t.wrap("backfill verdicts", err)
		}
		var todo []*mailproc.Case
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				rows.Close()
				return t.wrap("backfill verdicts", err)
			}
			todo = append(todo, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return t.wrap("backfill verdicts", err)
		}
		now := db.now()
		for _, c := range todo {
			if mailproc.JudgeAtUpgrade(c, clock, now) {
				if err := t.UpdateCase(c); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}
