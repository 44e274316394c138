package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestForgetMatchesOnlyTheAddress: an address with _ in it (a LIKE
// wildcard) is forgotten without touching the mail and events of an
// address that differs only where the _ stands; the forgotten one is gone
// from every header column and event, and the other stays as it was.
func TestForgetMatchesOnlyTheAddress(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	opened := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	forgotten, other := "ani_rahma@warga.test", "anixrahma@warga.test"
	c1 := newCase("INF-2026-00001", mailproc.KindInformasi, opened)
	c1.CitizenAddr = forgotten
	createCase(t, db, c1)
	c2 := newCase("INF-2026-00002", mailproc.KindInformasi, opened)
	c2.CitizenAddr = other
	createCase(t, db, c2)
	insertMessage(t, db, &mailproc.Message{MessageID: "a@warga.test", From: mailproc.Address{Name: "Ani", Addr: forgotten},
		Text: "Mohon info jam buka.", Received: opened}, c1.ID)
	insertMessage(t, db, &mailproc.Message{MessageID: "b@warga.test", From: mailproc.Address{Name: "Anix", Addr: other},
		To: []mailproc.Address{{Addr: other}}, Cc: []mailproc.Address{{Addr: "teman@warga.test"}}, Text: "Mohon info koleksi.", Received: opened}, c2.ID)
	intake(t, db, func(tx mailproc.IntakeTx) error {
		if err := tx.EnqueueMail(&mailproc.OutgoingMail{CaseID: c1.ID, Purpose: mailproc.PurposeAck, MessageID: "ack-1@desk.test",
			To: []mailproc.Address{{Addr: forgotten}}, Subject: "[INF-2026-00001] Tanda terima", Text: "Tanda terima untuk Ani"}); err != nil {
			return err
		}
		return tx.AddEvent(&mailproc.Event{CaseID: c2.ID, Actor: other, Type: mailproc.EventCreated, Detail: "dari " + other})
	})

	plan, err := db.ForgetPlan(ctx, forgotten)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Cases) != 1 || plan.Cases[0] != c1.Number || plan.Messages != 1 || plan.Outbox != 1 {
		t.Fatalf("plan = %+v, want only %s and its one mail", plan, c1.Number)
	}
	if err := db.ApplyForget(ctx, plan, forgotten, mailproc.Pseudonym("uji"), "operator uji", opened.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	pending, _, _, err := db.OutboxCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.Outbox(ctx, OutboxFilter{CaseID: c1.ID})
	if err != nil {
		t.Fatal(err)
	}
	if pending != 0 || out[0].State != mailproc.OutboxFailed || out[0].Text != "" || out[0].To[0].Addr != mailproc.Pseudonym("uji") {
		t.Errorf("the pending acknowledgement to the forgotten citizen: %d pending, %+v", pending, out[0])
	}
	got1, _ := db.CaseByID(ctx, c1.ID)
	got2, _ := db.CaseByID(ctx, c2.ID)
	if got1.CitizenAddr != mailproc.Pseudonym("uji") || got2.CitizenAddr != other {
		t.Errorf("citizens after forget: %q, %q", got1.CitizenAddr, got2.CitizenAddr)
	}
	m2, err := db.CaseMessages(ctx, c2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m2[0].From.Addr != other || m2[0].Text != "Mohon info koleksi." || !m2[0].RedactedAt.IsZero() {
		t.Errorf("the other citizen's mail changed: %+v", m2[0])
	}
	evs, err := db.Timeline(ctx, c2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Actor != other {
		t.Errorf("the other citizen's event changed: %+v", evs[0])
	}
	m1, err := db.CaseMessages(ctx, c1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m1[0].From.Addr != mailproc.Pseudonym("uji") || m1[0].From.Name != "" || m1[0].Text != "" || m1[0].RedactedAt.IsZero() {
		t.Errorf("the forgotten citizen's mail: %+v", m1[0])
	}
}
