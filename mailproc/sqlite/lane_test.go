package sqlite

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestDueMailLanes: a backlog of staff and ops mail queued first never
// comes before a citizen's mail queued after it; citizen mail goes newest
// first (a live acknowledgement before a backlog of them), staff and ops
// mail oldest first; a mail not yet due waits whatever its lane.
func TestDueMailLanes(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	queue := []struct {
		id string
		p  mailproc.Purpose
	}{
		{"ops1", mailproc.PurposeOps},
		{"notify1", mailproc.PurposeNotify},
		{"escalation1", mailproc.PurposeEscalation},
		{"ack1", mailproc.PurposeAck},
		{"notify2", mailproc.PurposeNotify},
		{"answer1", mailproc.PurposeAnswer},
		{"ops2", mailproc.PurposeOps},
		{"closing1", mailproc.PurposeClosing},
		{"confirm1", mailproc.PurposeConfirm},
		{"ack2", mailproc.PurposeAck},
	}
	for _, q := range queue {
		m := outMail(q.id, 0, q.p, "x@warga.test")
		m.NextAttempt = t0
		enqueue(t, db, m)
	}
	later := outMail("ack-later", 0, mailproc.PurposeAck, "y@warga.test")
	later.NextAttempt = t0.Add(time.Minute)
	enqueue(t, db, later)

	got, err := db.DueMail(ctx, t0, 100)
	if err != nil {
		t.Fatal(err)
	}
	// The closing mail goes with staff mail, after the citizen lane: it
	// never overtakes the answer it closes.
	want := []string{"ack2", "answer1", "ack1",
		"notify1", "escalation1", "notify2", "closing1", "confirm1",
		"ops1", "ops2"}
	if ids := messageIDs(got); !reflect.DeepEqual(ids, want) {
		t.Errorf("DueMail order = %q\nwant %q", ids, want)
	}
	got, err = db.DueMail(ctx, t0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if ids := messageIDs(got); !reflect.DeepEqual(ids, want[:2]) {
		t.Errorf("DueMail(n=2) = %q, want %q", ids, want[:2])
	}
}
