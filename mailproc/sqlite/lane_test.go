package sqlite

import (
	"context"
	"reflect"
	"strconv"
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
	// The closing mail goes to the citizen too; on no case here, it is
	// ordered by its queueing alone (TestDueMailCaseOrder).
	want := []string{"ack2", "closing1", "answer1", "ack1",
		"notify1", "escalation1", "notify2", "confirm1",
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

// TestDueMailCaseOrder: within one case the citizen's mails are due one at
// a time in the order they were queued (acknowledgement, answer, closing),
// an earlier one still pending holding the later ones even when it is not
// due itself; across cases the newest goes first; a failed or sent mail
// holds nothing; staff mail of a case is never held.
func TestDueMailCaseOrder(t *testing.T) {
	ctx := context.Background()
	type q struct {
		id    string
		cs    string // case, "" none
		p     mailproc.Purpose
		later bool // queued to leave a minute after t0 (the closing delay)
	}
	for _, tt := range []struct {
		name  string
		queue []q
		retry []string // tried once, to be retried a minute after t0
		fail  []string // marked failed before the read
		sent  []string // marked sent before the read
		want  []string
	}{
		{"one case after an outage: its first mail only",
			[]q{{"ack", "A", mailproc.PurposeAck, false}, {"answer", "A", mailproc.PurposeAnswer, false},
				{"closing", "A", mailproc.PurposeClosing, false}},
			nil, nil, nil, []string{"ack"}},
		{"then the next, once the first is sent",
			[]q{{"ack", "A", mailproc.PurposeAck, false}, {"answer", "A", mailproc.PurposeAnswer, false},
				{"closing", "A", mailproc.PurposeClosing, false}},
			nil, nil, []string{"ack"}, []string{"answer"}},
		{"newest case first, each case's earliest mail",
			[]q{{"ackA", "A", mailproc.PurposeAck, false}, {"ackB", "B", mailproc.PurposeAck, false},
				{"answerA", "A", mailproc.PurposeAnswer, false}, {"ackC", "C", mailproc.PurposeAck, false},
				{"answerB", "B", mailproc.PurposeAnswer, false}},
			nil, nil, nil, []string{"ackC", "ackB", "ackA"}},
		{"an earlier mail waiting for its retry holds the answer",
			[]q{{"ack", "A", mailproc.PurposeAck, false}, {"answer", "A", mailproc.PurposeAnswer, false},
				{"ackB", "B", mailproc.PurposeAck, false}},
			[]string{"ack"}, nil, nil, []string{"ackB"}},
		{"a closing mail queued to leave later holds no answer queued after it",
			[]q{{"closing", "A", mailproc.PurposeClosing, true}, {"answer2", "A", mailproc.PurposeAnswer, false}},
			nil, nil, nil, []string{"answer2"}},
		{"a failed mail holds nothing",
			[]q{{"ack", "A", mailproc.PurposeAck, false}, {"answer", "A", mailproc.PurposeAnswer, false}},
			nil, []string{"ack"}, nil, []string{"answer"}},
		{"staff mail of the case is not held",
			[]q{{"ack", "A", mailproc.PurposeAck, false}, {"notify", "A", mailproc.PurposeNotify, false},
				{"answer", "A", mailproc.PurposeAnswer, false}, {"confirm", "A", mailproc.PurposeConfirm, false}},
			nil, nil, nil, []string{"ack", "notify", "confirm"}},
		{"mail on no case is never held",
			[]q{{"closing1", "", mailproc.PurposeClosing, false}, {"ack1", "", mailproc.PurposeAck, false}},
			nil, nil, nil, []string{"ack1", "closing1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			cases := map[string]int64{}
			ids := map[string]int64{}
			for _, m := range tt.queue {
				if m.cs != "" && cases[m.cs] == 0 {
					cases[m.cs] = createCase(t, db, newCase("INF-2026-0000"+strconv.Itoa(len(cases)+1), mailproc.KindInformasi, t0)).ID
				}
				om := outMail(m.id, cases[m.cs], m.p, "warga@example.id")
				om.NextAttempt = t0
				if m.later {
					om.NextAttempt = t0.Add(time.Minute)
				}
				enqueue(t, db, om)
				ids[m.id] = om.ID
			}
			for _, id := range tt.retry {
				if err := db.MarkRetry(ctx, ids[id], 1, t0.Add(time.Minute), "421 try again"); err != nil {
					t.Fatal(err)
				}
			}
			for _, id := range tt.fail {
				if err := db.MarkFailed(ctx, ids[id], 1, "550 no", nil, nil); err != nil {
					t.Fatal(err)
				}
			}
			for _, id := range tt.sent {
				if err := db.MarkSent(ctx, ids[id], t0); err != nil {
					t.Fatal(err)
				}
			}
			got, err := db.DueMail(ctx, t0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if ids := messageIDs(got); !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("DueMail = %q, want %q", ids, tt.want)
			}
		})
	}
}
