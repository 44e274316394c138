package mailproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"time"
)

// Group commit: the IMAP adapter hands the Ingester every mail of one
// FETCH (Add), then commits them together (Commit): one sync of the archive
// for the batch, then one database transaction in which each mail is
// placed inside a savepoint of its own. A mail whose placement fails is
// rolled back to its savepoint and quarantined alone, with its reason; the
// others commit. The order per mail is the one a single mail always had —
// archive synced, rows committed, only then moved on the server — so a
// crash anywhere leaves every mail either committed or still in the inbox.
// Mails are placed in the order they were fetched (UID order), so a second
// copy of a mail in the same batch finds the first one's row, and the hash
// chains are appended in that order.

var _ BatchHandler = (*Ingester)(nil)

// Batch implements BatchHandler.
func (in *Ingester) Batch() MailBatch {
	var arch ArchiveBatch = syncedEach{in.Archive}
	if ba, ok := in.Archive.(BatchArchive); ok {
		arch = ba.Batch()
	}
	return &ingestBatch{in: in, arch: arch}
}

// syncedEach is the batch of an Archive that cannot group its syncs: each
// writer's Commit syncs its own file.
type syncedEach struct{ Archive }

func (syncedEach) Sync() error { return nil }

// Abort implements ArchiveBatch: each file is in place already, and a name
// no row refers to is harmless (the same bytes fetched again find it).
func (syncedEach) Abort() {}

type ingestBatch struct {
	in    *Ingester
	arch  ArchiveBatch
	mails []*staged
	// sealing is the archive's sync of the mails added so far, started by
	// Seal; nil when none was started since the last Add. sealErr keeps
	// the first failed sync: its files are gone, so the batch can never
	// commit.
	sealing *sealRun
	sealErr error
	// copyBuf is the batch's one buffer for copying what the parser left
	// unread into the archive (io.Copy would allocate 32 KiB per mail).
	copyBuf []byte
}

// staged is one mail of a batch: archived (not yet synced) and parsed.
type staged struct {
	d     Delivery
	msg   *Message // nil when it could not be read
	perr  error    // why it could not be read
	sum   string
	path  string
	size  int64
	start time.Time
	log   *slog.Logger
}

// Add implements MailBatch. It reads r to its end unless the archive
// cannot take the mail.
func (b *ingestBatch) Add(ctx context.Context, d Delivery, r io.Reader) error {
	in := b.in
	b.waitSeal() // a mail added after Seal needs a sync of its own
	m := &staged{d: d, start: in.now()}
	w, err := b.arch.Create()
	if err != nil {
		return TemporaryError(err)
	}
	// A read error the parser swallowed must still keep the mail out of
	// the batch: a truncated mail is never committed.
	er := &readErr{r: r}
	m.msg, m.perr = in.parse(io.TeeReader(er, w))
	// The parser may stop early (a broken mail); the archive still gets
	// every byte, because the raw mail is the evidence.
	if b.copyBuf == nil {
		b.copyBuf = make([]byte, 32<<10)
	}
	if _, err := io.CopyBuffer(w, er, b.copyBuf); err != nil || er.err != nil {
		w.Abort()
		return TemporaryError(fmt.Errorf("read mail: %w", errors.Join(err, er.err)))
	}
	if m.path, m.sum, m.size, err = w.Commit(); err != nil {
		return TemporaryError(err) // "archive: …" already
	}
	m.log = in.logger().With("mailbox", d.Mailbox, "uid", d.UID, "sha256", m.sum[:12], "size", m.size)
	if m.perr == nil {
		msg := m.msg
		msg.SHA256, msg.Size, msg.ArchivePath, msg.Delivery = m.sum, m.size, m.path, d
		msg.Received = in.now()
		if msg.MessageID == "" {
			msg.MessageID, msg.SyntheticID = SyntheticMessageID(m.sum), true
		}
		m.log = m.log.With("message_id", msg.MessageID)
		msg.classification() // here, not in the write transaction
	}
	b.mails = append(b.mails, m)
	return nil
}

// Seal implements SealingBatch: it starts the archive's sync for the batch
// and returns. The sync runs beside the commit of the batch before and the
// staging of the one after; Commit waits for it. A failure is Commit's to
// report: nothing is committed then, and every mail stays in the inbox.
func (b *ingestBatch) Seal() {
	if b.sealing != nil {
		return
	}
	r := &sealRun{done: make(chan struct{})}
	b.sealing = r
	go func() {
		defer close(r.done)
		r.err = b.arch.Sync()
	}()
}

// sealRun is one sync of a batch's archive files.
type sealRun struct {
	done chan struct{}
	err  error
}

// waitSeal waits for the sync Seal started, if any, and keeps its failure.
func (b *ingestBatch) waitSeal() {
	if r := b.sealing; r != nil {
		<-r.done
		b.sealing = nil
		if b.sealErr == nil {
			b.sealErr = r.err
		}
	}
}

// readErr remembers the first read error other than io.EOF.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// Abort implements MailBatch.
func (b *ingestBatch) Abort() {
	b.waitSeal()
	b.sealErr = nil
	b.arch.Abort()
	b.mails = nil
}

// Commit implements MailBatch. The postman is woken once for the batch.
func (b *ingestBatch) Commit(ctx context.Context) ([]IngestResult, error) {
	in := b.in
	mails := b.mails
	b.mails = nil
	if len(mails) == 0 {
		return nil, nil
	}
	b.Seal()
	b.waitSeal()
	serr := b.sealErr
	b.sealErr = nil
	if serr != nil {
		return nil, TemporaryError(serr)
	}
	var results []IngestResult
	var stop error // why mails[len(results)] could not be taken
	queued := false
	err := in.Store.Intake(ctx, func(tx IntakeTx) error {
		// Called again if the database asks for a retry.
		results, stop, queued = results[:0], nil, false
		tx = &burstMemo{IntakeTx: tx}
		for _, m := range mails {
			res, q, err := in.record(tx, m)
			if err != nil {
				stop = err
				break
			}
			results, queued = append(results, res), queued || q
		}
		return nil
	})
	if err != nil {
		// Nothing was committed: every mail stays in the inbox.
		return nil, TemporaryError(err)
	}
	if queued && in.OnCommit != nil {
		in.OnCommit()
	}
	for i, res := range results {
		in.committed(mails[i], res)
	}
	if stop != nil {
		return results, stop
	}
	return results, nil
}

// record places one mail of a batch inside its own savepoint; a mail that
// cannot be read, or whose placement fails for a reason other than a
// temporary one, is quarantined instead. err is temporary: the mail (and
// every one after it) stays in the inbox.
func (in *Ingester) record(tx IntakeTx, m *staged) (res IngestResult, queued bool, err error) {
	if m.perr != nil {
		return in.quarantineTx(tx, m.log, m.d, "", m.sum, m.size, m.path, "tidak dapat dibaca: "+m.perr.Error(), "")
	}
	msg := m.msg
	err = tx.Savepoint(func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			}
		}()
		res, queued, err = in.place(tx, msg)
		return err
	})
	if err == nil {
		return res, queued, nil
	}
	msg.taughtAuth = false // rolled back with the rest
	if IsTemporary(err) {
		return IngestResult{}, false, err
	}
	m.log.Error("mail could not be processed; quarantining", "err", err)
	return in.quarantineTx(tx, m.log, m.d, msg.MessageID, m.sum, m.size, m.path, "gagal diproses: "+firstLine(err.Error()), msg.From.Addr)
}

// committed does what follows the commit of one mail: the log line, and
// switching desk.require_auth = auto on when the mail taught it.
func (in *Ingester) committed(m *staged, res IngestResult) {
	if m.msg != nil && m.msg.taughtAuth {
		in.RequireAuth.SetStamped()
		m.log.Warn("desk.require_auth = auto is now on: the desk's server stamps Authentication-Results on staff mail",
			"authserv_id", in.RequireAuth.AuthservID)
	}
	switch res.Disposition {
	case Duplicate:
		m.log.Info("copy of a stored mail; skipped", "case", res.CaseNumber)
	case Quarantined:
		m.log.Warn("mail quarantined", "reason", res.Reason)
	default:
		m.log.Info("mail stored", "case", res.CaseNumber, "action", string(res.Action),
			"ms", in.now().Sub(m.start).Milliseconds())
	}
}

// burstMemo is a batch's transaction that remembers when a count of queued
// mail reached its limit (a burst of staff notifications is on) and answers
// the limit again for the rest of the batch. Nobody else writes during the
// transaction and its own mail only adds to the count, so the answer is the
// one the database would give, but for mail turning NotifyDigestWindow old
// in the milliseconds the batch takes; in a burst that is one query a
// batch, not one a mail.
type burstMemo struct {
	IntakeTx
	reached map[Purpose]int // the limit a count of the purpose reached
}

// CountQueuedUpTo implements IntakeTx.
func (b *burstMemo) CountQueuedUpTo(p Purpose, since time.Time, limit int) (int, error) {
	if l, ok := b.reached[p]; ok && l == limit {
		return limit, nil
	}
	n, err := b.IntakeTx.CountQueuedUpTo(p, since, limit)
	if err == nil && n >= limit {
		if b.reached == nil {
			b.reached = map[Purpose]int{}
		}
		b.reached[p] = limit
	}
	return n, err
}
