package sqlite

import (
	"context"
	"fmt"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// BenchmarkAddEventChained measures appending one event, hash chain
// included, to a log that already holds 1,000 or 50,000 events: the cost
// must not grow with the table (no scan). All ops of a run share one
// transaction, so the figure is the statements' cost, not the commit's
// fsync.
//
//	go test -run x -bench BenchmarkAddEventChained ./mailproc/sqlite/
func BenchmarkAddEventChained(b *testing.B) {
	for _, rows := range []int{1000, 50000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			db := openAt(b, b.TempDir()+"/bench.db")
			ctx := context.Background()
			var caseID int64
			err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
				c := &mailproc.Case{Number: "ADU-2026-00001", Kind: mailproc.KindAduan, State: mailproc.StateBaru, OpenedAt: t0}
				if err := tx.CreateCase(c); err != nil {
					return err
				}
				caseID = c.ID
				for i := range rows {
					if err := tx.AddEvent(&mailproc.Event{CaseID: c.ID, Actor: mailproc.ActorSystem,
						Type: mailproc.EventNote, Detail: fmt.Sprintf("catatan %d", i)}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			err = db.Intake(ctx, func(tx mailproc.IntakeTx) error {
				for i := 0; i < b.N; i++ {
					if err := tx.AddEvent(&mailproc.Event{CaseID: caseID, Actor: "petugas@example.id",
						Type: mailproc.EventNote, Detail: "catatan baru"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
