package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	mhttp "github.com/dpk-kampar/mailproc/mailproc/http"
)

// randomCases makes n cases spread over three months before now, in every
// kind and state, some escalated, answered, closed or owing a follow-up.
func randomCases(n int, now time.Time, seed uint64) []*mailproc.Case {
	rng := rand.New(rand.NewPCG(seed, 14))
	states := []mailproc.State{mailproc.StateBaru, mailproc.StateDiakui, mailproc.StateDijawab, mailproc.StateSelesai, mailproc.StateDieskalasi}
	var out []*mailproc.Case
	for i := range n {
		kind := mailproc.KindInformasi
		if rng.IntN(2) == 0 {
			kind = mailproc.KindAduan
		}
		opened := now.Add(-time.Duration(rng.Int64N(int64(90 * 24 * time.Hour))))
		c := newCase(fmt.Sprintf("X-%06d", i), kind, opened)
		c.State = states[rng.IntN(len(states))]
		c.DueAt = opened.Add(time.Duration(rng.Int64N(int64(10 * 24 * time.Hour))))
		if rng.IntN(10) == 0 {
			c.DueAt = time.Time{}
		}
		c.EscalationLevel = max(rng.IntN(6)-2, 0)
		if c.State == mailproc.StateDijawab || c.State == mailproc.StateSelesai || rng.IntN(4) == 0 {
			c.FirstAnswerAt = opened.Add(time.Duration(rng.Int64N(int64(20 * 24 * time.Hour))))
		}
		if c.State == mailproc.StateSelesai {
			c.ClosedAt = opened.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
		}
		c.NeedsFollowUp = rng.IntN(5) == 0
		out = append(out, c)
	}
	return out
}

func createCases(t testing.TB, db *DB, cases []*mailproc.Case) {
	t.Helper()
	if err := db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
		for _, c := range cases {
			if err := tx.CreateCase(c); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestDeskFiguresMatchCounting: the SQL aggregates give exactly the figures
// that counting every case (http.Stats.AddCases, the status page's own
// definition) gives.
func TestDeskFiguresMatchCounting(t *testing.T) {
	db := openTest(t)
	wib := time.FixedZone("WIB", 7*3600)
	now := time.Date(2026, 11, 17, 10, 30, 15, 500_000_000, wib)
	createCases(t, db, randomCases(2000, now, 1))
	cases, err := db.ListCases(context.Background(), CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := mhttp.Stats{Now: now}
	want.AddCases(cases)

	f, err := db.DeskFigures(context.Background(), now, want.Month.Start)
	if err != nil {
		t.Fatal(err)
	}
	var byKS []mhttp.CaseCount
	for _, k := range f.ByKindState {
		byKS = append(byKS, mhttp.CaseCount{Kind: k.Kind, State: k.State, N: k.N})
	}
	if !reflect.DeepEqual(byKS, want.Cases) {
		t.Errorf("by kind and state:\n got %v\nwant %v", byKS, want.Cases)
	}
	esc := map[int]int{}
	for _, l := range want.Escalated {
		esc[l.Level] = l.N
	}
	if !reflect.DeepEqual(f.Escalated, esc) {
		t.Errorf("escalated = %v, want %v", f.Escalated, esc)
	}
	if f.Open != want.Open {
		t.Errorf("open = %d, want %d", f.Open, want.Open)
	}
	if f.OverdueN != len(want.Overdue) || len(want.Overdue) <= OverdueListMax {
		t.Errorf("overdue = %d, want %d (and more than the %d listed, for the test to mean something)", f.OverdueN, len(want.Overdue), OverdueListMax)
	}
	if len(f.Overdue) != OverdueListMax {
		t.Fatalf("%d overdue listed, want %d", len(f.Overdue), OverdueListMax)
	}
	for i, c := range f.Overdue {
		if !c.DueAt.Equal(want.Overdue[i].DueAt) {
			t.Errorf("overdue %d: due %v, want %v (most overdue first)", i, c.DueAt, want.Overdue[i].DueAt)
			break
		}
	}
	if len(want.OpenCases) <= OpenListMax || len(f.OpenCases) != OpenListMax {
		t.Fatalf("%d open listed of %d, want %d (fewer than all, for the test to mean something)", len(f.OpenCases), len(want.OpenCases), OpenListMax)
	}
	for i, c := range f.OpenCases {
		if w := want.OpenCases[i]; c.Number != w.Number || c.Subject != w.Subject || !c.OpenedAt.Equal(w.OpenedAt) {
			t.Errorf("open %d: %s %q opened %v, want %s %q opened %v (oldest first)", i, c.Number, c.Subject, c.OpenedAt, w.Number, w.Subject, w.OpenedAt)
			break
		}
	}
	got := mhttp.MonthFigures{Start: want.Month.Start, Informasi: f.Informasi, Aduan: f.Aduan, Answered: f.Answered,
		AnsweredOnTime: f.AnsweredOnTime, Closed: f.Closed, Escalated: f.Escalations}
	for _, ch := range mailproc.Channels {
		got.AddChannel(ch, f.Channels[ch])
	}
	if !reflect.DeepEqual(got, want.Month) {
		t.Errorf("month:\n got %+v\nwant %+v", got, want.Month)
	}
}

// TestDeskFiguresQueryPlans: no query of DeskFigures reads the cases
// table row by row; each searches or scans an index.
func TestDeskFiguresQueryPlans(t *testing.T) {
	db := openTest(t)
	for _, q := range []string{
		`SELECT kind, state, count(*) FROM cases GROUP BY kind, state ORDER BY kind, state`,
		`SELECT channel, count(*) FROM cases INDEXED BY cases_opened_kind WHERE opened_at >= 0 GROUP BY channel`,
		`SELECT count(*) FROM cases WHERE ` + overdueWhere,
		`SELECT number FROM cases WHERE state IN ('baru', 'diakui', 'dijawab', 'dieskalasi') ORDER BY opened_at, id LIMIT 100`,
		`SELECT count(*) FROM cases WHERE opened_at >= 0 AND kind = 'aduan'`,
		`SELECT count(*) FROM cases WHERE first_answer_at >= 0 AND (due_at IS NULL OR first_answer_at <= due_at)`,
		`SELECT count(*) FROM cases WHERE closed_at >= 0 AND state = 'selesai'`,
	} {
		rows, err := db.db.Query("EXPLAIN QUERY PLAN "+q, 0)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			if detail == "SCAN cases" {
				t.Errorf("%s\nreads the whole table: %s", q, detail)
			}
		}
		rows.Close()
	}
}

// BenchmarkDeskFigures100k times DeskFigures over 100,000 cases (the
// /metrics goal: ≤ 50 ms): three years of a desk's history, every case
// older than a month closed, the last month's 2,000 in every state (so a
// few hundred open, many of them overdue):
//
//	go test -run '^$' -bench DeskFigures -benchtime 20x ./mailproc/sqlite
func BenchmarkDeskFigures100k(b *testing.B) {
	db := openAt(b, b.TempDir()+"/mailproc.db")
	now := time.Now()
	old := randomCases(98_000, now.AddDate(0, -1, 0), 2)
	for i, c := range old {
		c.Number = fmt.Sprintf("L-%06d", i)
		c.OpenedAt = now.AddDate(-3, 0, 0).Add(time.Duration(i) * 16 * time.Minute)
		c.DueAt = c.OpenedAt.Add(time.Hour)
		c.State, c.FirstAnswerAt, c.ClosedAt = mailproc.StateSelesai, c.OpenedAt.Add(30*time.Minute), c.OpenedAt.Add(48*time.Hour)
	}
	createCases(b, db, old)
	recent := randomCases(2000, now, 3)
	for _, c := range recent {
		c.OpenedAt = now.Add(-time.Duration(rand.Int64N(int64(30 * 24 * time.Hour))))
	}
	createCases(b, db, recent)
	y, mo, _ := now.Date()
	start := time.Date(y, mo, 1, 0, 0, 0, 0, now.Location())
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.DeskFigures(context.Background(), now, start); err != nil {
			b.Fatal(err)
		}
	}
}
