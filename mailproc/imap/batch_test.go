package imap

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// batchingHandler commits like the Ingester: Add stages a mail, Commit
// hands the staged mails to the testHandler one after another and stops at
// the first that fails, committing those before it.
type batchingHandler struct {
	*testHandler
	commits atomic.Int32
}

func (h *batchingHandler) Batch() mailproc.MailBatch { return &testBatch{h: h} }

type testBatch struct {
	h      *batchingHandler
	staged []stagedRaw
}

type stagedRaw struct {
	d   mailproc.Delivery
	raw []byte
}

func (b *testBatch) Add(_ context.Context, d mailproc.Delivery, r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err == nil {
		b.staged = append(b.staged, stagedRaw{d: d, raw: raw})
	}
	return err
}

func (b *testBatch) Commit(ctx context.Context) ([]mailproc.IngestResult, error) {
	b.h.commits.Add(1)
	var res []mailproc.IngestResult
	for _, m := range b.staged {
		r, err := b.h.testHandler.Ingest(ctx, m.d, bytes.NewReader(m.raw))
		if err != nil {
			return res, err
		}
		res = append(res, r)
	}
	b.staged = nil
	return res, nil
}

// One fetch batch is one commit and one MOVE.
func TestBatchOneCommitOneMove(t *testing.T) {
	e := newEnv(t, capsFull)
	for i := 1; i <= 6; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Keluhan layanan."))
	}
	bh := &batchingHandler{testHandler: e.h}
	r := e.run(func(in *Intake) { in.Handler = bh; in.FetchBatch = 10 })
	r.syncs(t, 1)
	if n := e.srv.count("Diproses"); n != 6 {
		t.Fatalf("Diproses holds %d, want 6", n)
	}
	if n := bh.commits.Load(); n != 1 {
		t.Errorf("%d commits for one batch of 6", n)
	}
	if n := e.srv.sent("UID MOVE"); n != 1 {
		t.Errorf("%d UID MOVE commands, want 1: %q", n, e.srv.commands())
	}
}

// A mail that fails at commit holds the queue at that mail: the mails
// before it in the batch are committed, moved and bookmarked; it and those
// after it stay in the inbox until it succeeds, and none is stored twice.
func TestBatchCommitFailureHoldsTheQueueAtThatMail(t *testing.T) {
	e := newEnv(t, capsFull)
	for i := 1; i <= 6; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Keluhan layanan."))
	}
	var failing atomic.Bool
	failing.Store(true)
	e.h.setFail(func(d mailproc.Delivery) error {
		if d.UID == 3 && failing.Load() {
			return mailproc.TemporaryError(errors.New("disk I/O error"))
		}
		return nil
	})
	bh := &batchingHandler{testHandler: e.h}
	r := e.run(func(in *Intake) { in.Handler = bh; in.FetchBatch = 10 })

	waitFor(t, 10*time.Second, "UID 3 retried", func() bool { return e.h.attempts(3) >= 3 })
	if n := e.srv.count("Diproses"); n != 2 {
		t.Errorf("Diproses holds %d while UID 3 fails, want 2 (UIDs 1, 2)", n)
	}
	if m := e.bm.maxLastUID(); m != 2 {
		t.Errorf("bookmark reached LastUID %d while UID 3 fails, want 2", m)
	}
	if st := r.Status(); !strings.Contains(st.LastError, "disk I/O error") {
		t.Errorf("status %+v: want the commit error reported", st)
	}

	failing.Store(false)
	waitFor(t, 10*time.Second, "all mails processed", func() bool { return e.srv.count("Diproses") == 6 })
	r.syncs(t, 1)
	if n := e.h.stored(); n != 6 {
		t.Errorf("%d mails stored, want 6", n)
	}
	if twice := e.h.storedTwice(); len(twice) > 0 {
		t.Errorf("stored twice: %v", twice)
	}
	if st := e.bm.get("INBOX"); st.LastUID != 6 {
		t.Errorf("LastUID %d, want 6", st.LastUID)
	}
}
