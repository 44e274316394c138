package imap

import (
	"bytes"
	"context"
	"io"
	"sync/atomic"
	"testing"

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
