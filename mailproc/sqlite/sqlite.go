// Package sqlite keeps the desk's durable memory — cases, their logs, every
// stored mail, the quarantine and the intake's bookmarks — in one SQLite
// file. It implements mailproc.Store and the read side the CLI needs.
//
// The file is opened in WAL mode with synchronous=FULL: the IMAP adapter
// moves a mail out of the inbox as soon as its intake transaction commits,
// so a commit must survive a power loss, or the mail would be gone from
// both places.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Compile-time checks that DB is what the rest of mailproc expects.
var (
	_ mailproc.Store     = (*DB)(nil)
	_ mailproc.Bookmarks = (*DB)(nil)
)

// DB is an open mailproc database.
type DB struct {
	db   *sql.DB
	path string

	// Now is the clock used for the times the store stamps itself
	// (updated_at, received_at, event and delivery times left zero). Tests
	// replace it; it defaults to time.Now.
	Now func() time.Time

	// OpsNoticeInterval coalesces ops notices per kind (desk.ops_notice_interval);
	// 0 means mailproc.DefaultOpsNoticeInterval.
	OpsNoticeInterval time.Duration

	// How a busy database is retried by Intake. Tests shorten them.
	busyRetries int
	busyBackoff time.Duration

	ckpt *checkpointer // checkpoint.go
}

// Defaults for a production database.
const (
	defaultBusyTimeout = 5 * time.Second
	defaultBusyRetries = 3
	defaultBusyBackoff = 100 * time.Millisecond
)

// Open opens (creating if needed) the database at path, creates the schema
// in an empty file, upgrades an older one, and refuses one written by a
// newer mailproc. path must be a file: ":memory:" would give every pooled
// connection its own empty database.
func Open(path string) (*DB, error) {
	return open(path, defaultBusyTimeout)
}

// open is Open with a busy timeout, so tests can provoke SQLITE_BUSY
// without waiting five seconds.
func open(path string, busyTimeout time.Duration) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: need a plain file path", path)
	}
	if strings.ContainsRune(path, '?') {
		// go-sqlite3 would take everything after '?' as DSN parameters.
		return nil, fmt.Errorf("sqlite: open %q: path must not contain '?'", path)
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	// Every transaction this package begins writes, and a deferred one that
	// later tries to write can fail with SQLITE_BUSY without waiting; taking
	// the write lock at BEGIN makes the busy timeout apply.
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "FULL")
	// database/sql prepares a statement again for every call; a group
	// commit runs the same few dozen statements for every mail, and
	// preparing them was a fifth of its CPU time. go-sqlite3 keeps this
	// many prepared statements per connection (SQLite re-prepares one
	// whose schema changed by itself).
	q.Set("_stmt_cache_size", "128")
	sqlDB, err := sql.Open("sqlite3", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db := &DB{
		db:          sqlDB,
		path:        path,
		Now:         time.Now,
		busyRetries: defaultBusyRetries,
		busyBackoff: defaultBusyBackoff,
	}
	ctx := context.Background()
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, wrapErr(ctx, "open "+path, err)
	}
	if err := migrate(ctx, sqlDB); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.startCheckpointer()
	return db, nil
}

// Close closes the database. The last connection to close checkpoints the
// WAL into the main file.
func (db *DB) Close() error {
	db.stopCheckpointer()
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("sqlite: close %s: %w", db.path, err)
	}
	return nil
}

// now is the store's clock, in UTC and at the precision times are stored in,
// so a time stamped here reads back equal.
func (db *DB) now() time.Time {
	f := db.Now
	if f == nil {
		f = time.Now
	}
	return f().UTC().Truncate(time.Millisecond)
}

// querier is what *sql.DB and *sql.Tx have in common, so the finders serve
// both the intake transaction and the read side.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Times are stored as INTEGER milliseconds since the Unix epoch in UTC. Go's
// zero time.Time (not known, not reached yet) is NULL. These two functions
// and the timeCol scanner are the only places that convert.

// timeArg is the column value of t.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// timeCol scans a time column into *T: NULL becomes the zero time, a number
// becomes that instant in UTC.
type timeCol struct{ T *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.T = time.Time{}
	case int64:
		*c.T = time.UnixMilli(v).UTC()
	default:
		return fmt.Errorf("time column holds %T, want INTEGER milliseconds", src)
	}
	return nil
}

var _ sql.Scanner = timeCol{}

// idArg is the column value of a row id: 0 means "none" and is NULL.
func idArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// wrapErr adds what was being done to err and classifies it. If ctx has
// ended, its error is attached, because the driver often reports an
// interrupted statement or a closed transaction rather than the
// cancellation that caused it.
func wrapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	return classify(ctx, fmt.Errorf("sqlite: %s: %w", op, err))
}

// classify attaches ctx's error to err if ctx has ended, and marks err
// temporary when it means "try later" (see isTemporary).
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%w)", err, ctxErr)
	}
	if sqliteCode(err) == sqlite3.ErrFull {
		err = fmt.Errorf("%w (%w)", err, mailproc.ErrDiskFull)
	}
	if isTemporary(err) {
		return mailproc.TemporaryError(err)
	}
	return err
}

// isTemporary reports whether err means the operation may succeed if tried
// again later, unchanged: another writer holds the lock, the disk is full or
// failing, the file cannot be opened or written right now, or the caller
// gave up. Constraint violations, bad SQL and corruption are not: retrying
// them would fail the same way.
func isTemporary(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) {
		return true
	}
	switch sqliteCode(err) {
	case sqlite3.ErrBusy, sqlite3.ErrLocked, sqlite3.ErrFull, sqlite3.ErrIoErr,
		sqlite3.ErrCantOpen, sqlite3.ErrReadonly, sqlite3.ErrInterrupt:
		return true
	}
	return false
}

// isBusy reports whether err is another connection holding the lock, which
// Intake retries by itself.
func isBusy(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.ErrBusy || c == sqlite3.ErrLocked
}

// sqliteCode is the primary SQLite result code in err's chain, or 0.
func sqliteCode(err error) sqlite3.ErrNo {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code
	}
	var pse *sqlite3.Error
	if errors.As(err, &pse) && pse != nil {
		return pse.Code
	}
	var no sqlite3.ErrNo
	if errors.As(err, &no) {
		return no
	}
	var ext sqlite3.ErrNoExtended
	if errors.As(err, &ext) {
		return sqlite3.ErrNo(int(ext) & 0xff)
	}
	return 0
}
