package imap

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"
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
	aborts  atomic.Int32
	// onAdd and onCommit, when set, run at the start of Add and Commit
	// with the mail's UID and the batch's first UID.
	onAdd    func(uid uint32)
	onCommit func(first uint32)

	mu      sync.Mutex
	batches [][]uint32 // the UIDs of each commit, in order
}

// committed returns the UIDs of each commit so far.
func (h *batchingHandler) committed() [][]uint32 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.batches)
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
	if b.h.onAdd != nil {
		b.h.onAdd(d.UID)
	}
	raw, err := io.ReadAll(r)
	if err == nil {
		b.staged = append(b.staged, stagedRaw{d: d, raw: raw})
	}
	return err
}

func (b *testBatch) Abort() {
	b.h.aborts.Add(1)
	b.staged = nil
}

func (b *testBatch) Commit(ctx context.Context) ([]mailproc.IngestResult, error) {
	b.h.commits.Add(1)
	var uids []uint32
	for _, m := range b.staged {
		uids = append(uids, m.d.UID)
	}
	b.h.mu.Lock()
	b.h.batches = append(b.h.batches, uids)
	b.h.mu.Unlock()
	if b.h.onCommit != nil && len(b.staged) > 0 {
		b.h.onCommit(b.staged[0].d.UID)
	}
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

// A batch is also bounded by the sizes the server reports (FetchBytes): it
// takes mails while they add up to no more, at least one, and the rest are
// the next batch's — every mail handled once, in order, and moved.
func TestBatchFullBySize(t *testing.T) {
	e := newEnv(t, capsFull)
	bodies := []int{900, 900, 3000, 100, 100, 100} // raw sizes about 200 bytes more
	for i, n := range bodies {
		e.srv.appendMail("INBOX", testMail(i+1, strings.Repeat("a", n)))
	}
	bh := &batchingHandler{testHandler: e.h}
	r := e.run(func(in *Intake) { in.Handler = bh; in.FetchBatch = 10; in.FetchBytes = 2500 })
	r.syncs(t, 1)
	want := [][]uint32{{1, 2}, {3}, {4, 5, 6}} // 3 alone is over the bound: taken alone
	if got := bh.committed(); !reflect.DeepEqual(got, want) {
		t.Errorf("batches %v, want %v", got, want)
	}
	if n := e.srv.count("Diproses"); n != 6 {
		t.Errorf("Diproses holds %d, want 6", n)
	}
	e.allStoredOnceAndMoved(t, 6)
}

// The bound the README gives: 8 MiB of mail a batch unless set.
func TestFetchBytesDefault(t *testing.T) {
	if got := (Config{}).withDefaults().FetchBytes; got != 8<<20 {
		t.Errorf("FetchBytes defaults to %d, want %d (8 MiB)", got, 8<<20)
	}
}

// The next batch is fetched while the one before it is committed: the
// commit of UIDs 1-2 waits until UID 3 has reached the handler, which
// only a pipelined sync gets to before the commit returns.
func TestBatchFetchedWhileTheOneBeforeCommits(t *testing.T) {
	e := newEnv(t, capsFull)
	for i := 1; i <= 6; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Keluhan layanan."))
	}
	third := make(chan struct{})
	var once sync.Once
	overlapped := make(chan bool, 1)
	bh := &batchingHandler{testHandler: e.h}
	bh.onAdd = func(uid uint32) {
		if uid == 3 {
			once.Do(func() { close(third) })
		}
	}
	bh.onCommit = func(first uint32) {
		if first != 1 {
			return
		}
		select {
		case <-third:
			overlapped <- true
		case <-time.After(5 * time.Second):
			overlapped <- false
		}
	}
	r := e.run(func(in *Intake) { in.Handler = bh; in.FetchBatch = 2 })
	r.firstSync(t)
	if !<-overlapped {
		t.Error("UID 3 was not fetched while UIDs 1-2 were committed")
	}
	if n := e.srv.count("Diproses"); n != 6 {
		t.Errorf("Diproses holds %d, want 6", n)
	}
	if n := e.srv.sent("UID MOVE"); n != 3 {
		t.Errorf("%d UID MOVE commands for 3 batches: %q", n, e.srv.commands())
	}
	if m := e.bm.maxLastUID(); m != 6 {
		t.Errorf("bookmark at %d, want 6", m)
	}
}

// A batch fetched while the one before it was committed is dropped when
// that commit fails: the mails after a failure wait for it, in order, and
// none of them is committed or moved before it.
func TestBatchAfterAFailedCommitIsAborted(t *testing.T) {
	e := newEnv(t, capsFull)
	failing := sixFailingAtThree(e)
	bh := &batchingHandler{testHandler: e.h}
	// The commit of UIDs 3-4 waits until UIDs 5-6 are staged behind it.
	fifth := make(chan struct{})
	var once sync.Once
	bh.onAdd = func(uid uint32) {
		if uid == 5 {
			once.Do(func() { close(fifth) })
		}
	}
	bh.onCommit = func(first uint32) {
		if first == 3 {
			select {
			case <-fifth:
			case <-time.After(5 * time.Second):
			}
		}
	}
	r := e.run(func(in *Intake) { in.Handler = bh; in.FetchBatch = 2 })
	waitFor(t, 10*time.Second, "UID 3 retried", func() bool { return e.h.attempts(3) >= 2 })
	if bh.aborts.Load() == 0 {
		t.Error("the batch staged behind the failed commit was not aborted")
	}
	for uid := uint32(4); uid <= 6; uid++ {
		if n := e.h.attempts(uid); n != 0 {
			t.Errorf("UID %d committed %d times past the failing UID 3", uid, n)
		}
	}
	if n := e.srv.count("Diproses"); n != 2 {
		t.Errorf("Diproses holds %d while UID 3 fails, want 2", n)
	}
	if m := e.bm.maxLastUID(); m != 2 {
		t.Errorf("bookmark reached %d while UID 3 fails, want 2", m)
	}
	failing.Store(false)
	r.syncs(t, 1)
	waitFor(t, 10*time.Second, "all six in Diproses", func() bool { return e.srv.count("Diproses") == 6 })
	if twice := e.h.storedTwice(); len(twice) > 0 {
		t.Errorf("stored twice: %v", twice)
	}
}

// Each mail handed over says how many more the sync knows wait after it
// (Delivery.Behind), across batches: the burst digest holds a start-up
// backlog's notifications from its first mail on.
func TestDeliveryBehindCountsTheRestOfTheSync(t *testing.T) {
	e := newEnv(t, capsFull)
	e.srv.fillInbox(7, "Keluhan layanan.")
	bh := &batchingHandler{testHandler: e.h}
	r := e.run(func(in *Intake) { in.Handler = bh; in.FetchBatch = 3 })
	r.syncs(t, 1)
	e.h.mu.Lock()
	defer e.h.mu.Unlock()
	var got []int
	for _, rec := range e.h.ingests {
		got = append(got, rec.Delivery.Behind)
	}
	if want := []int{6, 5, 4, 3, 2, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("Behind of UIDs 1-7 = %v, want %v", got, want)
	}
}
