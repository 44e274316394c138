package smtp

import (
	"bytes"
	"fmt"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

func buildRaw(t *testing.T, change func(m *mailproc.OutgoingMail)) []byte {
	t.Helper()
	m := testMail()
	if change != nil {
		change(m)
	}
	msg, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := msg.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBuildReferencesBounded(t *testing.T) {
	// A long thread keeps its root and the newest ids, in order.
	var ids []string
	for i := range 50 {
		ids = append(ids, fmt.Sprintf("m%02d@warga.test", i))
	}
	raw := buildRaw(t, func(m *mailproc.OutgoingMail) { m.References = ids })
	h, _ := header(t, raw)
	got := strings.Fields(one(t, h, "References"))
	if len(got) != maxReferences || got[0] != "<m00@warga.test>" || got[1] != "<m31@warga.test>" || got[len(got)-1] != "<m49@warga.test>" {
		t.Errorf("References = %q", got)
	}
	checkLines(t, raw)
}

func TestBuildZeroDate(t *testing.T) {
	before := time.Now().Add(-time.Second)
	raw := buildRaw(t, func(m *mailproc.OutgoingMail) { m.Date = time.Time{} })
	h, _ := header(t, raw)
	d, err := netmail.ParseDate(one(t, h, "Date"))
	if err != nil || d.Before(before) || d.After(time.Now().Add(time.Second)) {
		t.Errorf("Date = %v (%v), want now", d, err)
	}
}

func TestBuildNoThreading(t *testing.T) {
	// A mail that starts a thread (ops notice) has neither header.
	raw := buildRaw(t, func(m *mailproc.OutgoingMail) { m.InReplyTo, m.References = "", nil })
	h, _ := header(t, raw)
	if h.Get("In-Reply-To") != "" || h.Get("References") != "" {
		t.Errorf("threading headers on a new thread: %q, %q", h.Get("In-Reply-To"), h.Get("References"))
	}
}

func TestBuildASCIISubjectStaysReadable(t *testing.T) {
	raw := buildRaw(t, func(m *mailproc.OutgoingMail) { m.Subject = "[ADU-2026-00007] Re: Keluhan\tlayanan  ruang baca" })
	h, _ := header(t, raw)
	if s := one(t, h, "Subject"); s != "[ADU-2026-00007] Re: Keluhan layanan ruang baca" {
		t.Errorf("Subject = %q, want it unencoded", s)
	}
}

// TestBuildMessageIDOneLine: the Message-ID of every kind of mail the desk
// sends stays on one header line, not folded onto a continuation line, at
// the README's desk domain and with the largest case number of a year.
func TestBuildMessageIDOneLine(t *testing.T) {
	const desk = "layanan@pustakaarsip.kamparkab.go.id"
	tokens := mailproc.Tokens{Secret: []byte("rahasia-yang-panjang-sekali-0123456789")}
	now := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	ids := map[string]string{
		"notification":    tokens.MessageID(mailproc.PurposeNotify, "ADU-2026-99999", mailproc.TokenGroupStaff, desk, now),
		"escalation":      tokens.MessageID(mailproc.PurposeEscalation, "ADU-2026-99999", mailproc.TokenGroupHeads, desk, now),
		"confirmation":    tokens.MessageID(mailproc.PurposeConfirm, "INF-2026-99999", "rina.marlina@pustakaarsip.kamparkab.go.id", desk, now),
		"help":            tokens.MessageID(mailproc.PurposeHelp, "INF-2026-99999", "rina.marlina@pustakaarsip.kamparkab.go.id", desk, now),
		"acknowledgement": mailproc.NewMessageID(mailproc.PurposeAck, "ADU-2026-99999", desk),
		"answer":          mailproc.NewMessageID(mailproc.PurposeAnswer, "ADU-2026-99999", desk),
		"closing":         mailproc.NewMessageID(mailproc.PurposeClosing, "ADU-2026-99999", desk),
		"ops notice":      mailproc.NewMessageID(mailproc.PurposeOps, "", desk),
		"staff digest":    mailproc.NewMessageID(mailproc.PurposeNotify, "", desk),
		"month report":    mailproc.NewMessageID(mailproc.PurposeEscalation, "", desk),
	}
	for name, id := range ids {
		raw := buildRaw(t, func(m *mailproc.OutgoingMail) { m.MessageID = id })
		var line string
		for _, l := range strings.Split(string(raw), "\r\n") {
			if strings.HasPrefix(l, "Message-ID:") {
				line = l
			}
		}
		if line != "Message-ID: <"+id+">" || len(line) > 78 {
			t.Errorf("%s: header line %q (%d characters), want one line with <%s> of at most 78", name, line, len(line), id)
		}
	}
}
