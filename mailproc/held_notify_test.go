package mailproc_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// notifications returns the desk's staff notifications of cases, in queue
// order.
func (w *deskWorld) notifications(t testing.TB) []*mailproc.OutgoingMail {
	t.Helper()
	all, err := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeNotify})
	if err != nil {
		t.Fatal(err)
	}
	var out []*mailproc.OutgoingMail
	for _, m := range all {
		if m.CaseID != 0 {
			out = append(out, m)
		}
	}
	return out
}

// TestNotifyHeldUnrendered: intake decides first whether a staff
// notification is held for a burst digest (desk.notify_digest_over
// queued in NotifyDigestWindow before it, or known to wait after it); a
// held one is queued
// unrendered — recipients, Date and a valid staff token, the stored mail
// to render it from — due after the window in LaneBurst; any other is
// rendered at once.
func TestNotifyHeldUnrendered(t *testing.T) {
	for _, tt := range []struct {
		name                 string
		over, before, behind int
		held                 bool
	}{
		{"digest off", 0, 12, 0, false},
		{"digest off, a backlog behind", 0, 0, 500, false},
		{"the first of a burst", 3, 0, 0, false},
		{"the over-th", 3, 2, 0, false},
		{"beyond over", 3, 3, 0, true},
		{"far beyond over", 3, 8, 0, true},
		{"the first of a backlog of over+1", 3, 0, 3, true},
		{"the first of a backlog of over", 3, 0, 2, false},
		{"the second, two behind it", 3, 1, 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newDeskWorld(t)
			w.in.NotifyDigestOver = tt.over
			for i := range tt.before {
				w.mail(batchMail(fmt.Sprintf("b%d@warga.test", i), fmt.Sprintf("b%d@warga.test", i), "Jam buka"))
			}
			w.behind = tt.behind
			number := w.mail(batchMail("last@warga.test", "ani@warga.test", "Keanggotaan"))
			all := w.notifications(t)
			if len(all) != tt.before+1 {
				t.Fatalf("%d notifications, want %d", len(all), tt.before+1)
			}
			n := all[len(all)-1]
			if got := n.Held != nil; got != tt.held || n.Burst != tt.held {
				t.Fatalf("held %v, burst %v; want %v", got, n.Burst, tt.held)
			}
			if !reflect.DeepEqual(n.To, w.in.Composer.Staff) || !n.Date.Equal(w.now) {
				t.Errorf("to %v at %v; want staff at %v", n.To, n.Date, w.now)
			}
			tok, ok := mailproc.ParseToken(n.MessageID, desk)
			if !ok || tok.Number != number || tok.Purpose != mailproc.PurposeNotify ||
				w.in.Tokens.Check(tok, petugas, []string{mailproc.TokenGroupStaff}, w.now, w.now, mailproc.TokenGroupStaff) != mailproc.TokenValid {
				t.Errorf("Message-ID %q is not a valid staff token of %s", n.MessageID, number)
			}
			if !tt.held {
				if !strings.Contains(n.Subject, number) || !strings.Contains(n.Text, mailproc.ReplyMarker) || n.HTML == "" {
					t.Errorf("not rendered: subject %q, text %q", n.Subject, n.Text)
				}
				return
			}
			if n.Subject != "" || n.Text != "" || n.HTML != "" || n.Held.FollowUp || n.Held.Reopened || n.Held.MessageRowID == 0 ||
				!n.NextAttempt.Equal(w.now.Add(mailproc.NotifyDigestWindow)) || n.Lane() != mailproc.LaneBurst {
				t.Errorf("held: %+v, subject %q, text %q, next attempt %v, lane %d", n.Held, n.Subject, n.Text, n.NextAttempt, n.Lane())
			}
		})
	}
}

// attachmentMail is a citizen's mail with a PDF attached.
func attachmentMail(id, from, subject string) string {
	return fmt.Sprintf("From: Ani <%s>\nTo: %s\nSubject: %s\nMessage-ID: <%s>\nDate: Fri, 27 Nov 2026 09:00:00 +0700\n"+
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n"+
		"--b1\nContent-Type: text/plain; charset=utf-8\n\nMohon dibaca surat permohonan terlampir.\n"+
		"--b1\nContent-Type: application/pdf; name=\"surat.pdf\"\nContent-Disposition: attachment; filename=\"surat.pdf\"\n"+
		"Content-Transfer-Encoding: base64\n\nJVBERi0xLjQKJcfsj6IK\n--b1--\n", from, desk, subject, id)
}

// TestHeldNotifyRendersTheSameMail: a held notification rendered minutes
// later from the database (Composer.RenderHeld, as the postman does) is
// the mail intake would have queued without the digest — a new case with
// an attachment, and a citizen's follow-up (its quote stripped) — with the
// same subject, bodies, attachments, Date and recipients; only its
// Message-ID differs (each token has its own random part), and it is a
// valid staff token of the case.
func TestHeldNotifyRendersTheSameMail(t *testing.T) {
	mails := func(w *deskWorld) {
		w.mail(batchMail("first@warga.test", "budi@warga.test", "Jam buka"))
		number := w.mail(attachmentMail("surat@warga.test", "ani@warga.test", "Surat permohonan"))
		w.mail(fmt.Sprintf("From: Ani <ani@warga.test>\nTo: %s\nSubject: Re: [%s] Surat permohonan\nMessage-ID: <lagi@warga.test>\n"+
			"In-Reply-To: <surat@warga.test>\nDate: Fri, 27 Nov 2026 09:01:00 +0700\n\nSudah ada kabar?\n\n> Mohon dibaca surat permohonan terlampir.\n",
			desk, number))
	}
	worlds := [2]*deskWorld{newDeskWorld(t), newDeskWorld(t)}
	for i, w := range worlds {
		w.in.Composer.NotifyAttachMax = 1 << 20
		w.in.NotifyDigestOver = i // 0: never held; 1: all but the first
		mails(w)
	}
	now, held := worlds[0].notifications(t), worlds[1].notifications(t)
	if len(now) != 3 || len(held) != 3 || held[0].Held != nil || held[1].Held == nil || held[2].Held == nil ||
		held[1].Held.FollowUp || !held[2].Held.FollowUp {
		t.Fatalf("%d and %d notifications; held %+v", len(now), len(held), held)
	}

	// Released and picked up minutes later.
	w := worlds[1]
	w.at(3 * time.Minute)
	errs, err := w.db.RenderHeld(context.Background(), held[1:], w.in.Composer.RenderHeld)
	if err != nil || errs[0] != nil || errs[1] != nil {
		t.Fatalf("RenderHeld: %v, %v", errs, err)
	}
	stored := w.notifications(t)
	for i := 1; i < 3; i++ {
		want, got := now[i], stored[i]
		if got.Held != nil || got.Subject != want.Subject || got.Text != want.Text || got.HTML != want.HTML ||
			!reflect.DeepEqual(got.Attachments, want.Attachments) || !got.Date.Equal(want.Date) ||
			!reflect.DeepEqual(got.To, want.To) || got.InReplyTo != want.InReplyTo || !reflect.DeepEqual(got.References, want.References) {
			t.Errorf("notification %d rendered later:\n%+v\nwant as at intake:\n%+v", i, got, want)
		}
		if tok, ok := mailproc.ParseToken(got.MessageID, desk); !ok || !strings.Contains(got.Subject, tok.Number) ||
			w.in.Tokens.Check(tok, petugas, []string{mailproc.TokenGroupStaff}, w.now, got.Date, mailproc.TokenGroupStaff) != mailproc.TokenValid {
			t.Errorf("notification %d: Message-ID %q is not a valid staff token of its case", i, got.MessageID)
		}
	}
	if len(stored[1].Attachments) != 1 || !strings.Contains(stored[2].Text, "Sudah ada kabar?") || strings.Contains(stored[2].Text, "> Mohon") {
		t.Errorf("attachments %+v; follow-up text %q", stored[1].Attachments, stored[2].Text)
	}
}
