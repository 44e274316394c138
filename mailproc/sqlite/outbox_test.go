package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

const desk = "layanan@pustakaarsip.kamparkab.go.id"

// outMail returns a minimal pending mail to addr.
func outMail(id string, caseID int64, p mailproc.Purpose, to ...string) *mailproc.OutgoingMail {
	m := &mailproc.OutgoingMail{
		CaseID:    caseID,
		Purpose:   p,
		MessageID: id,
		From:      mailproc.Address{Name: "Layanan Informasi", Addr: desk},
		Subject:   "Tanda terima",
		Text:      "Terima kasih.",
	}
	for _, a := range to {
		m.To = append(m.To, mailproc.Address{Addr: a})
	}
	return m
}

// fullOutgoing has every field a caller sets, non-ASCII text included, and
// delivery fields that EnqueueMail must ignore.
func fullOutgoing(caseID int64) *mailproc.OutgoingMail {
	return &mailproc.OutgoingMail{
		CaseID:    caseID,
		Purpose:   mailproc.PurposeAnswer,
		MessageID: "mp.7f3a9c.jawab@pustakaarsip.kamparkab.go.id",
		From:      mailproc.Address{Name: "Layanan Informasi Dinas Perpustakaan", Addr: desk},
		To: []mailproc.Address{
			{Name: "Siti Nurhaliza", Addr: "Siti@Example.ID"},
			{Name: "山田 太郎", Addr: "yamada@example.jp"},
		},
		Cc:        []mailproc.Address{{Addr: "arsip@kamparkab.go.id"}},
		Subject:   "[ADU-2026-00001] Re: Jalan rusak — “mohon” ditindaklanjuti ✓ 東京 🙂",
		InReplyTo: "CAF=abc.123@mail.gmail.com",
		// Not sorted, so a reordering shows.
		References: []string{"zroot@example.id", "CAF=abc.123@mail.gmail.com", "amiddle@example.id"},
		Date:       time.Date(2026, 3, 2, 1, 29, 59, 123_456_789, time.UTC), // sub-millisecond
		Text:       "Yth. Ibu Siti,\n\nJalan akan diperbaiki pekan depan. Naïve café, Ελληνικά.\n",
		HTML:       `<p>Yth. Ibu Siti,</p><p>Jalan akan <b>diperbaiki</b> &amp; dicek — “segera”.</p>`,
		Attachments: []mailproc.OutgoingAttachment{
			{Filename: "Surat Keterangan – Ibu Siti.pdf", ContentType: "application/pdf", Size: 48213,
				ArchivePath: "archive/3f/3fa2c1.eml", Part: "2"},
			{Filename: "foto jalan.jpg", ContentType: "image/jpeg", Size: 0,
				ArchivePath: "archive/3f/3fa2c1.eml", Part: "3.1"},
		},

		State:       mailproc.OutboxSent,
		Attempts:    7,
		NextAttempt: t0.Add(time.Minute + 500*time.Microsecond),
		LastError:   "ignored",
		CreatedAt:   t0.Add(-time.Hour),
		SentAt:      t0,
		CopiedAt:    t0,
	}
}

func enqueue(t *testing.T, db *DB, ms ...*mailproc.OutgoingMail) {
	t.Helper()
	intake(t, db, func(tx mailproc.IntakeTx) error {
		for _, m := range ms {
			if err := tx.EnqueueMail(m); err != nil {
				return err
			}
		}
		return nil
	})
}

func outgoingByID(t *testing.T, db *DB, messageID string) *mailproc.OutgoingMail {
	t.Helper()
	var m *mailproc.OutgoingMail
	intake(t, db, func(tx mailproc.IntakeTx) error {
		var err error
		m, err = tx.OutgoingByMessageID(messageID)
		return err
	})
	return m
}

func rowCount(t *testing.T, db *DB, table string) int {
	t.Helper()
	var n int
	if err := db.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// outboxRows counts the rows of every table EnqueueMail writes.
func outboxRows(t *testing.T, db *DB) [3]int {
	t.Helper()
	return [3]int{rowCount(t, db, "outbox"), rowCount(t, db, "outbox_rcpts"), rowCount(t, db, "outgoing_ids")}
}

func TestOutboxSchema(t *testing.T) {
	db := openTest(t)
	for _, table := range []string{"outbox", "outbox_rcpts"} {
		var n int
		err := db.db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", table).Scan(&n)
		if err != nil || n != 1 {
			t.Errorf("table %s: count %d, err %v", table, n, err)
		}
	}

	// The invariants of a row hold in the schema itself, whatever writes it.
	c := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0))
	m := outMail("a@desk", c.ID, mailproc.PurposeAck, "warga@example.id")
	enqueue(t, db, m)
	for _, tt := range []struct {
		name, stmt string
	}{
		{"sent without sent_at", "UPDATE outbox SET state = 'sent', next_attempt = NULL"},
		{"pending without next_attempt", "UPDATE outbox SET next_attempt = NULL"},
		{"raw on a pending mail", "UPDATE outbox SET raw = x'00'"},
		{"copied but pending", "UPDATE outbox SET copied_at = 1"},
		{"unknown state", "UPDATE outbox SET state = 'lost'"},
		{"negative attempts", "UPDATE outbox SET attempts = -1"},
		{"unknown purpose", "UPDATE outbox SET purpose = 'spam'"},
		{"empty recipient", "INSERT INTO outbox_rcpts (addr, outbox_id) VALUES ('', 1)"},
		{"recipient of no mail", "INSERT INTO outbox_rcpts (addr, outbox_id) VALUES ('x@y', 999)"},
	} {
		if _, err := db.db.Exec(tt.stmt); err == nil {
			t.Errorf("%s: %q was accepted", tt.name, tt.stmt)
		}
	}
}

// TestOutboxQueryPlans checks that the sender loops' queries search an
// index rather than scan the outbox, which only grows.
func TestOutboxQueryPlans(t *testing.T) {
	db := openTest(t)
	for _, tt := range []struct {
		name  string
		query string
		args  []any
		want  []string // each must appear in the plan
	}{
		{"NextAttempt", nextAttemptQuery, nil, []string{"INDEX outbox_due"}},
		{"CopyPending", copyPendingQuery, []any{10}, []string{"USING INDEX outbox_copy_pending"}},
		{"CountSent", countSentQuery, []any{"a@b", "ack", 0},
			[]string{"SEARCH r USING PRIMARY KEY (addr=?)", "SEARCH o USING INTEGER PRIMARY KEY (rowid=?)"}},
	} {
		t.Run(tt.name, func(t *testing.T) { checkPlan(t, db, tt.query, tt.args, tt.want) })
	}
	// DueMail: each lane's query walks its part of outbox_pending_lane in
	// order (no sort of the backlog).
	for l, q := range dueMailLanes {
		t.Run("DueMail lane "+strconv.Itoa(l), func(t *testing.T) {
			checkPlan(t, db, "SELECT "+outboxColumns+" FROM outbox "+q, []any{1, 10},
				[]string{"SEARCH outbox USING INDEX outbox_pending_lane (<expr>=?)"})
			checkNoSort(t, db, "SELECT "+outboxColumns+" FROM outbox "+q, []any{1, 10})
		})
	}
}

// checkNoSort fails if the query's plan sorts its rows (USE TEMP B-TREE FOR
// ORDER BY): its cost would grow with the rows it sorts.
func checkNoSort(t *testing.T, db *DB, query string, args []any) {
	t.Helper()
	rows, err := db.db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(detail, "TEMP B-TREE") {
			t.Errorf("plan sorts: %s", detail)
		}
	}
}

// checkPlan fails unless the query's plan holds each of want and scans no
// table without an index (a subquery's own few rows are no table).
func checkPlan(t *testing.T, db *DB, query string, args []any, want []string) {
	t.Helper()
	rows, err := db.db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	joined := strings.Join(plan, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Errorf("plan lacks %q:\n%s", w, joined)
		}
	}
	for _, l := range plan {
		if strings.HasPrefix(l, "SCAN") && !strings.Contains(l, "INDEX") && !strings.HasPrefix(l, "SCAN (subquery") {
			t.Errorf("plan scans a table: %s", l)
		}
	}
}

func TestEnqueueRoundTrip(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	c := createCase(t, db, newCase("ADU-2026-00001", mailproc.KindAduan, t0))

	tests := []struct {
		name string
		mail func() *mailproc.OutgoingMail
		want func() *mailproc.OutgoingMail // ID is filled in by the test
		// On disk:
		toJSON, ccJSON, refsJSON, attsJSON string
		rcpts                              []string
		outgoingID                         bool
	}{
		{
			name: "every field",
			mail: func() *mailproc.OutgoingMail { return fullOutgoing(c.ID) },
			want: func() *mailproc.OutgoingMail {
				w := fullOutgoing(c.ID)
				w.Date = time.Date(2026, 3, 2, 1, 29, 59, 123_000_000, time.UTC)
				w.State, w.Attempts, w.LastError = mailproc.OutboxPending, 0, ""
				w.NextAttempt = t0.Add(time.Minute)
				w.CreatedAt, w.SentAt, w.CopiedAt = t0, time.Time{}, time.Time{}
				return w
			},
			toJSON:   `[{"name":"Siti Nurhaliza","addr":"Siti@Example.ID"},{"name":"山田 太郎","addr":"yamada@example.jp"}]`,
			ccJSON:   `[{"addr":"arsip@kamparkab.go.id"}]`,
			refsJSON: `["zroot@example.id","CAF=abc.123@mail.gmail.com","amiddle@example.id"]`,
			attsJSON: `[{"filename":"Surat Keterangan – Ibu Siti.pdf","content_type":"application/pdf","size":48213,"archive_path":"archive/3f/3fa2c1.eml","part":"2"},` +
				`{"filename":"foto jalan.jpg","content_type":"image/jpeg","size":0,"archive_path":"archive/3f/3fa2c1.eml","part":"3.1"}]`,
			rcpts:      []string{"siti@example.id", "yamada@example.jp"},
			outgoingID: true,
		},
		{
			name: "no case, zero times, empty lists",
			mail: func() *mailproc.OutgoingMail {
				return outMail("ops.1@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
			},
			want: func() *mailproc.OutgoingMail {
				w := outMail("ops.1@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
				w.State, w.NextAttempt, w.CreatedAt, w.Date = mailproc.OutboxPending, t0, t0, t0
				return w
			},
			toJSON:   `[{"addr":"ops@kamparkab.go.id"}]`,
			ccJSON:   `[]`,
			refsJSON: `[]`,
			attsJSON: `[]`,
			rcpts:    []string{"ops@kamparkab.go.id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.mail()
			enqueue(t, db, m)
			if m.ID == 0 {
				t.Fatal("EnqueueMail did not set ID")
			}
			want := tt.want()
			want.ID = m.ID
			if !reflect.DeepEqual(m, want) {
				t.Errorf("mail after EnqueueMail:\n got %+v\nwant %+v", m, want)
			}
			if got := outgoingByID(t, db, m.MessageID); !reflect.DeepEqual(got, want) {
				t.Errorf("OutgoingByMessageID:\n got %+v\nwant %+v", got, want)
			}
			list, err := db.Outbox(ctx, OutboxFilter{Purpose: m.Purpose})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || !reflect.DeepEqual(list[0], want) {
				t.Errorf("Outbox:\n got %+v\nwant [%+v]", list, want)
			}

			var to, cc, refs, atts string
			var date int64
			var sent, copied, raw any
			err = db.db.QueryRow(`SELECT to_addrs, cc_addrs, refs, attachments, date, sent_at, copied_at, raw
				FROM outbox WHERE id = ?`, m.ID).Scan(&to, &cc, &refs, &atts, &date, &sent, &copied, &raw)
			if err != nil {
				t.Fatal(err)
			}
			if to != tt.toJSON || cc != tt.ccJSON || refs != tt.refsJSON || atts != tt.attsJSON {
				t.Errorf("JSON columns = %s, %s, %s, %s; want %s, %s, %s, %s", to, cc, refs, atts, tt.toJSON, tt.ccJSON, tt.refsJSON, tt.attsJSON)
			}
			if date != want.Date.UnixMilli() {
				t.Errorf("date column = %d, want %d", date, want.Date.UnixMilli())
			}
			if sent != nil || copied != nil || raw != nil {
				t.Errorf("sent_at, copied_at, raw = %v, %v, %v; want NULL", sent, copied, raw)
			}

			var rcpts []string
			rows, err := db.db.Query("SELECT addr FROM outbox_rcpts WHERE outbox_id = ? ORDER BY addr", m.ID)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var a string
				rows.Scan(&a)
				rcpts = append(rcpts, a)
			}
			rows.Close()
			if !reflect.DeepEqual(rcpts, tt.rcpts) {
				t.Errorf("outbox_rcpts = %q, want %q", rcpts, tt.rcpts)
			}

			var caseID int64
			err = db.db.QueryRow("SELECT case_id FROM outgoing_ids WHERE message_id = ?", m.MessageID).Scan(&caseID)
			switch {
			case tt.outgoingID && (err != nil || caseID != m.CaseID):
				t.Errorf("outgoing_ids: case %d, %v; want case %d", caseID, err, m.CaseID)
			case !tt.outgoingID && err == nil:
				t.Errorf("outgoing_ids has a mail on no case (case %d)", caseID)
			}
		})
	}
	if got := outgoingByID(t, db, "nothing@here"); got != nil {
		t.Errorf("OutgoingByMessageID(missing) = %+v, want nil", got)
	}
}

func TestEnqueueRefuses(t *testing.T) {
	db := openTest(t)
	c := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0))
	enqueue(t, db, outMail("taken@desk", c.ID, mailproc.PurposeAck, "warga@example.id"))

	for _, tt := range []struct {
		name  string
		spoil func(m *mailproc.OutgoingMail)
		want  string // in the error
	}{
		{"subject not UTF-8", func(m *mailproc.OutgoingMail) { m.Subject = "caf\xe9" }, "Subject is not valid UTF-8"},
		{"HTML not UTF-8", func(m *mailproc.OutgoingMail) { m.HTML = "<p>\xff</p>" }, "HTML is not valid UTF-8"},
		{"To name not UTF-8", func(m *mailproc.OutgoingMail) { m.To[0].Name = "\xc3" }, "To name is not valid UTF-8"},
		{"reference not UTF-8", func(m *mailproc.OutgoingMail) { m.References = []string{"ok@x", "\x80@x"} }, "References is not valid UTF-8"},
		{"attachment name not UTF-8", func(m *mailproc.OutgoingMail) {
			m.Attachments = []mailproc.OutgoingAttachment{{Filename: "surat\xe9.pdf", ArchivePath: "archive/a.eml", Part: "2"}}
		}, "attachment filename is not valid UTF-8"},
		{"unknown purpose", func(m *mailproc.OutgoingMail) { m.Purpose = "spam" }, "CHECK"},
		{"no Message-ID", func(m *mailproc.OutgoingMail) { m.MessageID = "" }, "CHECK"},
		{"Message-ID taken", func(m *mailproc.OutgoingMail) { m.MessageID = "taken@desk" }, "UNIQUE"},
		{"case pointing nowhere", func(m *mailproc.OutgoingMail) { m.CaseID = 4242 }, "FOREIGN KEY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := outboxRows(t, db)
			m := outMail("new@desk", c.ID, mailproc.PurposeAck, "warga@example.id")
			tt.spoil(m)
			err := db.Intake(context.Background(), func(tx mailproc.IntakeTx) error { return tx.EnqueueMail(m) })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if mailproc.IsTemporary(err) {
				t.Errorf("%v reported as temporary", err)
			}
			if after := outboxRows(t, db); after != before {
				t.Errorf("rows in outbox, outbox_rcpts, outgoing_ids: %v, was %v", after, before)
			}
		})
	}
	if err := db.Intake(context.Background(), func(tx mailproc.IntakeTx) error { return tx.EnqueueMail(nil) }); err == nil {
		t.Error("EnqueueMail(nil) succeeded")
	}
}

func TestEnqueueRollback(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	boom := errors.New("boom")

	// The mail is queued in the transaction that opens the case; if that
	// transaction fails, neither the case nor its mail exists.
	err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		c := newCase("INF-2026-00001", mailproc.KindInformasi, t0)
		if err := tx.CreateCase(c); err != nil {
			return err
		}
		if err := tx.EnqueueMail(outMail("ack.1@desk", c.ID, mailproc.PurposeAck, "warga@example.id")); err != nil {
			return err
		}
		if got, err := tx.OutgoingByMessageID("ack.1@desk"); got == nil || err != nil {
			t.Errorf("inside the transaction OutgoingByMessageID = %v, %v", got, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Intake = %v, want boom", err)
	}
	if got := outboxRows(t, db); got != [3]int{} {
		t.Errorf("after rollback: outbox, outbox_rcpts, outgoing_ids rows = %v", got)
	}

	// The second of two mails fails: the first goes too.
	c := createCase(t, db, newCase("INF-2026-00002", mailproc.KindInformasi, t0))
	err = db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		if err := tx.EnqueueMail(outMail("ack.2@desk", c.ID, mailproc.PurposeAck, "warga@example.id")); err != nil {
			return err
		}
		return tx.EnqueueMail(outMail("ack.2@desk", c.ID, mailproc.PurposeNotify, "staf@kamparkab.go.id"))
	})
	if err == nil {
		t.Fatal("a duplicate Message-ID was accepted")
	}
	if got := outboxRows(t, db); got != [3]int{} {
		t.Errorf("after a failed enqueue: outbox, outbox_rcpts, outgoing_ids rows = %v", got)
	}
	intake(t, db, func(tx mailproc.IntakeTx) error {
		if found, err := tx.CaseByMessageIDs([]string{"ack.2@desk"}); found != nil || err != nil {
			t.Errorf("CaseByMessageIDs of a rolled-back mail = %v, %v", found, err)
		}
		return nil
	})
}

func TestCaseByMessageIDsFindsOutbox(t *testing.T) {
	db := openTest(t)
	a := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0))
	b := createCase(t, db, newCase("ADU-2026-00001", mailproc.KindAduan, t0))
	insertMessage(t, db, &mailproc.Message{MessageID: "citizen.a@example.id"}, a.ID)
	enqueue(t, db,
		outMail("ack.b@desk", b.ID, mailproc.PurposeAck, "warga@example.id"),
		outMail("notify.b@desk", b.ID, mailproc.PurposeNotify, "staf@kamparkab.go.id"),
		outMail("ops.x@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id"),
	)
	for _, tt := range []struct {
		name string
		ids  []string
		want string
	}{
		{"reply to our ack", []string{"ack.b@desk"}, b.Number},
		{"staff reply to the notification", []string{"notify.b@desk", "citizen.a@example.id"}, b.Number},
		{"stored mail first", []string{"citizen.a@example.id", "ack.b@desk"}, a.Number},
		{"unknown then ours", []string{"who@where", "ack.b@desk"}, b.Number},
		{"ops notice is on no case", []string{"ops.x@desk"}, ""},
	} {
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

func messageIDs(ms []*mailproc.OutgoingMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.MessageID)
	}
	return out
}

func TestDueMailAndNextAttempt(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()

	if at, ok, err := db.NextAttempt(ctx); ok || err != nil || !at.IsZero() {
		t.Errorf("NextAttempt of an empty outbox = %v, %v, %v", at, ok, err)
	}

	// Queued in this order (so by row id); each with its next attempt.
	queue := []struct {
		id   string
		next time.Duration // from t0
		end  mailproc.OutboxState
	}{
		{"a", -2 * time.Minute, mailproc.OutboxPending},
		{"b", time.Minute, mailproc.OutboxPending},
		{"sent", -5 * time.Minute, mailproc.OutboxSent},
		{"c", 0, mailproc.OutboxPending},
		{"failed", -6 * time.Minute, mailproc.OutboxFailed},
		{"d", -3 * time.Minute, mailproc.OutboxPending},
	}
	for _, q := range queue {
		m := outMail(q.id, 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
		m.NextAttempt = t0.Add(q.next)
		enqueue(t, db, m)
		switch q.end {
		case mailproc.OutboxSent:
			if err := db.MarkSent(ctx, m.ID, t0); err != nil {
				t.Fatal(err)
			}
		case mailproc.OutboxFailed:
			if err := db.MarkFailed(ctx, m.ID, 1, "550", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
	}

	for _, tt := range []struct {
		name string
		now  time.Time
		n    int
		want []string
	}{
		{"due now, oldest first", t0, 10, []string{"a", "c", "d"}},
		{"limit", t0, 2, []string{"a", "c"}},
		{"just before now", t0.Add(-time.Millisecond), 10, []string{"a", "d"}},
		{"later", t0.Add(time.Minute), 10, []string{"a", "b", "c", "d"}},
		{"nothing due yet", t0.Add(-10 * time.Minute), 10, nil},
		{"n zero", t0, 0, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.DueMail(ctx, tt.now, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if ids := messageIDs(got); !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("DueMail(%v, %d) = %q, want %q", tt.now, tt.n, ids, tt.want)
			}
		})
	}

	// A due mail comes whole.
	due, err := db.DueMail(ctx, t0, 1)
	if err != nil || len(due) != 1 {
		t.Fatalf("DueMail = %v, %v", due, err)
	}
	if want := outgoingByID(t, db, "a"); !reflect.DeepEqual(due[0], want) {
		t.Errorf("DueMail row:\n got %+v\nwant %+v", due[0], want)
	}

	// The earliest pending next attempt; sent and failed mail do not count.
	for _, step := range []struct {
		markSent string
		want     time.Time
		ok       bool
	}{
		{"", t0.Add(-3 * time.Minute), true},
		{"d", t0.Add(-2 * time.Minute), true},
		{"a", t0, true},
		{"c", t0.Add(time.Minute), true},
		{"b", time.Time{}, false},
	} {
		if step.markSent != "" {
			if err := db.MarkSent(ctx, outgoingByID(t, db, step.markSent).ID, t0); err != nil {
				t.Fatal(err)
			}
		}
		at, ok, err := db.NextAttempt(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok != step.ok || !at.Equal(step.want) {
			t.Errorf("after sending %q: NextAttempt = %v, %v; want %v, %v", step.markSent, at, ok, step.want, step.ok)
		}
	}
}

func TestMarkSent(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	m := outMail("a@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
	enqueue(t, db, m)
	sentAt := t0.Add(1500 * time.Millisecond)
	if err := db.MarkSent(ctx, m.ID, sentAt); err != nil {
		t.Fatal(err)
	}
	got := outgoingByID(t, db, m.MessageID)
	if got.State != mailproc.OutboxSent || !got.SentAt.Equal(sentAt) || got.Attempts != 1 || !got.NextAttempt.IsZero() {
		t.Errorf("after MarkSent: state %s, sent %v, attempts %d, next %v", got.State, got.SentAt, got.Attempts, got.NextAttempt)
	}
	if due, _ := db.DueMail(ctx, t0.Add(time.Hour), 10); len(due) != 0 {
		t.Errorf("a sent mail is due again: %q", messageIDs(due))
	}

	failed := outMail("f@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
	enqueue(t, db, failed)
	if err := db.MarkFailed(ctx, failed.ID, 3, "550 no such user", nil, nil); err != nil {
		t.Fatal(err)
	}

	// Nothing but a pending mail can be marked; the row stays as it was.
	for _, tt := range []struct {
		name     string
		call     func() error
		want     string
		notFound bool
	}{
		{"sent twice", func() error { return db.MarkSent(ctx, m.ID, t0.Add(time.Hour)) }, "is sent, not pending", false},
		{"sent after failing", func() error { return db.MarkSent(ctx, failed.ID, t0) }, "is failed, not pending", false},
		{"missing", func() error { return db.MarkSent(ctx, 9999, t0) }, "", true},
		{"retry a sent mail", func() error { return db.MarkRetry(ctx, m.ID, 2, t0, "421") }, "is sent, not pending", false},
		{"fail a sent mail", func() error { return db.MarkFailed(ctx, m.ID, 2, "550", nil, nil) }, "is sent, not pending", false},
		{"retry a failed mail", func() error { return db.MarkRetry(ctx, failed.ID, 4, t0, "421") }, "is failed, not pending", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("succeeded")
			}
			if tt.notFound != errors.Is(err, mailproc.ErrNotFound) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v", err)
			}
			if mailproc.IsTemporary(err) {
				t.Errorf("%v reported as temporary", err)
			}
		})
	}
	if again := outgoingByID(t, db, m.MessageID); !reflect.DeepEqual(again, got) {
		t.Errorf("the sent mail changed:\n got %+v\nwant %+v", again, got)
	}

	// A zero time is the store's clock.
	z := outMail("z@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
	enqueue(t, db, z)
	if err := db.MarkSent(ctx, z.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := outgoingByID(t, db, z.MessageID); !got.SentAt.Equal(t0) {
		t.Errorf("SentAt = %v, want the store's clock %v", got.SentAt, t0)
	}
}

func TestMarkRetry(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	m := outMail("a@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
	enqueue(t, db, m)

	for _, tt := range []struct {
		attempts int
		next     time.Time
		lastErr  string
		wantNext time.Time
		wantErr  string
	}{
		{1, t0.Add(30 * time.Second), "421 4.7.0 coba lagi nanti", t0.Add(30 * time.Second), "421 4.7.0 coba lagi nanti"},
		{2, t0.Add(2 * time.Minute), "dial tcp: i/o timeout", t0.Add(2 * time.Minute), "dial tcp: i/o timeout"},
		// An SMTP reply may carry any bytes; it is kept, made valid.
		{3, t0.Add(5 * time.Minute), "451 \xffbusy", t0.Add(5 * time.Minute), "451 \uFFFDbusy"},
		{4, time.Time{}, "", t0, ""}, // zero next: at once (the store's clock)
	} {
		if err := db.MarkRetry(ctx, m.ID, tt.attempts, tt.next, tt.lastErr); err != nil {
			t.Fatal(err)
		}
		got := outgoingByID(t, db, m.MessageID)
		if got.State != mailproc.OutboxPending || got.Attempts != tt.attempts ||
			!got.NextAttempt.Equal(tt.wantNext) || got.LastError != tt.wantErr {
			t.Errorf("after MarkRetry(%d, %v, %q): state %s, attempts %d, next %v, last error %q",
				tt.attempts, tt.next, tt.lastErr, got.State, got.Attempts, got.NextAttempt, got.LastError)
		}
		if tt.next.IsZero() {
			continue
		}
		if due, _ := db.DueMail(ctx, tt.next.Add(-time.Millisecond), 10); len(due) != 0 {
			t.Errorf("due before its next attempt: %q", messageIDs(due))
		}
		if due, _ := db.DueMail(ctx, tt.next, 10); len(due) != 1 {
			t.Errorf("not due at its next attempt: %q", messageIDs(due))
		}
	}
	if err := db.MarkRetry(ctx, m.ID, -1, t0, "x"); err == nil || mailproc.IsTemporary(err) {
		t.Errorf("MarkRetry with negative attempts = %v, want a permanent error", err)
	}
	if err := db.MarkRetry(ctx, 9999, 1, t0, "x"); !errors.Is(err, mailproc.ErrNotFound) {
		t.Errorf("MarkRetry(missing) = %v, want ErrNotFound", err)
	}
}

func TestMarkFailed(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	c := createCase(t, db, newCase("ADU-2026-00001", mailproc.KindAduan, t0))

	type result struct {
		err       bool
		failed    bool // the mail is failed (else still pending)
		notice    bool // the notice is in the outbox
		eventCase int64
	}
	tests := []struct {
		name   string
		caseID int64 // of the failing mail
		notice func() *mailproc.OutgoingMail
		event  func() *mailproc.Event
		want   result
	}{
		{
			name:   "notice and event on the mail's case",
			caseID: c.ID,
			notice: func() *mailproc.OutgoingMail {
				return outMail("ops.notice.1@desk", c.ID, mailproc.PurposeOps, "ops@kamparkab.go.id")
			},
			event: func() *mailproc.Event {
				return &mailproc.Event{Actor: mailproc.ActorSystem, Type: mailproc.EventDelivery, Detail: "550 5.1.1 user unknown"}
			},
			want: result{failed: true, notice: true, eventCase: c.ID},
		},
		{
			name:   "no notice, no event",
			caseID: c.ID,
			want:   result{failed: true},
		},
		{
			name:   "mail on no case, event without a case",
			caseID: 0,
			notice: func() *mailproc.OutgoingMail {
				return outMail("ops.notice.3@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
			},
			event: func() *mailproc.Event {
				return &mailproc.Event{Actor: mailproc.ActorSystem, Type: mailproc.EventDelivery}
			},
			want: result{failed: true, notice: true},
		},
		{
			name:   "event pointing nowhere",
			caseID: c.ID,
			notice: func() *mailproc.OutgoingMail {
				return outMail("ops.notice.4@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
			},
			event: func() *mailproc.Event {
				return &mailproc.Event{CaseID: 4242, Actor: mailproc.ActorSystem, Type: mailproc.EventDelivery}
			},
			want: result{err: true},
		},
		{
			name:   "bad notice",
			caseID: c.ID,
			notice: func() *mailproc.OutgoingMail {
				return outMail("ops.notice.5@desk", 0, "spam", "ops@kamparkab.go.id")
			},
			event: func() *mailproc.Event {
				return &mailproc.Event{Actor: mailproc.ActorSystem, Type: mailproc.EventDelivery}
			},
			want: result{err: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := outMail(strings.ReplaceAll(tt.name, " ", ".")+"@desk", tt.caseID, mailproc.PurposeAck, "warga@example.id")
			enqueue(t, db, m)
			if err := db.MarkRetry(ctx, m.ID, 1, t0, "421 first"); err != nil {
				t.Fatal(err)
			}
			var notice *mailproc.OutgoingMail
			if tt.notice != nil {
				notice = tt.notice()
			}
			var ev *mailproc.Event
			if tt.event != nil {
				ev = tt.event()
			}
			eventsBefore := rowCount(t, db, "events")

			err := db.MarkFailed(ctx, m.ID, 2, "550 5.1.1 user unknown", notice, ev)
			if (err != nil) != tt.want.err {
				t.Fatalf("MarkFailed = %v, want error %v", err, tt.want.err)
			}
			if err != nil && mailproc.IsTemporary(err) {
				t.Errorf("%v reported as temporary", err)
			}

			got := outgoingByID(t, db, m.MessageID)
			if tt.want.failed {
				if got.State != mailproc.OutboxFailed || got.Attempts != 2 || got.LastError != "550 5.1.1 user unknown" || !got.NextAttempt.IsZero() {
					t.Errorf("failed mail: state %s, attempts %d, last error %q, next %v", got.State, got.Attempts, got.LastError, got.NextAttempt)
				}
			} else if got.State != mailproc.OutboxPending || got.Attempts != 1 || got.LastError != "421 first" {
				t.Errorf("after a failed MarkFailed: state %s, attempts %d, last error %q; want it untouched",
					got.State, got.Attempts, got.LastError)
			}

			if notice != nil {
				n := outgoingByID(t, db, notice.MessageID)
				if tt.want.notice && (n == nil || n.ID != notice.ID || n.State != mailproc.OutboxPending) {
					t.Errorf("notice in the outbox = %+v", n)
				}
				if !tt.want.notice && n != nil {
					t.Errorf("notice queued although MarkFailed failed: %+v", n)
				}
			}

			eventsAfter := rowCount(t, db, "events")
			switch {
			case tt.want.eventCase != 0:
				if eventsAfter != eventsBefore+1 || ev.ID == 0 || ev.CaseID != tt.want.eventCase {
					t.Errorf("event: %d -> %d rows, %+v; want one on case %d", eventsBefore, eventsAfter, ev, tt.want.eventCase)
				}
				tl, err := db.Timeline(ctx, tt.want.eventCase)
				if err != nil {
					t.Fatal(err)
				}
				if last := tl[len(tl)-1]; last.ID != ev.ID || last.Type != mailproc.EventDelivery || !last.At.Equal(t0) {
					t.Errorf("last event of the case = %+v", last)
				}
			case eventsAfter != eventsBefore:
				t.Errorf("events: %d -> %d rows, want none added", eventsBefore, eventsAfter)
			}
		})
	}

	// Failing a failed mail again is an error and queues nothing.
	m := outMail("twice@desk", c.ID, mailproc.PurposeAck, "warga@example.id")
	enqueue(t, db, m)
	if err := db.MarkFailed(ctx, m.ID, 1, "550", nil, nil); err != nil {
		t.Fatal(err)
	}
	notice := outMail("ops.twice@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
	if err := db.MarkFailed(ctx, m.ID, 2, "550", notice, nil); err == nil || !strings.Contains(err.Error(), "is failed, not pending") {
		t.Errorf("MarkFailed twice = %v", err)
	}
	if n := outgoingByID(t, db, notice.MessageID); n != nil {
		t.Errorf("notice queued by a refused MarkFailed: %+v", n)
	}
}

func TestCopyPending(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()

	// Raw bytes as sent: CRLF, 8-bit, a NUL — a BLOB, not text.
	raw := func(s string) []byte {
		return []byte("Message-ID: <" + s + ">\r\nSubject: =?UTF-8?Q?T=C3=A9st?=\r\n\r\n\x00\xff\xfe caf\xc3\xa9\r\n")
	}
	mails := map[string]*mailproc.OutgoingMail{}
	for i, id := range []string{"a", "b", "c", "pending"} {
		m := outMail(id, 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
		enqueue(t, db, m)
		mails[id] = m
		if id == "pending" {
			continue
		}
		// Sent in the order b, a, c.
		at := map[string]time.Duration{"b": 0, "a": time.Second, "c": 2 * time.Second}[id]
		if err := db.MarkSent(ctx, m.ID, t0.Add(at)); err != nil {
			t.Fatal(i, err)
		}
	}
	// c's copy made at once; a and b wait.
	if err := db.MarkCopied(ctx, mails["c"].ID, t0.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b"} {
		if err := db.SetCopyPending(ctx, mails[id].ID, raw(id)); err != nil {
			t.Fatal(err)
		}
	}

	pending := func(n int) []mailproc.PendingCopy {
		t.Helper()
		ps, err := db.CopyPending(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	want := []mailproc.PendingCopy{
		{ID: mails["b"].ID, Raw: raw("b"), SentAt: t0},
		{ID: mails["a"].ID, Raw: raw("a"), SentAt: t0.Add(time.Second)},
	}
	if got := pending(10); !reflect.DeepEqual(got, want) {
		t.Errorf("CopyPending(10) =\n %+v\nwant\n %+v", got, want)
	}
	if got := pending(1); !reflect.DeepEqual(got, want[:1]) {
		t.Errorf("CopyPending(1) = %+v", got)
	}

	// Refused: nothing to keep, a mail not sent, a mail already copied.
	for _, tt := range []struct {
		name string
		call func() error
	}{
		{"empty raw", func() error { return db.SetCopyPending(ctx, mails["a"].ID, nil) }},
		{"pending mail", func() error { return db.SetCopyPending(ctx, mails["pending"].ID, raw("p")) }},
		{"already copied", func() error { return db.SetCopyPending(ctx, mails["c"].ID, raw("c")) }},
		{"copy a pending mail", func() error { return db.MarkCopied(ctx, mails["pending"].ID, t0) }},
		{"copy twice", func() error { return db.MarkCopied(ctx, mails["c"].ID, t0) }},
		{"copy a missing mail", func() error { return db.MarkCopied(ctx, 9999, t0) }},
	} {
		if err := tt.call(); err == nil || mailproc.IsTemporary(err) {
			t.Errorf("%s: %v, want a permanent error", tt.name, err)
		}
	}

	copiedAt := t0.Add(time.Minute)
	if err := db.MarkCopied(ctx, mails["b"].ID, copiedAt); err != nil {
		t.Fatal(err)
	}
	var rawCol any
	if err := db.db.QueryRow("SELECT raw FROM outbox WHERE id = ?", mails["b"].ID).Scan(&rawCol); err != nil {
		t.Fatal(err)
	}
	if rawCol != nil {
		t.Errorf("raw after MarkCopied = %q, want NULL", rawCol)
	}
	if got := outgoingByID(t, db, "b"); !got.CopiedAt.Equal(copiedAt) || got.State != mailproc.OutboxSent {
		t.Errorf("after MarkCopied: copied %v, state %s", got.CopiedAt, got.State)
	}
	if got := pending(10); !reflect.DeepEqual(got, want[1:]) {
		t.Errorf("CopyPending after copying b = %+v", got)
	}
	if err := db.MarkCopied(ctx, mails["a"].ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := outgoingByID(t, db, "a"); !got.CopiedAt.Equal(t0) {
		t.Errorf("CopiedAt with a zero time = %v, want the store's clock", got.CopiedAt)
	}
	if got := pending(10); len(got) != 0 {
		t.Errorf("CopyPending after copying all = %+v", got)
	}
	if n := rowCount(t, db, "outbox WHERE raw IS NOT NULL"); n != 0 {
		t.Errorf("%d rows still keep raw bytes", n)
	}
}

func TestCountSent(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	c := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0.Add(-48*time.Hour)))

	queue := []struct {
		at      time.Duration // created, from t0
		purpose mailproc.Purpose
		to, cc  []string
		fail    bool
	}{
		{-25 * time.Hour, mailproc.PurposeAck, []string{"Warga@Example.ID"}, nil, false},
		{-time.Hour, mailproc.PurposeAck, []string{"warga@example.id"}, nil, false},
		{-30 * time.Minute, mailproc.PurposeAck, []string{"lain@example.id", "WARGA@example.id"}, nil, false},
		{-10 * time.Minute, mailproc.PurposeAnswer, []string{"warga@example.id"}, nil, false},
		{-5 * time.Minute, mailproc.PurposeAck, []string{"lain@example.id"}, []string{"warga@example.id"}, false},
		{0, mailproc.PurposeAck, []string{"warga@example.id"}, nil, true}, // decided, then failed: counts
		{0, mailproc.PurposeAck, []string{"warga@example.id", "Warga@example.id"}, nil, false},
	}
	for i, q := range queue {
		at := t0.Add(q.at)
		db.Now = func() time.Time { return at }
		m := outMail(string(rune('a'+i))+"@desk", c.ID, q.purpose, q.to...)
		for _, a := range q.cc {
			m.Cc = append(m.Cc, mailproc.Address{Addr: a})
		}
		enqueue(t, db, m)
		if q.fail {
			if err := db.MarkFailed(ctx, m.ID, 1, "550", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.Now = func() time.Time { return t0 }

	for _, tt := range []struct {
		name    string
		purpose mailproc.Purpose
		addr    string
		since   time.Time
		want    int
	}{
		{"last day", mailproc.PurposeAck, "warga@example.id", t0.Add(-24 * time.Hour), 4},
		{"any case, spaces", mailproc.PurposeAck, " WARGA@EXAMPLE.ID ", t0.Add(-24 * time.Hour), 4},
		{"ever", mailproc.PurposeAck, "warga@example.id", time.Time{}, 5},
		{"since is inclusive", mailproc.PurposeAck, "warga@example.id", t0.Add(-30 * time.Minute), 3},
		{"just after", mailproc.PurposeAck, "warga@example.id", t0.Add(-30*time.Minute + time.Nanosecond), 2},
		{"future", mailproc.PurposeAck, "warga@example.id", t0.Add(time.Millisecond), 0},
		{"other purpose", mailproc.PurposeAnswer, "warga@example.id", time.Time{}, 1},
		{"purpose never sent", mailproc.PurposeHelp, "warga@example.id", time.Time{}, 0},
		{"other address", mailproc.PurposeAck, "lain@example.id", time.Time{}, 2},
		{"unknown address", mailproc.PurposeAck, "orang@lain.id", time.Time{}, 0},
		{"empty address", mailproc.PurposeAck, "", time.Time{}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			intake(t, db, func(tx mailproc.IntakeTx) error {
				n, err := tx.CountSent(tt.purpose, tt.addr, tt.since)
				if err != nil {
					return err
				}
				if n != tt.want {
					t.Errorf("CountSent(%s, %q, %v) = %d, want %d", tt.purpose, tt.addr, tt.since, n, tt.want)
				}
				return nil
			})
		})
	}
}

func TestOutboxListAndCounts(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	a := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0))
	b := createCase(t, db, newCase("ADU-2026-00001", mailproc.KindAduan, t0))

	if p, s, f, err := db.OutboxCounts(ctx); p+s+f != 0 || err != nil {
		t.Errorf("OutboxCounts of an empty outbox = %d, %d, %d, %v", p, s, f, err)
	}
	queue := []struct {
		id      string
		caseID  int64
		purpose mailproc.Purpose
		created time.Duration
		end     mailproc.OutboxState
	}{
		{"a.ack", a.ID, mailproc.PurposeAck, 0, mailproc.OutboxSent},
		{"a.notify", a.ID, mailproc.PurposeNotify, time.Second, mailproc.OutboxPending},
		{"b.ack", b.ID, mailproc.PurposeAck, 2 * time.Second, mailproc.OutboxFailed},
		{"ops", 0, mailproc.PurposeOps, 3 * time.Second, mailproc.OutboxPending},
		// Queued last, but stamped earliest (a clock set back): oldest first
		// is by creation time.
		{"b.notify", b.ID, mailproc.PurposeNotify, -time.Second, mailproc.OutboxPending},
	}
	for _, q := range queue {
		at := t0.Add(q.created)
		db.Now = func() time.Time { return at }
		m := outMail(q.id, q.caseID, q.purpose, "x@example.id")
		enqueue(t, db, m)
		switch q.end {
		case mailproc.OutboxSent:
			if err := db.MarkSent(ctx, m.ID, at); err != nil {
				t.Fatal(err)
			}
		case mailproc.OutboxFailed:
			if err := db.MarkFailed(ctx, m.ID, 1, "550", nil, nil); err != nil {
				t.Fatal(err)
			}
		}
	}

	for _, tt := range []struct {
		f    OutboxFilter
		want []string
	}{
		{OutboxFilter{}, []string{"b.notify", "a.ack", "a.notify", "b.ack", "ops"}},
		{OutboxFilter{Limit: 2}, []string{"b.notify", "a.ack"}},
		{OutboxFilter{CaseID: a.ID}, []string{"a.ack", "a.notify"}},
		{OutboxFilter{State: mailproc.OutboxPending}, []string{"b.notify", "a.notify", "ops"}},
		{OutboxFilter{Purpose: mailproc.PurposeAck}, []string{"a.ack", "b.ack"}},
		{OutboxFilter{CaseID: b.ID, State: mailproc.OutboxFailed, Purpose: mailproc.PurposeAck}, []string{"b.ack"}},
		{OutboxFilter{CaseID: b.ID, Purpose: mailproc.PurposeOps}, nil},
	} {
		got, err := db.Outbox(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if ids := messageIDs(got); !reflect.DeepEqual(ids, tt.want) {
			t.Errorf("Outbox(%+v) = %q, want %q", tt.f, ids, tt.want)
		}
	}
	if p, s, f, err := db.OutboxCounts(ctx); p != 3 || s != 1 || f != 1 || err != nil {
		t.Errorf("OutboxCounts = %d, %d, %d, %v; want 3, 1, 1", p, s, f, err)
	}
	// The tallies agree with counting the rows themselves.
	all, _ := db.Outbox(ctx, OutboxFilter{})
	want := map[OutboxTally]int{}
	for _, m := range all {
		want[OutboxTally{Purpose: m.Purpose, State: m.State}]++
	}
	tallies, err := db.OutboxTallies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[OutboxTally]int{}
	for _, tl := range tallies {
		got[OutboxTally{Purpose: tl.Purpose, State: tl.State}] = tl.N
	}
	if !reflect.DeepEqual(got, want) || len(tallies) < 3 {
		t.Errorf("OutboxTallies = %v, want %v", got, want)
	}
}

func TestOutboxBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailproc.db")
	holder := openAt(t, path)
	m := outMail("a@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
	enqueue(t, holder, m)

	waiter, err := open(path, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer waiter.Close()
	waiter.Now = func() time.Time { return t0 }
	ctx := context.Background()

	// Retries exhausted: temporary, and the mail is still pending.
	waiter.busyRetries, waiter.busyBackoff = 1, 5*time.Millisecond
	release := make(chan struct{})
	done := holdWriteLock(t, holder, release)
	err = waiter.MarkSent(ctx, m.ID, t0)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err == nil || !mailproc.IsTemporary(err) {
		t.Fatalf("MarkSent while locked = %v, want a temporary error", err)
	}
	if got := outgoingByID(t, holder, m.MessageID); got.State != mailproc.OutboxPending {
		t.Fatalf("state after a busy MarkSent = %s", got.State)
	}

	// Retried until the lock is free.
	waiter.busyRetries, waiter.busyBackoff = 5, 50*time.Millisecond
	release = make(chan struct{})
	done = holdWriteLock(t, holder, release)
	time.AfterFunc(100*time.Millisecond, func() { close(release) })
	if err := waiter.MarkSent(ctx, m.ID, t0); err != nil {
		t.Fatalf("MarkSent was not retried until the lock was free: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := outgoingByID(t, holder, m.MessageID); got.State != mailproc.OutboxSent {
		t.Errorf("state = %s, want sent", got.State)
	}

	// A canceled context is temporary too, for reads and writes.
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := waiter.DueMail(canceled, t0, 10); !mailproc.IsTemporary(err) {
		t.Errorf("DueMail with a canceled context = %v", err)
	}
	if err := waiter.MarkRetry(canceled, m.ID, 1, t0, "x"); !mailproc.IsTemporary(err) {
		t.Errorf("MarkRetry with a canceled context = %v", err)
	}
}

// TestMarkSentAcknowledges: a new case becomes diakui when its tanda terima
// is accepted by the server, with an event; other mail, and cases past baru,
// are left alone.
func TestMarkSentAcknowledges(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	fresh := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0))
	answered := newCase("INF-2026-00002", mailproc.KindInformasi, t0)
	answered.State = mailproc.StateDijawab
	answered = createCase(t, db, answered)
	notice := createCase(t, db, newCase("ADU-2026-00001", mailproc.KindAduan, t0))

	ack := outMail("ack1@desk", fresh.ID, mailproc.PurposeAck, "siti@example.id")
	lateAck := outMail("ack2@desk", answered.ID, mailproc.PurposeAck, "budi@example.id")
	ops := outMail("ops1@desk", notice.ID, mailproc.PurposeOps, "ops@kamparkab.go.id")
	enqueue(t, db, ack, lateAck, ops)
	for _, m := range []*mailproc.OutgoingMail{ack, lateAck, ops} {
		if err := db.MarkSent(ctx, m.ID, t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		c      *mailproc.Case
		want   mailproc.State
		events int
	}{
		{fresh, mailproc.StateDiakui, 1},
		{answered, mailproc.StateDijawab, 0},
		{notice, mailproc.StateBaru, 0},
	} {
		got, err := db.CaseByID(ctx, tt.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		events, _ := db.Timeline(ctx, tt.c.ID)
		if got.State != tt.want || len(events) != tt.events {
			t.Errorf("%s: state %s with %d events, want %s with %d", tt.c.Number, got.State, len(events), tt.want, tt.events)
		}
	}
}

// The attachments column is never NULL: a row written without it (by an
// older writer, or by hand) holds [] and reads back as no attachments, and
// NULL is refused.
func TestOutboxAttachmentsColumn(t *testing.T) {
	db := openTest(t)
	_, err := db.db.Exec(`INSERT INTO outbox (purpose, message_id, date, next_attempt, created_at)
		VALUES ('ops', 'bare@desk', 1, 1, 1)`)
	if err != nil {
		t.Fatal(err)
	}
	var atts string
	if err := db.db.QueryRow(`SELECT attachments FROM outbox WHERE message_id = 'bare@desk'`).Scan(&atts); err != nil || atts != "[]" {
		t.Errorf("attachments = %q, %v; want []", atts, err)
	}
	if m := outgoingByID(t, db, "bare@desk"); m == nil || m.Attachments != nil {
		t.Errorf("read back %+v, want no attachments", m)
	}
	if _, err := db.db.Exec(`UPDATE outbox SET attachments = NULL`); err == nil {
		t.Error("NULL attachments accepted")
	}

	// DueMail hands the sender the attachments to build the mail with.
	m := outMail("att@desk", 0, mailproc.PurposeNotify, "petugas@kamparkab.go.id")
	m.Attachments = []mailproc.OutgoingAttachment{{Filename: "Laporan – Desa Kualu.pdf", ContentType: "application/pdf",
		Size: 481, ArchivePath: "archive/ab/abcdef.eml", Part: "2"}}
	enqueue(t, db, m)
	due, err := db.DueMail(context.Background(), t0.Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	var got *mailproc.OutgoingMail
	for _, d := range due {
		if d.MessageID == "att@desk" {
			got = d
		}
	}
	if got == nil || !reflect.DeepEqual(got.Attachments, m.Attachments) {
		t.Errorf("DueMail attachments = %+v, want %+v", got, m.Attachments)
	}
}
