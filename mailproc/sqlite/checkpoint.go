package sqlite

import (
	"context"
	"sync"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// checkpointEvery is the least time between two checkpoints: in a burst,
// one for every few batches, as SQLite's own 1,000-page threshold gave.
const checkpointEvery = 250 * time.Millisecond

// checkpointer copies the write-ahead log into the database file after
// intake transactions, which do not do it themselves (forIntake): a PASSIVE
// checkpoint on a connection of its own, so it runs beside the next intake
// (a writer can append to the log while a checkpoint copies what was
// committed before) instead of inside its COMMIT.
type checkpointer struct {
	ring    mailproc.Wakeup
	stop    chan struct{}
	stopped sync.Once
	done    chan struct{}
	// observe, when set (tests), hears the outcome of each checkpoint:
	// the log's frames and how many of them are in the database file now.
	observe func(frames, copied int, err error)
}

// startCheckpointer starts the checkpointer; Close stops it.
func (db *DB) startCheckpointer() {
	db.ckpt = &checkpointer{ring: mailproc.NewWakeup(), stop: make(chan struct{}), done: make(chan struct{})}
	go db.checkpointLoop(db.ckpt)
}

func (db *DB) checkpointLoop(c *checkpointer) {
	defer close(c.done)
	for {
		select {
		case <-c.stop:
			return
		case <-c.ring:
		}
		frames, copied, err := db.checkpoint()
		if c.observe != nil {
			c.observe(frames, copied, err)
		}
		// A failed checkpoint is tried again after the next intake; the
		// log meanwhile only grows, and every other writer still
		// checkpoints past 1,000 pages.
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// checkpoint runs one PASSIVE checkpoint: it copies what no reader still
// needs, and waits for nobody.
func (db *DB) checkpoint() (frames, copied int, err error) {
	var busy int
	err = db.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	return frames, copied, err
}

// stopCheckpointer ends the checkpointer and waits for it. A ring after
// that (an intake racing Close) is heard by nobody, harmlessly.
func (db *DB) stopCheckpointer() {
	db.ckpt.stopped.Do(func() { close(db.ckpt.stop) })
	<-db.ckpt.done
}
