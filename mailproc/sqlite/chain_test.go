package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestChainBuiltAtUpgrade: a version-1 database with events and messages
// gets its chain at the upgrade, verifies, and new rows link to it; an
// answered case gets its verdict from BackfillVerdicts, marked "migrasi:".
func TestChainBuiltAtUpgrade(t *testing.T) {
	path := createV1(t)
	raw := rawDB(t, path)
	rawExec(t, raw, `UPDATE cases SET first_answer_at = 1735689600000 + 240000 WHERE id = 1`)
	rawExec(t, raw, `INSERT INTO events (case_id, at, actor, type, detail) VALUES
		(1, 1735689600000, 'sistem', 'dibuat', 'kasus dibuat'),
		(1, 1735689660000, 'warga@example.id', 'pesan_masuk', 'pesan lanjutan')`)
	raw.Close()

	db := openAt(t, path)
	ctx := context.Background()
	res, err := db.Verify(ctx, t.TempDir())
	if err != nil {
		t.Fatalf("verify after upgrade: %v", err)
	}
	if res.Events != 2 || res.Messages != 1 || res.Head.EventID != 2 || len(res.Head.EventHash) != 64 {
		t.Errorf("verified %+v", res)
	}
	n, err := db.BackfillVerdicts(ctx, mailproc.StandardClock)
	if err != nil || n != 1 {
		t.Fatalf("backfill judged %d (%v), want 1", n, err)
	}
	c, err := db.CaseByNumber(ctx, "ADU-2025-00099")
	if err != nil {
		t.Fatal(err)
	}
	v := c.Verdict
	if v.Outcome != mailproc.OutcomeWithin || v.ServiceTime != 4*time.Minute || v.Promise != time.Hour ||
		!strings.HasPrefix(v.Calendar, "migrasi:") {
		t.Errorf("verdict %+v", v)
	}
	if n, err := db.BackfillVerdicts(ctx, mailproc.StandardClock); err != nil || n != 0 {
		t.Errorf("second backfill judged %d (%v)", n, err)
	}
	if err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		return tx.AddEvent(&mailproc.Event{CaseID: c.ID, Actor: mailproc.ActorSystem, Type: mailproc.EventNote, Detail: "baru"})
	}); err != nil {
		t.Fatal(err)
	}
	// The two old events, the backfilled verdict's event, the new note.
	if res, err := db.Verify(ctx, t.TempDir()); err != nil || res.Events != 4 {
		t.Errorf("verify after a new event: %+v %v", res, err)
	}
	tl, err := db.Timeline(ctx, c.ID)
	if err != nil || len(tl) != 4 || tl[2].Type != mailproc.EventVerdict || !strings.Contains(tl[2].Detail, "tepat waktu") ||
		!strings.Contains(tl[2].Detail, " migrasi:") {
		t.Errorf("timeline %v %v", tl, err)
	}
}

// TestVerifyFindsTampering: each kind of change is found and named, and a
// redacted row (the records contract) still verifies on its digest.
func TestVerifyFindsTampering(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		tamper string
		want   string
	}{
		{"detail changed", "UPDATE events SET detail = 'dijawab tepat waktu' WHERE id = 3", "kasus ADU-2026-00001: peristiwa #3: isi tidak cocok"},
		{"time changed", "UPDATE events SET at = at + 1 WHERE id = 3", "kasus ADU-2026-00001: peristiwa #3: mata rantai putus"},
		{"event deleted", "DELETE FROM events WHERE id = 3", "kasus INF-2026-00001: peristiwa #4: mata rantai putus"},
		{"message text changed", "UPDATE messages SET text = 'lain' WHERE id = 1", "kasus ADU-2026-00001: pesan #1: isi tidak cocok"},
		{"archive file changed", "", "berkas archive/a.eml: SHA-256"},
		{"verdict changed", "UPDATE cases SET verdict = 'tepat' WHERE id = 1", "kasus ADU-2026-00001: putusan di tabel kasus tidak sama"},
		{"verdict cleared", "UPDATE cases SET verdict = '' WHERE id = 1", "kasus ADU-2026-00001: putusan di tabel kasus tidak sama"},
		{"verdict made", "UPDATE cases SET verdict = 'tepat', verdict_kind = 'informasi' WHERE id = 2", "kasus INF-2026-00001: putusan tanpa peristiwa"},
		{"redacted", "UPDATE events SET actor = 'dihapus', detail = '', redacted_at = 1 WHERE id IN (1, 3)", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			dataDir := t.TempDir()
			seedChain(t, db, dataDir)
			if _, err := db.Verify(ctx, dataDir); err != nil {
				t.Fatalf("verify before: %v", err)
			}
			if tc.tamper != "" {
				if _, err := db.db.Exec(tc.tamper); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(filepath.Join(dataDir, "archive", "a.eml"), []byte("diubah"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := db.Verify(ctx, dataDir)
			var b *Broken
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("verify: %v", err)
			case tc.want != "" && (!errors.As(err, &b) || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("verify = %v, want %q", err, tc.want)
			}
		})
	}
}

func seedChain(t *testing.T, db *DB, dataDir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dataDir, "archive"), 0o750); err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: warga@example.id\r\n\r\nhalo\r\n")
	if err := os.WriteFile(filepath.Join(dataDir, "archive", "a.eml"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	err := db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
		a := &mailproc.Case{Number: "ADU-2026-00001", Kind: mailproc.KindAduan, State: mailproc.StateBaru, OpenedAt: t0}
		b := &mailproc.Case{Number: "INF-2026-00001", Kind: mailproc.KindInformasi, State: mailproc.StateBaru, OpenedAt: t0}
		for _, c := range []*mailproc.Case{a, b} {
			if err := tx.CreateCase(c); err != nil {
				return err
			}
		}
		m := &mailproc.Message{MessageID: "a@example.id", From: mailproc.Address{Addr: "warga@example.id"},
			Text: "halo", ArchivePath: "archive/a.eml"}
		m.SHA256 = sha256Hex(raw)
		if err := tx.InsertMessage(m, a.ID); err != nil {
			return err
		}
		// The promise ran out: the verdict event joins the chain.
		mailproc.JudgeRunOut(a, mailproc.StandardClock, t0.Add(time.Hour))
		if err := tx.UpdateCase(a); err != nil {
			return err
		}
		for _, e := range []*mailproc.Event{
			{CaseID: a.ID, Actor: mailproc.ActorSystem, Type: mailproc.EventCreated, Detail: "dibuat", MessageID: m.ID},
			{CaseID: a.ID, Actor: "petugas@example.id", Type: mailproc.EventAnswer, Detail: "dijawab"},
			{CaseID: b.ID, Actor: mailproc.ActorSystem, Type: mailproc.EventCreated, Detail: "dibuat"},
		} {
			if err := tx.AddEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestChainLinkIsCheap: linking a row looks up the previous one by primary
// key, never scanning the table.
func TestChainLinkIsCheap(t *testing.T) {
	db := openTest(t)
	for _, table := range []string{"events", "messages"} {
		rows, err := db.db.Query("EXPLAIN QUERY PLAN SELECT hash FROM "+table+" WHERE id < ? ORDER BY id DESC LIMIT 1", 5)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if !strings.Contains(p, "USING INTEGER PRIMARY KEY") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s: previous hash plan %q", table, p)
		}
	}
}

// TestOneWriterPerChainedTable: rows of events and messages are inserted
// in exactly one place each (AddEvent, InsertMessage, through
// chainTable.insert, which links them), so no writer — intake, staff,
// escalator, postman, ratings — can add an unchained row. A new INSERT
// elsewhere in this package fails here.
func TestOneWriterPerChainedTable(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string][]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := strings.Join(strings.Fields(strings.ToUpper(string(b))), " ")
		count := func(key, s string) {
			if n := strings.Count(src, s); n > 0 {
				found[key] = append(found[key], f+" ×"+strconv.Itoa(n))
			}
		}
		for _, table := range []string{"EVENTS", "MESSAGES"} {
			for _, verb := range []string{"INSERT INTO ", "INSERT OR REPLACE INTO ", "REPLACE INTO "} {
				count(table, verb+table+" ")
			}
		}
		count("built", `"INSERT INTO " + C.NAME`)
		count("insertEventSQL", "INSERTEVENTSQL")
		count("insertMessageSQL", "INSERTMESSAGESQL")
	}
	want := map[string][]string{
		"built":            {"chain.go ×1"},                 // chainTable.insertSQL
		"insertEventSQL":   {"chain.go ×1", "intake.go ×1"}, // made once, used by AddEvent
		"insertMessageSQL": {"chain.go ×1", "intake.go ×1"}, // made once, used by InsertMessage
	}
	for key, w := range want {
		if got := found[key]; strings.Join(got, ", ") != strings.Join(w, ", ") {
			t.Errorf("%s: %v, want %v", key, got, w)
		}
	}
	for _, table := range []string{"EVENTS", "MESSAGES"} {
		if got := found[table]; len(got) != 0 {
			t.Errorf("inserts into %s: %v, want none but through chainTable.insert", strings.ToLower(table), got)
		}
	}
}

// TestCheckHead: events removed from the end of the log break no link —
// verify alone passes — but the head a report printed before no longer
// matches.
func TestCheckHead(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	dataDir := t.TempDir()
	seedChain(t, db, dataDir)
	head, err := db.ChainHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	printed, err := mailproc.ParseChainHead(head.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CheckHead(ctx, printed); err != nil {
		t.Fatalf("head of an intact database: %v", err)
	}
	if _, err := db.db.Exec("DELETE FROM events WHERE id = ?", head.EventID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Verify(ctx, dataDir); err != nil {
		t.Fatalf("verify after removing the last event: %v (a cut tail breaks no link)", err)
	}
	if err := db.CheckHead(ctx, printed); err == nil || !strings.Contains(err.Error(), "tidak ada lagi") {
		t.Errorf("head after removing the last event: %v", err)
	}
	// Re-adding a row under the same id gives a different hash.
	if err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		return tx.AddEvent(&mailproc.Event{CaseID: 2, Actor: mailproc.ActorSystem, Type: mailproc.EventNote, Detail: "pengganti"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckHead(ctx, printed); err == nil || !strings.Contains(err.Error(), "kasus INF-2026-00001: peristiwa #") {
		t.Errorf("head after replacing the last event: %v", err)
	}
}

// TestChainHashesWhatIsStored: a row's hash is made from the values its
// INSERT bound, not read back; verify, which reads the rows back, must
// agree for every kind of value the columns take — NULL and set ids and
// times, true and false flags, large integers, empty text, text with NUL
// bytes and invalid UTF-8 (events take any bytes), text that looks like a
// number — across savepoints rolled back and several transactions.
func TestChainHashesWhatIsStored(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	var caseID int64
	for round := range 2 {
		err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
			if round == 0 {
				c := newCase("INF-2026-00001", mailproc.KindInformasi, t0)
				if err := tx.CreateCase(c); err != nil {
					return err
				}
				caseID = c.ID
			}
			for i, m := range []*mailproc.Message{
				{MessageID: fmt.Sprintf("a%d@example.id", round), From: mailproc.Address{Addr: "warga@example.id", Name: "Warga"},
					Subject: "12345", Text: "", SyntheticID: true, TextTruncated: true, FromHTML: true,
					Date: t0, Size: 1 << 40, SHA256: "00", Delivery: mailproc.Delivery{Mailbox: "007", UIDValidity: 1<<32 - 1, UID: 1<<32 - 1, Arrived: t0},
					References: []string{"x@y"}, Notes: []string{"catatan"}},
				{MessageID: fmt.Sprintf("b%d@example.id", round), Text: "teks\x00dengan NUL", Received: t0.Add(time.Second)},
			} {
				onCase := caseID
				if i == 1 {
					onCase = 0
				}
				if err := tx.InsertMessage(m, onCase); err != nil {
					return err
				}
				for _, e := range []*mailproc.Event{
					{CaseID: caseID, Actor: mailproc.ActorSystem, Type: mailproc.EventNote, Detail: "", MessageID: m.ID},
					{CaseID: caseID, Actor: "petugas@example.id", Type: mailproc.EventNote, Detail: "bukan UTF-8: \xff\xfe \x00 3.14", At: t0},
				} {
					if err := tx.AddEvent(e); err != nil {
						return err
					}
				}
			}
			// A savepoint rolled back takes its rows and their links along.
			tx.Savepoint(func() error {
				tx.AddEvent(&mailproc.Event{CaseID: caseID, Actor: mailproc.ActorSystem, Type: mailproc.EventNote, Detail: "dibatalkan"})
				return errors.New("rolled back")
			})
			return tx.AddEvent(&mailproc.Event{CaseID: caseID, Actor: mailproc.ActorSystem, Type: mailproc.EventNote, Detail: "sesudah"})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	v, err := db.Verify(ctx, t.TempDir())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if v.Events != 10 || v.Messages != 4 {
		t.Errorf("verify checked %d events and %d messages, want 10 and 4", v.Events, v.Messages)
	}
}
