package sqlite

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// t0 is the tests' "now": a weekday morning in WIB, in UTC.
var t0 = time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC)

// openTest opens a fresh database file in a temp dir with a fixed clock.
func openTest(t *testing.T) *DB {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "mailproc.db"))
}

func openAt(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	db.Now = func() time.Time { return t0 }
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// intake runs fn in an intake transaction and fails the test on error.
func intake(t *testing.T, db *DB, fn func(tx mailproc.IntakeTx) error) {
	t.Helper()
	if err := db.Intake(context.Background(), fn); err != nil {
		t.Fatalf("Intake: %v", err)
	}
}

// newCase returns a case ready for CreateCase.
func newCase(number string, kind mailproc.Kind, opened time.Time) *mailproc.Case {
	return &mailproc.Case{
		Number:      number,
		Kind:        kind,
		State:       mailproc.StateBaru,
		CitizenAddr: "warga@example.id",
		CitizenName: "Warga",
		Subject:     "Pertanyaan",
		OpenedAt:    opened,
		DueAt:       opened.Add(5 * time.Minute),
	}
}

func createCase(t *testing.T, db *DB, c *mailproc.Case) *mailproc.Case {
	t.Helper()
	intake(t, db, func(tx mailproc.IntakeTx) error { return tx.CreateCase(c) })
	return c
}

func insertMessage(t *testing.T, db *DB, m *mailproc.Message, caseID int64) {
	t.Helper()
	intake(t, db, func(tx mailproc.IntakeTx) error { return tx.InsertMessage(m, caseID) })
}

func TestSchemaApplies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailproc.db")
	db := openAt(t, path)
	ctx := context.Background()

	var version int
	if err := db.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != SchemaVersion() {
		t.Errorf("user_version = %d, want %d", version, SchemaVersion())
	}
	for _, table := range []string{"cases", "case_counters", "messages", "attachments", "events",
		"deliveries", "quarantine", "mailbox_state", "outgoing_ids"} {
		var n int
		err := db.db.QueryRowContext(ctx,
			"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", table).Scan(&n)
		if err != nil || n != 1 {
			t.Errorf("table %s: count %d, err %v", table, n, err)
		}
	}
	// The connection settings the durability promise rests on.
	for _, p := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "2"}, // FULL
		{"busy_timeout", "5000"},
	} {
		var got string
		if err := db.db.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != p.want {
			t.Errorf("PRAGMA %s = %q, want %q", p.pragma, got, p.want)
		}
	}

	// Opening again must neither re-create the schema nor fail.
	db2 := openAt(t, path)
	if _, _, _, err := db2.Counts(ctx); err != nil {
		t.Fatalf("Counts after reopen: %v", err)
	}
}

func TestOpenRefusesBadPaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", filepath.Join(t.TempDir(), "a?b.db")} {
		if db, err := Open(p); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

// fullMessage has every field set, non-ASCII text included.
func fullMessage() *mailproc.Message {
	return &mailproc.Message{
		MessageID:   "CAF=abc.123@mail.gmail.com",
		SyntheticID: false,
		From:        mailproc.Address{Name: "Siti Nurhaliza", Addr: "siti@example.id"},
		Sender:      mailproc.Address{Name: "Sekretariat", Addr: "sek@example.id"},
		ReplyTo:     []mailproc.Address{{Name: "Siti (balas ke sini)", Addr: "siti.balas@example.id"}},
		To:          []mailproc.Address{{Name: "Layanan Dinas", Addr: "layanan@pustakaarsip.kamparkab.go.id"}},
		Cc: []mailproc.Address{
			{Addr: "teman@example.id"},
			{Name: "山田 太郎", Addr: "yamada@example.jp"},
		},
		Subject:    "Pengaduan: jalan rusak — “mohon” ditindaklanjuti ✓",
		Date:       time.Date(2026, 3, 2, 1, 29, 59, 123_000_000, time.UTC),
		InReplyTo:  []string{"parent@example.id"},
		References: []string{"root@example.id", "parent@example.id"},
		Auto: mailproc.AutoHeaders{
			AutoSubmitted:            "no",
			Precedence:               "bulk",
			ListHeaders:              true,
			XAutoResponseSuppress:    "All",
			HasXAutoResponseSuppress: true,
			ReturnPath:               "<>",
			ContentType:              "multipart/mixed",
			ReportType:               "delivery-status",
		},
		AuthResults:   []string{"mx.kamparkab.go.id; dkim=pass header.d=example.id", "spf=pass"},
		Text:          "Selamat pagi,\nJalan di depan rumah saya rusak. Naïve café, 東京, Ελληνικά, 🙂\n",
		TextTruncated: true,
		FromHTML:      true,
		Attachments: []mailproc.Attachment{
			{Filename: "foto jalan.jpg", ContentType: "image/jpeg", Size: 123456},
			{Filename: "surat-pengantar.pdf", ContentType: "application/pdf", Size: 789},
			{Filename: "", ContentType: "text/calendar", Size: 0},
		},
		Notes:       []string{"charset windows-1252 dipakai untuk bagian 2"},
		Size:        204800,
		SHA256:      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		ArchivePath: "archive/2026/03/9f86d081.eml",
		Delivery: mailproc.Delivery{
			Mailbox:     "INBOX",
			UIDValidity: 4294967295,
			UID:         4294967294,
			Arrived:     time.Date(2026, 3, 2, 1, 29, 59, 0, time.UTC),
		},
		Received: time.Date(2026, 3, 2, 1, 30, 0, 5_000_000, time.UTC),
	}
}

func TestMessageRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	c := createCase(t, db, newCase("ADU-2026-00001", mailproc.KindAduan, t0))

	tests := []struct {
		name string
		msg  func() *mailproc.Message
		// want is what reads back: the stored message with the fields the
		// store fills in.
		want func(m *mailproc.Message) *mailproc.Message
	}{
		{
			name: "every field",
			msg:  fullMessage,
			want: func(m *mailproc.Message) *mailproc.Message { return m },
		},
		{
			name: "empty lists and zero times",
			msg: func() *mailproc.Message {
				return &mailproc.Message{
					MessageID:   mailproc.SyntheticMessageID("00ff"),
					SyntheticID: true,
					From:        mailproc.Address{Addr: "a@b.c"},
				}
			},
			want: func(m *mailproc.Message) *mailproc.Message {
				w := *m
				w.Received = t0 // stamped by the store's clock
				return &w
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.msg()
			insertMessage(t, db, m, c.ID)
			if m.ID == 0 {
				t.Fatal("InsertMessage did not set ID")
			}
			want := tt.want(tt.msg())
			want.ID = m.ID

			var got *mailproc.Message
			var gotCase int64
			intake(t, db, func(tx mailproc.IntakeTx) error {
				var err error
				got, gotCase, err = tx.MessageByMessageID(m.MessageID)
				return err
			})
			if gotCase != c.ID {
				t.Errorf("case id = %d, want %d", gotCase, c.ID)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("MessageByMessageID:\n got %+v\nwant %+v", got, want)
			}

			msgs, err := db.CaseMessages(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, cm := range msgs {
				if cm.ID == m.ID {
					found = true
					if !reflect.DeepEqual(cm, want) {
						t.Errorf("CaseMessages:\n got %+v\nwant %+v", cm, want)
					}
				}
			}
			if !found {
				t.Errorf("CaseMessages does not list message %d", m.ID)
			}
		})
	}

	// The JSON columns have a fixed shape on disk, whatever the Go names.
	var to, auto, refs string
	err := db.db.QueryRowContext(ctx, "SELECT to_addrs, auto, refs FROM messages WHERE message_id = ?",
		fullMessage().MessageID).Scan(&to, &auto, &refs)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"name":"Layanan Dinas","addr":"layanan@pustakaarsip.kamparkab.go.id"}]`; to != want {
		t.Errorf("to_addrs = %s, want %s", to, want)
	}
	if !strings.Contains(auto, `"auto_submitted":"no"`) || !strings.Contains(auto, `"list_headers":true`) {
		t.Errorf("auto = %s", auto)
	}
	if want := `["root@example.id","parent@example.id"]`; refs != want {
		t.Errorf("refs = %s, want %s", refs, want)
	}
	// Times are milliseconds, NULL when zero.
	var date, arrived any
	err = db.db.QueryRowContext(ctx, "SELECT date, arrived_at FROM messages WHERE synthetic_id = 1").Scan(&date, &arrived)
	if err != nil {
		t.Fatal(err)
	}
	if date != nil || arrived != nil {
		t.Errorf("zero times stored as %v, %v; want NULL", date, arrived)
	}
	var ms int64
	err = db.db.QueryRowContext(ctx, "SELECT date FROM messages WHERE message_id = ?", fullMessage().MessageID).Scan(&ms)
	if err != nil {
		t.Fatal(err)
	}
	if want := fullMessage().Date.UnixMilli(); ms != want {
		t.Errorf("date column = %d, want %d", ms, want)
	}
}

func TestMessageWithoutCase(t *testing.T) {
	db := openTest(t)
	m := fullMessage()
	insertMessage(t, db, m, 0)
	intake(t, db, func(tx mailproc.IntakeTx) error {
		got, caseID, err := tx.MessageByMessageID(m.MessageID)
		if err != nil {
			return err
		}
		if got == nil || caseID != 0 {
			t.Errorf("got %v on case %d, want the message on no case", got, caseID)
		}
		got, caseID, err = tx.MessageByMessageID("nothing@here")
		if got != nil || caseID != 0 || err != nil {
			t.Errorf("missing message: %v, %d, %v; want nil, 0, nil", got, caseID, err)
		}
		return err
	})
}

func TestInsertMessageRefusesInvalidUTF8(t *testing.T) {
	for _, tt := range []struct {
		name  string
		spoil func(m *mailproc.Message)
		field string
	}{
		{"text", func(m *mailproc.Message) { m.Text = "Jalan rusak \xff\xfe" }, "text"},
		{"subject", func(m *mailproc.Message) { m.Subject = "caf\xe9" }, "Subject"},
		{"cc name", func(m *mailproc.Message) { m.Cc[1].Name = "\xc3" }, "Cc name"},
		{"attachment", func(m *mailproc.Message) { m.Attachments[0].Filename = "\x80.pdf" }, "attachment filename"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			m := fullMessage()
			tt.spoil(m)
			err := db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
				return tx.InsertMessage(m, 0)
			})
			if err == nil || !strings.Contains(err.Error(), tt.field+" is not valid UTF-8") {
				t.Fatalf("err = %v, want one naming %s", err, tt.field)
			}
			if mailproc.IsTemporary(err) {
				t.Errorf("invalid UTF-8 reported as temporary")
			}
			if _, n, _, _ := db.Counts(context.Background()); n != 0 {
				t.Errorf("%d messages stored", n)
			}
		})
	}
}

func TestCaseByMessageIDs(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0))
	b := createCase(t, db, newCase("ADU-2026-00001", mailproc.KindAduan, t0.Add(time.Minute)))
	insertMessage(t, db, &mailproc.Message{MessageID: "a1@x"}, a.ID)
	insertMessage(t, db, &mailproc.Message{MessageID: "b1@x"}, b.ID)
	insertMessage(t, db, &mailproc.Message{MessageID: "nocase@x"}, 0)
	// Later issues fill outgoing_ids when mail is sent; here by hand.
	if _, err := db.db.ExecContext(ctx, "INSERT INTO outgoing_ids (message_id, case_id) VALUES (?, ?), (?, ?)",
		"ack.b@desk", b.ID, "notif.a@desk", a.ID); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		ids  []string
		want string // case number; "" for none
	}{
		{"nil", nil, ""},
		{"unknown", []string{"who@where"}, ""},
		{"message on no case", []string{"nocase@x"}, ""},
		{"empty id", []string{""}, ""},
		{"one", []string{"a1@x"}, a.Number},
		{"first wins b", []string{"b1@x", "a1@x"}, b.Number},
		{"first wins a", []string{"a1@x", "b1@x"}, a.Number},
		{"skips misses", []string{"", "nocase@x", "who@where", "b1@x", "a1@x"}, b.Number},
		{"outgoing id", []string{"ack.b@desk"}, b.Number},
		{"outgoing before stored", []string{"who@where", "notif.a@desk", "b1@x"}, a.Number},
		{"stored before outgoing", []string{"b1@x", "notif.a@desk"}, b.Number},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			intake(t, db, func(tx mailproc.IntakeTx) error {
				c, err := tx.CaseByMessageIDs(tt.ids)
				if err != nil {
					return err
				}
				got := ""
				if c != nil {
					got = c.Number
				}
				if got != tt.want {
					t.Errorf("CaseByMessageIDs(%q) = %q, want %q", tt.ids, got, tt.want)
				}
				return nil
			})
		})
	}
}

func TestCaseCreateUpdateFind(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	old := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0.Add(-30*24*time.Hour)))
	c := newCase("ADU-2026-00002", mailproc.KindAduan, t0)
	c.LinkedCaseID = old.ID
	c.CitizenName = "Bapak Ñandú Überweg"
	createCase(t, db, c)
	if c.ID == 0 || !c.UpdatedAt.Equal(t0) {
		t.Fatalf("CreateCase: ID %d, UpdatedAt %v", c.ID, c.UpdatedAt)
	}

	got, err := db.CaseByNumber(ctx, c.Number)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("CaseByNumber:\n got %+v\nwant %+v", got, c)
	}

	// Update every field, at a later time.
	later := t0.Add(2 * time.Hour)
	db.Now = func() time.Time { return later }
	c.Kind = mailproc.KindInformasi
	c.State = mailproc.StateDieskalasi
	c.EscalationLevel = 2
	c.FirstAnswerAt = t0.Add(time.Hour)
	c.ClosedAt = t0.Add(90 * time.Minute)
	c.DueAt = time.Time{}
	c.LinkedCaseID = 0
	c.Subject = "Subjek baru"
	intake(t, db, func(tx mailproc.IntakeTx) error { return tx.UpdateCase(c) })
	if !c.UpdatedAt.Equal(later) {
		t.Errorf("UpdatedAt = %v, want %v", c.UpdatedAt, later)
	}
	intake(t, db, func(tx mailproc.IntakeTx) error {
		byID, err := tx.CaseByID(c.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(byID, c) {
			t.Errorf("CaseByID after update:\n got %+v\nwant %+v", byID, c)
		}
		byNum, err := tx.CaseByNumber(c.Number)
		if err != nil {
			return err
		}
		if byNum == nil || byNum.ID != c.ID {
			t.Errorf("tx.CaseByNumber = %+v", byNum)
		}
		if missing, err := tx.CaseByNumber("ADU-2026-99999"); missing != nil || err != nil {
			t.Errorf("tx.CaseByNumber(missing) = %v, %v; want nil, nil", missing, err)
		}
		if missing, err := tx.CaseByID(424242); missing != nil || err != nil {
			t.Errorf("tx.CaseByID(missing) = %v, %v; want nil, nil", missing, err)
		}
		return nil
	})

	// Errors: a missing case, a bad kind, a duplicate number.
	err = db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		return tx.UpdateCase(&mailproc.Case{ID: 999, Number: "X", Kind: mailproc.KindAduan, State: mailproc.StateBaru, OpenedAt: t0})
	})
	if !errors.Is(err, mailproc.ErrNotFound) {
		t.Errorf("UpdateCase(missing) = %v, want ErrNotFound", err)
	}
	bad := newCase("INF-2026-00009", "pertanyaan", t0)
	err = db.Intake(ctx, func(tx mailproc.IntakeTx) error { return tx.CreateCase(bad) })
	if err == nil || mailproc.IsTemporary(err) {
		t.Errorf("CreateCase(bad kind) = %v, want a permanent error", err)
	}
	dup := newCase(c.Number, mailproc.KindAduan, t0)
	err = db.Intake(ctx, func(tx mailproc.IntakeTx) error { return tx.CreateCase(dup) })
	if err == nil || !strings.Contains(err.Error(), "UNIQUE") || mailproc.IsTemporary(err) {
		t.Errorf("CreateCase(duplicate number) = %v, want a permanent UNIQUE error", err)
	}
	if _, err := db.CaseByNumber(ctx, "ADU-2026-99999"); !errors.Is(err, mailproc.ErrNotFound) {
		t.Errorf("CaseByNumber(missing) = %v, want ErrNotFound", err)
	}
}

func TestDeliverySeen(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	m := &mailproc.Message{MessageID: "m@x"}
	insertMessage(t, db, m, 0)
	stored := mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 7, UID: 42}
	quarantined := mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 7, UID: 43}
	intake(t, db, func(tx mailproc.IntakeTx) error {
		if err := tx.RecordDelivery(stored, m.ID, mailproc.Stored); err != nil {
			return err
		}
		return tx.RecordDelivery(quarantined, 0, mailproc.Quarantined)
	})

	tests := []struct {
		name     string
		d        mailproc.Delivery
		wantSeen bool
		wantDisp mailproc.Disposition
	}{
		{"stored", stored, true, mailproc.Stored},
		{"quarantined", quarantined, true, mailproc.Quarantined},
		{"other uid", mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 7, UID: 44}, false, ""},
		{"new uidvalidity", mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 8, UID: 42}, false, ""},
		{"other mailbox", mailproc.Delivery{Mailbox: "Sent", UIDValidity: 7, UID: 42}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			disp, seen, err := db.DeliverySeen(ctx, tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if seen != tt.wantSeen || disp != tt.wantDisp {
				t.Errorf("DeliverySeen = %q, %v; want %q, %v", disp, seen, tt.wantDisp, tt.wantSeen)
			}
			// The range look-up the adapter makes per batch says the same.
			got, err := db.DeliveriesSeen(ctx, tt.d.Mailbox, tt.d.UIDValidity, tt.d.UID-1, tt.d.UID+1)
			if err != nil {
				t.Fatal(err)
			}
			if disp, seen := got[tt.d.UID]; seen != tt.wantSeen || disp != tt.wantDisp {
				t.Errorf("DeliveriesSeen[%d] = %q, %v; want %q, %v", tt.d.UID, disp, seen, tt.wantDisp, tt.wantSeen)
			}
		})
	}
	// A range holds exactly the handled UIDs inside it.
	for _, r := range []struct {
		lo, hi uint32
		want   map[uint32]mailproc.Disposition
	}{
		{41, 44, map[uint32]mailproc.Disposition{42: mailproc.Stored, 43: mailproc.Quarantined}},
		{43, 43, map[uint32]mailproc.Disposition{43: mailproc.Quarantined}},
		{44, 100, map[uint32]mailproc.Disposition{}},
		{1, 41, map[uint32]mailproc.Disposition{}},
	} {
		got, err := db.DeliveriesSeen(ctx, "INBOX", 7, r.lo, r.hi)
		if err != nil || !maps.Equal(got, r.want) {
			t.Errorf("DeliveriesSeen(%d:%d) = %v, %v; want %v", r.lo, r.hi, got, err, r.want)
		}
	}

	err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		return tx.RecordDelivery(stored, m.ID, mailproc.Duplicate)
	})
	if err == nil {
		t.Error("recording the same delivery twice succeeded")
	}
	err = db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		return tx.RecordDelivery(mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 7, UID: 99}, 0, "lost")
	})
	if err == nil {
		t.Error("an unknown disposition was accepted")
	}
}

func TestMailboxState(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()

	st, err := db.MailboxState(ctx, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if st != (mailproc.MailboxState{Mailbox: "INBOX"}) {
		t.Errorf("empty state = %+v", st)
	}
	for _, want := range []mailproc.MailboxState{
		{Mailbox: "INBOX", UIDValidity: 1, LastUID: 10},
		{Mailbox: "INBOX", UIDValidity: 1, LastUID: 11},
		{Mailbox: "INBOX", UIDValidity: 4294967295, LastUID: 4294967295}, // uint32 max
		{Mailbox: "Kotak Masuk/Ünïcode", UIDValidity: 3, LastUID: 0},
	} {
		if err := db.SetMailboxState(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := db.MailboxState(ctx, want.Mailbox)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("MailboxState = %+v, want %+v", got, want)
		}
	}
	if got, _ := db.MailboxState(ctx, "INBOX"); got.LastUID != 4294967295 {
		t.Errorf("INBOX after setting another mailbox = %+v", got)
	}
}

func TestIntakeRollback(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	boom := errors.New("boom")
	d := mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: 1}

	err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		seq, err := tx.NextSequence(mailproc.KindAduan, 2026)
		if err != nil {
			return err
		}
		c := newCase(mailproc.FormatNumber(mailproc.KindAduan, 2026, seq), mailproc.KindAduan, t0)
		if err := tx.CreateCase(c); err != nil {
			return err
		}
		m := fullMessage()
		if err := tx.InsertMessage(m, c.ID); err != nil {
			return err
		}
		if err := tx.AddEvent(&mailproc.Event{CaseID: c.ID, Actor: mailproc.ActorSystem, Type: mailproc.EventCreated, MessageID: m.ID}); err != nil {
			return err
		}
		if err := tx.RecordDelivery(d, m.ID, mailproc.Stored); err != nil {
			return err
		}
		if err := tx.InsertQuarantine(&mailproc.QuarantineEntry{Delivery: d, Reason: "x"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Intake = %v, want it to wrap fn's error", err)
	}
	if mailproc.IsTemporary(err) {
		t.Errorf("fn's permanent error became temporary: %v", err)
	}

	cases, msgs, quar, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cases+msgs+quar != 0 {
		t.Errorf("after rollback: %d cases, %d messages, %d quarantined", cases, msgs, quar)
	}
	for _, table := range []string{"events", "attachments", "deliveries", "case_counters"} {
		var n int
		if err := db.db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("after rollback: %d rows in %s", n, table)
		}
	}
	if _, seen, _ := db.DeliverySeen(ctx, d); seen {
		t.Error("after rollback the delivery is seen")
	}

	// A panic in fn rolls back too, and the database stays usable.
	func() {
		defer func() { recover() }()
		db.Intake(ctx, func(tx mailproc.IntakeTx) error {
			tx.CreateCase(newCase("INF-2026-00001", mailproc.KindInformasi, t0))
			panic("oops")
		})
	}()
	intake(t, db, func(tx mailproc.IntakeTx) error {
		seq, err := tx.NextSequence(mailproc.KindAduan, 2026)
		if seq != 1 {
			t.Errorf("first sequence after rollback = %d, want 1", seq)
		}
		return err
	})
	if n, _, _, _ := db.Counts(ctx); n != 0 {
		t.Errorf("after a panic in fn: %d cases", n)
	}
}

func TestReadSide(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()

	// Three cases opened an hour apart; the middle one closed.
	var cs []*mailproc.Case
	for i, number := range []string{"INF-2026-00001", "ADU-2026-00001", "INF-2026-00002"} {
		kind := mailproc.KindInformasi
		if strings.HasPrefix(number, "ADU") {
			kind = mailproc.KindAduan
		}
		c := newCase(number, kind, t0.Add(time.Duration(i)*time.Hour))
		if i == 1 {
			c.State, c.ClosedAt = mailproc.StateSelesai, t0.Add(90*time.Minute)
		}
		cs = append(cs, createCase(t, db, c))
	}
	numbers := func(list []*mailproc.Case) []string {
		var out []string
		for _, c := range list {
			out = append(out, c.Number)
		}
		return out
	}
	for _, tt := range []struct {
		f    CaseFilter
		want []string
	}{
		{CaseFilter{}, []string{"INF-2026-00002", "ADU-2026-00001", "INF-2026-00001"}},
		{CaseFilter{OpenOnly: true}, []string{"INF-2026-00002", "INF-2026-00001"}},
		{CaseFilter{Limit: 2}, []string{"INF-2026-00002", "ADU-2026-00001"}},
		{CaseFilter{OpenOnly: true, Limit: 1}, []string{"INF-2026-00002"}},
	} {
		got, err := db.ListCases(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(numbers(got), tt.want) {
			t.Errorf("ListCases(%+v) = %v, want %v", tt.f, numbers(got), tt.want)
		}
	}

	// Timeline is by time, not by insertion order.
	c := cs[0]
	m := &mailproc.Message{MessageID: "m@x"}
	insertMessage(t, db, m, c.ID)
	events := []*mailproc.Event{
		{CaseID: c.ID, At: t0.Add(2 * time.Minute), Actor: "staf@dinas.go.id", Type: mailproc.EventAnswer, Detail: "dijawab"},
		{CaseID: c.ID, At: t0, Actor: mailproc.ActorSystem, Type: mailproc.EventCreated, Detail: "dari email", MessageID: m.ID},
		{CaseID: c.ID, Actor: mailproc.ActorSystem, Type: mailproc.EventNote, Detail: "jam dari store"}, // At from the clock: t0
	}
	intake(t, db, func(tx mailproc.IntakeTx) error {
		for _, e := range events {
			if err := tx.AddEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	tl, err := db.Timeline(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []*mailproc.Event{events[1], events[2], events[0]}
	if !reflect.DeepEqual(tl, want) {
		t.Errorf("Timeline:\n got %+v\nwant %+v", tl, want)
	}
	if tl, _ := db.Timeline(ctx, cs[1].ID); len(tl) != 0 {
		t.Errorf("Timeline of a case without events = %v", tl)
	}
	err = db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		return tx.AddEvent(&mailproc.Event{CaseID: 4242, Actor: mailproc.ActorSystem, Type: mailproc.EventNote})
	})
	if err == nil {
		t.Error("an event on a missing case was accepted (foreign keys off?)")
	}

	// Quarantine, newest first, every field kept.
	qs := []*mailproc.QuarantineEntry{
		{Delivery: mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 5, UID: 9, Arrived: t0.Add(-time.Minute)},
			MessageID: "bad@x", SHA256: "abc", Size: 10, ArchivePath: "archive/abc.eml", Reason: "MIME rusak", At: t0},
		{Delivery: mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 5, UID: 10}, Reason: "tanpa isi", At: t0.Add(time.Second)},
	}
	intake(t, db, func(tx mailproc.IntakeTx) error {
		for _, q := range qs {
			if err := tx.InsertQuarantine(q); err != nil {
				return err
			}
		}
		return nil
	})
	ql, err := db.QuarantineList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []*mailproc.QuarantineEntry{qs[1], qs[0]}; !reflect.DeepEqual(ql, want) {
		t.Errorf("QuarantineList:\n got %+v\nwant %+v", ql, want)
	}

	nc, nm, nq, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if nc != 3 || nm != 1 || nq != 2 {
		t.Errorf("Counts = %d, %d, %d; want 3, 1, 2", nc, nm, nq)
	}
}
