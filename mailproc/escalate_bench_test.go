package mailproc_test

// Benchmarks of the escalation scheduler (docs/benchmarks.md):
//
//	go test -run '^$' -bench 'BenchmarkNextEscalation|BenchmarkEscalationLateness' -benchtime 1x ./mailproc/

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
	"github.com/dpk-kampar/mailproc/mailproc/template"
)

// openCases fills a database with n open cases whose escalations are due
// at due(i).
func openCases(b *testing.B, db *sqlite.DB, n int, due func(i int) time.Time) {
	b.Helper()
	for start := 0; start < n; start += 5000 {
		err := db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
			for i := start; i < min(start+5000, n); i++ {
				c := &mailproc.Case{Number: mailproc.FormatNumber(mailproc.KindAduan, 2026, i+1), Kind: mailproc.KindAduan,
					State: mailproc.StateDiakui, CitizenAddr: fmt.Sprintf("warga%d@gmail.com", i), Subject: "Aduan",
					OpenedAt: time.Now(), DueAt: due(i), EscalateAt: due(i)}
				if err := tx.CreateCase(c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNextEscalation: with 100,000 open cases, the time to find the
// next deadline (what the scheduler asks before it sleeps).
func BenchmarkNextEscalation(b *testing.B) {
	db, err := sqlite.Open(filepath.Join(b.TempDir(), "mailproc.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	base := time.Now().Add(time.Hour)
	openCases(b, db, 100000, func(i int) time.Time { return base.Add(time.Duration(i*7919%100000) * time.Second) })
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok, err := db.NextEscalation(context.Background()); err != nil || !ok {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/lookup")
}

// BenchmarkEscalationLateness: 1,000 cases fall due within one minute; the
// real scheduler (real clock, real SQLite, real templates) escalates them.
// Lateness is the time from each deadline to the commit of its escalation.
func BenchmarkEscalationLateness(b *testing.B) {
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		db, err := sqlite.Open(filepath.Join(dir, "mailproc.db"))
		if err != nil {
			b.Fatal(err)
		}
		tmpl, err := template.Load("", slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		const n = 1000
		start := time.Now().Add(5 * time.Second)
		due := func(i int) time.Time { return start.Add(time.Duration(i) * time.Minute / n) }
		openCases(b, db, n, due)
		esc := mailproc.NewEscalator(mailproc.Escalator{Store: db, Next: db.NextEscalation,
			Composer: &mailproc.Composer{Desk: mailproc.Desk{Name: "Layanan", Address: desk, Location: time.UTC}, Renderer: tmpl,
				Tokens: mailproc.Tokens{Secret: []byte("rahasia-rahasia-rahasia-rahasia-0123")}},
			Directory: mailproc.Directory{People: []mailproc.Person{{Title: "Kepala Seksi Pelayanan", Addr: "kasi@pustakaarsip.kamparkab.go.id", Role: mailproc.RoleHead, Level: 1}}},
			Timer:     mailproc.FixedClock{}, DigestOver: 1000, Logger: slog.New(slog.DiscardHandler)})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { esc.Run(ctx); close(done) }()
		deadline := time.Now().Add(2 * time.Minute)
		for {
			if _, ok, _ := db.NextEscalation(context.Background()); !ok || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		cancel()
		<-done
		var late []time.Duration
		list, _ := db.ListCases(context.Background(), sqlite.CaseFilter{})
		for _, c := range list {
			events, _ := db.Timeline(context.Background(), c.ID)
			for _, e := range events {
				if e.Type == mailproc.EventEscalated {
					_, _, seq, _ := mailproc.ParseNumber(c.Number)
					late = append(late, e.At.Sub(due(seq-1)))
				}
			}
		}
		db.Close()
		if len(late) != n {
			b.Fatalf("%d of %d escalated", len(late), n)
		}
		slices.Sort(late)
		p50, p99 := late[n/2], late[n*99/100]
		b.ReportMetric(p50.Seconds(), "late-p50-s")
		b.ReportMetric(p99.Seconds(), "late-p99-s")
		b.Logf("%d escalations due within one minute: lateness p50 %v, p99 %v, max %v", n, p50, p99, late[n-1])
	}
}
