package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// The intake keeps its savepoint journal in memory (temp_store = MEMORY,
// 2) and leaves checkpoints to the checkpointer (wal_autocheckpoint = 0)
// while it holds the connection, and only then: the other writes, and
// everything after the intake on the same connection, use the defaults
// (0 and 1,000 pages).
func TestIntakeConnectionSetUpOnlyForTheIntake(t *testing.T) {
	db := openTest(t)
	db.db.SetMaxOpenConns(1) // one connection: the intake's is the next one's
	ctx := context.Background()
	settings := func(q querier) [2]int {
		t.Helper()
		var v [2]int
		for i, p := range []string{"temp_store", "wal_autocheckpoint"} {
			if err := q.QueryRowContext(ctx, "PRAGMA "+p).Scan(&v[i]); err != nil {
				t.Fatal(err)
			}
		}
		return v
	}
	intakeSet, defaults := [2]int{2, 0}, [2]int{0, 1000}
	for _, fail := range []bool{false, true} {
		var during [2]int
		db.Intake(ctx, func(tx mailproc.IntakeTx) error {
			it := tx.(*intakeTx)
			during = settings(it.tx)
			if fail {
				return mailproc.ErrNotFound
			}
			return nil
		})
		if during != intakeSet {
			t.Errorf("temp_store, wal_autocheckpoint during an intake (failing %v) = %v, want %v", fail, during, intakeSet)
		}
		if after := settings(db.db); after != defaults {
			t.Errorf("temp_store, wal_autocheckpoint after an intake (failing %v) = %v, want %v", fail, after, defaults)
		}
	}
	err := db.write(ctx, "other write", func(t *intakeTx) error {
		if v := settings(t.tx); v != defaults {
			return &Broken{Reason: fmt.Sprintf("temp_store, wal_autocheckpoint during another write = %v", v)}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// After an intake commits, the checkpointer copies the write-ahead log
// into the database file, on its own connection: all of the log, as no
// reader holds an older snapshot.
func TestCheckpointerCopiesTheLogAfterAnIntake(t *testing.T) {
	db := openTest(t)
	type outcome struct {
		frames, copied int
		err            error
	}
	heard := make(chan outcome, 10)
	db.ckpt.observe = func(frames, copied int, err error) { heard <- outcome{frames, copied, err} }
	c := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, time.Now()))
	select {
	case o := <-heard:
		if o.err != nil || o.frames == 0 || o.copied != o.frames {
			t.Errorf("checkpoint after the intake of case %d: %d frames in the log, %d copied, %v; want all copied", c.ID, o.frames, o.copied, o.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no checkpoint within 10 s of an intake")
	}
}

// The bookmark is written without a sync of its own (synchronous = NORMAL
// while it is), and the connection goes back to the pool at FULL, the
// setting every commit that must survive the machine rests on — also when
// the write fails. The bookmark reads back.
func TestBookmarkWriteLeavesTheConnectionSynced(t *testing.T) {
	db := openTest(t)
	db.db.SetMaxOpenConns(1) // one connection: the bookmark's is the next one's
	ctx := context.Background()
	synchronous := func() int {
		t.Helper()
		var v int
		if err := db.db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	st := mailproc.MailboxState{Mailbox: "INBOX", UIDValidity: 7, LastUID: 42}
	if err := db.SetMailboxState(ctx, st); err != nil {
		t.Fatal(err)
	}
	if got, err := db.MailboxState(ctx, "INBOX"); err != nil || got != st {
		t.Errorf("bookmark read back %+v, %v; want %+v", got, err, st)
	}
	if v := synchronous(); v != 2 {
		t.Errorf("PRAGMA synchronous after a bookmark = %d, want 2 (FULL)", v)
	}
	// A write that fails: the trigger below refuses every bookmark.
	if _, err := db.db.ExecContext(ctx, `CREATE TEMP TRIGGER refuse BEFORE UPDATE ON mailbox_state
		BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	if err := db.SetMailboxState(ctx, mailproc.MailboxState{Mailbox: "INBOX", UIDValidity: 7, LastUID: 43}); err == nil {
		t.Fatal("a refused bookmark was reported saved")
	}
	if v := synchronous(); v != 2 {
		t.Errorf("PRAGMA synchronous after a failed bookmark = %d, want 2 (FULL)", v)
	}
}
