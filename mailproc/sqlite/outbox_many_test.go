package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestMarkSentMany: a group is marked sent in one transaction; a mail in
// it that is not pending (sent already, failed, missing) is reported alone
// and left as it is, while the others are recorded, an acknowledgement
// among them making its case diakui as MarkSent does. The group's Sent
// copies are then marked the same way.
func TestMarkSentMany(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	cs := createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0))
	ack := outMail("ack@desk", cs.ID, mailproc.PurposeAck, "warga@example.id")
	notify := outMail("notify@desk", cs.ID, mailproc.PurposeNotify, "petugas@kamparkab.go.id")
	sent := outMail("sent@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
	failed := outMail("failed@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
	enqueue(t, db, ack, notify, sent, failed)
	if err := db.MarkSent(ctx, sent.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, failed.ID, 1, "550", nil, nil); err != nil {
		t.Fatal(err)
	}

	at := t0.Add(time.Second)
	errs, err := db.MarkSentMany(ctx, []mailproc.SentMark{
		{ID: ack.ID, At: at}, {ID: sent.ID, At: at}, {ID: failed.ID, At: at},
		{ID: 9999, At: at}, {ID: notify.ID, At: at.Add(time.Millisecond)}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"", "is sent, not pending", "is failed, not pending", "9999", ""} {
		switch {
		case want == "" && errs[i] != nil:
			t.Errorf("errs[%d] = %v, want nil", i, errs[i])
		case want != "" && (errs[i] == nil || !strings.Contains(errs[i].Error(), want)):
			t.Errorf("errs[%d] = %v, want %q", i, errs[i], want)
		}
	}
	if !errors.Is(errs[3], mailproc.ErrNotFound) {
		t.Errorf("missing mail: %v is not ErrNotFound", errs[3])
	}
	for _, tt := range []struct {
		m     *mailproc.OutgoingMail
		state mailproc.OutboxState
		at    time.Time
	}{{ack, mailproc.OutboxSent, at}, {notify, mailproc.OutboxSent, at.Add(time.Millisecond)},
		{sent, mailproc.OutboxSent, t0}, {failed, mailproc.OutboxFailed, time.Time{}}} {
		got := outgoingByID(t, db, tt.m.MessageID)
		if got.State != tt.state || !got.SentAt.Equal(tt.at) {
			t.Errorf("%s: state %s sent %v, want %s %v", tt.m.MessageID, got.State, got.SentAt, tt.state, tt.at)
		}
	}
	if got, err := db.CaseByID(ctx, cs.ID); err != nil || got.State != mailproc.StateDiakui {
		t.Errorf("case after its ack was marked in a group: %v, %v; want diakui", got, err)
	}

	errs, err = db.MarkCopiedMany(ctx, []int64{ack.ID, failed.ID, notify.ID, ack.ID}, at)
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || errs[2] != nil || errs[1] == nil || errs[3] == nil ||
		!strings.Contains(errs[3].Error(), "already copied") {
		t.Errorf("MarkCopiedMany errs = %v", errs)
	}
	if got := outgoingByID(t, db, notify.MessageID); !got.CopiedAt.Equal(at) {
		t.Errorf("notify CopiedAt = %v, want %v", got.CopiedAt, at)
	}
}

// TestMarkSentManyKeepsCopy: a mark with Raw bytes keeps them for the
// mail's Sent copy in the same commit (the postman's copy queue was
// full); CopyPending hands them out, and marking the copy drops them.
func TestMarkSentManyKeepsCopy(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	kept := outMail("kept@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
	queued := outMail("queued@desk", 0, mailproc.PurposeOps, "ops@kamparkab.go.id")
	enqueue(t, db, kept, queued)
	raw := []byte("Message-ID: <kept@desk>\r\n\r\nisi\r\n")
	if _, err := db.MarkSentMany(ctx, []mailproc.SentMark{{ID: kept.ID, At: t0, Raw: raw}, {ID: queued.ID, At: t0}}); err != nil {
		t.Fatal(err)
	}
	pending, err := db.CopyPending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != kept.ID || string(pending[0].Raw) != string(raw) || !pending[0].SentAt.Equal(t0) {
		t.Fatalf("CopyPending = %+v, want only %d with its bytes", pending, kept.ID)
	}
	if _, err := db.MarkCopiedMany(ctx, []int64{kept.ID}, t0); err != nil {
		t.Fatal(err)
	}
	if pending, err := db.CopyPending(ctx, 10); err != nil || len(pending) != 0 {
		t.Errorf("CopyPending after the copy = %v, %v; want none", pending, err)
	}
}
