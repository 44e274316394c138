package mailproc_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestOpsNoticeDigest: three mails quarantined within the interval give ops
// one notice; the other two wait and, once the interval has passed, go out
// as one digest (rendered from the real template) that lists both — the
// path the daemon runs, on a fake clock.
func TestOpsNoticeDigest(t *testing.T) {
	w := newDeskWorld(t)
	w.db.OpsNoticeInterval = 15 * time.Minute
	for i := range 3 {
		w.uid++
		res, err := w.in.Ingest(context.Background(), mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: w.uid, Arrived: w.now},
			strings.NewReader(fmt.Sprintf("\x00\x01 bukan email %d\r\n", i)))
		if err != nil || res.Disposition != mailproc.Quarantined {
			t.Fatalf("ingest %d: %+v %v", i, res, err)
		}
		w.now = w.now.Add(time.Minute)
	}
	ops := func() []*mailproc.OutgoingMail {
		rows, err := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeOps})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	if n := len(ops()); n != 1 {
		t.Fatalf("%d ops notices for 3 quarantines in 3 minutes, want 1", n)
	}
	d := &mailproc.OpsDigester{Store: w.db, Composer: w.in.Composer, Interval: 15 * time.Minute, Now: w.clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	d.Flush(context.Background())
	if n := len(ops()); n != 1 {
		t.Fatalf("%d ops notices after a flush within the interval, want still 1", n)
	}
	w.now = w.now.Add(13 * time.Minute) // 15 minutes after the first notice
	d.Flush(context.Background())
	got := ops()
	if len(got) != 2 {
		t.Fatalf("%d ops notices after the interval, want 2 (the notice and one digest)", len(got))
	}
	digest := got[1]
	if !strings.Contains(digest.Subject, "2 pemberitahuan") || strings.Count(digest.Text, "Email dikarantina") != 2 ||
		!strings.Contains(digest.Text, "UID 2") || !strings.Contains(digest.Text, "UID 3") {
		t.Fatalf("digest does not list the two held notices:\n%s\n%s", digest.Subject, digest.Text)
	}
	d.Flush(context.Background())
	if n := len(ops()); n != 2 {
		t.Fatalf("%d ops notices after another flush with nothing held, want 2", n)
	}
}
