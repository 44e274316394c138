package sqlite

import (
	"context"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// DeskFigures are the counts behind /metrics, /healthz and the status page,
// read with SQL aggregates over indexes: a scrape costs the same with a
// hundred cases or a hundred thousand (docs/benchmarks.md).
type DeskFigures struct {
	ByKindState []KindStateCount
	Escalated   map[int]int // open cases by escalation level (> 0)
	Open        int
	// Overdue are the open cases past their promised time that still owe
	// the citizen an answer or a follow-up, most overdue first, at most
	// OverdueListMax; OverdueN counts them all.
	Overdue  []*mailproc.Case
	OverdueN int
	// OpenCases are the open cases, oldest first, at most OpenListMax.
	OpenCases []*mailproc.Case
	// This calendar month, from monthStart on.
	Informasi, Aduan, Escalations int // opened this month (Escalations: those that reached a head)
	Answered, AnsweredOnTime      int // first answered this month
	Closed                        int // closed (selesai) this month
	// Channels counts the cases opened this month per channel (kanal).
	Channels map[mailproc.Channel]int
}

// KindStateCount is the number of cases of one kind in one state.
type KindStateCount struct {
	Kind  mailproc.Kind
	State mailproc.State
	N     int
}

// OverdueListMax caps the overdue cases DeskFigures lists.
const OverdueListMax = 100

// OpenListMax caps the open cases DeskFigures lists.
const OpenListMax = 100

// overdueWhere is http.Overdue in SQL: open, a promised time before now,
// and not answered unless a follow-up is owed. It searches cases_state_due.
const overdueWhere = `state IN ('baru', 'diakui', 'dijawab', 'dieskalasi') AND due_at IS NOT NULL AND due_at < ?
	AND (state <> 'dijawab' OR needs_followup = 1)`

// DeskFigures reads the desk's figures at now; the month starts at
// monthStart (in the desk's zone, chosen by the caller).
func (db *DB) DeskFigures(ctx context.Context, now, monthStart time.Time) (*DeskFigures, error) {
	f := &DeskFigures{Escalated: map[int]int{}}
	rows, err := db.db.QueryContext(ctx, `SELECT kind, state, count(*) FROM cases GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, wrapErr(ctx, "desk figures", err)
	}
	for rows.Next() {
		var k KindStateCount
		if err := rows.Scan(&k.Kind, &k.State, &k.N); err != nil {
			rows.Close()
			return nil, wrapErr(ctx, "desk figures", err)
		}
		f.ByKindState = append(f.ByKindState, k)
		if k.State.Open() {
			f.Open += k.N
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, "desk figures", err)
	}

	rows, err = db.db.QueryContext(ctx, `SELECT escalation_level, count(*) FROM cases
		WHERE escalation_level > 0 AND state <> 'selesai' GROUP BY escalation_level`)
	if err != nil {
		return nil, wrapErr(ctx, "desk figures: escalated", err)
	}
	for rows.Next() {
		var level, n int
		if err := rows.Scan(&level, &n); err != nil {
			rows.Close()
			return nil, wrapErr(ctx, "desk figures: escalated", err)
		}
		f.Escalated[level] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, "desk figures: escalated", err)
	}

	nowMS, startMS := ceilMilli(now), monthStart.UnixMilli() // due_at < now, as time.After on whole milliseconds
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE `+overdueWhere, nowMS).Scan(&f.OverdueN); err != nil {
		return nil, wrapErr(ctx, "desk figures: overdue", err)
	}
	if f.Overdue, err = db.caseList(ctx, "desk figures: overdue", overdueWhere+" ORDER BY due_at, id LIMIT ?", nowMS, OverdueListMax); err != nil {
		return nil, err
	}
	// The open cases through cases_state_due (one range per open state),
	// sorted: as many rows as cases are open, never the closed ones.
	if f.OpenCases, err = db.caseList(ctx, "desk figures: open", `state IN ('baru', 'diakui', 'dijawab', 'dieskalasi')
		ORDER BY opened_at, id LIMIT ?`, OpenListMax); err != nil {
		return nil, err
	}

	err = db.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM cases INDEXED BY cases_opened_kind WHERE opened_at >= ?1 AND kind = 'informasi'),
		(SELECT count(*) FROM cases INDEXED BY cases_opened_kind WHERE opened_at >= ?1 AND kind = 'aduan'),
		(SELECT count(*) FROM cases INDEXED BY cases_opened_kind WHERE opened_at >= ?1 AND escalation_level > 0),
		(SELECT count(*) FROM cases INDEXED BY cases_first_answer WHERE first_answer_at >= ?1),
		(SELECT count(*) FROM cases INDEXED BY cases_first_answer WHERE first_answer_at >= ?1 AND (due_at IS NULL OR first_answer_at <= due_at)),
		(SELECT count(*) FROM cases INDEXED BY cases_closed WHERE closed_at >= ?1 AND state = 'selesai')`, startMS).
		Scan(&f.Informasi, &f.Aduan, &f.Escalations, &f.Answered, &f.AnsweredOnTime, &f.Closed)
	if err != nil {
		return nil, wrapErr(ctx, "desk figures: month", err)
	}
	// The month's cases per channel: a range of cases_opened_kind, bounded
	// by the month, never the whole table.
	rows, err = db.db.QueryContext(ctx, `SELECT channel, count(*) FROM cases INDEXED BY cases_opened_kind
		WHERE opened_at >= ? GROUP BY channel`, startMS)
	if err != nil {
		return nil, wrapErr(ctx, "desk figures: channels", err)
	}
	defer rows.Close()
	f.Channels = map[mailproc.Channel]int{}
	for rows.Next() {
		var ch mailproc.Channel
		var n int
		if err := rows.Scan(&ch, &n); err != nil {
			return nil, wrapErr(ctx, "desk figures: channels", err)
		}
		f.Channels[ch.OrEmail()] += n
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, "desk figures: channels", err)
	}
	return f, nil
}

// caseList reads the cases WHERE where (with its ORDER BY and LIMIT).
func (db *DB) caseList(ctx context.Context, op, where string, args ...any) ([]*mailproc.Case, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT "+caseColumns+" FROM cases WHERE "+where, args...)
	if err != nil {
		return nil, wrapErr(ctx, op, err)
	}
	defer rows.Close()
	var out []*mailproc.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, wrapErr(ctx, op, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(ctx, op, err)
	}
	return out, nil
}
