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
