package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	resources "github.com/dpk-kampar/mailproc"
)

// Schema versions, kept in PRAGMA user_version:
//
//   - 0: an empty file. Open runs schema.sql (resources.Schema) and sets the
//     version to SchemaVersion() in the same transaction.
//   - 1: the first released schema (frozen in testdata/schema-v1.sql).
//   - n+1: a version-1 database after migrations[0..n-1].
//
// To change the schema: edit schema.sql so a fresh database gets the new
// shape, and append to migrations the statements that bring the previous
// version there. Never edit or reorder a migration that has been released,
// and never edit testdata/schema-v1.sql: TestMigrateFromV1 upgrades it and
// compares it with a fresh database.
//
// A migration may hold several statements. It runs in one transaction with
// the version bump, with foreign keys off so that a table can be rebuilt
// (https://www.sqlite.org/lang_altertable.html#otheralter); the foreign keys
// are checked before the commit.
var migrations = []string{
	// migrations[0] upgrades version 1 to version 2.
	// trust: revoked tokens.
	`-- Tokens (signed Message-IDs of mail to staff and heads) that stopped
-- authorising anything: a copy of the mail that carried one in its
-- References or In-Reply-To was addressed to someone who is neither staff
-- nor a head (an answer straight to the citizen), so that person holds it.
CREATE TABLE revoked_tokens (
    message_id TEXT    PRIMARY KEY CHECK (message_id <> ''),
    case_id    INTEGER REFERENCES cases (id),
    revoked_at INTEGER NOT NULL,
    reason     TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
`,
	// migrations[1] upgrades version 2 to version 3: the desk's own state
	// (require_auth = "auto" learnt, the acknowledgement budget's hour) and
	// coalesced ops notices.
	`CREATE TABLE desk_state (
    key   TEXT    PRIMARY KEY,
    value TEXT    NOT NULL DEFAULT '',
    at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE ops_notice_sent (
    kind TEXT    PRIMARY KEY,
    at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE ops_notice_held (
    id      INTEGER PRIMARY KEY,
    kind    TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    subject TEXT    NOT NULL DEFAULT '',
    text    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX ops_notice_held_kind ON ops_notice_held (kind, id);`,
	// migrations[2] upgrades version 3 to version 4: Reply-To of a case and
	// the spam-complaint suppression list.
	`ALTER TABLE cases ADD COLUMN reply_addr TEXT NOT NULL DEFAULT '';
	CREATE TABLE suppressions (
		addr           TEXT    PRIMARY KEY COLLATE NOCASE CHECK (addr <> ''),
		reason         TEXT    NOT NULL DEFAULT '',
		message_row_id INTEGER REFERENCES messages (id),
		at             INTEGER NOT NULL
	);`,
	// migrations[3] upgrades version 4 to version 5 (issue 18): verdicts
	// stored on cases — cases answered before the upgrade are judged by
	// BackfillVerdicts on the calendar in force at the upgrade — and the
	// hash chain of events and messages, built from the existing rows by
	// buildChains after the migrations.
	`ALTER TABLE cases ADD COLUMN verdict TEXT NOT NULL DEFAULT '' CHECK (verdict IN ('', 'tepat', 'terlambat'));
	ALTER TABLE cases ADD COLUMN verdict_kind TEXT NOT NULL DEFAULT '';
	ALTER TABLE cases ADD COLUMN verdict_promise_ms INTEGER;
	ALTER TABLE cases ADD COLUMN verdict_service_ms INTEGER;
	ALTER TABLE cases ADD COLUMN verdict_calendar TEXT NOT NULL DEFAULT '';
	ALTER TABLE cases ADD COLUMN verdict_at INTEGER;
	CREATE INDEX cases_undecided ON cases (id) WHERE verdict = '' AND first_answer_at IS NOT NULL;
	ALTER TABLE messages ADD COLUMN digest TEXT NOT NULL DEFAULT '';
	ALTER TABLE messages ADD COLUMN hash TEXT NOT NULL DEFAULT '';
	ALTER TABLE messages ADD COLUMN redacted_at INTEGER;
	ALTER TABLE events ADD COLUMN digest TEXT NOT NULL DEFAULT '';
	ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
	ALTER TABLE events ADD COLUMN redacted_at INTEGER;`,
	// migrations[4] upgrades version 5 to version 6: redacted_at marks a
	// case whose personal content retention or a personal-data request
	// removed (issue 16; mails and events got theirs with the hash chain),
	// and the log of those runs.
	`ALTER TABLE cases ADD COLUMN redacted_at INTEGER;
	CREATE TABLE redactions (
		id       INTEGER PRIMARY KEY,
		at       INTEGER NOT NULL,
		actor    TEXT    NOT NULL CHECK (actor <> ''),
		reason   TEXT    NOT NULL CHECK (reason IN ('retensi', 'data_pribadi')),
		cases    INTEGER NOT NULL DEFAULT 0,
		messages INTEGER NOT NULL DEFAULT 0
	);`,
	// migrations[5] upgrades version 6 to version 7 (issue 14): indexes
	// for DeskFigures, so /metrics and the status page never read the
	// whole cases table.
	`CREATE INDEX cases_kind_state ON cases (kind, state);
	CREATE INDEX cases_opened_kind ON cases (opened_at, kind, escalation_level);
	CREATE INDEX cases_first_answer ON cases (first_answer_at, due_at) WHERE first_answer_at IS NOT NULL;
	CREATE INDEX cases_closed ON cases (closed_at, state) WHERE closed_at IS NOT NULL;
	CREATE INDEX cases_escalated ON cases (escalation_level, state) WHERE escalation_level > 0;`,
	// migrations[6] upgrades version 7 to version 8 (issue 15): the
	// channel a contact came by (every case before it came by e-mail) and
	// the telephone or handle of a contact staff registered.
	`ALTER TABLE cases ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel <> '');
	ALTER TABLE cases ADD COLUMN contact TEXT NOT NULL DEFAULT '';`,
	// migrations[7] upgrades version 8 to version 9 (issue 14): staff
	// notifications held for a burst digest, and the index that finds them.
	`ALTER TABLE outbox ADD COLUMN burst INTEGER NOT NULL DEFAULT 0 CHECK (burst IN (0, 1, 2));
	CREATE INDEX outbox_burst_held ON outbox (created_at) WHERE burst = 1;`,
	// migrations[8] upgrades version 9 to version 10 (issue 14): the
	// pending mail by lane, so the postman reads its batch without
	// sorting the whole backlog.
	`CREATE INDEX outbox_pending_lane ON outbox ((CASE WHEN burst <> 0 THEN 3 ELSE CASE purpose WHEN 'ack' THEN 0 WHEN 'answer' THEN 0 WHEN 'closing' THEN 0 WHEN 'ops' THEN 2 ELSE 1 END END), id, next_attempt) WHERE state = 'pending';`,
	// migrations[9] upgrades version 10 to version 11 (issue 14): a held
	// staff notification is queued unrendered, with the stored mail it is
	// rendered from when the postman picks it up.
	`ALTER TABLE outbox ADD COLUMN render_message INTEGER REFERENCES messages (id);
	ALTER TABLE outbox ADD COLUMN render_flags INTEGER NOT NULL DEFAULT 0 CHECK (render_flags BETWEEN 0 AND 3);`,
}

// SchemaVersion is the schema version this binary creates and upgrades to.
func SchemaVersion() int { return 1 + len(migrations) }

// migrate brings the database to SchemaVersion, or refuses it.
func migrate(ctx context.Context, db *sql.DB) (err error) {
	// PRAGMA foreign_keys cannot change inside a transaction, and it is a
	// property of the connection: hold one connection for the whole upgrade.
	conn, err := db.Conn(ctx)
	if err != nil {
		return merr(ctx, "migrate", err)
	}
	defer conn.Close()

	var version int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return merr(ctx, "read schema version", err)
	}
	want := SchemaVersion()
	switch {
	case version == want:
		return nil
	case version > want:
		return fmt.Errorf("database schema version %d is newer than this mailproc (%d); upgrade mailproc", version, want)
	case version == 0:
		var objects int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects); err != nil {
			return merr(ctx, "read schema", err)
		}
		if objects > 0 {
			return fmt.Errorf("database has tables but no schema version: not a mailproc database")
		}
	}

	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return merr(ctx, "migrate: foreign keys off", err)
	}
	defer func() {
		// The connection goes back to the pool: it must enforce foreign
		// keys again, or close instead.
		if _, fkErr := conn.ExecContext(context.Background(), "PRAGMA foreign_keys = ON"); fkErr != nil {
			_ = conn.Raw(func(any) error { return fmt.Errorf("%w: %w", driver.ErrBadConn, fkErr) })
			if err == nil {
				err = merr(ctx, "migrate: foreign keys on", fkErr)
			}
		}
	}()

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return merr(ctx, "migrate: begin", err)
	}
	defer tx.Rollback()

	// Read the version again under the write lock: another process may have
	// created or upgraded the database since.
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return merr(ctx, "read schema version", err)
	}
	switch {
	case version == want:
		return nil
	case version > want:
		return fmt.Errorf("database schema version %d is newer than this mailproc (%d); upgrade mailproc", version, want)
	case version == 0:
		if _, err := tx.ExecContext(ctx, resources.Schema); err != nil {
			return merr(ctx, "create schema", err)
		}
	default:
		for v := version; v < want; v++ {
			if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
				return merr(ctx, fmt.Sprintf("migrate schema version %d to %d", v, v+1), err)
			}
		}
		if err := checkForeignKeys(ctx, tx); err != nil {
			return err
		}
		// Rows from before the hash chain get their links, in id order.
		if err := buildChains(ctx, tx); err != nil {
			return err
		}
	}
	// PRAGMA takes no bound parameters; want is an int.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", want)); err != nil {
		return merr(ctx, "set schema version", err)
	}
	if err := tx.Commit(); err != nil {
		return merr(ctx, "migrate: commit", err)
	}
	return nil
}

// merr is wrapErr for migrate, whose errors Open prefixes itself.
func merr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	return classify(ctx, fmt.Errorf("%s: %w", op, err))
}

// checkForeignKeys fails if a migration left a row pointing nowhere, which
// foreign_keys = OFF would otherwise let through.
func checkForeignKeys(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return merr(ctx, "migrate: foreign key check", err)
	}
	defer rows.Close()
	if rows.Next() {
		var table string
		var rowid sql.NullInt64
		var parent string
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return merr(ctx, "migrate: foreign key check", err)
		}
		return fmt.Errorf("migrate: row %d of %s points at a missing %s row", rowid.Int64, table, parent)
	}
	return merr(ctx, "migrate: foreign key check", rows.Err())
}
