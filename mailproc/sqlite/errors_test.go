package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/dpk-kampar/mailproc/mailproc"
)

func TestErrorClassification(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"busy", context.Background(), sqlite3.Error{Code: sqlite3.ErrBusy}, true},
		{"busy snapshot", context.Background(), sqlite3.Error{Code: sqlite3.ErrBusy, ExtendedCode: sqlite3.ErrBusySnapshot}, true},
		{"locked", context.Background(), sqlite3.Error{Code: sqlite3.ErrLocked}, true},
		{"full", context.Background(), sqlite3.Error{Code: sqlite3.ErrFull}, true},
		{"ioerr fsync", context.Background(), sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrFsync}, true},
		{"cantopen", context.Background(), sqlite3.Error{Code: sqlite3.ErrCantOpen}, true},
		{"readonly", context.Background(), sqlite3.Error{Code: sqlite3.ErrReadonly}, true},
		{"bare errno", context.Background(), sqlite3.ErrBusy, true},
		{"wrapped busy", context.Background(), fmt.Errorf("step: %w", sqlite3.Error{Code: sqlite3.ErrBusy}), true},
		{"context canceled", context.Background(), context.Canceled, true},
		{"deadline", context.Background(), context.DeadlineExceeded, true},
		{"interrupted by a canceled ctx", canceled, sqlite3.Error{Code: sqlite3.ErrInterrupt}, true},
		{"tx done after cancel", canceled, errors.New("sql: transaction has already been committed or rolled back"), true},
		{"constraint", context.Background(), sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique}, false},
		{"sql error", context.Background(), sqlite3.Error{Code: sqlite3.ErrError}, false},
		{"corrupt", context.Background(), sqlite3.Error{Code: sqlite3.ErrCorrupt}, false},
		{"plain", context.Background(), errors.New("no"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrapErr(tt.ctx, "insert message", tt.err)
			if got := mailproc.IsTemporary(err); got != tt.want {
				t.Errorf("IsTemporary(%v) = %v, want %v", err, got, tt.want)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("%v does not wrap %v", err, tt.err)
			}
			if got, want := mailproc.IsDiskFull(err), tt.name == "full"; got != want {
				t.Errorf("IsDiskFull(%v) = %v, want %v", err, got, want)
			}
			if want := "sqlite: insert message: "; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
				t.Errorf("error %q lacks its context", err)
			}
		})
	}
	if wrapErr(context.Background(), "x", nil) != nil {
		t.Error("wrapErr(nil) != nil")
	}
}

// holdWriteLock runs an intake on db that has written and then waits until
// release is closed. It returns once the lock is held.
func holdWriteLock(t *testing.T, db *DB, release <-chan struct{}) <-chan error {
	t.Helper()
	held := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
			if _, err := tx.NextSequence(mailproc.KindInformasi, 2026); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("holding intake ended early: %v", err)
	}
	return done
}

func TestBusyIsTemporary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailproc.db")
	holder := openAt(t, path)
	waiter, err := open(path, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer waiter.Close()
	waiter.busyRetries, waiter.busyBackoff = 2, 5*time.Millisecond

	release := make(chan struct{})
	done := holdWriteLock(t, holder, release)

	called := false
	err = waiter.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
		called = true
		return nil
	})
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("holder: %v", err)
	}
	if err == nil {
		t.Fatal("Intake succeeded while another connection held the write lock")
	}
	t.Logf("busy error: %v", err)
	if !mailproc.IsTemporary(err) {
		t.Errorf("IsTemporary(%v) = false", err)
	}
	var se sqlite3.Error
	if !errors.As(err, &se) || se.Code != sqlite3.ErrBusy {
		t.Errorf("error %v does not carry SQLITE_BUSY", err)
	}
	if called {
		t.Error("fn ran without the write lock")
	}

	// Reads are not blocked by a writer (WAL).
	release2 := make(chan struct{})
	done2 := holdWriteLock(t, holder, release2)
	if _, _, _, err := waiter.Counts(context.Background()); err != nil {
		t.Errorf("read while a write is in progress: %v", err)
	}
	close(release2)
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
}

func TestBusyIsRetried(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailproc.db")
	holder := openAt(t, path)
	waiter, err := open(path, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer waiter.Close()
	// 20ms busy wait per try, pauses of 50, 100, 200, 400, 800ms: the lock
	// is released well inside the window.
	waiter.busyRetries, waiter.busyBackoff = 5, 50*time.Millisecond

	release := make(chan struct{})
	done := holdWriteLock(t, holder, release)
	time.AfterFunc(100*time.Millisecond, func() { close(release) })

	var seq int
	err = waiter.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
		var err error
		seq, err = tx.NextSequence(mailproc.KindInformasi, 2026)
		return err
	})
	if err != nil {
		t.Fatalf("Intake was not retried until the lock was free: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if seq != 2 {
		t.Errorf("sequence = %d, want 2", seq)
	}
}

func TestCanceledIntakeIsTemporary(t *testing.T) {
	db := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := db.Intake(ctx, func(tx mailproc.IntakeTx) error { return nil })
	if err == nil || !mailproc.IsTemporary(err) {
		t.Errorf("Intake with a canceled context = %v, want a temporary error", err)
	}

	// Canceled in the middle: what fn does after fails, and nothing commits.
	ctx, cancel = context.WithCancel(context.Background())
	err = db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		if err := tx.CreateCase(newCase("INF-2026-00001", mailproc.KindInformasi, t0)); err != nil {
			return err
		}
		cancel()
		_, err := tx.NextSequence(mailproc.KindInformasi, 2026)
		return err
	})
	if err == nil || !mailproc.IsTemporary(err) {
		t.Errorf("Intake canceled midway = %v, want a temporary error", err)
	}
	if n, _, _, _ := db.Counts(context.Background()); n != 0 {
		t.Errorf("%d cases committed by a canceled intake", n)
	}
}

// A transaction whose caller gave up commits nothing even when fn ignores
// the failed statements and returns nil: commit checks the context too.
func TestCanceledIntakeCommitsNothingEvenIfFnSucceeds(t *testing.T) {
	db := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		if err := tx.CreateCase(newCase("INF-2026-00001", mailproc.KindInformasi, t0)); err != nil {
			return err
		}
		cancel()
		tx.CreateCase(newCase("INF-2026-00002", mailproc.KindInformasi, t0)) // fails; ignored
		return nil
	})
	if err == nil || !mailproc.IsTemporary(err) {
		t.Errorf("Intake canceled before its commit = %v, want a temporary error", err)
	}
	if n, _, _, _ := db.Counts(context.Background()); n != 0 {
		t.Errorf("%d cases committed by a canceled intake", n)
	}
}

// A failed or panicking transaction leaves no connection of the pool inside
// a transaction: the next writes take the write lock at once and commit.
func TestFailedIntakeLeavesNoOpenTransaction(t *testing.T) {
	db, err := open(filepath.Join(t.TempDir(), "m.db"), 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.busyRetries = 0
	ctx := context.Background()
	failed := errors.New("placement failed")
	err = db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		if err := tx.CreateCase(newCase("INF-2026-00001", mailproc.KindInformasi, t0)); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("Intake = %v, want the error fn returned", err)
	}
	func() {
		defer func() { recover() }()
		db.Intake(ctx, func(tx mailproc.IntakeTx) error {
			tx.CreateCase(newCase("INF-2026-00002", mailproc.KindInformasi, t0))
			panic("placement panicked")
		})
	}()
	for i := range 3 { // more writes than the one connection that failed
		err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
			return tx.CreateCase(newCase(fmt.Sprintf("INF-2026-%05d", 10+i), mailproc.KindInformasi, t0))
		})
		if err != nil {
			t.Fatalf("write %d after the failed ones: %v", i, err)
		}
	}
	if n, _, _, _ := db.Counts(ctx); n != 3 {
		t.Errorf("%d cases, want the 3 of the writes that succeeded", n)
	}
}
