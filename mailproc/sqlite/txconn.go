package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"github.com/mattn/go-sqlite3"
)

// txConn runs the statements of one write transaction on the connection
// that holds it. The transaction is begun and ended by hand (BEGIN
// IMMEDIATE, COMMIT, ROLLBACK) rather than through *sql.Tx, and its
// statements run under a context that cannot be cancelled: database/sql
// starts a goroutine for every query in a *sql.Tx (to close the rows if the
// transaction's context ends), and go-sqlite3 one for every statement with
// a cancellable context (to interrupt it); with the few dozen statements an
// intake runs per mail, those goroutines were a large part of its CPU time.
//
// Cancellation still stops the transaction: every statement first checks
// the caller's context, and so does commit, so a cancelled transaction
// commits nothing. What is lost is only the interruption of one statement
// already running, and none of the transaction's statements runs long.
type txConn struct {
	conn *sql.Conn
	// ctx is the caller's context, checked before each statement.
	ctx context.Context
	// intake: the connection is set up for an intake transaction
	// (intakeSetup) for its length.
	intake bool
}

// forIntake asks beginWrite for an intake transaction: intakeSetup holds
// for its length, and end puts the defaults back (intakeReset).
//
// temp_store = MEMORY keeps the transaction's savepoint journal (the
// statement journal) in memory. SQLite saves there every page a savepoint
// changes that existed before it began, to be able to roll back to it; past
// 64 KiB it spills the journal to a temporary file. An intake changes some
// thirty such pages per mail (the rightmost leaves of every table and index
// it appends to), so its journal spilled for every mail: some fifty
// pwrite calls per mail into files under /var/tmp, the largest share of the
// system calls of a group commit. In memory it holds one mail's pages at a
// time (SQLite empties it when the savepoint is released); only the intake,
// whose savepoints are that small, asks for it, not the writes that may
// change many rows in one statement (retention, forget).
//
// wal_autocheckpoint = 0: the commit that takes the write-ahead log past
// 1,000 pages would copy them into the database file and sync it before
// its COMMIT returned — on intake's critical path, every few batches of a
// burst. The checkpointer does it beside the next intake instead
// (checkpoint.go); every other writer keeps the default.
const (
	forIntake   = true
	intakeSetup = "PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0"
	intakeReset = "PRAGMA temp_store = DEFAULT; PRAGMA wal_autocheckpoint = 1000"
)

var _ querier = (*txConn)(nil)

// quiet is the context the statements run under: ctx's values, never
// cancelled.
func quiet(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

func (c *txConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	return c.conn.ExecContext(ctx, query, args...)
}

func (c *txConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	return c.conn.QueryContext(ctx, query, args...)
}

// QueryRowContext runs the query under the caller's context once that has
// ended (a *sql.Row cannot be made with an error), so that it fails.
func (c *txConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if c.ctx.Err() != nil {
		ctx = c.ctx
	}
	return c.conn.QueryRowContext(ctx, query, args...)
}

func (c *txConn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if err := c.ctx.Err(); err != nil {
		return nil, err
	}
	return c.conn.PrepareContext(ctx, query)
}

// beginWrite takes a connection from the pool and begins a write
// transaction on it; BEGIN IMMEDIATE takes the write lock at once, so the
// busy timeout applies to it (a deferred transaction that later tries to
// write can fail with SQLITE_BUSY without waiting). It runs under the
// caller's context, so a wait for the lock ends with it. intake: see
// forIntake.
func (db *DB) beginWrite(ctx context.Context, intake bool) (*txConn, error) {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	c := &txConn{conn: conn, ctx: ctx, intake: intake}
	if intake {
		// Outside a transaction: SQLite refuses the change inside one.
		if _, err := conn.ExecContext(quiet(ctx), intakeSetup); err != nil {
			c.end()
			return nil, err
		}
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		c.end()
		return nil, err
	}
	return c, nil
}

// commit commits the transaction unless the caller's context has ended.
// The connection stays taken: end must follow.
func (c *txConn) commit() error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	_, err := c.conn.ExecContext(quiet(c.ctx), "COMMIT")
	return err
}

// end rolls back whatever the transaction has not committed, sets
// temp_store back, and gives the connection back to the pool; a connection
// still inside a transaction after that (the ROLLBACK failed), or still
// keeping temporary files in memory, is closed instead, so no later user of
// the pool inherits either.
func (c *txConn) end() {
	ctx := quiet(c.ctx)
	c.conn.Raw(func(dc any) error {
		sc, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return nil
		}
		var err error
		if !sc.AutoCommit() { // neither committed nor rolled back by SQLite itself
			if _, err = sc.ExecContext(ctx, "ROLLBACK", nil); err == nil && !sc.AutoCommit() {
				err = errors.New("still in a transaction after ROLLBACK")
			}
		}
		if err == nil && c.intake {
			_, err = sc.ExecContext(ctx, intakeReset, nil)
		}
		if err != nil {
			return errors.Join(err, driver.ErrBadConn) // discard the connection
		}
		return nil
	})
	c.conn.Close()
}

// unsynced runs one statement in a transaction of its own whose commit
// does not sync the log (synchronous = NORMAL for it): it is durable once a
// later commit on any connection syncs the log, and before that only a
// crash of the machine — not of the process — can lose it, leaving the
// database as it was before. Only for writes whose loss is harmless that
// way (SetMailboxState says why the bookmark's is). The connection goes
// back to the pool at synchronous = FULL, or is closed.
func (db *DB) unsynced(ctx context.Context, query string, args ...any) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(quiet(ctx), "PRAGMA synchronous = NORMAL"); err != nil {
		discard(conn)
		return err
	}
	_, err = conn.ExecContext(ctx, query, args...)
	if _, rerr := conn.ExecContext(quiet(ctx), "PRAGMA synchronous = FULL"); rerr != nil {
		discard(conn)
		return errors.Join(err, rerr)
	}
	return err
}

// discard makes the pool close conn when it is given back, instead of
// keeping it for the next user.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
}
