package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// heldWorld is a case with a stored citizen's mail (with an attachment)
// and its staff notification queued unrendered, held for a burst digest.
func heldWorld(t *testing.T, path string) (db *DB, c *mailproc.Case, msg *mailproc.Message, held *mailproc.OutgoingMail) {
	t.Helper()
	db = openAt(t, path)
	c = createCase(t, db, newCase("INF-2026-00001", mailproc.KindInformasi, t0))
	msg = &mailproc.Message{MessageID: "q1@warga.test", From: mailproc.Address{Name: "Ani", Addr: "ani@warga.test"},
		Subject: "Jam buka", Text: "Apakah perpustakaan buka hari Sabtu?", TextTruncated: true,
		Attachments: []mailproc.Attachment{{Filename: "surat.pdf", ContentType: "application/pdf", Size: 1200, Part: "2"}},
		ArchivePath: "archive/2026/03/q1.eml", Size: 3000, SHA256: "ab",
		Delivery: mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: 7, Arrived: t0.Add(-time.Minute)}}
	insertMessage(t, db, msg, c.ID)
	held = &mailproc.OutgoingMail{Purpose: mailproc.PurposeNotify, CaseID: c.ID, MessageID: "held1@desk.test",
		From: mailproc.Address{Name: "Layanan", Addr: desk}, To: []mailproc.Address{{Addr: "petugas@desk.test"}},
		Date: t0, Burst: true, NextAttempt: t0.Add(mailproc.NotifyDigestWindow),
		Held: &mailproc.HeldNotify{MessageRowID: msg.ID, FollowUp: true}}
	enqueue(t, db, held)
	return db, c, msg, held
}

// fakeRender fills a held notification in from what it is given, so the
// test can see what the store read.
func fakeRender(out *mailproc.OutgoingMail, m *mailproc.Message, cs *mailproc.Case) error {
	out.Subject = "[" + cs.Number + "] " + string(cs.State) + ": " + m.Subject
	out.Text = m.From.Addr + ": " + m.Text + " (" + m.Delivery.Arrived.UTC().Format(time.RFC3339) + ")"
	out.HTML = "<p>" + m.Text + "</p>"
	for _, a := range m.Attachments {
		out.Attachments = append(out.Attachments, mailproc.OutgoingAttachment{Filename: a.Filename,
			ContentType: a.ContentType, Size: a.Size, ArchivePath: m.ArchivePath, Part: a.Part})
	}
	return nil
}

// TestHeldNotificationRenderedWhenPickedUp: a notification queued
// unrendered survives a restart (a crash between hold and render) as what
// rendering needs; once released it is due with that, and RenderHeld
// renders it from the stored mail and the case as they are now, stores
// the result (read back the same: a retry sends the same mail) and leaves
// nothing to render again.
func TestHeldNotificationRenderedWhenPickedUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailproc.db")
	db, c, msg, _ := heldWorld(t, path)
	ctx := context.Background()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path)

	at := t0.Add(time.Minute)
	if n, err := db.FlushBurstDigest(ctx, at, func(_, _ time.Time) bool { return true }, 10,
		func([]*mailproc.Case, int) (*mailproc.OutgoingMail, error) { return nil, nil }); err != nil || n != 1 {
		t.Fatalf("FlushBurstDigest = %d, %v; want 1 released", n, err)
	}
	due, err := db.DueMail(ctx, at, 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("DueMail = %d mails, %v", len(due), err)
	}
	if want := (mailproc.HeldNotify{MessageRowID: msg.ID, FollowUp: true}); due[0].Held == nil || *due[0].Held != want {
		t.Fatalf("due mail's Held = %+v, want %+v", due[0].Held, want)
	}
	if due[0].Text != "" || due[0].Subject != "" || due[0].MessageID != "held1@desk.test" || !due[0].Date.Equal(t0) {
		t.Errorf("held mail read back as %+v", due[0])
	}

	// The case was answered meanwhile: it is rendered as it is now.
	c.State = mailproc.StateDijawab
	intake(t, db, func(tx mailproc.IntakeTx) error { return tx.UpdateCase(c) })
	errs, err := db.RenderHeld(ctx, due, fakeRender)
	if err != nil || len(errs) != 1 || errs[0] != nil {
		t.Fatalf("RenderHeld = %v, %v", errs, err)
	}
	want := &mailproc.OutgoingMail{Subject: "[INF-2026-00001] " + string(mailproc.StateDijawab) + ": Jam buka",
		Text: "ani@warga.test: Apakah perpustakaan buka hari Sabtu? (2026-03-02T01:29:00Z)",
		HTML: "<p>Apakah perpustakaan buka hari Sabtu?</p>",
		Attachments: []mailproc.OutgoingAttachment{{Filename: "surat.pdf", ContentType: "application/pdf", Size: 1200,
			ArchivePath: "archive/2026/03/q1.eml", Part: "2"}}}
	check := func(what string, m *mailproc.OutgoingMail) {
		t.Helper()
		if m.Held != nil || m.Subject != want.Subject || m.Text != want.Text || m.HTML != want.HTML ||
			!reflect.DeepEqual(m.Attachments, want.Attachments) || m.MessageID != "held1@desk.test" {
			t.Errorf("%s: held %+v, subject %q, text %q, html %q, attachments %+v, id %q", what,
				m.Held, m.Subject, m.Text, m.HTML, m.Attachments, m.MessageID)
		}
	}
	check("rendered in place", due[0])
	again, err := db.DueMail(ctx, at, 10)
	if err != nil || len(again) != 1 {
		t.Fatalf("DueMail after render = %d mails, %v", len(again), err)
	}
	check("read back", again[0])
	if errs, err := db.RenderHeld(ctx, again, func(*mailproc.OutgoingMail, *mailproc.Message, *mailproc.Case) error {
		t.Error("a rendered mail was rendered again")
		return nil
	}); err != nil || errs[0] != nil {
		t.Errorf("RenderHeld of a rendered mail = %v, %v", errs, err)
	}
}

// TestHeldNotificationRenderFails: a notification whose render fails is
// left unrendered (the postman fails it), and the others of the batch are
// rendered; a mail that is not a staff notification of a stored mail is
// never queued unrendered.
func TestHeldNotificationRenderFails(t *testing.T) {
	db, c, msg, held := heldWorld(t, filepath.Join(t.TempDir(), "mailproc.db"))
	ctx := context.Background()
	second := *held
	second.MessageID, second.Held = "held2@desk.test", &mailproc.HeldNotify{MessageRowID: msg.ID, Reopened: true}
	enqueue(t, db, &second)
	third := *held
	third.MessageID, third.Held = "held3@desk.test", &mailproc.HeldNotify{MessageRowID: msg.ID}
	enqueue(t, db, &third)
	// Its stored mail cannot go away under it.
	if _, err := db.db.ExecContext(ctx, "UPDATE outbox SET render_message = 9999 WHERE message_id = 'held3@desk.test'"); err == nil {
		t.Fatal("an unrendered mail names a stored mail that is not there")
	}

	due, err := db.DueMail(ctx, t0.Add(mailproc.NotifyDigestWindow), 10)
	if err != nil || len(due) != 3 {
		t.Fatalf("DueMail = %d mails, %v", len(due), err)
	}
	broken := errors.New("template broken")
	errs, err := db.RenderHeld(ctx, due, func(out *mailproc.OutgoingMail, m *mailproc.Message, cs *mailproc.Case) error {
		if out.MessageID == "held2@desk.test" {
			if !out.Held.Reopened || out.Held.FollowUp {
				t.Errorf("held2 read back as %+v", out.Held)
			}
			return broken
		}
		return fakeRender(out, m, cs)
	})
	if err != nil || !errors.Is(errs[1], broken) || errs[0] != nil || errs[2] != nil {
		t.Fatalf("RenderHeld = %v, %v; want only the second failed", errs, err)
	}
	if due[1].Held == nil || due[1].Text != "" || due[0].Held != nil || due[2].Held != nil {
		t.Errorf("after a failed render: %+v %+v %+v", due[0].Held, due[1].Held, due[2].Held)
	}
	again, err := db.DueMail(ctx, t0.Add(mailproc.NotifyDigestWindow), 10)
	if err != nil || len(again) != 3 || again[1].Held == nil || again[0].Held != nil || again[2].Held != nil {
		t.Fatalf("DueMail after a failed render: %d mails, %v", len(again), err)
	}

	for _, m := range []*mailproc.OutgoingMail{
		{Purpose: mailproc.PurposeAck, CaseID: c.ID, MessageID: "ack@desk.test", To: held.To, Held: &mailproc.HeldNotify{MessageRowID: msg.ID}},
		{Purpose: mailproc.PurposeNotify, CaseID: c.ID, MessageID: "nomsg@desk.test", To: held.To, Held: &mailproc.HeldNotify{}},
	} {
		if err := db.Intake(ctx, func(tx mailproc.IntakeTx) error { return tx.EnqueueMail(m) }); err == nil {
			t.Errorf("%s queued unrendered", m.MessageID)
		}
	}
}
