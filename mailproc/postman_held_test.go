package mailproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// memHeld renders the held notifications of a memOutbox from the stored
// mails and cases it knows (HeldNotifyStore); renders counts its calls.
type memHeld struct {
	o       *memOutbox
	msgs    map[int64]*Message
	cases   map[int64]*Case
	renders int
}

func (h *memHeld) RenderHeld(_ context.Context, held []*OutgoingMail,
	render func(out *OutgoingMail, m *Message, cs *Case) error) ([]error, error) {
	h.renders++
	errs := make([]error, len(held))
	for i, out := range held {
		m, cs := h.msgs[out.Held.MessageRowID], h.cases[out.CaseID]
		if m == nil || cs == nil {
			errs[i] = errors.New("gone")
			continue
		}
		r := *out
		if errs[i] = render(&r, m, cs); errs[i] == nil {
			h.o.mu.Lock()
			*h.o.mails[out.ID-1], *out = r, r
			h.o.mu.Unlock()
		}
	}
	return errs, nil
}

// notifyRenderer renders the notify template as its number and text.
type notifyRenderer struct{}

func (notifyRenderer) Render(name string, data any) (Rendered, error) {
	d, ok := data.(NotifyData)
	if !ok {
		return Rendered{}, fmt.Errorf("template %s", name)
	}
	return Rendered{Subject: "[" + d.Number + "] " + d.Subject, Text: d.Text}, nil
}

// textSender accepts every mail and keeps its subject and text.
type textSender struct {
	mu   sync.Mutex
	sent map[string]string // Message-ID: subject and text
}

func (s *textSender) SendMail(_ context.Context, m *OutgoingMail) (SentMail, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent[m.MessageID] = m.Subject + "|" + m.Text
	return SentMail{Raw: []byte("x")}, nil
}

// TestPostmanRendersHeld: the postman renders the held notifications of
// a batch before it sends them, once; one that cannot be rendered fails
// and is not sent, and the rest of the batch goes.
func TestPostmanRendersHeld(t *testing.T) {
	now := time.Now()
	store := newMemOutbox(0, now)
	held := &memHeld{o: store,
		msgs:  map[int64]*Message{10: {Subject: "Jam buka", Text: "Buka hari Sabtu?"}},
		cases: map[int64]*Case{1: {ID: 1, Number: "INF-2026-00001"}}}
	store.add(&OutgoingMail{Purpose: PurposeAck, CaseID: 1, MessageID: "ack@desk.test", NextAttempt: now, CreatedAt: now})
	store.add(&OutgoingMail{Purpose: PurposeNotify, CaseID: 1, MessageID: "n1@desk.test", Burst: true, Date: now,
		Held: &HeldNotify{MessageRowID: 10}, NextAttempt: now, CreatedAt: now})
	store.add(&OutgoingMail{Purpose: PurposeNotify, CaseID: 1, MessageID: "gone@desk.test", Burst: true, Date: now,
		Held: &HeldNotify{MessageRowID: 11}, NextAttempt: now, CreatedAt: now})
	sender := &textSender{sent: map[string]string{}}
	p := NewPostman(Postman{Store: store, Sender: sender, Held: held, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Composer: &Composer{Desk: Desk{Address: "layanan@desk.test", Location: time.UTC}, Renderer: notifyRenderer{},
			Staff: []Address{{Addr: "petugas@desk.test"}}}})
	for range 2 {
		if _, err := p.sendDue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := sender.sent["n1@desk.test"]; got != "[INF-2026-00001] Jam buka|"+ReplyMarker+"\n\nBuka hari Sabtu?" {
		t.Errorf("held notification sent as %q", got)
	}
	if _, ok := sender.sent["ack@desk.test"]; !ok || len(sender.sent) != 2 {
		t.Errorf("sent %v; want the acknowledgement and the rendered notification", sender.sent)
	}
	if m := store.mails[2]; m.State != OutboxFailed || !strings.Contains(m.LastError, "gone") {
		t.Errorf("the notification that cannot be rendered is %s (%q), want failed", m.State, m.LastError)
	}
	if held.renders != 1 || store.mails[1].Held != nil {
		t.Errorf("%d renders, stored mail held %+v; want one render that sticks", held.renders, store.mails[1].Held)
	}

	// Nothing renders a held notification: it is an error, and nothing of
	// the batch goes.
	store.add(&OutgoingMail{Purpose: PurposeNotify, CaseID: 1, MessageID: "n2@desk.test", Burst: true,
		Held: &HeldNotify{MessageRowID: 10}, NextAttempt: now, CreatedAt: now})
	p.Held = nil
	if _, err := p.sendDue(context.Background()); err == nil || len(sender.sent) != 2 {
		t.Errorf("sendDue without a renderer: %v, %d sent", err, len(sender.sent))
	}
}
