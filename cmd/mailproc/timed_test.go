package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// sealCounter is a batch that counts the Seals it is given.
type sealCounter struct{ seals int }

func (s *sealCounter) Add(context.Context, mailproc.Delivery, io.Reader) error { return nil }
func (s *sealCounter) Abort()                                                  {}
func (s *sealCounter) Commit(context.Context) ([]mailproc.IngestResult, error) { return nil, nil }
func (s *sealCounter) Seal()                                                   { s.seals++ }

// The processing-time wrapper passes the adapter's Seal on to the batch it
// wraps: the IMAP adapter seals a batch (the archive's sync) on the
// goroutine that staged it only if the daemon's batch says it can.
func TestTimedBatchPassesSealOn(t *testing.T) {
	inner := &sealCounter{}
	var b mailproc.MailBatch = &timedBatch{MailBatch: inner, observe: func(time.Duration) {}}
	sb, ok := b.(mailproc.SealingBatch)
	if !ok {
		t.Fatal("the daemon's batch is not a SealingBatch: the adapter would never seal it before Commit")
	}
	sb.Seal()
	if inner.seals != 1 {
		t.Fatalf("inner batch sealed %d times, want 1", inner.seals)
	}
	// A batch that cannot seal is left alone.
	(&timedBatch{MailBatch: &oneShot{}, observe: func(time.Duration) {}}).Seal()
}

// oneShot is a batch without Seal.
type oneShot struct{}

func (oneShot) Add(context.Context, mailproc.Delivery, io.Reader) error { return nil }
func (oneShot) Abort()                                                  {}
func (oneShot) Commit(context.Context) ([]mailproc.IngestResult, error) { return nil, nil }
