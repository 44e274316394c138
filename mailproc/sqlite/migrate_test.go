package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// rawDB opens path without the adapter, the way an old mailproc or a
// person with the sqlite3 shell would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func rawExec(t *testing.T, db *sql.DB, query string) {
	t.Helper()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// createV1 makes a database as version 1 of mailproc left it, from the
// frozen schema, with a case and a message in it.
func createV1(t *testing.T) string {
	t.Helper()
	schema, err := os.ReadFile("testdata/schema-v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v1.db")
	db := rawDB(t, path)
	rawExec(t, db, string(schema))
	rawExec(t, db, "PRAGMA user_version = 1")
	rawExec(t, db, `INSERT INTO cases (number, kind, state, opened_at, updated_at)
		VALUES ('ADU-2025-00099', 'aduan', 'selesai', 1735689600000, 1735689600000)`)
	rawExec(t, db, `INSERT INTO messages (message_id, case_id, received_at)
		VALUES ('lama@example.id', 1, 1735689600000)`)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// schemaDump describes the shape of a database, one sorted line per
// column, index, foreign key, view and trigger, so two databases can be
// compared. Column order is ignored (ALTER TABLE ADD COLUMN appends, where
// schema.sql may place a column anywhere); CHECK constraints are not
// visible through the pragmas and are not compared.
func schemaDump(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var out []string
	query := func(q string, args []any, fn func(rows *sql.Rows) error) {
		t.Helper()
		rows, err := db.Query(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	var tables []string
	query(`SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'`, nil, func(rows *sql.Rows) error {
		var typ, name string
		if err := rows.Scan(&typ, &name); err != nil {
			return err
		}
		switch typ {
		case "table":
			tables = append(tables, name)
		case "view", "trigger":
			out = append(out, typ+" "+name)
		}
		return nil
	})
	for _, table := range tables {
		query(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`, []any{table}, func(rows *sql.Rows) error {
			var name, typ string
			var notnull, pk int
			var dflt sql.NullString
			if err := rows.Scan(&name, &typ, &notnull, &dflt, &pk); err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("table %s column %s %s notnull=%d default=%v pk=%d",
				table, name, typ, notnull, dflt, pk))
			return nil
		})
		query(`SELECT "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?)`, []any{table}, func(rows *sql.Rows) error {
			var parent, from string
			var to sql.NullString
			var onUpdate, onDelete string
			if err := rows.Scan(&parent, &from, &to, &onUpdate, &onDelete); err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("table %s foreign key %s -> %s(%s) on update %s on delete %s",
				table, from, parent, to.String, onUpdate, onDelete))
			return nil
		})
		type index struct {
			name, origin string
			unique       int
		}
		var indexes []index
		query(`SELECT name, "unique", origin FROM pragma_index_list(?)`, []any{table}, func(rows *sql.Rows) error {
			var ix index
			if err := rows.Scan(&ix.name, &ix.unique, &ix.origin); err != nil {
				return err
			}
			indexes = append(indexes, ix)
			return nil
		})
		for _, ix := range indexes {
			var cols []string
			query(`SELECT coalesce(name, '<expr>') FROM pragma_index_info(?) ORDER BY seqno`, []any{ix.name}, func(rows *sql.Rows) error {
				var c string
				if err := rows.Scan(&c); err != nil {
					return err
				}
				cols = append(cols, c)
				return nil
			})
			name := ix.name
			if strings.HasPrefix(name, "sqlite_autoindex_") {
				// Named by constraint position, which a table rebuild may
				// change; the columns say what it is.
				name = "(" + ix.origin + ")"
			}
			out = append(out, fmt.Sprintf("table %s index %s unique=%d on (%s)",
				table, name, ix.unique, strings.Join(cols, ", ")))
		}
	}
	sort.Strings(out)
	return out
}

// diffLines lists the lines only in a and only in b.
func diffLines(a, b []string) (onlyA, onlyB []string) {
	inA, inB := make(map[string]bool), make(map[string]bool)
	for _, l := range a {
		inA[l] = true
	}
	for _, l := range b {
		inB[l] = true
		if !inA[l] {
			onlyB = append(onlyB, l)
		}
	}
	for _, l := range a {
		if !inB[l] {
			onlyA = append(onlyA, l)
		}
	}
	return onlyA, onlyB
}

func TestMigrateFromV1(t *testing.T) {
	path := createV1(t)
	upgraded := openAt(t, path)
	fresh := openTest(t)

	var version int
	if err := upgraded.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != SchemaVersion() {
		t.Errorf("upgraded user_version = %d, want %d", version, SchemaVersion())
	}

	want := schemaDump(t, fresh.db)
	if len(want) < 50 {
		t.Fatalf("fresh schema dump has only %d lines:\n%s", len(want), strings.Join(want, "\n"))
	}
	got := schemaDump(t, upgraded.db)
	onlyUpgraded, onlyFresh := diffLines(got, want)
	for _, l := range onlyUpgraded {
		t.Errorf("only in the upgraded database: %s", l)
	}
	for _, l := range onlyFresh {
		t.Errorf("only in a fresh database (missing migration?): %s", l)
	}

	// The data survived.
	c, err := upgraded.CaseByNumber(context.Background(), "ADU-2025-00099")
	if err != nil {
		t.Fatal(err)
	}
	if c.Channel != mailproc.ChannelEmail {
		t.Errorf("channel of a case from before channels = %q, want %q", c.Channel, mailproc.ChannelEmail)
	}
	msgs, err := upgraded.CaseMessages(context.Background(), c.ID)
	if err != nil || len(msgs) != 1 || msgs[0].MessageID != "lama@example.id" {
		t.Errorf("messages of the old case = %v, %v", msgs, err)
	}
}

// TestMigrationHarness runs made-up migrations, to show that they run in
// order inside one transaction with the version bump, that a failing one
// leaves the database as it was, and that the schema comparison notices a
// migration that schema.sql does not match.
func TestMigrationHarness(t *testing.T) {
	saved := migrations
	t.Cleanup(func() { migrations = saved })

	t.Run("applied", func(t *testing.T) {
		migrations = append(append([]string(nil), saved...),
			"CREATE TABLE extra (x TEXT); ALTER TABLE cases ADD COLUMN note TEXT",
			"INSERT INTO extra (x) VALUES ('two')",
		)
		path := createV1(t)
		db := openAt(t, path)
		var version int
		if err := db.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
			t.Fatal(err)
		}
		if want := len(saved) + 3; version != want {
			t.Errorf("user_version = %d, want %d", version, want)
		}
		var x string
		if err := db.db.QueryRow("SELECT x FROM extra").Scan(&x); err != nil || x != "two" {
			t.Errorf("second migration: %q, %v", x, err)
		}
		var fk int
		if err := db.db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("foreign_keys after migrating = %d, %v; want 1", fk, err)
		}

		// Here schema.sql was not updated: the comparison must say so.
		migrations = saved
		fresh := openTest(t)
		onlyUpgraded, _ := diffLines(schemaDump(t, db.db), schemaDump(t, fresh.db))
		if len(onlyUpgraded) != 2 {
			t.Errorf("schema comparison found %q, want the column cases.note and the table extra", onlyUpgraded)
		}
	})

	t.Run("failing", func(t *testing.T) {
		migrations = append(append([]string(nil), saved...),
			"CREATE TABLE extra (x TEXT)",
			"ALTER TABLE nowhere ADD COLUMN y TEXT",
		)
		path := createV1(t)
		db, err := Open(path)
		if err == nil {
			db.Close()
			t.Fatal("Open succeeded with a failing migration")
		}
		t.Logf("failing migration: %v", err)
		if !strings.Contains(err.Error(), fmt.Sprintf("migrate schema version %d to %d", len(saved)+2, len(saved)+3)) {
			t.Errorf("error %q does not name the failing step", err)
		}
		raw := rawDB(t, path)
		var version, n int
		if err := raw.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
			t.Fatal(err)
		}
		if version != 1 {
			t.Errorf("user_version after a failed migration = %d, want 1", version)
		}
		if err := raw.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'extra'").Scan(&n); err != nil || n != 0 {
			t.Errorf("the first migration's table is left behind (%d, %v)", n, err)
		}
	})

	t.Run("dangling foreign key", func(t *testing.T) {
		migrations = append(append([]string(nil), saved...),
			"INSERT INTO events (case_id, at, actor, type) VALUES (4242, 0, 'sistem', 'catatan')",
		)
		path := createV1(t)
		db, err := Open(path)
		if err == nil {
			db.Close()
			t.Fatal("Open succeeded with a migration that breaks a foreign key")
		}
		if !strings.Contains(err.Error(), "points at a missing cases row") {
			t.Errorf("error = %v", err)
		}
	})
}

func TestRefuseNewerDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailproc.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	newer := SchemaVersion() + 5
	rawExec(t, rawDB(t, path), fmt.Sprintf("PRAGMA user_version = %d", newer))

	db, err = Open(path)
	if err == nil {
		db.Close()
		t.Fatal("Open accepted a database from a newer mailproc")
	}
	want := fmt.Sprintf("database schema version %d is newer than this mailproc (%d); upgrade mailproc", newer, SchemaVersion())
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error = %q, want it to contain %q", err, want)
	}
	if mailproc.IsTemporary(err) {
		t.Error("a too-new database is reported as temporary")
	}
	// Refusing must not have touched it.
	var version int
	if err := rawDB(t, path).QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != newer {
		t.Errorf("user_version = %d, %v; want %d", version, err, newer)
	}
}

func TestRefuseForeignDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.db")
	rawExec(t, rawDB(t, path), "CREATE TABLE notes (body TEXT)")
	db, err := Open(path)
	if err == nil {
		db.Close()
		t.Fatal("Open accepted a database with tables but no schema version")
	}
	if !strings.Contains(err.Error(), "not a mailproc database") {
		t.Errorf("error = %v", err)
	}
}
