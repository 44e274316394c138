package main

// A citizen's large attachment escalated to the three heads of the chain
// on the real Dovecot + Postfix: every head gets it byte for byte, and so
// does the desk's Sent folder, while the daemon streams it from the
// archive instead of holding it (issue 14 item 5).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand"
	"strings"
	"testing"
	"time"

	gomessage "github.com/emersion/go-message/mail"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// bigAttachmentDigest is the sha256 of the attachment bigMail(…, size)
// carries: its bytes are math/rand's from seed 1.
func bigAttachmentDigest(size int) string {
	h := sha256.New()
	io.CopyN(h, rand.New(rand.NewSource(1)), int64(size))
	return hex.EncodeToString(h.Sum(nil))
}

// attachmentDigests returns the sha256 of each attachment of a mail.
func attachmentDigests(t testing.TB, raw []byte) []string {
	t.Helper()
	mr, err := gomessage.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.Header.(*gomessage.AttachmentHeader); ok {
			h := sha256.New()
			if _, err := io.Copy(h, p.Body); err != nil {
				t.Fatal(err)
			}
			out = append(out, hex.EncodeToString(h.Sum(nil)))
		}
	}
}

// escalateBig readies d for a citizen's mail with a size-byte attachment
// that goes unanswered up the whole chain (3 s a level), attached to every
// mail (notify_attachments_max above it), and puts that mail in the inbox.
func escalateBig(d *testDesk, size int) {
	fastChain(d)
	d.Config.Desk.NotifyAttachmentsMax = int64(size) + 1<<20
	d.appendRaw(bigMail(d.citizen("budi"), d.Address, size))
}

// checkBigEscalated waits until every head has their own level's
// escalation and the outbox is empty with every Sent copy made, then
// checks that each head's escalation and its Sent copy carry the
// attachment byte for byte.
func checkBigEscalated(t testing.TB, d *testDesk, size int) {
	t.Helper()
	want := bigAttachmentDigest(size)
	db := d.db()
	waitFor(t, 5*time.Minute, "three escalations sent and copied", func() bool {
		ms, err := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeEscalation})
		if err != nil || len(ms) < 3 {
			return false
		}
		for _, m := range ms {
			if m.State != mailproc.OutboxSent || m.CopiedAt.IsZero() {
				return false
			}
		}
		return true
	})
	for i, h := range []string{d.Kasi, d.Kabag, d.Kadis} {
		own := 0
		for _, m := range d.mails(h, "INBOX") {
			if to, _ := m.Header.AddressList("To"); len(to) != 1 || to[0].Address != h {
				continue
			}
			own++
			if got := attachmentDigests(t, m.Raw); len(got) != 1 || got[0] != want {
				t.Errorf("level %d (%s): attachments %q, want one with sha256 %s", i+1, h, got, want)
			}
		}
		if own != 1 {
			t.Errorf("level %d (%s) was addressed %d times, want once", i+1, h, own)
		}
	}
	copies := 0
	for _, m := range d.mails(d.Address, "Sent") {
		if !strings.Contains(m.Subject, "Eskalasi tingkat") {
			continue
		}
		copies++
		if got := attachmentDigests(t, m.Raw); len(got) != 1 || got[0] != want {
			t.Errorf("Sent copy %q: attachments %q, want one with sha256 %s", m.Subject, got, want)
		}
	}
	if copies != 3 {
		t.Errorf("%d escalations in the Sent folder, want 3", copies)
	}
}

// TestE2EEscalateBigAttachment: an 8 MB attachment (the benchmark below
// takes 30 MB) reaches all three heads, and the Sent folder, unchanged.
func TestE2EEscalateBigAttachment(t *testing.T) {
	const size = 8 << 20
	d := newTestDesk(t)
	escalateBig(d, size)
	d.start()
	checkBigEscalated(t, d, size)
}

// BenchmarkEscalate30MBPeakRSS runs the binary on a mailbox holding one
// citizen mail with a 30 MB attachment that escalates to the three heads,
// each escalation carrying it, with every Sent copy made, and reads the
// process's peak resident set (VmHWM). Goal: ≤ 64 MB.
//
//	go test -run '^$' -bench BenchmarkEscalate30MBPeakRSS -benchtime 1x ./cmd/mailproc
func BenchmarkEscalate30MBPeakRSS(b *testing.B) {
	const size = 30 << 20
	for i := 0; i < b.N; i++ {
		d := newTestDesk(b)
		escalateBig(d, size)
		p := d.spawn(d.writeConfig())
		start := time.Now()
		checkBigEscalated(b, d, size)
		el := time.Since(start)
		rss := p.peakRSS(b)
		p.kill(b)
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
		b.Logf("peak RSS escalating a 30 MB attachment to three heads (and the staff notification, and 4 Sent copies): %.1f MB; %.0f s",
			float64(rss)/(1<<20), el.Seconds())
	}
}
