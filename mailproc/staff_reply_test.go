package mailproc_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestRelayReadsWithTheOutbox: a head answers the escalation from Outlook
// with the whole mail unquoted below a header block in a language the rules
// have no word for; the relay finds the escalation's text in the outbox and
// relays only the typed answer.
func TestRelayReadsWithTheOutbox(t *testing.T) {
	w := newDeskWorld(t)
	number := w.complaint("siti@gmail.com")
	w.at(61 * time.Minute)
	esc := w.escalations()[0]
	if !strings.HasPrefix(esc.Text, mailproc.ReplyMarker) {
		t.Fatalf("escalation does not start with the marker:\n%s", esc.Text)
	}
	body := strings.ReplaceAll(esc.Text, mailproc.ReplyMarker+"\n", "") // a client that dropped the first line
	w.mail(fmt.Sprintf("From: kasi@pustakaarsip.kamparkab.go.id\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <kasi-2@pustakaarsip.kamparkab.go.id>\n\n"+
		"Buku akan kami ganti minggu ini.\n\nQqq: Layanan\nWww: 27.11.2026\n\n%s\n", desk, esc.Subject, esc.MessageID, body))
	answers, _ := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAnswer})
	if len(answers) != 1 {
		t.Fatalf("%d answers", len(answers))
	}
	a := answers[0].Text
	if !strings.Contains(a, "Buku akan kami ganti minggu ini.") || strings.Contains(a, "Qqq") || strings.Contains(a, "Www") || strings.Contains(a, "#selesai") {
		t.Errorf("relayed:\n%s", a)
	}
	if c, _ := w.db.CaseByNumber(context.Background(), number); c.FirstAnswerAt.IsZero() {
		t.Error("case not answered")
	}
}

// TestRelayHoldsALeak: a line of the escalation pasted into the answer holds
// it: nothing for the citizen, a help mail to the head, an event, the case
// untouched.
func TestRelayHoldsALeak(t *testing.T) {
	w := newDeskWorld(t)
	number := w.complaint("siti@gmail.com")
	w.at(61 * time.Minute)
	esc := w.escalations()[0]
	var pasted string
	for _, l := range strings.Split(esc.Text, "\n") {
		if strings.Contains(l, "siti@gmail.com") && !strings.HasPrefix(l, ">") && len(l) > 20 {
			pasted = strings.TrimSpace(l)
			break
		}
	}
	if pasted == "" {
		t.Fatalf("no line with the citizen's address in the escalation:\n%s", esc.Text)
	}
	before, _ := w.db.CaseByNumber(context.Background(), number)
	w.mail(fmt.Sprintf("From: kasi@pustakaarsip.kamparkab.go.id\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <kasi-3@pustakaarsip.kamparkab.go.id>\n\n"+
		"Mohon maaf, bukunya kami ganti. Catatan: %s\n", desk, esc.Subject, esc.MessageID, pasted))
	if answers, _ := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAnswer}); len(answers) != 0 {
		t.Fatalf("relayed: %s", answers[0].Text)
	}
	help, _ := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeHelp})
	if len(help) != 1 || !strings.Contains(help[0].Text, mailproc.HeldProblem) || help[0].To[0].Addr != "kasi@pustakaarsip.kamparkab.go.id" {
		t.Fatalf("help mail: %+v", help)
	}
	after, _ := w.db.CaseByNumber(context.Background(), number)
	if after.State != before.State || !after.FirstAnswerAt.IsZero() || !after.EscalateAt.Equal(before.EscalateAt) || !after.DueAt.Equal(before.DueAt) {
		t.Errorf("case changed: %+v -> %+v", before, after)
	}
	events, _ := w.db.Timeline(context.Background(), after.ID)
	held := false
	for _, e := range events {
		held = held || e.Type == mailproc.EventHeld
	}
	if !held {
		t.Error("no jawaban_ditahan event")
	}
}
