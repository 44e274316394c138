package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestBurstHoldAndFlush: notifications held for a burst digest wait (not
// due) until FlushBurstDigest says it is time; then the digest lists their
// cases by deadline, and they go after every other lane, ops included. A
// restart in between forgets nothing.
func TestBurstHoldAndFlush(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailproc.db")
	db := openAt(t, path)
	ctx := context.Background()
	c1 := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0))
	c2 := newCase("ADU-2026-00001", mailproc.KindAduan, t0)
	c2.DueAt = t0.Add(time.Minute) // the earliest deadline
	createCase(t, db, c2)
	c3 := createCase(t, db, newCase("INF-2026-00002", mailproc.KindInformasi, t0))

	enqueue(t, db, outMail("ack1", c1.ID, mailproc.PurposeAck, "warga@example.id"),
		outMail("notify1", c1.ID, mailproc.PurposeNotify, "petugas@desk.test"),
		outMail("ops1", 0, mailproc.PurposeOps, "ops@desk.test"))
	hold := func(id string, c *mailproc.Case) {
		m := outMail(id, c.ID, mailproc.PurposeNotify, "petugas@desk.test")
		m.NextAttempt = t0.Add(mailproc.NotifyDigestWindow)
		m.Burst = true
		intake(t, db, func(tx mailproc.IntakeTx) error { return tx.EnqueueMail(m) })
	}
	hold("held2", c2)
	db.Now = func() time.Time { return t0.Add(time.Second) }
	hold("held3", c3)

	intake(t, db, func(tx mailproc.IntakeTx) error {
		for _, tt := range []struct{ limit, want int }{{2, 2}, {5, 3}} {
			n, err := tx.CountQueuedUpTo(mailproc.PurposeNotify, t0.Add(-time.Minute), tt.limit)
			if err != nil {
				return err
			}
			if n != tt.want {
				t.Errorf("CountQueuedUpTo(limit %d) = %d, want %d", tt.limit, n, tt.want)
			}
		}
		return nil
	})
	due := func(want []string) {
		t.Helper()
		got, err := db.DueMail(ctx, t0.Add(2*time.Second), 100)
		if err != nil {
			t.Fatal(err)
		}
		if ids := messageIDs(got); !reflect.DeepEqual(ids, want) {
			t.Errorf("DueMail = %q, want %q", ids, want)
		}
		for _, m := range got {
			if m.Burst != (m.MessageID == "held2" || m.MessageID == "held3") || (m.Burst && m.Lane() != mailproc.LaneBurst) {
				t.Errorf("%s: Burst %v, lane %d", m.MessageID, m.Burst, m.Lane())
			}
		}
	}
	due([]string{"ack1", "notify1", "ops1"})
	// Never listed (the digester not running), they go by themselves
	// once the window has passed, still after ops.
	late, err := db.DueMail(ctx, t0.Add(mailproc.NotifyDigestWindow), 100)
	if err != nil {
		t.Fatal(err)
	}
	if ids := messageIDs(late); !reflect.DeepEqual(ids, []string{"ack1", "notify1", "ops1", "held2", "held3"}) {
		t.Errorf("DueMail after the window = %q, want the held ones last", ids)
	}

	var oldest, newest time.Time
	notYet := func(o, n time.Time) bool { oldest, newest = o, n; return false }
	compose := func(cases []*mailproc.Case, total int) (*mailproc.OutgoingMail, error) {
		t.Fatal("composed a digest that was not due")
		return nil, nil
	}
	if n, err := db.FlushBurstDigest(ctx, t0.Add(2*time.Second), notYet, 1, compose); err != nil || n != 0 {
		t.Fatalf("FlushBurstDigest (not due) = %d, %v", n, err)
	}
	if !oldest.Equal(t0) || !newest.Equal(t0.Add(time.Second)) {
		t.Errorf("due asked with oldest %v, newest %v; want %v, %v", oldest, newest, t0, t0.Add(time.Second))
	}
	due([]string{"ack1", "notify1", "ops1"})

	// What is held is in the database: a restarted daemon lists it.
	db = openAt(t, path)
	var listed []string
	var count int
	compose = func(cases []*mailproc.Case, total int) (*mailproc.OutgoingMail, error) {
		for _, c := range cases {
			listed = append(listed, c.Number)
		}
		count = total
		return outMail("digest", 0, mailproc.PurposeNotify, "petugas@desk.test"), nil
	}
	yes := func(time.Time, time.Time) bool { return true }
	n, err := db.FlushBurstDigest(ctx, t0.Add(2*time.Second), yes, 1, compose)
	if err != nil || n != 2 {
		t.Fatalf("FlushBurstDigest = %d, %v; want 2 released", n, err)
	}
	if !reflect.DeepEqual(listed, []string{c2.Number}) || count != 2 {
		t.Errorf("digest listed %q of %d, want [%s] of 2 (the earliest deadline first, up to the limit)", listed, count, c2.Number)
	}
	due([]string{"ack1", "notify1", "digest", "ops1", "held2", "held3"})
	if n, err := db.FlushBurstDigest(ctx, t0.Add(3*time.Second), yes, 1, compose); err != nil || n != 0 {
		t.Errorf("second FlushBurstDigest = %d, %v; want nothing left to release", n, err)
	}
}

func TestBurstQueryPlans(t *testing.T) {
	db := openTest(t)
	for _, tt := range []struct {
		name  string
		query string
		args  []any
		want  []string
	}{
		{"CountQueuedUpTo", countQueuedUpToQuery, []any{"notify", 0, 10}, []string{"USING COVERING INDEX outbox_purpose_created"}},
		{"HeldSpan", heldSpanQuery, nil, []string{"outbox_burst_held"}},
		{"HeldCases", heldCasesQuery, []any{100}, []string{"outbox_burst_held"}},
		{"ReleaseHeld", releaseHeldQuery, []any{1, 1}, []string{"outbox_burst_held"}},
	} {
		t.Run(tt.name, func(t *testing.T) { checkPlan(t, db, tt.query, tt.args, tt.want) })
	}
}
