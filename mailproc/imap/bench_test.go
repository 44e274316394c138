package imap

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// discardHandler reads each mail to its end and stores nothing: the
// intake's own overhead, without a database.
type discardHandler struct{}

func (discardHandler) Seen(context.Context, mailproc.Delivery) (mailproc.Disposition, bool, error) {
	return "", false, nil
}

func (discardHandler) Oversize(context.Context, mailproc.Delivery, int64, int64) (mailproc.IngestResult, error) {
	return mailproc.IngestResult{Disposition: mailproc.Quarantined}, nil
}

func (discardHandler) Ingest(_ context.Context, _ mailproc.Delivery, r io.Reader) (mailproc.IngestResult, error) {
	_, err := io.Copy(io.Discard, r)
	return mailproc.IngestResult{Disposition: mailproc.Stored}, err
}

const (
	benchMails = 200
	benchSize  = 100 << 10
)

func benchServer(b *testing.B) *testServer {
	ts := newTestServer(b, newLogSink(b), capsFull)
	body := strings.Repeat(strings.Repeat("x", 76)+"\r\n", benchSize/78)
	for i := range benchMails {
		ts.appendMail("INBOX", testMail(i, body))
	}
	ts.start()
	b.Cleanup(ts.stop)
	return ts
}

// BenchmarkRawFetch is the ceiling: one UID FETCH of every mail's
// BODY.PEEK[], streamed to io.Discard.
func BenchmarkRawFetch(b *testing.B) {
	ts := benchServer(b)
	b.SetBytes(benchMails * benchSize)
	for b.Loop() {
		c, err := imapclient.DialInsecure(ts.Addr(), nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Login(testUser, testPassword).Wait(); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			b.Fatal(err)
		}
		cmd := c.Fetch(goimap.UIDSet{{Start: 1, Stop: 0}}, &goimap.FetchOptions{UID: true, BodySection: []*goimap.FetchItemBodySection{{Peek: true}}})
		n := 0
		for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
			for item := msg.Next(); item != nil; item = msg.Next() {
				if body, ok := item.(imapclient.FetchItemDataBodySection); ok {
					io.Copy(io.Discard, body.Literal)
					n++
				}
			}
		}
		if err := cmd.Close(); err != nil || n != benchMails {
			b.Fatalf("fetched %d: %v", n, err)
		}
		c.Logout().Wait()
		c.Close()
	}
}

// BenchmarkIntake is the same mails through Intake: Seen, metadata and
// body FETCH per batch, MOVE, bookmark. The mails are moved back to the
// inbox (new UIDs) between rounds, outside the timer.
func BenchmarkIntake(b *testing.B) {
	ts := benchServer(b)
	b.SetBytes(benchMails * benchSize)
	for b.Loop() {
		b.StopTimer()
		if ts.count("Diproses") > 0 {
			moveBack(b, ts)
		}
		b.StartTimer()
		in := &Intake{
			Config: Config{Addr: ts.Addr(), TLS: TLSNone, Username: testUser, Password: testPassword,
				PollInterval: time.Hour, IDLE: true, FetchBatch: 50, Timeout: 10 * time.Second},
			Handler:   discardHandler{},
			Bookmarks: newBookmarks(),
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- in.Run(ctx) }()
		for in.Status().LastSync.IsZero() {
			time.Sleep(200 * time.Microsecond)
		}
		cancel()
		<-done
		if n := ts.count("Diproses"); n != benchMails {
			b.Fatalf("Diproses holds %d", n)
		}
	}
}

func moveBack(b *testing.B, ts *testServer) {
	c, err := imapclient.DialInsecure(ts.Addr(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(testUser, testPassword).Wait(); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Select("Diproses", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Move(goimap.SeqSet{{Start: 1, Stop: 0}}, "INBOX").Wait(); err != nil {
		b.Fatal(err)
	}
}
