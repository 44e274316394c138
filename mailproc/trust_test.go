package mailproc_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/msgauth"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

const petugas = "petugas@pustakaarsip.kamparkab.go.id"

// trustCase is a complaint from budi@gmail.com with its notification to
// staff, in a fresh desk world.
type trustCase struct {
	w      *deskWorld
	number string
	notif  *mailproc.OutgoingMail
	before mailproc.Case
	ops    int
}

func newTrustCase(t *testing.T) *trustCase {
	t.Helper()
	w := newDeskWorld(t)
	tc := &trustCase{w: w, number: w.complaint("budi@gmail.com")}
	for _, n := range tc.outbox(mailproc.PurposeNotify) {
		if strings.Contains(n.Subject, tc.number) {
			tc.notif = n
		}
	}
	if tc.notif == nil {
		t.Fatalf("no notification for %s", tc.number)
	}
	tc.mark()
	return tc
}

func (tc *trustCase) outbox(p mailproc.Purpose) []*mailproc.OutgoingMail {
	tc.w.t.Helper()
	rows, err := tc.w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: p})
	if err != nil {
		tc.w.t.Fatal(err)
	}
	return rows
}

func (tc *trustCase) kase() *mailproc.Case {
	tc.w.t.Helper()
	c, err := tc.w.db.CaseByNumber(context.Background(), tc.number)
	if err != nil || c == nil {
		tc.w.t.Fatalf("case %s: %v", tc.number, err)
	}
	return c
}

// mark remembers the case and the ops notices as they are now.
func (tc *trustCase) mark() {
	tc.before, tc.ops = *tc.kase(), len(tc.outbox(mailproc.PurposeOps))
}

// toCitizen counts every mail queued for the citizen after the
// acknowledgement.
func (tc *trustCase) toCitizen() int {
	n := 0
	for _, p := range []mailproc.Purpose{mailproc.PurposeAnswer, mailproc.PurposeClosing} {
		n += len(tc.outbox(p))
	}
	return n
}

// unchanged checks that a refused mail left the case, its clock and the
// citizen alone, told ops once and logged an event of type typ saying why.
func (tc *trustCase) unchanged(t *testing.T, typ mailproc.EventType, why string) {
	t.Helper()
	c := tc.kase()
	b := tc.before
	if c.State != b.State || !c.EscalateAt.Equal(b.EscalateAt) || !c.DueAt.Equal(b.DueAt) || !c.FirstAnswerAt.Equal(b.FirstAnswerAt) || c.EscalationLevel != b.EscalationLevel {
		t.Errorf("case changed: state %s→%s, escalate at %v→%v, due %v→%v, answered %v→%v", b.State, c.State, b.EscalateAt, c.EscalateAt, b.DueAt, c.DueAt, b.FirstAnswerAt, c.FirstAnswerAt)
	}
	if n := tc.toCitizen(); n != 0 {
		t.Errorf("%d mails queued for the citizen", n)
	}
	if got := len(tc.outbox(mailproc.PurposeOps)); got != tc.ops+1 {
		t.Errorf("ops notices %d → %d, want one more", tc.ops, got)
	}
	events, _ := tc.w.db.Timeline(context.Background(), c.ID)
	last := events[len(events)-1]
	if last.Type != typ || !strings.Contains(last.Detail, why) {
		t.Errorf("last event %s %q, want %s with %q", last.Type, last.Detail, typ, why)
	}
}

// reply sends a mail from `from` to the desk (and to `to`, when given)
// referring to id.
func (tc *trustCase) reply(from, to, id, text string) {
	tc.w.t.Helper()
	tc.w.uid++
	hdr := fmt.Sprintf("From: %s\nTo: %s\nSubject: Re: [%s] Buku rusak\nMessage-ID: <r%d@pustakaarsip.kamparkab.go.id>\n", from, desk, tc.number, tc.w.uid)
	if to != "" {
		hdr = fmt.Sprintf("From: %s\nTo: %s\nCc: %s\nSubject: Re: [%s] Buku rusak\nMessage-ID: <r%d@pustakaarsip.kamparkab.go.id>\n", from, to, desk, tc.number, tc.w.uid)
	}
	if id != "" {
		hdr += "In-Reply-To: <" + id + ">\nReferences: <" + id + ">\n"
	}
	tc.w.mail(hdr + "\n" + text + "\n")
}

// TestForgedDirectAnswer: staff From:, citizen To:, desk Cc:, the number in
// the subject, no token — with and without require_auth — is kept as a
// claim: the case stays open with its escalation due, nothing reaches the
// citizen, ops hear of it.
func TestForgedDirectAnswer(t *testing.T) {
	for _, requireAuth := range []bool{false, true} {
		t.Run(fmt.Sprint("require_auth=", requireAuth), func(t *testing.T) {
			tc := newTrustCase(t)
			if requireAuth {
				tc.w.in.Auth, tc.w.in.RequireAuth = msgauth.Verifier{}, &mailproc.AuthRequirement{AuthservID: "mx.pustakaarsip.kamparkab.go.id", Mode: mailproc.AuthOn}
			}
			tc.reply(petugas, "budi@gmail.com", "", "Sudah kami tangani, kasus selesai.")
			tc.unchanged(t, mailproc.EventClaim, mailproc.ClaimPrefix)
			if c := tc.kase(); c.EscalateAt.IsZero() || !c.State.Open() {
				t.Errorf("escalation no longer due: %s %v", c.State, c.EscalateAt)
			}
		})
	}
}

// TestDirectAnswerExposesToken: a direct answer that references the
// notification is recorded; the token it exposed is revoked, the staff
// member's confirmation carries a fresh one that works, and a forged
// "#selesai" with the exposed token changes nothing.
func TestDirectAnswerExposesToken(t *testing.T) {
	tc := newTrustCase(t)
	tc.reply(petugas, "budi@gmail.com", tc.notif.MessageID, "Bukunya kami ganti besok, Pak.")
	c := tc.kase()
	if c.State != mailproc.StateDijawab || c.FirstAnswerAt.IsZero() || !c.EscalateAt.IsZero() {
		t.Fatalf("after a verified direct answer: %s, answered %v, escalate at %v", c.State, c.FirstAnswerAt, c.EscalateAt)
	}
	if n := tc.toCitizen(); n != 0 {
		t.Fatalf("%d mails queued for the citizen after a direct answer", n)
	}
	confirms := tc.outbox(mailproc.PurposeConfirm)
	if len(confirms) != 1 || confirms[0].To[0].Addr != petugas || confirms[0].MessageID == tc.notif.MessageID {
		t.Fatalf("confirmations: %+v", confirms)
	}
	tc.mark()
	// The citizen, holding the notification's id, forges staff.
	tc.reply(petugas, "", tc.notif.MessageID, "#selesai")
	tc.unchanged(t, mailproc.EventRejected, "dicabut")
	// The staff member's confirmation still works.
	tc.mark()
	tc.reply(petugas, "", confirms[0].MessageID, "#selesai")
	c = tc.kase()
	if c.State != mailproc.StateSelesai {
		t.Fatalf("#selesai with the fresh token: %s", c.State)
	}
	// Every change names its proof.
	events, _ := tc.w.db.Timeline(context.Background(), c.ID)
	var proofs []string
	for _, e := range events {
		if e.Type == mailproc.EventAnswer || e.Type == mailproc.EventState {
			proofs = append(proofs, e.Detail)
		}
	}
	if len(proofs) != 2 || !strings.Contains(proofs[0], "bukti: token") || !strings.Contains(proofs[1], "bukti: token") {
		t.Errorf("the answer and the closing do not name their proof: %q", proofs)
	}
}

// TestCitizenWithExposedToken: the citizen's own reply to a direct answer
// (their real From:, the notification in References) revokes the token
// there and then, though it never passed the desk's Cc.
func TestCitizenWithExposedToken(t *testing.T) {
	tc := newTrustCase(t)
	tc.reply("budi@gmail.com", "", tc.notif.MessageID, "Terima kasih, kapan bisa diambil?")
	tc.mark()
	tc.reply(petugas, "", tc.notif.MessageID, "#selesai")
	tc.unchanged(t, mailproc.EventRejected, "dicabut")
}

// TestAnotherStaffMembersToken: a confirmation's token is for the one it
// was sent to; another staff member replying to it acts on nothing.
func TestAnotherStaffMembersToken(t *testing.T) {
	tc := newTrustCase(t)
	tc.w.in.Directory.People = append(tc.w.in.Directory.People, mailproc.Person{Name: "Dedi", Addr: "dedi@pustakaarsip.kamparkab.go.id", Role: mailproc.RoleStaff})
	tc.reply(petugas, "", tc.notif.MessageID, "#catatan sedang dicek")
	confirms := tc.outbox(mailproc.PurposeConfirm)
	if len(confirms) != 1 {
		t.Fatalf("%d confirmations", len(confirms))
	}
	tc.mark()
	tc.reply("dedi@pustakaarsip.kamparkab.go.id", "", confirms[0].MessageID, "#selesai")
	tc.unchanged(t, mailproc.EventRejected, string(mailproc.TokenWrongRecipient))
	// The notification went to all staff: Dedi may answer that.
	tc.reply("dedi@pustakaarsip.kamparkab.go.id", "", tc.notif.MessageID, "#selesai")
	if c := tc.kase(); c.State != mailproc.StateSelesai {
		t.Fatalf("#selesai by another staff member on the notification: %s", c.State)
	}
}

// TestExpiredToken: a reply to a notification older than token_max_age
// applies nothing; the sender gets a help mail with a fresh token, which
// works.
func TestExpiredToken(t *testing.T) {
	tc := newTrustCase(t)
	tc.w.in.Tokens.MaxAge = 30 * 24 * time.Hour
	tc.w.now = tc.w.now.Add(32 * 24 * time.Hour)
	tc.reply(petugas, "", tc.notif.MessageID, "#selesai")
	tc.unchanged(t, mailproc.EventRejected, "kedaluwarsa")
	helps := tc.outbox(mailproc.PurposeHelp)
	if len(helps) != 1 || helps[0].To[0].Addr != petugas || !strings.Contains(helps[0].Text, "kedaluwarsa") {
		t.Fatalf("help mails: %+v", helps)
	}
	tc.reply(petugas, "", helps[0].MessageID, "#selesai")
	if c := tc.kase(); c.State != mailproc.StateSelesai {
		t.Fatalf("#selesai with the fresh token: %s", c.State)
	}
}

// TestKeyRotation: after the secret is rotated, a token signed with the
// previous key is accepted while that key is in desk.hmac_previous_secrets
// and refused once it is removed.
func TestKeyRotation(t *testing.T) {
	for _, kept := range []bool{true, false} {
		t.Run(fmt.Sprint("previous key kept=", kept), func(t *testing.T) {
			tc := newTrustCase(t)
			old := tc.w.in.Tokens.Secret
			tc.w.in.Tokens = mailproc.Tokens{Secret: []byte("kunci-baru-kunci-baru-kunci-baru-0123")}
			if kept {
				tc.w.in.Tokens.Previous = [][]byte{old}
			}
			tc.reply(petugas, "", tc.notif.MessageID, "#selesai")
			if !kept {
				tc.unchanged(t, mailproc.EventRejected, string(mailproc.TokenUnknownKey))
				return
			}
			if c := tc.kase(); c.State != mailproc.StateSelesai {
				t.Fatalf("#selesai with a previous key's token: %s", c.State)
			}
		})
	}
}

// legacyToken puts a mail with a first-format token (no key id, recipient
// or date, as databases from before them hold) in the outbox for the
// case, sent at sent, and returns its id.
func (tc *trustCase) legacyToken(secret []byte, sent time.Time) string {
	tc.w.t.Helper()
	number, nonce := strings.ToLower(tc.number), "00112233445566778899aabb"
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("notify|" + number + "|" + nonce))
	id := "mailproc.notify." + number + "." + nonce + "." + hex.EncodeToString(h.Sum(nil)[:16]) + "@pustakaarsip.kamparkab.go.id"
	c := tc.kase()
	err := tc.w.db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
		return tx.EnqueueMail(&mailproc.OutgoingMail{Purpose: mailproc.PurposeNotify, CaseID: c.ID, MessageID: id, Date: sent,
			From: mailproc.Address{Addr: desk}, To: []mailproc.Address{{Addr: petugas}}, Subject: "[" + tc.number + "] Kasus baru", Text: "lama"})
	})
	if err != nil {
		tc.w.t.Fatal(err)
	}
	return id
}

// TestLegacyTokens: a token of the first format, in a mail the database
// says was sent, keeps working until token_max_age after that mail left,
// and only while its key is in the ring.
func TestLegacyTokens(t *testing.T) {
	for _, tt := range []struct {
		name   string
		age    time.Duration
		remove bool
		why    string // "" when accepted
	}{
		{"sent last month", 30 * 24 * time.Hour, false, ""},
		{"sent 100 days ago", 100 * 24 * time.Hour, false, "kedaluwarsa"},
		{"its key removed", 24 * time.Hour, true, "tidak sah"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTrustCase(t)
			key := tc.w.in.Tokens.Secret
			id := tc.legacyToken(key, tc.w.now.Add(-tt.age))
			tc.w.in.Tokens = mailproc.Tokens{Secret: []byte("kunci-baru-kunci-baru-kunci-baru-0123")}
			if !tt.remove {
				tc.w.in.Tokens.Previous = [][]byte{key}
			}
			tc.mark()
			tc.reply(petugas, "", id, "#selesai")
			if tt.why != "" {
				tc.unchanged(t, mailproc.EventRejected, tt.why)
				return
			}
			if c := tc.kase(); c.State != mailproc.StateSelesai {
				t.Fatalf("#selesai with a legacy token: %s", c.State)
			}
		})
	}
}

// TestStaffAutoReplyNeverAnswers: a staff member's out-of-office reply to
// the notification carries a valid token, but a robot wrote it: it goes on
// the case as balasan_otomatis, nothing reaches the citizen, the case and
// its clock stay as they were; the staff member's own reply afterwards is
// relayed.
func TestStaffAutoReplyNeverAnswers(t *testing.T) {
	for name, auto := range map[string]string{
		"Auto-Submitted": "Auto-Submitted: auto-replied\n",
		"X-Autoreply":    "X-Autoreply: yes\n",
	} {
		t.Run(name, func(t *testing.T) {
			tc := newTrustCase(t)
			tc.w.uid++
			tc.w.mail(fmt.Sprintf("From: %s\nTo: %s\nSubject: Balasan otomatis: [%s] Buku rusak\nMessage-ID: <cuti%d@pustakaarsip.kamparkab.go.id>\n"+
				"In-Reply-To: <%s>\nReferences: <%s>\n%s\nSaya sedang cuti sampai 10 Desember.\n", petugas, desk, tc.number, tc.w.uid, tc.notif.MessageID, tc.notif.MessageID, auto))
			c := tc.kase()
			if c.State != tc.before.State || !c.EscalateAt.Equal(tc.before.EscalateAt) || !c.FirstAnswerAt.IsZero() {
				t.Errorf("an auto-reply changed the case: %s, escalate %v, answered %v", c.State, c.EscalateAt, c.FirstAnswerAt)
			}
			if n := tc.toCitizen(); n != 0 {
				t.Fatalf("%d mails queued for the citizen after a staff auto-reply", n)
			}
			events, _ := tc.w.db.Timeline(context.Background(), c.ID)
			if last := events[len(events)-1]; last.Type != mailproc.EventAutoReply {
				t.Errorf("last event %s %q, want %s", last.Type, last.Detail, mailproc.EventAutoReply)
			}
			tc.reply(petugas, "", tc.notif.MessageID, "Bukunya sudah kami ganti.")
			if n := len(tc.outbox(mailproc.PurposeAnswer)); n != 1 {
				t.Errorf("%d answers after the staff member's own reply, want 1", n)
			}
		})
	}
}

// TestStaffToldNotRelayed: a staff member who writes a new mail instead of
// replying (no token) is told it was not relayed, why and what to do, once
// an hour however many such mails come; the help mail's fresh token then
// works. Ops hears of them (coalesced).
func TestStaffToldNotRelayed(t *testing.T) {
	tc := newTrustCase(t)
	helps := func() []*mailproc.OutgoingMail { return tc.outbox(mailproc.PurposeHelp) }
	tc.reply(petugas, "", "", "Bukunya sudah kami ganti.")
	tc.unchanged(t, mailproc.EventRejected, "token")
	if h := helps(); len(h) != 1 || !strings.Contains(h[0].Text, "tidak diteruskan ke warga") || h[0].To[0].Addr != petugas {
		t.Fatalf("help mails to the staff member: %+v", h)
	}
	tc.reply(petugas, "", "", "Bukunya sudah kami ganti (lagi).")
	if n := tc.toCitizen(); n != 0 {
		t.Fatalf("%d mails queued for the citizen", n)
	}
	if n := len(helps()); n != 1 {
		t.Errorf("%d help mails after a second refused mail in the hour, want 1", n)
	}
	tc.reply(petugas, "", helps()[0].MessageID, "Bukunya sudah kami ganti.")
	if n := len(tc.outbox(mailproc.PurposeAnswer)); n != 1 {
		t.Errorf("%d answers after replying to the help mail, want 1", n)
	}
	tc.w.now = tc.w.now.Add(time.Hour)
	tc.reply(petugas, "", "", "Satu lagi tanpa token.")
	if n := len(helps()); n != 2 {
		t.Errorf("%d help mails an hour later, want 2", n)
	}
}
