package sqlite

import (
	"context"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// The intake keeps its savepoint journal in memory (temp_store = MEMORY,
// 2) while it holds the connection, and only then: the other writes, and
// everything after the intake on the same connection, use the default (0).
func TestIntakeJournalInMemoryOnlyForTheIntake(t *testing.T) {
	db := openTest(t)
	db.db.SetMaxOpenConns(1) // one connection: the intake's is the next one's
	ctx := context.Background()
	tempStore := func(q querier) int {
		t.Helper()
		var v int
		if err := q.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, fail := range []bool{false, true} {
		var during int
		db.Intake(ctx, func(tx mailproc.IntakeTx) error {
			it := tx.(*intakeTx)
			during = tempStore(it.tx)
			if fail {
				return mailproc.ErrNotFound
			}
			return nil
		})
		if during != 2 {
			t.Errorf("temp_store during an intake (failing %v) = %d, want 2 (memory)", fail, during)
		}
		if after := tempStore(db.db); after != 0 {
			t.Errorf("temp_store after an intake (failing %v) = %d, want 0 (default)", fail, after)
		}
	}
	err := db.write(ctx, "other write", func(t *intakeTx) error {
		if v := tempStore(t.tx); v != 0 {
			return &Broken{Reason: "temp_store during another write is not the default"}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
